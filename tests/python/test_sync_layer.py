# SPDX-License-Identifier: LGPL-2.1-or-later
"""The blocking Python layer: redis-py's results, errors and pipelines.

Where python3-redis is installed, every command runs against dtredis and
against redis-py on the same (emptied) server, and the results must be
equal, type for type.
"""

import datetime
import socket
import threading

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis, GLib  # noqa: E402


# -- helpers ------------------------------------------------------------------------

def typed(value):
    """@value with the type of every part made explicit, for comparisons.

    True == 1 and b'1' != 1 would hide the differences that matter here;
    dicts keep their order, sets do not have one; exceptions compare by
    class name and message.
    """
    if isinstance(value, BaseException):
        return ('exception', type(value).__name__, str(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(item) for item in value])
    if isinstance(value, dict):
        return ('dict', [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, set):
        return ('set', sorted(typed(item) for item in value))
    return (type(value).__name__, value)


def outcome(function, *args, **kwargs):
    """What a call gives: its result, or the exception it raises."""
    try:
        return function(*args, **kwargs)
    except Exception as error:  # compared with redis-py's
        return error


class SilentServer:
    """Accepts connections and never answers."""

    def __init__(self):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        self.connections = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.socket.close()
        for connection in self.connections:
            connection.close()


class ScriptedServer:
    """A RESP server answering each command with reply(args) -> bytes."""

    def __init__(self, reply):
        self.reply = reply
        self.commands = []
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(('127.0.0.1', 0))
        self.socket.listen(16)
        self.port = self.socket.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(connection,), daemon=True).start()

    def _serve(self, connection):
        with connection, connection.makefile('rb') as stream:
            while True:
                line = stream.readline()
                if not line:
                    return
                args = []
                for _ in range(int(line[1:])):
                    length = int(stream.readline()[1:])
                    args.append(stream.read(length + 2)[:-2])
                self.commands.append(args)
                connection.sendall(self.reply(args))

    def close(self):
        self.socket.close()


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def make_instance(host, port, **settings):
    config = DtRedis.Config().set_redis_host(host).set_redis_port(port)
    for name, value in settings.items():
        getattr(config, 'set_redis_' + name)(value)
    return DtRedis.Instance(config)


# -- fixtures ------------------------------------------------------------------------

@pytest.fixture
def instance(server):
    return make_instance(server.host, server.port)


@pytest.fixture
def client(instance):
    with instance.get_redis() as client:
        yield client


@pytest.fixture
def reference(server):
    """redis-py on the same server."""
    redis = pytest.importorskip('redis')
    client = redis.Redis(host=server.host, port=server.port)
    yield client
    client.close()


# -- the same commands as redis-py ----------------------------------------------------

