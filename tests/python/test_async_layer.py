# SPDX-License-Identifier: LGPL-2.1-or-later
"""The asyncio Python layer: redis-py's asyncio results through the bridge.

Every command runs against dtredis and, where python3-redis is installed,
against redis.asyncio on the same (emptied) server, and the results must
be equal, type for type.  Then: errors, cancellation, concurrency.
"""

import asyncio
import threading
import time

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402

# The command script, the comparison helpers and the fake servers are the
# sync tests' own.
from test_sync_layer import (STEPS, ScriptedServer, SilentServer,  # noqa: E402
                             closed_port, fill_pipeline, make_instance, typed)


async def outcome(function, *args, **kwargs):
    """What awaiting a call gives: its result, or the exception it raises."""
    try:
        return await function(*args, **kwargs)
    except Exception as error:  # compared with redis-py's
        return error


async def run_steps(client):
    return [typed(await outcome(getattr(client, name), *args, **kwargs))
            for name, args, kwargs in STEPS]


@pytest.fixture
def instance(server):
    return make_instance(server.host, server.port)


@pytest.fixture
def aioredis():
    return pytest.importorskip('redis.asyncio')


# -- the same commands as redis-py -----------------------------------------------------

def test_every_command_returns_what_redis_py_returns(server, instance, aioredis):
    async def ours():
        async with instance.get_async_redis() as client:
            return await run_steps(client)

    async def theirs():
        client = aioredis.Redis(host=server.host, port=server.port)
        try:
            return await run_steps(client)
        finally:
            await client.close()

    mine = asyncio.run(ours())
    server.command('FLUSHALL')
    expected = asyncio.run(theirs())
    for step, result, reference in zip(STEPS, mine, expected):
        assert result == reference, step


@pytest.mark.parametrize('transaction', [True, False])
def test_pipeline_results_match_redis_py(server, instance, aioredis, transaction):
    async def ours():
        async with instance.get_async_redis() as client:
            pipe = client.pipeline(transaction=transaction)
            assert await pipe.set('first', 1) is pipe
            return await fill_pipeline(pipe).execute(raise_on_error=False)

    async def theirs():
        client = aioredis.Redis(host=server.host, port=server.port)
        try:
            pipe = client.pipeline(transaction=transaction)
            await pipe.set('first', 1)
            return await fill_pipeline(pipe).execute(raise_on_error=False)
        finally:
            await client.close()

    mine = asyncio.run(ours())
    server.command('FLUSHALL')
    assert typed(mine) == typed(asyncio.run(theirs()))


def test_async_pipeline_errors_and_context_manager(instance):
    async def main():
        async with instance.get_async_redis() as client:
            async with client.pipeline() as pipe:
                await pipe.set('k', 'v')
                await pipe.lpush('k', 'x')
                await pipe.get('k')
                with pytest.raises(DtRedis.ResponseError) as info:
                    await pipe.execute()
                assert str(info.value).startswith(
                    'Command # 2 (LPUSH k x) of pipeline caused error: WRONGTYPE')
                assert await pipe.execute() == []
                pipe.set('j', 1)
            assert len(pipe) == 0
            assert await client.get('j') is None

            async with client.pipeline() as pipe:
                assert await pipe.watch('k') is True
                assert await pipe.get('k') == b'v'  # at once, as in redis-py
                pipe.multi()
                pipe.set('k', 'w')
                assert await pipe.execute() == [True]
            return await client.get('k')

    assert asyncio.run(main()) == b'w'


def test_aborted_transaction_is_watch_error():
    def reply(args):
        command = args[0].upper()
        if command == b'EXEC':
            return b'*-1\r\n'
        return b'+QUEUED\r\n' if command == b'SET' else b'+OK\r\n'

    fake = ScriptedServer(reply)

    async def main():
        async with make_instance('127.0.0.1', fake.port).get_async_redis() as client:
            pipe = client.pipeline()
            await pipe.watch('k')
            pipe.multi()
            await pipe.set('k', 1)
            await pipe.execute()

    try:
        with pytest.raises(DtRedis.WatchError):
            asyncio.run(main())
    finally:
        fake.close()


# -- awaitables -------------------------------------------------------------------------

def test_commands_work_with_tasks_and_wait_for(instance):
    async def main():
        client = await instance.get_async_redis_client()
        assert isinstance(client, DtRedis.AsyncClient)
        await client.set('k', 'v')
        command = client.get('k')
        assert asyncio.iscoroutine(command)
        assert await asyncio.create_task(command) == b'v'
        assert await asyncio.wait_for(client.get('k'), 5) == b'v'
        assert await asyncio.ensure_future(client.execute_command('GET', 'k')) == b'v'
        await client.close()
        return client

    client = asyncio.run(main())
    # Made outside a running loop, a command starts when it is awaited.
    assert asyncio.run(client.ping()) is True
    assert asyncio.run(client.get('k')) == b'v'


def test_argument_errors_are_raised_when_awaited(instance):
    async def main():
        async with instance.get_async_redis() as client:
            command = client.set('k', None)
            with pytest.raises(DtRedis.DataError, match="type: 'NoneType'"):
                await command
            with pytest.raises(DtRedis.DataError):
                await client.hset('h')
            return await client.exists('k')

    assert asyncio.run(main()) == 0


