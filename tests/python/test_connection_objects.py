# SPDX-License-Identifier: LGPL-2.1-or-later
"""The redis-py objects that own a connection, besides pubsub():
client.monitor() and client.client(), sync and asyncio, side by side with
redis-py's own against the same server, and under faults (CLIENT KILL).
Executions are counted on the server."""

import asyncio
import os
import signal
import threading
import time

import gi

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402

import pytest  # noqa: E402
import redis  # noqa: E402

from dtredis.monitor import parse_line  # noqa: E402
from test_sync_layer import make_instance  # noqa: E402


@pytest.fixture
def instance(server):
    return make_instance(server.host, server.port, client_name='conn-objects')


def _kill(server, flag=None, name=None):
    """CLIENT KILL ID of the one client flagged @flag or named @name."""
    listing = redis.Redis(host=server.host, port=server.port).client_list()
    ids = [c['id'] for c in listing
           if (flag is not None and flag in c['flags']) or (name is not None and c['name'] == name)]
    assert len(ids) == 1, listing
    assert redis.Redis(host=server.host, port=server.port).client_kill_filter(_id=ids[0]) == 1


def _count_named(server, name, db=None):
    return sum(1 for c in redis.Redis(host=server.host, port=server.port).client_list()
               if c['name'] == name and (db is None or c['db'] == str(db)))


# -- monitor() ------------------------------------------------------------------------


def test_monitor_lines_equal_redis_pys(server, instance):
    """Both monitors watch the same commands; their dicts are equal, the
    server's timestamp included."""
    writer = redis.Redis(host=server.host, port=server.port)
    by_unix = redis.Redis(unix_socket_path=server.unix_path)
    theirs = redis.Redis(host=server.host, port=server.port).monitor()
    with instance.get_redis() as client, client.monitor() as ours, theirs:
        writer.set('plain', 'value')
        writer.set('with space', 'say "hi"\\n')
        writer.set(b'bin\xff', b'\x00\x01')
        writer.eval("return redis.call('GET', KEYS[1])", 1, 'plain')
        by_unix.get('plain')
        expected = [theirs.next_command() for _ in range(6)]
        got = [ours.next_command() for _ in range(6)]
    assert got == expected
    assert [g['client_type'] for g in got] == ['tcp', 'tcp', 'tcp', 'tcp', 'lua', 'unix']
    assert got[1]['command'] == 'SET with space say "hi"\\\\n'
    assert got[4]['client_address'] == 'lua' and got[4]['command'] == 'GET plain'


def test_monitor_listen_and_close(server, instance):
    client = instance.get_redis_client()
    client.ping()  # its connection's handshake is not what this test watches
    with client.monitor() as monitor:
        assert _count_monitors(server) == 1
        client.incr('counted')
        for entry in monitor.listen():
            assert entry['command'] == 'INCR counted' and entry['db'] == 0
            break
    assert _count_monitors(server) == 0
    # next_command() outside the context starts the monitor first.
    lone = client.monitor()
    timer = threading.Timer(0.3, client.get, ('late',))
    timer.start()
    assert lone.next_command()['command'] == 'GET late'
    timer.join()
    assert _count_monitors(server) == 1
    lone.__exit__(None, None, None)
    assert _count_monitors(server) == 0
    # With decode_responses the entries are the same text (redis-py decodes
    # MONITOR lines whatever the setting).
    decoding = instance.get_redis_client(decode_responses=True)
    decoding.ping()
    with decoding.monitor() as decoded:
        decoding.get('counted')
        assert decoded.next_command()['command'] == 'GET counted'


def _count_monitors(server):
    return sum(1 for c in redis.Redis(host=server.host, port=server.port).client_list()
               if 'O' in c['flags'])


def test_monitor_killed_raises_connection_error(server, instance):
    client = instance.get_redis_client()
    with client.monitor() as monitor:
        _kill(server, flag='O')
        with pytest.raises(redis.exceptions.ConnectionError):
            monitor.next_command()
        # Started again by the next call: it sees what runs after it began.
        client.set('again', 1)
        timer = threading.Timer(0.3, client.set, ('again', 2))
        timer.start()
        assert monitor.next_command()['command'] == 'SET again 2'
        timer.join()


class _Interrupted(Exception):
    pass


def test_monitor_wait_lets_signals_through(server, instance):
    """A sync next_command() waits in short slices, so a signal handler
    (as Ctrl+C's) runs within them; the monitor goes on, losing nothing."""
    def interrupt(_signum, _frame):
        raise _Interrupted()
    previous = signal.signal(signal.SIGUSR1, interrupt)
    client = instance.get_redis_client()
    client.ping()
    try:
        with client.monitor() as monitor:
            timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGUSR1))
            started = time.monotonic()
            timer.start()
            with pytest.raises(_Interrupted):
                monitor.next_command()
            timer.join()
            assert time.monotonic() - started < 2
            client.set('after-signal', 1)
            assert monitor.next_command()['command'] == 'SET after-signal 1'
    finally:
        signal.signal(signal.SIGUSR1, previous)


