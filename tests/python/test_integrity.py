# SPDX-License-Identifier: LGPL-2.1-or-later
"""Integrity under faults (issue 9), from Python.

- Optimistic locking is real: WATCH is sent by watch(), so a write made by
  another client between the read and EXEC aborts the transaction
  (WatchError) and survives; client.transaction() retries until it wins,
  and a watched connection never goes back to the pool with WATCH active.
- Error replies are raised, never returned, in the class redis-py gives
  them, from every path: sync calls (typed and generic), execute_command,
  async calls (alone and batched), pipelines and transactions.
- A blocking command cancelled from asyncio is reported cancelled only
  once its connection is closed: nothing pushed afterwards is lost.

Counters kept on the server (INCR inside the transactions) prove that no
transaction ran more often than it reported success.
"""

import asyncio
import gc
import re
import socket
import threading
import time

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402

from test_sync_layer import ScriptedServer, make_instance  # noqa: E402


@pytest.fixture
def instance(server):
    return make_instance(server.host, server.port)


def raw_get(server, key):
    """GET @key on a connection of its own: what another client sees."""
    reply = server.command('GET', key)
    if reply == b'$-1\r\n':
        return None
    return reply.split(b'\r\n')[1]


# -- optimistic locking, sync ------------------------------------------------------------

def test_watch_sees_a_write_made_after_the_read(server, instance):
    client = instance.get_redis_client()
    client.set('balance', 10)
    with client.pipeline() as pipe:
        assert pipe.watch('balance') is True
        assert pipe.watching
        balance = int(pipe.get('balance'))  # at once, over the watched connection
        # Another client writes between our read and our EXEC: had WATCH
        # not reached the server yet, EXEC would overwrite this write.
        assert server.command('SET', 'balance', 'theirs') == b'+OK\r\n'
        pipe.multi()
        pipe.set('balance', balance + 5)
        with pytest.raises(DtRedis.WatchError):
            pipe.execute()
        assert not pipe.watching
    assert raw_get(server, 'balance') == b'theirs'


def test_watch_without_a_concurrent_write_commits(server, instance):
    client = instance.get_redis_client()
    client.set('balance', 10)
    with client.pipeline() as pipe:
        pipe.watch('balance')
        balance = int(pipe.get('balance'))
        pipe.multi()
        assert pipe.set('balance', balance + 5) is pipe
        assert pipe.execute() == [True]
        # With nothing queued, execute() still runs MULTI/EXEC, as redis-py.
        pipe.watch('balance')
        assert pipe.execute() == []
    assert raw_get(server, 'balance') == b'15'


def test_watch_with_nothing_queued_still_checks_the_keys(server, instance):
    client = instance.get_redis_client()
    pipe = client.pipeline()
    pipe.watch('k')
    server.command('SET', 'k', 'theirs')
    # redis-py sends MULTI/EXEC even when nothing is queued: the abort is
    # how the caller learns that the key changed.
    with pytest.raises(DtRedis.WatchError):
        pipe.execute()


def test_errors_while_watching_keep_the_watch(server, instance):
    client = instance.get_redis_client()
    client.set('k', 'v')
    with client.pipeline() as pipe:
        pipe.watch('k')
        with pytest.raises(DtRedis.ResponseError, match='WRONGTYPE'):
            pipe.lpush('k', 'x')  # raised at once, as any direct command
        assert pipe.watching
        assert pipe.get('k') == b'v'
        pipe.multi()
        pipe.set('k', 'w')
        assert pipe.execute() == [True]
    pipe = client.pipeline()
    pipe.multi()
    with pytest.raises(DtRedis.RedisError, match='WATCH after a MULTI'):
        pipe.watch('k')


def test_transaction_retries_until_it_wins(server, instance):
    """10 threads x 20 read-modify-write increments: exactly 200."""
    client = instance.get_redis_client()
    calls, results, errors = [], [], []

    def increment(pipe):
        calls.append(1)
        value = int(pipe.get('counter') or 0)
        pipe.multi()
        pipe.set('counter', value + 1)
        pipe.incr('commits')  # counts the EXECs that really ran

    def worker():
        try:
            for _ in range(20):
                results.append(client.transaction(increment, 'counter'))
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert raw_get(server, 'counter') == b'200'
    assert raw_get(server, 'commits') == b'200'
    # Each success reports its own commit: the counts 1..200, once each.
    assert sorted(commits for _set, commits in results) == list(range(1, 201))
    assert all(result[0] is True for result in results)
    assert len(calls) >= 200