def test_errors_stay_with_their_command(instance):
    async def main():
        async with instance.get_async_redis() as client:
            await client.set('s', 'v')
            return await asyncio.gather(
                client.get('s'), client.lpush('s', 'x'), client.get('s'),
                client.execute_command('NOSUCHCOMMAND'), client.incr('n'),
                return_exceptions=True)

    results = asyncio.run(main())
    assert results[0] == results[2] == b'v'
    assert isinstance(results[1], DtRedis.ResponseError)
    assert str(results[1]).startswith('WRONGTYPE')
    assert isinstance(results[3], DtRedis.ResponseError)
    assert str(results[3]).startswith("unknown command 'NOSUCHCOMMAND'")
    assert results[4] == 1


def test_twenty_thousand_concurrent_gets(instance):
    async def main():
        async with instance.get_async_redis() as client:
            await client.mset({'key:%d' % i: 'value:%d' % i for i in range(1000)})
            keys = ['key:%d' % (i % 1000) if i % 7 else 'missing:%d' % i
                    for i in range(20000)]
            return keys, await asyncio.gather(*[client.get(key) for key in keys])

    keys, values = asyncio.run(main())
    assert len(values) == 20000
    for key, value in zip(keys, values):
        expected = None if key.startswith('missing') else key.replace('key', 'value').encode()
        assert value == expected


# -- cancellation -----------------------------------------------------------------------

def test_cancelling_a_blocking_command_cancels_the_c_call(instance):
    async def main():
        async with instance.get_async_redis() as client:
            waiter = asyncio.create_task(client.blpop('queue', timeout=0))
            await asyncio.sleep(0.2)
            started = time.monotonic()
            waiter.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiter
            assert time.monotonic() - started < 1
            await asyncio.sleep(0.2)
            # Had BLPOP stayed on the server, it would take this element.
            await client.rpush('queue', 'kept')
            await asyncio.sleep(0.2)
            return await client.lrange('queue', 0, -1)

    assert asyncio.run(main()) == [b'kept']


def test_cancelling_before_the_command_is_sent(instance):
    async def main():
        async with instance.get_async_redis() as client:
            task = asyncio.create_task(client.set('k', 'v'))
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await asyncio.sleep(0.1)
            return await client.exists('k')

    assert asyncio.run(main()) == 0


def test_blocking_command_does_not_hold_up_the_others(instance):
    async def main():
        async with instance.get_async_redis() as client:
            waiter = asyncio.create_task(client.brpop(['queue'], timeout=0))
            await asyncio.sleep(0.1)
            await client.set('k', 'v')
            values = await asyncio.gather(*[client.get('k') for _ in range(1000)])
            assert not waiter.done()
            await client.rpush('queue', 'item')
            return values, await waiter

    values, popped = asyncio.run(main())
    assert values == [b'v'] * 1000
    assert popped == (b'queue', b'item')


# -- errors -------------------------------------------------------------------------------

def test_refused_connection_is_connection_error():
    async def main():
        async with make_instance('127.0.0.1', closed_port()).get_async_redis() as client:
            await client.get('k')

    with pytest.raises(DtRedis.ConnectionError):
        asyncio.run(main())


def test_wrong_password_is_authentication_error(redis_server_factory):
    secured = redis_server_factory(password='right-password')
    instance = make_instance(secured.host, secured.port, password='hunter2-secret')

    async def main():
        async with instance.get_async_redis() as client:
            await client.get('k')

    with pytest.raises(DtRedis.AuthenticationError) as info:
        asyncio.run(main())
    assert 'hunter2-secret' not in str(info.value)


def test_silent_server_is_timeout_error():
    silent = SilentServer()

    async def main():
        instance = make_instance('127.0.0.1', silent.port, socket_timeout=0.3)
        async with instance.get_async_redis() as client:
            started = time.monotonic()
            with pytest.raises(DtRedis.TimeoutError):
                await client.get('k')
            return time.monotonic() - started

    try:
        assert asyncio.run(main()) < 5
    finally:
        silent.close()


# -- loops, threads and the pool ------------------------------------------------------------

def test_reset_async_pool_between_commands(instance):
    async def main():
        async with instance.get_async_redis() as client:
            await client.set('k', 'v')
            await instance.reset_async_pool()
            assert instance.get_async_pool_stats().total == 0
            value = await client.get('k')
            await instance.reset_async_pool()
            return value

    assert asyncio.run(main()) == b'v'
    # A later loop gets a fresh pool on the same bridge.
    assert asyncio.run(main()) == b'v'


def test_event_loops_in_several_threads(instance):
    results = {}

    def worker(number):
        async def main():
            async with instance.get_async_redis() as client:
                await client.set('thread:%d' % number, number)
                values = await asyncio.gather(
                    *[client.incr('counter') for _ in range(500)])
                return await client.get('thread:%d' % number), len(values)

        results[number] = asyncio.run(main())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {n: (str(n).encode(), 500) for n in range(4)}
    assert instance.get_redis_client().get('counter') == b'2000'
