# SPDX-License-Identifier: LGPL-2.1-or-later
"""Differential test: our Python layer against redis-py 4.3.4, call by call.

CALLS (parity_script.py) is one script of (method, args, kwargs) that calls every
command method redis-py has for the commands dtredis implements
(SIG_METHODS), most of them several times with their options.  It runs
through redis-py on one database and through DtRedis on another of the same
private server, each starting empty, and every result must be the same:
equal with ==, and of the same types all the way down (True is not 1, b'1'
is not '1', a tuple is not a list); an exception counts as a result and
compares by class name and message.  A call whose answer is inherently
nondeterministic (times, ids, random members, idle times) carries a 'shape'
flag: a function from a result to what must agree between the two sides
(structure(), members(), without(...) below).  Every difference is
collected; the assertion lists all of them, the first one first.

The same script runs on the asyncio clients, and with decode_responses.
test_signatures_* compare inspect.signature of every method both clients
have.

The script leaves the server as it found it (functions, scripts, config,
pub/sub): only its own two databases per run change.
"""

import asyncio
import datetime
import inspect
import time

import gi
import pytest
import redis
import redis.asyncio

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402
from parity_script import (  # noqa: E402 - after gi.require_version
    CALLS,
    CHANNEL,
    PATTERN,
    exact,
    NOT_CALLED,
    OPTIONAL_KWARGS,
    OTHER_DB,
    PARITY_USER,
    SIG_METHODS,
    SPELLED_KWARGS,
    Saved,
    THIS_DB,
    structure,
    without)

pytestmark = [
    pytest.mark.filterwarnings('ignore:.*hmset.. is deprecated:DeprecationWarning'),
    # redis-py's client (and ours) warn and send nothing: WATCH belongs to pipelines
    pytest.mark.filterwarnings('ignore:Call (UN)?WATCH from a Pipeline object:DeprecationWarning'),
]

# Databases: redis-py runs on REF_DB, we run on OUR_DB; each run's COPY/MOVE
# target is the database after it.  All four are emptied before each run.
REF_DB, OUR_DB = 11, 13


# -- running and comparing --------------------------------------------------------

class Call:
    """One entry of CALLS, its flags taken out of its kwargs."""

    def __init__(self, index, entry):
        self.index = index
        self.name, self.args, kwargs = entry
        self.kwargs = dict(kwargs)
        self.shape = self.kwargs.pop('shape', None)    # see structure() and friends
        self.save = self.kwargs.pop('save', None)      # label for a later Saved(label)
        self.raises = self.kwargs.pop('raises', None)  # redis-py raises this on purpose
        self.chain = self.kwargs.pop('chain', None)    # applied to the method's result

    def prepare(self, saved, other_db):
        def resolve(value):
            if isinstance(value, Saved):
                return saved[value.label]
            if value is THIS_DB:
                return other_db - 1
            return other_db if value is OTHER_DB else value
        return (tuple(resolve(arg) for arg in self.args),
                {key: resolve(arg) for key, arg in self.kwargs.items()})

    def __str__(self):
        args = ', '.join([repr(arg) for arg in self.args]
                         + ['%s=%r' % item for item in self.kwargs.items()])
        shape = ' [shape %s]' % self.shape.__name__ if self.shape else ''
        return '#%d %s(%s)%s' % (self.index, self.name, args, shape)


SCRIPT = [Call(index, entry) for index, entry in enumerate(CALLS)]


def run_sync(client, other_db):
    """Every call's result (or the exception it raised), in order."""
    saved, results = {}, []
    for call in SCRIPT:
        args, kwargs = call.prepare(saved, other_db)
        try:
            result = getattr(client, call.name)(*args, **kwargs)
            if call.chain:
                result = call.chain(result)
        except Exception as error:  # a result to compare
            result = error
        if call.save:
            saved[call.save] = result
        results.append(result)
    return results


async def run_async(client, other_db):
    """run_sync() on an asyncio client: each call is awaited."""
    saved, results = {}, []
    for call in SCRIPT:
        args, kwargs = call.prepare(saved, other_db)
        try:
            if call.chain:
                result = call.chain(getattr(client, call.name)(*args, **kwargs))
                if inspect.isawaitable(result):
                    result = await result
            else:
                result = await getattr(client, call.name)(*args, **kwargs)
        except Exception as error:  # a result to compare
            result = error
        if call.save:
            saved[call.save] = result
        results.append(result)
    return results