def test_transaction_value_from_callable_and_watch_delay(server, instance):
    client = instance.get_redis_client()
    attempts = []

    def func(pipe):
        attempts.append(time.monotonic())
        value = pipe.get('k')
        if len(attempts) == 1:
            server.command('SET', 'k', 'theirs')  # makes this attempt fail
        pipe.multi()
        pipe.set('k', 'mine')
        return value

    assert client.transaction(func, 'k', value_from_callable=True,
                              watch_delay=0.2) == b'theirs'
    assert len(attempts) == 2
    assert attempts[1] - attempts[0] >= 0.2
    assert raw_get(server, 'k') == b'mine'


@pytest.mark.parametrize('end', ['unwatch', 'reset', 'with', 'drop', 'execute'])
def test_watched_connection_is_never_reused_with_watch(server, end):
    # One connection in the pool: if the watched one went back with WATCH
    # still active, the next transaction would run on it and abort.
    instance = make_instance(server.host, server.port, max_connections=1)
    client = instance.get_redis_client()
    pipe = client.pipeline()
    if end == 'with':
        with pipe:
            pipe.watch('k')
            pipe.get('k')
    else:
        pipe.watch('k')
        pipe.get('k')
        if end == 'unwatch':
            assert pipe.unwatch() is True
            assert not pipe.watching
        elif end == 'reset':
            pipe.reset()
        elif end == 'drop':
            del pipe
            gc.collect()
        elif end == 'execute':
            pipe.multi()
            pipe.set('other', 1)
            assert pipe.execute() == [True]
    server.command('SET', 'k', 'changed')
    later = client.pipeline()
    later.set('k', 'later').incr('n')
    assert later.execute() == [True, 1]
    assert client.get('k') == b'later'
    # An unwatched pipeline buffers again: nothing ran before execute().
    if end in ('unwatch', 'reset'):
        pipe.set('x', 1)
        assert client.get('x') is None
        assert pipe.execute() == [True]


def test_watched_connection_killed_while_watching(server, instance):
    """The watch is lost with its connection: the read raises (it is not
    sent again elsewhere), the pipeline is reset, and the next attempt
    watches afresh."""
    client = instance.get_redis_client()
    client.set('k', 'v')
    pipe = client.pipeline()
    pipe.watch('k')
    assert server.command('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes') != b':0\r\n'
    with pytest.raises(DtRedis.ConnectionError):
        pipe.get('k')
    assert not pipe.watching
    assert pipe.set('k', 'buffered') is pipe  # buffering again: nothing sent
    assert client.get('k') == b'v'
    pipe.reset()
    assert client.transaction(lambda p: p.multi() or p.set('k', 'w'), 'k') == [True]
    assert raw_get(server, 'k') == b'w'


def test_watch_refuses_binary_and_nothing(server, instance):
    pipe = instance.get_redis_client().pipeline()
    with pytest.raises(DtRedis.DataError):
        pipe.watch(b'\xff')
    with pytest.raises(DtRedis.DataError):
        pipe.watch()
    assert not pipe.watching


# -- optimistic locking, asyncio ---------------------------------------------------------

def test_async_watch_sees_a_write_made_after_the_read(server, instance):
    async def main():
        async with instance.get_async_redis() as client:
            await client.set('balance', 10)
            async with client.pipeline() as pipe:
                assert await pipe.watch('balance') is True
                balance = int(await pipe.get('balance'))
                server.command('SET', 'balance', 'theirs')
                assert pipe.multi() is None  # a plain method, as in redis-py
                await pipe.set('balance', balance + 5)
                with pytest.raises(DtRedis.WatchError):
                    await pipe.execute()

            async with client.pipeline() as pipe:
                await pipe.watch('other')
                assert await pipe.get('other') is None
                pipe.multi()
                await pipe.set('other', 1)
                assert await pipe.execute() == [True]
            return await client.get('balance'), await client.get('other')

    assert asyncio.run(main()) == (b'theirs', b'1')


def test_async_transaction_retries_until_it_wins(server, instance):
    """10 tasks x 20 increments, func a coroutine function: exactly 200."""
    async def increment(pipe):
        value = int(await pipe.get('counter') or 0)
        await asyncio.sleep(0)  # lets the other tasks interleave
        pipe.multi()
        pipe.set('counter', value + 1)
        pipe.incr('commits')
        return value

    async def worker(client):
        for _ in range(20):
            await client.transaction(increment, 'counter', value_from_callable=True)

    async def main():
        async with instance.get_async_redis() as client:
            await asyncio.gather(*[worker(client) for _ in range(10)])
            # A plain function works too.
            result = await client.transaction(
                lambda pipe: pipe.multi() or pipe.incr('commits'), 'counter')
            assert result == [201]

    asyncio.run(main())
    assert raw_get(server, 'counter') == b'200'
    assert raw_get(server, 'commits') == b'201'


