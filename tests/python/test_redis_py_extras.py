"""What redis-py users reach for beyond single commands: scan iterators,
locks, scripts, from_url(), decode_responses, close(), repr() and the
exception classes, sync and asyncio, against the private server.

Executions are counted on the server (INCR inside scripts) where the
question is whether something ran twice.
"""

import asyncio
import threading
import time

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402
from test_sync_layer import make_instance  # noqa: E402

redis = pytest.importorskip('redis')  # python3-redis is in scripts/install-deps


@pytest.fixture
def instance(server):
    return make_instance(server.host, server.port)


@pytest.fixture
def client(instance):
    with instance.get_redis() as client:
        yield client


def run(coroutine):
    return asyncio.run(coroutine)


# -- scan iterators --------------------------------------------------------------


def test_scan_iterators_walk_everything(client):
    for i in range(250):
        client.set('key:%d' % i, i)
    client.set('other', 1)
    client.sadd('set', *range(300))
    client.hset('hash', mapping={'f%d' % i: i for i in range(200)})
    client.zadd('zset', {'m%d' % i: i for i in range(200)})

    keys = list(client.scan_iter(match='key:*', count=20))
    assert sorted(keys) == sorted(b'key:%d' % i for i in range(250))
    assert list(client.scan_iter(_type='set')) == [b'set']
    assert sorted(client.sscan_iter('set', count=10), key=int) == [b'%d' % i for i in range(300)]
    fields = dict(client.hscan_iter('hash', match='f1*'))
    assert fields == {b'f%d' % i: b'%d' % i for i in range(200) if str(i).startswith('1')}
    pairs = sorted(client.zscan_iter('zset', score_cast_func=int), key=lambda p: p[1])
    assert pairs == [(b'm%d' % i, i) for i in range(200)]


def test_async_scan_iterators_are_async_generators(instance, server):
    async def main():
        async with instance.get_async_redis() as client:
            for i in range(120):
                await client.set('k%d' % i, i)
            await client.hset('h', mapping={'a': 1, 'b': 2})
            await client.sadd('s', 'x', 'y')
            await client.zadd('z', {'p': 1.5})
            keys = [key async for key in client.scan_iter(match='k*', count=7)]
            fields = [item async for item in client.hscan_iter('h')]
            members = [m async for m in client.sscan_iter('s')]
            scored = [p async for p in client.zscan_iter('z')]
            return keys, fields, members, scored

    keys, fields, members, scored = run(main())
    assert sorted(keys) == sorted(b'k%d' % i for i in range(120))
    assert sorted(fields) == [(b'a', b'1'), (b'b', b'2')]
    assert sorted(members) == [b'x', b'y']
    assert scored == [(b'p', 1.5)]


# -- locks ------------------------------------------------------------------------


def test_lock_is_exclusive_and_released_only_by_its_owner(client, instance):
    lock = client.lock('resource', timeout=5)
    assert lock.acquire(blocking=False)
    assert lock.locked() and lock.owned()
    with instance.get_redis() as other_client:
        other = other_client.lock('resource', timeout=5)
        assert not other.acquire(blocking=False)
        started = time.monotonic()
        assert not other.acquire(blocking_timeout=0.3)
        assert 0.2 <= time.monotonic() - started < 2
        assert not other.owned()
        with pytest.raises(DtRedis.LockError, match='unlocked'):
            other.release()
    lock.release()
    assert not lock.locked()
    assert client.get('resource') is None


def test_lock_that_expired_and_was_taken_is_not_released(client):
    lock = client.lock('resource', timeout=0.2)
    assert lock.acquire()
    time.sleep(0.35)
    thief = client.lock('resource', timeout=10)
    assert thief.acquire(blocking=False)
    assert not lock.owned()
    with pytest.raises(DtRedis.LockNotOwnedError):
        lock.extend(1)
    with pytest.raises(DtRedis.LockNotOwnedError):
        lock.reacquire()
    with pytest.raises(DtRedis.LockNotOwnedError):
        lock.release()
    # The thief's lock is untouched: same token, same time to live.
    assert thief.owned()
    assert 9000 < client.pttl('resource') <= 10000
    thief.release()