def same(call, theirs, ours):
    if isinstance(theirs, BaseException) or isinstance(ours, BaseException):
        return exact(theirs) == exact(ours)
    if call.shape:
        try:
            return call.shape(theirs) == call.shape(ours)
        except Exception:  # a result without the shape: the difference shows
            return False
    return theirs == ours and exact(theirs) == exact(ours)


def show(value):
    if isinstance(value, BaseException):
        return '%s(%r)' % (type(value).__name__, str(value))
    return '%r  (%s)' % (value, type(value).__name__)


def differences(expected, got):
    """One entry per call whose two results differ."""
    assert len(expected) == len(got) == len(SCRIPT)
    return ['%s\n    redis-py: %s\n    ours:     %s' % (call, show(theirs), show(ours))
            for call, theirs, ours in zip(SCRIPT, expected, got)
            if not same(call, theirs, ours)]


def check(expected, got):
    lines = differences(expected, got)
    assert not lines, '%d of %d calls differ; the first:\n%s\n\nall of them:\n%s' % (
        len(lines), len(SCRIPT), lines[0], '\n'.join(lines))


# -- fixtures ---------------------------------------------------------------------

@pytest.fixture(scope='module')
def listeners(redis_server):
    """A subscriber to CHANNEL and PATTERN, so that PUBLISH and PUBSUB count."""
    client = redis.Redis(host=redis_server.host, port=redis_server.port)
    pubsub = client.pubsub()
    pubsub.subscribe(CHANNEL)
    pubsub.psubscribe(PATTERN)
    for _ in range(2):
        assert pubsub.get_message(timeout=5)['type'] in ('subscribe', 'psubscribe')
    yield
    pubsub.close()
    client.close()


@pytest.fixture
def server(redis_server, listeners):
    """The session's server, with the four databases of the runs emptied,
    then one key put in each run's own database: DBSIZE, KEYS and SCAN in
    the script see it only if the client uses the database it was given."""
    with redis.Redis(host=redis_server.host, port=redis_server.port) as admin:
        for db in (REF_DB, REF_DB + 1, OUR_DB, OUR_DB + 1):
            admin.execute_command('SELECT', db)
            admin.flushdb()
            if db in (REF_DB, OUR_DB):
                admin.set('preexisting', db)
    return redis_server


def reference(server, db, **options):
    return redis.Redis(host=server.host, port=server.port, db=db, **options)


def instance(server, db):
    config = (DtRedis.Config().set_redis_host(server.host).set_redis_port(server.port)
              .set_redis_db(str(db)))
    return DtRedis.Instance(config)


# -- tests ------------------------------------------------------------------------

def test_the_script_covers_every_method():
    called = {call.name for call in SCRIPT}
    assert set(SIG_METHODS) - called == set(NOT_CALLED)
    assert called <= set(SIG_METHODS), called - set(SIG_METHODS)
    assert len(SCRIPT) >= 350


def test_the_script_is_deterministic_on_redis_py(server):
    """redis-py against itself, db against db: the script and its shapes
    are sound, and redis-py raises exactly where a call says 'raises'."""
    with reference(server, REF_DB) as first, reference(server, OUR_DB) as second:
        expected = run_sync(first, REF_DB + 1)
        again = run_sync(second, OUR_DB + 1)
    check(expected, again)
    raised = [(str(call), call.raises, show(result))
              for call, result in zip(SCRIPT, expected)
              if (type(result).__name__ if isinstance(result, Exception) else None)
              != call.raises]
    assert not raised


def test_sync_client_matches_redis_py(server):
    with reference(server, REF_DB) as client:
        expected = run_sync(client, REF_DB + 1)
    with instance(server, OUR_DB).get_redis() as client:
        got = run_sync(client, OUR_DB + 1)
    check(expected, got)