def test_async_watched_connection_is_never_reused_with_watch(server):
    instance = make_instance(server.host, server.port, max_connections=1)

    async def main():
        async with instance.get_async_redis() as client:
            pipe = client.pipeline()
            await pipe.watch('k')
            await pipe.get('k')
            await pipe.reset()
            server.command('SET', 'k', 'changed')
            # The next watch leases the sync pool's only connection again.
            async with client.pipeline() as later:
                await later.watch('j')
                later.multi()
                await later.set('k', 'later')
                return await later.execute()

    assert asyncio.run(main()) == [True]
    assert raw_get(server, 'k') == b'later'


# -- error replies are raised, in their class, from every path ---------------------------

def sync_outcomes(client):
    """name -> what each path gives: its result, or the exception raised."""
    paths = {
        'typed get': lambda: client.get('k'),
        'typed incr': lambda: client.incr('k'),
        'generic hgetall': lambda: client.hgetall('h'),
        'execute_command': lambda: client.execute_command('SET', 'k', 'v'),
        'pipeline': lambda: client.pipeline(transaction=False).set('k', 'v').incr('n').execute(),
        'transaction': lambda: client.pipeline().set('k', 'v').incr('n').execute(),
        'watch': lambda: client.pipeline().watch('k'),
    }
    outcomes = {}
    for name, path in paths.items():
        try:
            outcomes[name] = path()
        except Exception as error:  # compared below
            outcomes[name] = error
    pipe = client.pipeline(transaction=False)
    try:
        outcomes['pipeline raise_on_error=False'] = \
            pipe.set('k', 'v').incr('n').execute(raise_on_error=False)
    except Exception as error:  # must not be raised
        outcomes['pipeline raise_on_error=False'] = error
    return outcomes


async def async_outcomes(client):
    async def gathered():
        return await asyncio.gather(client.incr('a'), client.get('b'))

    async def pipeline(transaction):
        pipe = client.pipeline(transaction=transaction)
        await pipe.set('k', 'v')
        await pipe.incr('n')
        return await pipe.execute()

    async def watch():
        async with client.pipeline() as pipe:
            return await pipe.watch('k')

    paths = {
        'int(await incr)': lambda: _int(client.incr('k')),
        'batched get': lambda: client.get('k'),
        'gather': gathered,
        'alone (blpop)': lambda: client.blpop('q', timeout=1),
        'execute_command alone': lambda: client.execute_command('OBJECT', 'ENCODING', 'k'),
        'execute_command batched': lambda: client.execute_command('GET', 'k'),
        'pipeline': lambda: pipeline(False),
        'transaction': lambda: pipeline(True),
        'watch': watch,
    }
    outcomes = {}
    for name, path in paths.items():
        try:
            outcomes[name] = await path()
        except Exception as error:  # compared below
            outcomes[name] = error
    outcomes['gather return_exceptions'] = await asyncio.gather(
        client.incr('a'), client.get('b'), return_exceptions=True)
    pipe = client.pipeline(transaction=False)
    await pipe.set('k', 'v')
    await pipe.incr('n')
    try:
        outcomes['pipeline raise_on_error=False'] = await pipe.execute(raise_on_error=False)
    except Exception as error:  # must not be raised
        outcomes['pipeline raise_on_error=False'] = error
    return outcomes


async def _int(awaitable):
    return int(await awaitable)


def wrong_outcomes(outcomes, expected):
    """The paths that did not raise exactly @expected, with what they gave.

    The lists (raise_on_error=False, return_exceptions=True) must hold an
    @expected instance for each command instead.
    """
    wrong = {}
    for name, value in outcomes.items():
        if isinstance(value, list):
            if not value or any(type(item) is not expected for item in value):
                wrong[name] = value
        elif type(value) is not expected:
            wrong[name] = value
    return wrong


def check_every_path(instance, expected):
    outcomes = sync_outcomes(instance.get_redis_client())

    async def main():
        async with instance.get_async_redis() as client:
            return await async_outcomes(client)

    outcomes.update(('async ' + name, value) for name, value in asyncio.run(main()).items())
    assert wrong_outcomes(outcomes, expected) == {}
    return outcomes