# (method, args, kwargs); each script runs from an empty database.
STEPS = [
    ('set', ('s', 'v'), {}),
    ('get', ('s',), {}),
    ('get', ('nope',), {}),
    ('set', ('bin', b'a\x00\xff\r\nb'), {}),
    ('get', ('bin',), {}),
    ('set', (b'key\xff\x00', 'binary key'), {}),
    ('get', (b'key\xff\x00',), {}),
    ('set', ('key\x00nul', 'nul in a str key'), {}),
    ('get', ('key\x00nul',), {}),
    ('set', ('n', 1), {}),
    ('set', ('f', 1.5), {}),
    ('set', ('f2', 0.1), {}),
    ('set', ('big', 10 ** 20), {}),
    ('set', ('e', 1e20), {}),
    ('mget', (['n', 'f', 'f2', 'big', 'e', 'nope'],), {}),
    ('set', ('nx', 'a'), {'nx': True}),
    ('set', ('nx', 'b'), {'nx': True}),
    ('set', ('s', 'x'), {'xx': True}),
    ('set', ('missing', 'x'), {'xx': True}),
    ('set', ('s', 'y'), {'get': True}),
    ('set', ('ex', 'v'), {'ex': 100}),
    ('ttl', ('ex',), {}),
    ('set', ('px', 'v'), {'px': datetime.timedelta(seconds=200)}),
    ('ttl', ('px',), {}),
    ('set', ('ex', 'w'), {'keepttl': True}),
    ('ttl', ('ex',), {}),
    ('setex', ('se', 100, 'v'), {}),
    ('setex', ('se2', datetime.timedelta(seconds=50), 'v'), {}),
    ('ttl', ('se2',), {}),
    ('ttl', ('s',), {}),
    ('ttl', ('nope',), {}),
    ('getset', ('s', 'z'), {}),
    ('incr', ('c',), {}),
    ('incr', ('c', 5), {}),
    ('incrby', ('c', 3), {}),
    ('decr', ('c',), {}),
    ('decr', ('c', 2), {}),
    ('decrby', ('c', 1), {}),
    ('incrbyfloat', ('fl', 1.5), {}),
    ('incr', ('s',), {}),
    ('append', ('s', 'tail'), {}),
    ('strlen', ('s',), {}),
    ('type', ('s',), {}),
    ('type', ('nope',), {}),
    ('expire', ('s', 100), {}),
    ('expire', ('nope', 100), {}),
    ('expire', ('s', datetime.timedelta(seconds=30)), {}),
    ('expire', ('s', 10), {'xx': True}),
    ('persist', ('s',), {}),
    ('exists', ('s', 's', 'nope'), {}),
    ('exists', (), {}),
    ('delete', ('nope',), {}),
    ('delete', ('n', 'f', 'nope'), {}),
    ('mset', ({'m1': 'a', 'm2': 2},), {}),
    ('rename', ('m1', 'm3'), {}),
    ('rename', ('nope', 'm4'), {}),
    # hashes
    ('hset', ('h', 'f', 'v'), {}),
    ('hset', ('h',), {'mapping': {'a': 1, 'b': 2.5, 'c': b'\x00'}}),
    ('hset', ('h', 'f', 'w'), {'mapping': {'d': 'x'}}),
    ('hset', ('h',), {'items': ['i1', 'v1', 'i2', 'v2']}),
    ('hset', ('h',), {}),
    ('hget', ('h', 'f'), {}),
    ('hget', ('h', 'nope'), {}),
    ('hget', ('nope', 'f'), {}),
    ('hgetall', ('h',), {}),
    ('hgetall', ('nope',), {}),
    ('hexists', ('h', 'a'), {}),
    ('hexists', ('h', 'zz'), {}),
    ('hdel', ('h', 'a', 'zz'), {}),
    ('hlen', ('h',), {}),
    ('hkeys', ('h',), {}),
    ('hvals', ('h',), {}),
    ('hmget', ('h', ['f', 'zz']), {}),
    ('hincrby', ('h', 'n', 2), {}),
    ('hget', ('s', 'f'), {}),
    # lists
    ('lpush', ('l', 'a', 'b'), {}),
    ('rpush', ('l', 1, 2.5, b'x\x00'), {}),
    ('lrange', ('l', 0, -1), {}),
    ('lrange', ('nope', 0, -1), {}),
    ('llen', ('l',), {}),
    ('lpop', ('l',), {}),
    ('rpop', ('l',), {}),
    ('lpop', ('l', 2), {}),
    ('lpop', ('nope',), {}),
    ('rpop', ('nope',), {}),
    ('rpush', ('l', 'q', 'r', 'q'), {}),
    ('lrem', ('l', 0, 'q'), {}),
    ('ltrim', ('l', 0, 0), {}),
    ('blpop', ('l',), {'timeout': 1}),
    ('rpush', ('l2', 'v'), {}),
    ('brpop', (['nope', 'l2'],), {'timeout': 1}),
    ('blpop', (['nope'],), {'timeout': 1}),
    ('lpush', ('s', 'x'), {}),
    # sets
    ('sadd', ('s1', 'a', 'b', 'c'), {}),
    ('sadd', ('s2', 'b', 'c', 'd', 1), {}),
    ('srem', ('s1', 'c', 'zz'), {}),
    ('smembers', ('s1',), {}),
    ('smembers', ('nope',), {}),
    ('sismember', ('s1', 'a'), {}),
    ('sismember', ('s1', 'zz'), {}),
    ('scard', ('s2',), {}),
    ('sunion', ('s1', 's2'), {}),
    ('sunion', (['s1', 's2'],), {}),
    ('sinter', ('s1', 's2'), {}),
    ('sdiff', ('s1', 's2'), {}),
    ('sdiff', ('nope', 's2'), {}),
    ('smembers', ('s',), {}),
    # sorted sets
    ('zadd', ('z', {'a': 1, 'b': 2.5}), {}),
    ('zadd', ('z', {'a': 5}), {'xx': True, 'ch': True}),
    ('zadd', ('z', {'c': 1}), {'nx': True}),
    ('zadd', ('z', {'a': 1}), {'incr': True}),
    ('zadd', ('z', {'a': 1}), {'nx': True, 'incr': True}),
    ('zadd', ('z', {}), {}),
    ('zincrby', ('z', 2, 'b'), {}),
    ('zscore', ('z', 'a'), {}),
    ('zscore', ('z', 'nope'), {}),
    ('zrank', ('z', 'b'), {}),
    ('zrank', ('z', 'nope'), {}),
    ('zrevrank', ('z', 'b'), {}),
    ('zrange', ('z', 0, -1), {}),
    ('zrange', ('z', 0, -1), {'withscores': True}),
    ('zrange', ('z', 0, -1), {'desc': True, 'withscores': True}),
    ('zrange', ('z', 0, -1), {'withscores': True, 'score_cast_func': bytes}),
    ('zrange', ('z', 0, 5), {'byscore': True}),
    ('zrange', ('nope', 0, -1), {}),
    ('zrevrange', ('z', 0, 1), {}),
    ('zrevrange', ('z', 0, 1), {'withscores': True}),
    ('zcard', ('z',), {}),
    ('zrem', ('z', 'a', 'zz'), {}),
    ('zscore', ('s', 'a'), {}),
    # server
    ('ping', (), {}),
    ('echo', ('hi',), {}),
    ('publish', ('channel', 'message'), {}),
    ('dbsize', (), {}),
    ('execute_command', ('SET', 'x', 'y'), {}),
    ('execute_command', ('set', 'x', 'y', 'NX'), {}),
    ('execute_command', ('GET', 'x'), {}),
    ('execute_command', ('TYPE', 'x'), {}),
    ('execute_command', ('HGETALL', 'h'), {}),
    ('execute_command', ('SMEMBERS', 's1'), {}),
    ('execute_command', ('ZSCORE', 'z', 'b'), {}),
    ('execute_command', ('EXPIRE', 'x', 10), {}),
    ('execute_command', ('LRANGE', 'l2', 0, -1), {}),
    ('execute_command', ('CONFIG GET', 'maxmemory'), {}),
    ('execute_command', ('PING',), {}),
    ('execute_command', ('NOSUCHCOMMAND',), {}),
    ('set', ('bool', True), {}),
    ('set', ('none', None), {}),
    ('rpush', ('l3', None), {}),
    ('set', ('list', [1]), {}),
    ('flushdb', (), {}),
    ('dbsize', (), {}),
]