def test_lock_extend_and_reacquire(client):
    lock = client.lock('resource', timeout=2)
    with pytest.raises(DtRedis.LockError, match='unlocked'):
        lock.extend(1)
    assert lock.acquire()
    assert lock.extend(10) is True
    assert 11000 < client.pttl('resource') <= 12000
    assert lock.extend(3, replace_ttl=True) is True
    assert 2000 < client.pttl('resource') <= 3000
    assert lock.reacquire() is True
    assert 1000 < client.pttl('resource') <= 2000
    lock.release()
    no_timeout = client.lock('other')
    assert no_timeout.acquire()
    with pytest.raises(DtRedis.LockError, match='no timeout'):
        no_timeout.extend(1)
    assert client.ttl('other') == -1
    no_timeout.release()


def test_lock_as_context_manager_serialises_threads(client, instance):
    client.set('counter', 0)
    errors = []

    def worker():
        try:
            with instance.get_redis() as own:
                for _ in range(20):
                    with own.lock('mutex', timeout=5, sleep=0.001):
                        value = int(own.get('counter'))
                        own.set('counter', value + 1)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # A lost update would show here: each read-modify-write held the lock.
    assert client.get('counter') == b'80'
    with pytest.raises(DtRedis.LockError, match='Unable to acquire'):
        with client.lock('held', timeout=5):
            with client.lock('held', blocking_timeout=0.1):
                pass


def test_lock_errors_are_redis_py_lock_errors(client):
    with pytest.raises(redis.exceptions.LockError):
        client.lock('x').release()
    assert issubclass(DtRedis.LockNotOwnedError, redis.exceptions.LockNotOwnedError)


def test_async_lock(instance, server):
    async def main():
        async with instance.get_async_redis() as client:
            lock = client.lock('resource', timeout=5)
            other = client.lock('resource', timeout=5)
            assert await lock.acquire(blocking=False)
            assert await lock.owned()
            assert not await other.acquire(blocking_timeout=0.2)
            assert await lock.extend(5)
            await lock.release()
            assert not await lock.locked()
            async with client.lock('ctx', timeout=5) as held:
                assert await held.owned()
            return await client.exists('resource', 'ctx')

    assert run(main()) == 0


# -- scripts ------------------------------------------------------------------------

COUNTING = "return redis.call('INCR', KEYS[1]) * tonumber(ARGV[1])"


def test_script_runs_by_sha_and_loads_itself_once_after_a_flush(client):
    script = client.register_script(COUNTING)
    assert script.sha == client.script_load(COUNTING)
    client.script_flush()
    assert script(keys=['runs'], args=[10]) == 10
    assert script(keys=['runs'], args=[1]) == 2
    client.script_flush()
    assert script(keys=['runs'], args=[1]) == 3
    # The NOSCRIPT answers did not run the script: three calls, three INCRs.
    assert client.get('runs') == b'3'
    assert client.script_exists(script.sha) == [True]


def test_script_in_a_pipeline(client):
    script = client.register_script(COUNTING)
    client.script_flush()
    with client.pipeline() as pipe:
        pipe.set('a', 1)
        script(keys=['runs'], args=[5], client=pipe)
        assert pipe.execute() == [True, 5]
    assert client.get('runs') == b'1'


def test_eval_and_evalsha_raise_noscript(client):
    assert client.eval("return ARGV[1]", 0, 'x') == b'x'
    with pytest.raises(DtRedis.NoScriptError):
        client.evalsha('0' * 40, 0)
    with pytest.raises(redis.exceptions.NoScriptError):
        client.evalsha('0' * 40, 0)


def test_async_script(instance, server):
    async def main():
        async with instance.get_async_redis() as client:
            script = client.register_script(COUNTING)
            await client.script_flush()
            first = await script(keys=['runs'], args=[2])
            second = await script(keys=['runs'], args=[2])
            return first, second, await client.get('runs')

    assert run(main()) == (2, 4, b'2')


# -- set-up: from_url, db, decode_responses, close, repr -----------------------------