def test_noauth_is_raised_from_every_path(redis_server_factory):
    secured = redis_server_factory(password='sesame')
    outcomes = check_every_path(make_instance(secured.host, secured.port),
                                DtRedis.AuthenticationError)
    assert 'Authentication required' in str(outcomes['typed get'])


def test_noauth_after_config_set_requirepass(server, redis_server_factory):
    private = redis_server_factory()
    instance = make_instance(private.host, private.port)
    client = instance.get_redis_client()
    assert client.set('k', 'v') is True  # pooled connections, then a password
    assert private.command('CONFIG', 'SET', 'requirepass', 'sesame') == b'+OK\r\n'
    private.password = 'sesame'
    # Connections authenticated before stay so (the server keeps them as
    # the default user): the pooled ones go, new ones meet the password.
    instance.reset_sync_pool()
    check_every_path(instance, DtRedis.AuthenticationError)


@pytest.mark.parametrize('password', [None, 'sesame'])
def test_max_clients_is_connection_error_not_authentication(redis_server_factory,
                                                            password):
    full = redis_server_factory(password=password, extra_config=['maxclients 1'])
    holder = socket.create_connection((full.host, full.port))
    try:
        holder.sendall(b'*1\r\n$4\r\nPING\r\n')
        assert holder.recv(100) in (b'+PONG\r\n', b'-NOAUTH Authentication required.\r\n')
        settings = {'socket_timeout': 2.0}
        if password:
            settings['password'] = password
        outcomes = check_every_path(make_instance(full.host, full.port, **settings),
                                    DtRedis.ConnectionError)
        assert 'max number of clients' in str(outcomes['typed get'])
    finally:
        holder.close()


REPLIES = [
    (b'-LOADING Redis is loading the dataset in memory\r\n', DtRedis.BusyLoadingError,
     'Redis is loading the dataset in memory'),
    (b"-READONLY You can't write against a read only replica.\r\n", DtRedis.ReadOnlyError,
     "You can't write against a read only replica."),
    (b"-OOM command not allowed when used memory > 'maxmemory'.\r\n", DtRedis.ResponseError,
     "OOM command not allowed when used memory > 'maxmemory'."),
    (b'-NOAUTH Authentication required.\r\n', DtRedis.AuthenticationError,
     'Authentication required.'),
    (b'-WRONGPASS invalid username-password pair or user is disabled.\r\n',
     DtRedis.AuthenticationError, 'invalid username-password pair or user is disabled.'),
    (b"-NOPERM this user has no permissions to run the 'get' command\r\n",
     DtRedis.NoPermissionError, "this user has no permissions to run the 'get' command"),
    (b'-ERR max number of clients reached\r\n', DtRedis.ConnectionError,
     'max number of clients reached'),
]


@pytest.mark.parametrize('reply,expected,message', REPLIES,
                         ids=[r[0].split()[0][1:].decode() for r in REPLIES])
def test_error_replies_from_a_fake_server(reply, expected, message):
    """A server that answers every command with one error reply."""
    fake = ScriptedServer(lambda args: reply)
    try:
        outcomes = check_every_path(make_instance('127.0.0.1', fake.port, socket_timeout=2.0),
                                    expected)
        assert str(outcomes['typed get']) == message
        assert str(outcomes['async batched get']) == message
        assert str(outcomes['pipeline']).startswith(
            'Command # 1 (SET k v) of pipeline caused error: ' + message)
    finally:
        fake.close()


# During the handshake, AUTH's error answers: NOPERM there means the
# credentials may not be used, so it is an AuthenticationError, not a
# command's NoPermissionError.
HANDSHAKE_CLASSES = {'NOPERM': DtRedis.AuthenticationError}


@pytest.mark.parametrize('reply,expected,message', REPLIES,
                         ids=[r[0].split()[0][1:].decode() for r in REPLIES])
def test_error_replies_during_the_handshake(reply, expected, message):
    """With a password, AUTH is the first command: its error answer keeps
    its class (a full server is not a wrong password)."""
    word = reply.split()[0][1:].decode()
    expected = HANDSHAKE_CLASSES.get(word, expected)
    fake = ScriptedServer(lambda args: reply)

    async def main():
        async with instance.get_async_redis() as client:
            try:
                await client.get('k')
            except Exception as error:  # compared below
                return error

    try:
        instance = make_instance('127.0.0.1', fake.port, socket_timeout=2.0,
                                 password='sesame')
        with pytest.raises(expected) as info:
            instance.get_redis_client().get('k')
        assert type(info.value) is expected
        assert type(asyncio.run(main())) is expected
        assert [b'AUTH', b'sesame'] in fake.commands
        assert 'sesame' not in str(info.value)
    finally:
        fake.close()