def test_async_client_matches_redis_py(server):
    async def theirs():
        client = redis.asyncio.Redis(host=server.host, port=server.port, db=REF_DB)
        try:
            return await run_async(client, REF_DB + 1)
        finally:
            await client.close()

    async def ours():
        async with instance(server, OUR_DB).get_async_redis() as client:
            return await run_async(client, OUR_DB + 1)

    expected = asyncio.run(theirs())
    got = asyncio.run(ours())
    check(expected, got)


def test_decode_responses_matches_redis_py(server):
    with reference(server, REF_DB, decode_responses=True) as client:
        expected = run_sync(client, REF_DB + 1)
    with instance(server, OUR_DB).get_redis(decode_responses=True) as client:
        got = run_sync(client, OUR_DB + 1)
    check(expected, got)


# -- signatures -------------------------------------------------------------------

def parameters(function):
    """(name, kind, default) of each parameter but self; annotations ignored."""
    params = list(inspect.signature(function).parameters.values())
    if params and params[0].name == 'self':
        params = params[1:]
    return [(p.name, p.kind.name, p.default) for p in params]


def signature_differences(theirs_class, ours_class):
    lines = ['%s: missing' % name for name in SIG_METHODS
             if not callable(getattr(ours_class, name, None))]
    shared = sorted(name for name in dir(theirs_class)
                    if not name.startswith('_') and callable(getattr(theirs_class, name))
                    and callable(getattr(ours_class, name, None)))
    for name in shared:
        theirs = parameters(getattr(theirs_class, name))
        try:
            ours = parameters(getattr(ours_class, name))
        except (TypeError, ValueError) as error:
            lines.append('%s: no signature (%s)' % (name, error))
            continue
        if theirs and theirs[-1][1] == 'VAR_KEYWORD':
            if name in OPTIONAL_KWARGS and ours[-1:] != theirs[-1:]:
                theirs = theirs[:-1]
            elif name in SPELLED_KWARGS:
                spelled = [p for p in ours if p[1] == 'KEYWORD_ONLY']
                if {p[0] for p in spelled} == SPELLED_KWARGS[name]:
                    theirs, ours = theirs[:-1], [p for p in ours if p not in spelled]
        if theirs != ours:
            lines.append('%s:\n    redis-py: %s\n    ours:     %s' % (name, theirs, ours))
    return lines


def test_signatures_match_redis_py():
    lines = signature_differences(redis.Redis, DtRedis.Client)
    assert not lines, '%d differences:\n%s' % (len(lines), '\n'.join(lines))


def test_async_signatures_match_redis_py():
    lines = signature_differences(redis.asyncio.Redis, DtRedis.AsyncClient)
    assert not lines, '%d differences:\n%s' % (len(lines), '\n'.join(lines))


# -- what the script cannot hold ------------------------------------------------------

def _settled(client):
    """Waits until no background save or AOF rewrite runs or is scheduled."""
    for _ in range(500):
        info = client.info('persistence')
        if not (info['rdb_bgsave_in_progress'] or info['aof_rewrite_in_progress']
                or info['aof_rewrite_scheduled']):
            return
        time.sleep(0.01)
    pytest.fail('the background save did not end')


PERSISTENCE = [('save', ()), ('bgsave', ()), ('bgsave', (False,)), ('bgrewriteaof', ()),
               ('lastsave', ()), ('config_rewrite', ())]


def test_persistence_commands_match_redis_py(redis_server_factory):
    """SAVE, BGSAVE, BGREWRITEAOF and CONFIG REWRITE, each after the last
    background job ended, on a server of the test's own (CONFIG REWRITE
    rewrites its configuration file)."""
    server = redis_server_factory()
    admin = redis.Redis(host=server.host, port=server.port)

    def run(client):
        results = []
        for name, args in PERSISTENCE:
            _settled(admin)
            try:
                result = getattr(client, name)(*args)
            except Exception as error:  # a result to compare
                result = error
            results.append(type(result) if name == 'lastsave' else result)
        return results

    async def run_async(client):
        results = []
        for name, args in PERSISTENCE:
            _settled(admin)
            result = await getattr(client, name)(*args)
            results.append(type(result) if name == 'lastsave' else result)
        return results

    async def ours_async():
        async with instance(server, 0).get_async_redis() as client:
            return await run_async(client)

    with reference(server, 0) as client:
        expected = run(client)
    assert expected == [True, True, True, True, datetime.datetime, b'OK']
    with instance(server, 0).get_redis() as client:
        assert run(client) == expected
    with instance(server, 0).get_redis(decode_responses=True) as client:
        assert run(client) == expected[:-1] + ['OK']
    assert asyncio.run(ours_async()) == expected
    _settled(admin)
    admin.close()