def test_from_url_with_redis_py_keywords(server):
    url = 'redis://%s:%d/3' % (server.host, server.port)
    client = DtRedis.Client.from_url(url, decode_responses=True, socket_timeout=5,
                                     client_name='from-url')
    try:
        client.set('k', 'v')
        assert client.get('k') == 'v'
        assert client.hgetall('nothing') == {}
        assert client.client_getname() == 'from-url'
        assert server.command('SELECT', '3') == b'+OK\r\n'
    finally:
        client.close()
    plain = DtRedis.Client.from_url('redis://%s:%d' % (server.host, server.port), db=4)
    # As in redis-py, the URL's own db wins over the keyword.
    url_db = DtRedis.Client.from_url(url, db=4)
    try:
        plain.set('k', b'\xff')
        assert plain.get('k') == b'\xff'
        assert url_db.get('k') == b'v'
    finally:
        plain.close()
        url_db.close()
    reference = redis.Redis(host=server.host, port=server.port, db=4)
    assert reference.get('k') == b'\xff'
    reference.close()
    reference = redis.Redis.from_url(url, db=4)
    assert reference.get('k') == b'v'
    reference.close()
    with pytest.raises(TypeError, match='retry_on_timeout=True'):
        DtRedis.Client.from_url(url, retry_on_timeout=True)


def test_async_from_url_and_close(server):
    async def main():
        client = DtRedis.AsyncClient.from_url(
            'redis://%s:%d/2' % (server.host, server.port), decode_responses=True)
        await client.set('k', 'v')
        value = await client.get('k')
        await client.aclose()
        other = DtRedis.AsyncClient.from_url('redis://%s:%d/2' % (server.host, server.port))
        raw = await other.get('k')
        await other.close()
        return value, raw

    assert run(main()) == ('v', b'v')


def test_integer_db_is_accepted_where_the_seed_uses_a_string(server):
    config = DtRedis.Config().set_redis_host(server.host).set_redis_port(server.port)
    config.set_redis_db(5)
    assert config.get_redis_db() == '5'
    with DtRedis.Instance(config).get_redis() as client:
        client.set('in5', 1)
    assert DtRedis.Client.from_url('redis://%s:%d' % (server.host, server.port),
                                   db=5).get('in5') == b'1'


def test_decode_responses_on_the_instance_and_the_getters(server):
    config = DtRedis.Config().set_redis_host(server.host).set_redis_port(server.port)
    decoding = DtRedis.Instance(config, decode_responses=True)
    with decoding.get_redis() as client:
        client.hset('h', mapping={'a': 1})
        assert client.hgetall('h') == {'a': '1'}
        with client.pipeline() as pipe:
            assert pipe.get('missing').hget('h', 'a').execute() == [None, '1']
        assert client.zadd('z', {'m': 2}) == 1
        assert client.zrange('z', 0, -1, withscores=True) == [('m', 2.0)]
        assert client.dump('h')[:1] == b'\x10'  # DUMP stays binary, as in redis-py
        client.set('bin', b'\xff')
        with pytest.raises(UnicodeDecodeError):
            client.get('bin')
    with decoding.get_redis(decode_responses=False) as client:
        assert client.hgetall('h') == {b'a': b'1'}
    plain = DtRedis.Instance(config)
    with plain.get_redis(decode_responses=True) as client:
        assert client.get('missing') is None
        assert client.hget('h', 'a') == '1'

    async def main():
        async with plain.get_async_redis(decode_responses=True) as client:
            return await client.hgetall('h'), await client.pipeline().get('x').hkeys('h').execute()

    assert run(main()) == ({'a': '1'}, [None, ['a']])


def test_repr_shows_the_redacted_url(redis_server_factory):
    server = redis_server_factory(password='s3cret-pw')
    config = (DtRedis.Config().set_redis_host(server.host).set_redis_port(server.port)
              .set_redis_password('s3cret-pw'))
    instance = DtRedis.Instance(config)
    with instance.get_redis() as client:
        assert client.ping()
        text = repr(client)
        assert 'redis://' in text and str(server.port) in text
        assert 's3cret-pw' not in text and 's3cret-pw' not in str(client)
    with instance.get_redis(decode_responses=True) as client:
        assert 'decode_responses=True' in repr(client)
        assert 's3cret-pw' not in repr(client)


def test_close_forms(instance, server):
    client = instance.get_redis_client()
    client.set('k', 1)
    client.close()
    # The instance's pool stays open for its other clients.
    with instance.get_redis() as other:
        assert other.get('k') == b'1'

    async def main():
        client = await instance.get_async_redis_client()
        await client.set('a', 1)
        await client.close()
        client = await instance.get_async_redis_client()
        await client.aclose()
        async with instance.get_async_redis() as other:
            return await other.get('a')

    assert run(main()) == b'1'


