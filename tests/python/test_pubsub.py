# SPDX-License-Identifier: LGPL-2.1-or-later
"""client.pubsub(): redis-py's PubSub, sync and asyncio, side by side with
redis-py's own against the same server, and under faults."""

import asyncio
import gc
import os
import threading
import time

import gi

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402

import pytest  # noqa: E402
import redis  # noqa: E402
import redis.asyncio  # noqa: E402

from test_sync_layer import make_instance  # noqa: E402


def next_message(pubsub, timeout=5):
    """The next message get_message() gives, skipping the Nones that
    ignore_subscribe_messages makes of confirmations; None after @timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = pubsub.get_message(timeout=max(0.0, deadline - time.monotonic()))
        if message is not None:
            return message
    return None


def ours(server, **kwargs):
    return make_instance(server.host, server.port).get_redis_client(**kwargs)


def theirs(server, **kwargs):
    return redis.Redis(host=server.host, port=server.port, **kwargs)


# -- side by side -------------------------------------------------------------------

# Steps run on both PubSubs: ('call', method, args, kwargs) compares the
# results; ('get', kwargs) compares get_message(); ('publish', channel,
# data) publishes once (both receive it); ('attr', name) compares an
# attribute's keys or value.  PAYLOAD is binary, or non-ASCII text when
# decoding (redis-py's decoding fails on bytes that are not UTF-8).
SCRIPT = [
    ('call', 'subscribe', ('news', 'sport'), {}),
    ('attr', 'subscribed'),
    ('get', {'timeout': 2}), ('get', {'timeout': 2}),
    ('call', 'psubscribe', ('log.*',), {}),
    ('get', {'timeout': 2}),
    ('publish', 'news', 'hello'), ('get', {'timeout': 2}),
    ('publish', 'log.disk', 'PAYLOAD'), ('get', {'timeout': 2}),
    ('publish', 'unrelated', 'nobody'),
    ('get', {'timeout': 0.2}),
    ('call', 'ping', (), {}), ('get', {'timeout': 2}),
    ('call', 'ping', ('hi',), {}), ('get', {'timeout': 2}),
    ('call', 'subscribe', (), {'handled': 'HANDLER'}),
    ('get', {'timeout': 2, 'ignore_subscribe_messages': True}),
    ('publish', 'handled', 'to the handler'), ('get', {'timeout': 2}),
    ('attr', 'channels'), ('attr', 'patterns'),
    ('call', 'unsubscribe', ('sport',), {}),
    ('get', {'timeout': 2}),
    ('attr', 'channels'),
    ('publish', 'sport', 'not any more'), ('publish', 'news', 'still'),
    ('get', {'timeout': 2}),
    ('call', 'unsubscribe', (), {}),
    ('get', {'timeout': 2}), ('get', {'timeout': 2}),
    ('attr', 'subscribed'),
    ('call', 'punsubscribe', (), {}),
    ('get', {'timeout': 2}),
    ('attr', 'subscribed'), ('attr', 'channels'), ('attr', 'patterns'),
    ('get', {'timeout': 0.1}),
    ('call', 'subscribe', ('again',), {}),
    ('get', {'timeout': 2}),
    ('publish', 'again', '1'), ('publish', 'again', '2'),
    ('listen', 2),
]


def payload(data, decode):
    if data != 'PAYLOAD':
        return data
    return 'ünïcödé' if decode else b'\xff\x00binary'


def run_sync_script(pubsub, publisher, handled, decode):
    results = []
    for step in SCRIPT:
        kind = step[0]
        if kind == 'call':
            kwargs = {k: (handled.append if v == 'HANDLER' else v) for k, v in step[3].items()}
            results.append(getattr(pubsub, step[1])(*step[2], **kwargs))
        elif kind == 'get':
            results.append(pubsub.get_message(**step[1]))
        elif kind == 'publish':
            publisher.publish(step[1], payload(step[2], decode))
        elif kind == 'attr':
            value = getattr(pubsub, step[1])
            results.append(sorted(value) if isinstance(value, dict) else value)
        elif kind == 'listen':
            listener = pubsub.listen()
            results.append([next(listener) for _ in range(step[1])])
    return results


async def run_async_script(pubsub, publisher, handled, decode):
    results = []
    for step in SCRIPT:
        kind = step[0]
        if kind == 'call':
            kwargs = {k: (handled.append if v == 'HANDLER' else v) for k, v in step[3].items()}
            results.append(await getattr(pubsub, step[1])(*step[2], **kwargs))
        elif kind == 'get':
            results.append(await pubsub.get_message(**step[1]))
        elif kind == 'publish':
            await publisher.publish(step[1], payload(step[2], decode))
        elif kind == 'attr':
            value = getattr(pubsub, step[1])
            results.append(sorted(value) if isinstance(value, dict) else value)
        elif kind == 'listen':
            got = []
            async for message in pubsub.listen():
                got.append(message)
                if len(got) == step[1]:
                    break
            results.append(got)
    return results


@pytest.mark.parametrize('decode', [False, True])
def test_sync_pubsub_matches_redis_py(server, decode):
    """The same calls give the same results and messages as redis-py's."""
    outcomes = []
    for make in (theirs, ours):
        client = make(server, decode_responses=decode)
        handled = []
        pubsub = client.pubsub()
        results = run_sync_script(pubsub, client, handled, decode)
        pubsub.close()
        client.close()
        outcomes.append((results, handled))
    # Not vacuous: the script saw messages of every kind.
    types = {r['type'] for r in outcomes[0][0] if isinstance(r, dict)}
    assert types == {'subscribe', 'psubscribe', 'message', 'pmessage', 'pong',
                     'unsubscribe', 'punsubscribe'}
    assert outcomes[0][1], 'the handler was called'
    assert outcomes[1] == outcomes[0]