def test_async_monitor_cancel_loses_nothing(server, instance):
    async def main():
        async with instance.get_async_redis() as client:
            await client.ping()  # its connection's handshake is not watched
            async with client.monitor() as monitor:
                waiting = asyncio.ensure_future(monitor.next_command())
                await asyncio.sleep(0.2)
                waiting.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await waiting
                with pytest.raises(asyncio.TimeoutError):
                    await asyncio.wait_for(monitor.next_command(), 0.2)
                for i in range(50):
                    await client.set('k%d' % i, i)
                seen = []
                async for entry in monitor.listen():
                    seen.append(entry['command'])
                    if len(seen) == 50:
                        break
                return seen
    assert asyncio.run(main()) == ['SET k%d %d' % (i, i) for i in range(50)]
    assert _count_monitors(server) == 0


def test_parse_line_edge_cases():
    entry = parse_line('1700000000.5 [12 [::1]:6000] "SET" "a\\\\" "b\\"c" "\\xff"')
    assert entry == {'time': 1700000000.5, 'db': 12, 'client_address': '[::1]',
                     'client_port': '6000', 'client_type': 'tcp',
                     'command': 'SET a\\\\ b"c \\xff'}
    with pytest.raises(DtRedis.RedisError):
        parse_line('not a monitor line')


# -- client() --------------------------------------------------------------------------


def test_client_keeps_its_connection_state(server, instance):
    pooled = instance.get_redis_client()
    single = pooled.client()
    theirs = redis.Redis(host=server.host, port=server.port).client()
    assert isinstance(single, DtRedis.Client) and single.props.single_connection
    for c in (single, theirs):
        assert c.select(4) is True
        assert c.set('in-four', 'yes') is True
        assert c.get('in-four') == b'yes'
        assert c.client_setname('kept') is True
        assert c.client_getname() == 'kept'
    assert pooled.get('in-four') is None
    single.close()
    theirs.close()
    # A new connection: db 0 and the configured name again.
    assert single.get('in-four') is None
    assert single.client_getname() == 'conn-objects'
    single.close()


def test_client_lost_after_select_runs_nothing(server, instance):
    single = instance.get_redis_client().client()
    single.select(3)
    single.client_setname('doomed')
    _kill(server, name='doomed')
    for _ in range(2):
        with pytest.raises(redis.exceptions.ConnectionError, match='close the client'):
            single.incr('runs')
    admin = redis.Redis(host=server.host, port=server.port)
    assert admin.get('runs') is None
    admin.select(3)
    assert admin.get('runs') is None
    single.close()
    assert single.incr('runs') == 1
    single.close()


def test_client_watch_is_its_own(server, instance):
    """WATCH and MULTI/EXEC through execute_command on one kept connection:
    another client's write aborts the transaction."""
    pooled = instance.get_redis_client()
    single = pooled.client()
    single.execute_command('WATCH', 'watched')
    pooled.set('watched', 'changed')
    single.execute_command('MULTI')
    single.execute_command('SET', 'watched', 'mine')
    assert single.execute_command('EXEC') is None
    assert pooled.get('watched') == b'changed'
    single.close()


def test_client_from_threads_uses_one_connection(server, instance):
    single = instance.get_redis_client().client()

    def work():
        for _ in range(200):
            single.incr('shared')
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count_named(server, 'conn-objects') == 1
    assert redis.Redis(host=server.host, port=server.port).get('shared') == b'800'
    single.close()


def test_decoding_client_gives_a_decoding_single_client(instance):
    single = instance.get_redis_client(decode_responses=True).client()
    single.set('text', 'héllo')
    assert single.get('text') == 'héllo'
    assert single.props.single_connection
    single.close()


def test_async_client_keeps_its_connection(server, instance):
    async def main():
        async with instance.get_async_redis() as client:
            single = client.client()
            assert await single.select(5) is True
            assert await single.set('five', 1) is True
            assert await client.get('five') is None
            results = await asyncio.gather(*(single.incr('n') for _ in range(300)))
            assert sorted(results) == list(range(1, 301))
            # All on the one connection in db 5 (the pooled GET has its own).
            assert _count_named(server, 'conn-objects', db=5) == 1
            # A cancelled BLPOP ends the connection, which carried SELECT.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(single.blpop('empty', 0), 0.3)
            with pytest.raises(redis.exceptions.ConnectionError):
                await single.get('five')
            await single.close()
            assert await single.get('five') is None
            async with single.pipeline() as pipe:
                pipe.set('piped', 1).get('piped')
                assert await pipe.execute() == [True, b'1']
            assert type(single.monitor()).__name__ == 'AsyncMonitor'
            assert type(single.pubsub()).__name__ == 'AsyncPubSub'
            await single.aclose()
            decoded = (await instance.get_async_redis_client(decode_responses=True)).client()
            await decoded.set('t', 'é')
            assert await decoded.get('t') == 'é'
            await decoded.close()
    asyncio.run(main())
    admin = redis.Redis(host=server.host, port=server.port)
    admin.select(5)
    assert admin.get('n') == b'300'