def run_steps(client):
    return [typed(outcome(getattr(client, name), *args, **kwargs))
            for name, args, kwargs in STEPS]


def test_every_command_returns_what_redis_py_returns(server, client, reference):
    ours = run_steps(client)
    server.command('FLUSHALL')
    theirs = run_steps(reference)
    for step, mine, expected in zip(STEPS, ours, theirs):
        assert mine == expected, step


def test_keys_match_redis_py(server, client, reference):
    for name in ('a', 'b:1', 'b:2'):
        client.set(name, 1)
    client.set(b'\xff', 1)
    assert sorted(client.keys()) == sorted(reference.keys())
    assert sorted(client.keys('b:*')) == sorted(reference.keys('b:*')) == [b'b:1', b'b:2']
    assert client.keys('nope*') == reference.keys('nope*') == []


def test_return_types_without_redis_py(client):
    # The shapes the seed relies on, checked even where redis-py is absent.
    assert client.set('k', 'v') is True
    assert client.get('k') == b'v'
    assert client.get('missing') is None
    assert client.set('k', 'w', nx=True) is None
    assert client.incr('n') == 1 and type(client.incr('n')) is int
    assert client.expire('k', 10) is True
    assert client.hset('h', mapping={'a': '1'}) == 1
    assert client.hgetall('h') == {b'a': b'1'}
    assert client.hexists('h', 'a') is True
    assert client.rpush('l', 'a', 'b') == 2
    assert client.lrange('l', 0, -1) == [b'a', b'b']
    assert client.sadd('s', 'a') == 1
    assert client.smembers('s') == {b'a'}
    assert client.sismember('s', 'a') is True
    assert client.sunion('s', 'nope') == {b'a'}
    assert client.zadd('z', {'m': 2}) == 1
    assert client.zincrby('z', 1, 'm') == 3.0
    assert client.zscore('z', 'm') == 3.0 and client.zscore('z', 'x') is None
    assert client.zrank('z', 'm') == 0 and client.zrank('z', 'x') is None
    assert client.zrevrange('z', 0, -1, withscores=True) == [(b'm', 3.0)]
    assert client.ping() is True
    assert client.flushdb() is True
    assert client.blpop(['l'], timeout=1) is None