@pytest.mark.parametrize('decode', [False, True])
def test_async_pubsub_matches_redis_py(server, decode):
    """The same for the asyncio PubSub, against redis.asyncio's."""
    async def main():
        outcomes = []
        reference = redis.asyncio.Redis(host=server.host, port=server.port,
                                        decode_responses=decode)
        mine = await make_instance(server.host, server.port).get_async_redis_client(
            decode_responses=decode)
        for client in (reference, mine):
            handled = []
            async with client.pubsub() as pubsub:
                results = await run_async_script(pubsub, client, handled, decode)
            await client.close()
            outcomes.append((results, handled))
        return outcomes

    outcomes = asyncio.run(main())
    assert any(isinstance(r, dict) and r['type'] == 'pmessage' for r in outcomes[0][0])
    assert outcomes[0][1]
    assert outcomes[1] == outcomes[0]


def test_ignore_subscribe_messages_and_run_in_thread(server):
    """pubsub(ignore_subscribe_messages=True) and run_in_thread() as in
    redis-py: handlers get the messages, stop() ends the thread."""
    client = ours(server)
    got = []
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(**{'t1': got.append})
    with pytest.raises(redis.exceptions.PubSubError):
        _unhandled(client)
    thread = pubsub.run_in_thread(sleep_time=0.01, daemon=True)
    for i in range(50):
        client.publish('t1', str(i))
    deadline = time.monotonic() + 10
    while len(got) < 50 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    thread.join(5)
    assert not thread.is_alive()
    assert [m['data'] for m in got] == [str(i).encode() for i in range(50)]
    client.close()


def _unhandled(client):
    pubsub = client.pubsub()
    pubsub.subscribe('no-handler')
    try:
        pubsub.run_in_thread()
    finally:
        pubsub.close()