# -- exceptions --------------------------------------------------------------------------


@pytest.mark.parametrize('name', ['RedisError', 'ConnectionError', 'TimeoutError',
                                  'AuthenticationError', 'BusyLoadingError',
                                  'ResponseError', 'ExecAbortError', 'NoScriptError',
                                  'ReadOnlyError', 'NoPermissionError', 'ModuleError',
                                  'DataError',
                                  'InvalidResponse', 'WatchError', 'PubSubError',
                                  'LockError', 'LockNotOwnedError'])
def test_exceptions_are_also_redis_py_exceptions(name):
    ours = getattr(DtRedis, name)
    assert issubclass(ours, getattr(redis.exceptions, name))
    # redis-py's own hierarchy holds among ours too.
    for base in getattr(redis.exceptions, name).__mro__:
        if base.__module__ == 'redis.exceptions' and hasattr(DtRedis, base.__name__):
            assert issubclass(ours, getattr(DtRedis, base.__name__)), base


def test_a_redis_py_except_clause_catches_our_errors(client):
    client.set('s', 'text')
    try:
        client.incr('s')
    except redis.exceptions.ResponseError as error:
        assert 'not an integer' in str(error)
    else:
        pytest.fail('INCR of text did not raise')
    dead = DtRedis.Client.from_url('redis://127.0.0.1:1/0', socket_connect_timeout=1)
    with pytest.raises(redis.exceptions.ConnectionError):
        dead.ping()


# -- under concurrency -----------------------------------------------------------------


def test_async_lock_serialises_tasks(instance, server):
    async def main():
        async with instance.get_async_redis() as client:
            await client.set('counter', 0)

            async def worker():
                for _ in range(15):
                    async with client.lock('mutex', timeout=5, sleep=0.001):
                        value = int(await client.get('counter'))
                        await asyncio.sleep(0)   # let the other tasks run
                        await client.set('counter', value + 1)

            await asyncio.gather(*(worker() for _ in range(6)))
            return await client.get('counter')

    # Each read-modify-write held the lock: no update lost among 90.
    assert run(main()) == b'90'


def test_script_from_threads_after_a_flush_runs_once_per_call(client, instance):
    script = client.register_script(COUNTING)
    client.script_flush()
    errors = []

    def worker():
        try:
            with instance.get_redis() as own:
                for _ in range(25):
                    script(keys=['runs'], args=[1], client=own)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Several threads may have met NOSCRIPT and loaded the script; none
    # ran it twice: 100 calls, 100 INCRs counted by the server.
    assert client.get('runs') == b'100'


def test_scan_iter_returns_every_key_that_stays_while_others_write(client, instance):
    stable = {b'stable:%d' % i for i in range(400)}
    for key in stable:
        client.set(key, 1)
    stop = threading.Event()

    def churn():
        with instance.get_redis() as own:
            i = 0
            while not stop.is_set():
                own.set('churn:%d' % i, 1)
                own.delete('churn:%d' % (i - 50))
                i += 1

    thread = threading.Thread(target=churn)
    thread.start()
    try:
        seen = set(client.scan_iter(match='stable:*', count=10))
    finally:
        stop.set()
        thread.join()
    # SCAN's guarantee: a key present from start to end is returned.
    assert seen == stable


# -- DEBUG OBJECT ---------------------------------------------------------------------


def test_debug_object_matches_redis_py(redis_server_factory):
    server = redis_server_factory(extra_config=['enable-debug-command yes'])
    theirs = redis.Redis(host=server.host, port=server.port)
    ours = make_instance(server.host, server.port).get_redis_client()
    theirs.set('number', 12345)
    theirs.rpush('list', *range(10))
    for key in ('number', 'list'):
        expected = theirs.debug_object(key)
        got = ours.debug_object(key)
        assert got == expected and isinstance(got['refcount'], int)
        assert ours.execute_command('DEBUG OBJECT', key) == expected
    assert ours.execute_command('DEBUG', 'SLEEP', 0) == theirs.execute_command('DEBUG', 'SLEEP', 0)
    with pytest.raises(redis.exceptions.ResponseError, match='no such key'):
        ours.debug_object('missing')