# -- errors ---------------------------------------------------------------------------

def test_server_error_is_response_error_with_gerror_cause(client):
    client.set('k', 'v')
    with pytest.raises(DtRedis.ResponseError) as info:
        client.lpush('k', 'x')
    assert str(info.value).startswith('WRONGTYPE Operation against a key holding')
    assert isinstance(info.value, DtRedis.RedisError)
    assert isinstance(info.value.__cause__, GLib.Error)
    assert info.value.__cause__.domain == 'dt-redis-error-quark'
    assert info.value.__cause__.code == int(DtRedis.Error.SERVER)


def test_data_errors_are_raised_before_sending(client):
    for value in (True, None, [1], {'a': 1}):
        with pytest.raises(DtRedis.DataError, match='Invalid input of type'):
            client.set('k', value)
    assert client.get('k') is None


def test_refused_connection_is_connection_error():
    instance = make_instance('127.0.0.1', closed_port())
    with pytest.raises(DtRedis.ConnectionError) as info:
        with instance.get_redis() as client:
            client.get('k')
    assert not isinstance(info.value, DtRedis.AuthenticationError)
    assert isinstance(info.value.__cause__, GLib.Error)


def test_wrong_password_is_authentication_error(redis_server_factory):
    secured = redis_server_factory(password='right-password')
    instance = make_instance(secured.host, secured.port, password='hunter2-secret')
    with pytest.raises(DtRedis.AuthenticationError) as info:
        instance.get_redis_client().get('k')
    assert isinstance(info.value, DtRedis.ConnectionError)
    assert 'hunter2-secret' not in str(info.value)
    assert 'hunter2-secret' not in repr(info.value)
    assert 'hunter2-secret' not in info.value.__cause__.message

    missing = make_instance(secured.host, secured.port)
    with pytest.raises(DtRedis.AuthenticationError):
        missing.get_redis_client().get('k')

    good = make_instance(secured.host, secured.port, password='right-password')
    assert good.get_redis_client().ping() is True


def test_silent_server_is_timeout_error():
    silent = SilentServer()
    try:
        instance = make_instance('127.0.0.1', silent.port, socket_timeout=0.3)
        with pytest.raises(DtRedis.TimeoutError) as info:
            instance.get_redis_client().get('k')
        assert isinstance(info.value, DtRedis.RedisError)
        ok, error = DtRedis.is_redis_connected(instance)
        assert ok is False and isinstance(error, DtRedis.TimeoutError)
    finally:
        silent.close()


def test_invalid_configuration():
    with pytest.raises(DtRedis.InvalidConfigError) as info:
        DtRedis.Config.new_from_url('nosuchscheme://localhost')
    assert isinstance(info.value, ValueError)
    with pytest.raises(DtRedis.InvalidConfigError):
        DtRedis.Config().set_redis_db('not-a-number').validate()
    url = DtRedis.Config.new_from_url('redis://:pw@127.0.0.1:1234/2')
    assert (url.get_redis_port(), url.get_redis_db()) == (1234, '2')


# -- instance -------------------------------------------------------------------------

def test_instance_takes_the_config_positionally(server):
    config = DtRedis.Config().set_redis_host(server.host).set_redis_port(server.port)
    assert config.set_redis_db('0') is config
    instance = DtRedis.Instance(config)
    assert instance.redis_url == instance.get_redis_url() == \
        'redis://%s:%d/0' % (server.host, server.port)
    assert isinstance(instance.config, DtRedis.Config)
    assert instance.config.get_redis_port() == server.port
    config.set_redis_port(1)
    assert instance.config.get_redis_port() == server.port  # a snapshot
    assert instance.ping() is True


def test_get_redis_client_and_reset_sync_pool(instance):
    client = instance.get_redis_client()
    assert isinstance(client, DtRedis.Client)
    client.set('k', 'v')
    instance.reset_sync_pool()
    assert client.get('k') == b'v'
    client.close()
    assert client.get('k') == b'v'  # close() releases nothing shared


def test_client_is_thread_safe(instance):
    errors = []

    def work():
        try:
            with instance.get_redis() as client:
                for _ in range(200):
                    client.incr('counter')
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with instance.get_redis() as client:
        assert client.get('counter') == b'1600'