def test_connection_objects_are_ours(server):
    """monitor() and client() give our objects that own a connection, of
    the client's kind, from clients and pipelines alike (their behaviour:
    test_connection_objects.py; pubsub(): test_pubsub.py)."""
    async def main():
        async with instance(server, OUR_DB).get_async_redis() as client:
            assert type(client.monitor()).__name__ == 'AsyncMonitor'
            assert type(client.client()).__name__ == 'AsyncSingleConnectionClient'

    with instance(server, OUR_DB).get_redis() as client:
        assert type(client.monitor()).__name__ == 'Monitor'
        assert client.client().props.single_connection
        with client.pipeline() as pipe:
            assert type(pipe.monitor()).__name__ == 'Monitor'
            assert pipe.client().props.single_connection
    asyncio.run(main())


def test_stateful_commands_do_not_outlive_their_command(server):
    """What the docstrings of select(), client_setname() and friends say:
    the command runs on a connection of its own, so later ones never see
    its state."""
    with instance(server, OUR_DB).get_redis() as client:
        client.set('mine', 1)
        assert client.select(OUR_DB + 1) is True
        assert client.get('mine') == b'1'
        assert client.client_setname('parity-name') is True
        assert client.client_getname() is None
        assert client.quit() is True
        assert client.reset() == 'RESET'
        assert client.get('mine') == b'1'
        client.delete('mine')


def test_acl_log_entries_match_redis_py(server):
    """ACL LOG with an entry (a failed AUTH on a connection of its own):
    the same dicts, client-info parsed, times and ids by type."""
    shape = without('age-seconds', 'client-info')
    with reference(server, REF_DB) as theirs, instance(server, OUR_DB).get_redis() as ours:
        theirs.acl_setuser(PARITY_USER, reset=True, enabled=True, passwords=['+pw'])
        try:
            theirs.acl_log_reset()
            assert server.command('AUTH', PARITY_USER, 'wrong').startswith(b'-WRONGPASS')
            expected = theirs.acl_log()
            assert len(expected) == 1 and expected[0]['username'] == PARITY_USER
            got = ours.acl_log()
            assert shape(got) == shape(expected)
            assert structure(got) == structure(expected)
            assert exact(got[0]['client-info']['cmd']) == exact(expected[0]['client-info']['cmd'])
            with reference(server, REF_DB, decode_responses=True) as decoded:
                expected = decoded.acl_log(count=1)
            with instance(server, OUR_DB).get_redis(decode_responses=True) as decoded:
                got = decoded.acl_log(count=1)
            assert shape(got) == shape(expected) and structure(got) == structure(expected)
        finally:
            theirs.acl_log_reset()
            theirs.acl_deluser(PARITY_USER)


def test_module_errors_match_redis_py(redis_server_factory):
    """MODULE LOAD and UNLOAD failing, on a server of the test's own that
    allows the MODULE command: redis-py's ModuleError (nothing is loaded:
    the path does not exist)."""
    server = redis_server_factory(extra_config=['enable-module-command yes'])
    calls = [('module_load', ('/nonexistent/parity.so',)),
             ('module_loadex', ('/nonexistent/parity.so', ['name', 'value'], ['arg'])),
             ('module_unload', ('paritymodule',)), ('module_list', ())]

    def run(client):
        results = []
        for name, args in calls:
            try:
                results.append(exact(getattr(client, name)(*args)))
            except Exception as error:  # a result to compare
                results.append(exact(error))
        return results

    with reference(server, 0) as client:
        expected = run(client)
    assert [result[1] for result in expected[:3]] == ['ModuleError'] * 3
    with instance(server, 0).get_redis() as client:
        assert run(client) == expected