def test_int_of_an_async_incr_raises_the_reply_class():
    fake = ScriptedServer(lambda args: REPLIES[0][0])

    async def main():
        async with make_instance('127.0.0.1', fake.port).get_async_redis() as client:
            return int(await client.incr('k'))

    try:
        with pytest.raises(DtRedis.BusyLoadingError):
            asyncio.run(main())
    finally:
        fake.close()


# -- cancellation loses nothing ----------------------------------------------------------

def blocked_clients(server):
    info = server.command('INFO', 'clients').decode()
    return int(re.search(r'blocked_clients:(\d+)', info).group(1))


async def until_blocked(server, count=1):
    deadline = time.monotonic() + 5
    while blocked_clients(server) < count:
        assert time.monotonic() < deadline, 'BLPOP never reached the server'
        await asyncio.sleep(0.002)


def test_cancelled_blpop_loses_no_item(server, instance):
    """100 times: cancel a waiting BLPOP, then push: the item stays."""
    async def main():
        async with instance.get_async_redis() as client:
            lost = []
            for attempt in range(100):
                waiter = asyncio.ensure_future(client.blpop('q', timeout=0))
                await until_blocked(server)
                waiter.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiter
                # The cancel is reported: the pushed item must stay.
                server.command('RPUSH', 'q', 'item:%d' % attempt)
                popped = server.command('LPOP', 'q')
                if popped != b'$%d\r\nitem:%d\r\n' % (len('item:%d' % attempt), attempt):
                    lost.append((attempt, popped))
            return lost

    assert asyncio.run(main()) == []
    assert server.command('LLEN', 'q') == b':0\r\n'


def test_blpop_under_wait_for_loses_no_item(server, instance):
    async def main():
        async with instance.get_async_redis() as client:
            lost = []
            for attempt in range(100):
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(client.blpop('q', 0), 0.05)
                server.command('RPUSH', 'q', 'item')
                if server.command('LPOP', 'q') != b'$4\r\nitem\r\n':
                    lost.append(attempt)
            return lost

    assert asyncio.run(main()) == []


def test_cancelled_blpop_is_reported_after_its_connection_closed(server, instance):
    """Cancelled before it was sent, a BLPOP is never sent; cancelled on the
    server, the cancel is reported once the server has let go of it."""
    async def main():
        async with instance.get_async_redis() as client:
            # Cancelled before its first step: never sent.
            task = asyncio.ensure_future(client.blpop('q', timeout=0))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.1)
            assert blocked_clients(server) == 0
            # Two waiting, one cancelled: the other still gets the item.
            kept = asyncio.ensure_future(client.brpop('q', timeout=0))
            await until_blocked(server, 1)
            dropped = asyncio.ensure_future(client.blpop('q', timeout=0))
            await until_blocked(server, 2)
            dropped.cancel()
            with pytest.raises(asyncio.CancelledError):
                await dropped
            server.command('RPUSH', 'q', 'item')
            return await asyncio.wait_for(kept, 5)

    assert asyncio.run(main()) == (b'q', b'item')


def test_cancelled_transaction_ran_at_most_once(server, instance):
    """A cancelled transaction may have run, but once at most, and the
    cancel is reported only once the library is done with it."""
    async def main():
        async with instance.get_async_redis() as client:
            for _ in range(50):
                pipe = client.pipeline()
                await pipe.incr('runs')
                task = asyncio.ensure_future(pipe.execute())
                await asyncio.sleep(0)
                task.cancel()
                try:
                    await task
                    reported.append(1)
                except asyncio.CancelledError:
                    cancelled.append(1)
            await asyncio.sleep(0.2)

    reported, cancelled = [], []
    asyncio.run(main())
    runs = int(raw_get(server, 'runs') or 0)
    assert len(reported) <= runs <= len(reported) + len(cancelled)


def test_batched_commands_stay_fast(instance):
    async def main():
        async with instance.get_async_redis() as client:
            await client.set('k', 'v')
            started = time.monotonic()
            values = await asyncio.gather(*[client.get('k') for _ in range(20000)])
            return values, time.monotonic() - started

    values, elapsed = asyncio.run(main())
    assert values == [b'v'] * 20000
    assert elapsed < 5