def test_health_check(instance):
    assert DtRedis.is_redis_connected(instance) == (True, None)
    ok, error = DtRedis.is_redis_connected(make_instance('127.0.0.1', closed_port()))
    assert ok is False
    assert isinstance(error, DtRedis.ConnectionError)


# -- pipelines -------------------------------------------------------------------------

def fill_pipeline(pipe):
    pipe.set('a', 1).incr('a').get('a').get('nope').sadd('s', 'x')
    pipe.smembers('s').zadd('z', {'m': 1}).zscore('z', 'm').hgetall('h')
    pipe.hset('h', mapping={'f': 'v'}).hgetall('h').expire('a', 10)
    pipe.lpush('a', 'x').get('a').execute_command('PING')
    pipe.zrange('z', 0, -1, withscores=True).blpop('nope', timeout=1)
    return pipe


@pytest.mark.parametrize('transaction', [True, False])
def test_pipeline_results_match_redis_py(server, client, reference, transaction):
    ours = fill_pipeline(client.pipeline(transaction=transaction))
    assert len(ours) == 17
    mine = ours.execute(raise_on_error=False)
    assert len(ours) == 0
    server.command('FLUSHALL')
    theirs = fill_pipeline(reference.pipeline(transaction=transaction))
    expected = theirs.execute(raise_on_error=False)
    assert typed(mine) == typed(expected)


def test_pipeline_raises_the_first_error_as_redis_py(server, client, reference):
    def attempt(redis_client):
        pipe = redis_client.pipeline()
        pipe.set('k', 'v').lpush('k', 'x').incr('k').get('k')
        return outcome(pipe.execute)

    mine = attempt(client)
    server.command('FLUSHALL')
    assert typed(mine) == typed(attempt(reference))
    assert str(mine).startswith('Command # 2 (LPUSH k x) of pipeline caused error: WRONGTYPE')
    assert client.get('k') == b'v'  # the other commands ran


def test_pipeline_defaults_to_a_transaction(client):
    pipe = client.pipeline()
    assert pipe.transaction is True
    pipe.set('k', 1).execute_command('NOSUCHCOMMAND').set('j', 2)
    with pytest.raises(DtRedis.ExecAbortError):
        pipe.execute()
    assert client.exists('k', 'j') == 0

    plain = client.pipeline(transaction=False)
    plain.set('k', 1).execute_command('NOSUCHCOMMAND').set('j', 2)
    assert isinstance(plain.execute(raise_on_error=False)[1], DtRedis.ResponseError)
    assert client.exists('k', 'j') == 2


def test_pipeline_context_manager_and_empty_execute(client):
    with client.pipeline() as pipe:
        assert pipe.execute() == []
        pipe.set('k', 'v')
    assert len(pipe) == 0  # reset on exit, nothing sent
    assert client.get('k') is None
    assert bool(pipe) is True


def test_pipeline_watch_runs_reads_at_once(client):
    client.set('balance', 10)
    with client.pipeline() as pipe:
        assert pipe.watch('balance') is True
        assert pipe.watching
        balance = int(pipe.get('balance'))
        pipe.multi()
        assert pipe.set('balance', balance + 5) is pipe
        assert pipe.execute() == [True]
    assert client.get('balance') == b'15'
    with pytest.raises(DtRedis.RedisError):
        pipe.multi()
        pipe.multi()


def test_aborted_transaction_is_watch_error():
    def reply(args):
        command = args[0].upper()
        if command == b'EXEC':
            return b'*-1\r\n'
        return b'+QUEUED\r\n' if command == b'SET' else b'+OK\r\n'

    fake = ScriptedServer(reply)
    try:
        client = make_instance('127.0.0.1', fake.port).get_redis_client()
        pipe = client.pipeline()
        pipe.watch('k')
        pipe.multi()
        pipe.set('k', 1)
        with pytest.raises(DtRedis.WatchError):
            pipe.execute()
        assert [b'WATCH', b'k'] in fake.commands
        assert fake.commands[-1] == [b'EXEC']
    finally:
        fake.close()


def test_pipeline_for_many_keys(client):
    pipe = client.pipeline(transaction=False)
    for i in range(1000):
        pipe.set('key:%d' % i, b'\x00%d' % i)
    assert pipe.execute() == [True] * 1000
    assert client.mget(['key:0', 'key:999']) == [b'\x000', b'\x00999']