def test_handler_that_raises_does_not_stop_delivery(server):
    """A handler's exception reaches the caller (or run_in_thread's
    exception_handler); the next messages are still delivered, in order."""
    client = ours(server)
    seen = []

    def handler(message):
        seen.append(message['data'])
        if message['data'] == b'boom':
            raise ValueError('handler failed')

    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(h=handler)
    for data in ('1', 'boom', '2', '3'):
        client.publish('h', data)
    errors = 0
    while len(seen) < 4:
        try:
            pubsub.get_message(timeout=5)
        except ValueError:
            errors += 1
    assert seen == [b'1', b'boom', b'2', b'3'] and errors == 1

    # The same under run_in_thread, with an exception handler.
    failures = []
    for data in ('boom', '4'):
        client.publish('h', data)
    thread = pubsub.run_in_thread(sleep_time=0.01, daemon=True,
                                  exception_handler=lambda e, p, t: failures.append(e))
    deadline = time.monotonic() + 10
    while len(seen) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread.stop()
    thread.join(5)
    assert seen[4:] == [b'boom', b'4'] and len(failures) == 1
    client.close()


def test_ordered_delivery_of_100000_messages(server):
    """100,000 messages published in pipelines arrive in order, each once."""
    client = ours(server)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe('ordered')
    n = 100000

    def publish():
        with client.pipeline(transaction=False) as pipe:
            for start in range(0, n, 1000):
                for i in range(start, start + 1000):
                    pipe.publish('ordered', i)
                pipe.execute()

    publisher = threading.Thread(target=publish)
    publisher.start()
    expected = 0
    deadline = time.monotonic() + 120
    while expected < n and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=1)
        if message is not None:
            assert message['data'] == str(expected).encode()
            expected += 1
    publisher.join()
    assert expected == n
    assert pubsub.get_message(timeout=0.2) is None  # nothing twice
    assert pubsub.dropped == 0
    pubsub.close()
    client.close()


def test_slow_consumer_stays_bounded(server):
    """A reader that does not keep up: the queue stops at queue_limit (plus
    at most one read), the server holds the rest, and every message
    arrives, in order, none dropped, sync and asyncio."""
    client = ours(server)
    padding = '.' * 1000
    pubsub = client.pubsub(queue_limit=100, ignore_subscribe_messages=True)
    pubsub.subscribe('slow')
    with client.pipeline(transaction=False) as pipe:
        for i in range(1000):
            pipe.publish('slow', '%d %s' % (i, padding))
        pipe.execute()
    got = [next_message(pubsub) for _ in range(1000)]
    assert [m['data'].split()[0] for m in got] == [str(i).encode() for i in range(1000)]
    assert pubsub.dropped == 0
    pubsub.close()

    async def main():
        aclient = await make_instance(server.host, server.port).get_async_redis_client()
        async with aclient.pubsub(queue_limit=100) as apubsub:
            await apubsub.subscribe('aslow')
            await aclient.publish('aslow', 'first')
            assert (await apubsub.get_message(timeout=2))['type'] == 'subscribe'
            assert (await apubsub.get_message(timeout=2))['data'] == b'first'
            pipe = aclient.pipeline(transaction=False)
            for i in range(1000):
                pipe.publish('aslow', '%d %s' % (i, padding))
            await pipe.execute()
            # The worker reads on its own; the queue stops at its limit.
            await asyncio.sleep(0.3)
            queued = apubsub._c.get_queue_length()
            assert 100 <= queued <= 100 + 17, queued
            datas = []
            while len(datas) < 1000:
                message = await apubsub.get_message(timeout=5)
                assert message is not None
                datas.append(message['data'].split()[0])
            assert datas == [str(i).encode() for i in range(1000)]
            assert apubsub.dropped == 0
        await aclient.close()

    asyncio.run(main())
    client.close()


def test_restart_resubscribes(redis_server_factory):
    """A server restart while subscribed: the subscriptions come back by
    themselves; messages published after it arrive, none twice."""
    server = redis_server_factory()
    client = ours(server)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe('r')
    pubsub.psubscribe('p.*')
    client.publish('r', 'before')
    assert next_message(pubsub)['data'] == b'before'
    server.restart()
    # The sync PubSub notices the loss, reconnects and subscribes again
    # while it is read (as redis-py's does): read while publishing, until
    # the server counts it as a receiver again.
    deadline = time.monotonic() + 15
    received = []
    i = 0
    while time.monotonic() < deadline:
        try:
            if client.publish('r', 'after-%d' % i) == 1:
                break
        except redis.exceptions.ConnectionError:
            pass
        i += 1
        message = pubsub.get_message(timeout=0.05)
        if message is not None:
            received.append(message['data'])
    client.publish('p.x', 'pattern')
    while True:
        message = next_message(pubsub, 1)
        if message is None:
            break
        received.append(message['data'])
    assert received[-2:] == [b'after-%d' % i, b'pattern']
    assert len(received) == len(set(received))
    pubsub.close()
    client.close()


def test_async_restart_and_cancel(redis_server_factory):
    """Under asyncio: a restart is survived the same way, and a cancelled
    get_message() takes no message."""
    server = redis_server_factory()

    async def main():
        client = await make_instance(server.host, server.port).get_async_redis_client()
        async with client.pubsub() as pubsub:
            await pubsub.subscribe('ar')
            assert (await pubsub.get_message(timeout=2))['type'] == 'subscribe'
            task = asyncio.ensure_future(pubsub.get_message(timeout=None))
            await asyncio.sleep(0.05)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await client.publish('ar', 'kept')
            assert (await pubsub.get_message(timeout=5))['data'] == b'kept'
            server.restart()
            i = 0
            for i in range(300):
                try:
                    if await client.publish('ar', 'after-%d' % i) == 1:
                        break
                except redis.exceptions.ConnectionError:
                    pass
                await asyncio.sleep(0.05)
            received = []
            while True:
                message = await pubsub.get_message(timeout=1)
                if message is None:
                    break
                received.append(message['data'])
            assert received[-1] == b'after-%d' % i
            assert len(received) == len(set(received))
        await client.close()

    asyncio.run(main())


def test_shard_channels(server):
    """ssubscribe() and smessage, as redis-py 5 gives them."""
    client = ours(server)
    pubsub = client.pubsub()
    pubsub.ssubscribe('s{1}')
    assert pubsub.get_message(timeout=2) == {
        'type': 'ssubscribe', 'pattern': None, 'channel': b's{1}', 'data': 1}
    client.execute_command('SPUBLISH', 's{1}', 'shard')
    assert pubsub.get_message(timeout=2) == {
        'type': 'smessage', 'pattern': None, 'channel': b's{1}', 'data': b'shard'}
    pubsub.sunsubscribe()
    assert pubsub.get_message(timeout=2)['type'] == 'sunsubscribe'
    assert not pubsub.subscribed
    pubsub.close()
    client.close()


def test_no_fd_leak_over_1000_cycles(server):
    """1,000 subscribe/unsubscribe cycles leave no descriptor behind."""
    client = ours(server)
    client.ping()
    before = len(os.listdir('/proc/self/fd'))
    for i in range(1000):
        pubsub = client.pubsub()
        pubsub.subscribe('cycle')
        if i % 2:
            pubsub.unsubscribe()
            assert pubsub.get_message(timeout=2)['type'] == 'subscribe'
            assert pubsub.get_message(timeout=2)['type'] == 'unsubscribe'
        pubsub.close()
    del pubsub  # its private main context holds a wakeup descriptor
    gc.collect()
    assert len(os.listdir('/proc/self/fd')) == before
    client.close()


def test_names(server):
    """Names may come as a list (redis-py's list_or_args); a name that is
    not UTF-8 is refused before any I/O."""
    client = ours(server)
    pubsub = client.pubsub()
    pubsub.subscribe(['l1', b'l2'], 'l3')
    assert sorted(pubsub.channels) == [b'l1', b'l2', b'l3']
    pubsub.close()
    with pytest.raises(redis.exceptions.DataError):
        pubsub.subscribe(b'\xff')
    with pytest.raises(redis.exceptions.DataError):
        pubsub.subscribe()
    assert not pubsub.subscribed
    pubsub.close()
    client.close()
