#!/usr/bin/python3
# bench_python.py: the Python scenarios, dtredis beside redis-py.
#
#   --impl dtredis|redis-py  --mode sync|asyncio
#
# sync:    N x client.get(key) in a loop (dtredis: `with instance.get_redis()`;
#          redis-py: redis.Redis on its default ConnectionPool).
# asyncio: N concurrent client.get(key) in one asyncio.gather (dtredis:
#          `async with instance.get_async_redis()`, max-connections M;
#          redis-py: redis.asyncio.Redis on a BlockingConnectionPool of
#          max_connections=M, the pool that queues callers instead of failing
#          them when 20,000 ask at once).
#
# Connecting and a warm-up are not timed. Prints one line:
# "ops=N seconds=S ops_per_sec=R". Run it with Debian's /usr/bin/python3
# (gi and redis-py); bench/run sets GI_TYPELIB_PATH, LD_LIBRARY_PATH and
# PYTHONPATH for the build tree.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import asyncio
import sys
import time


def dtredis_instance(args):
    import gi
    gi.require_version('DtRedis', '1.0')
    from gi.repository import DtRedis

    config = (DtRedis.Config()
              .set_redis_host(args.host)
              .set_redis_port(args.port)
              .set_redis_max_connections(args.max_connections))
    return DtRedis.Instance(config)


def check(value, expected_len):
    if value is None or len(value) != expected_len:
        sys.exit('bench_python: GET returned %r' % (value,))


def sync_dtredis(args):
    instance = dtredis_instance(args)
    key, n = args.key, args.requests
    with instance.get_redis() as client:
        first = client.get(key)
        check(first, len(first or b''))
        get = client.get
        t0 = time.perf_counter()
        for _ in range(n):
            get(key)
        t1 = time.perf_counter()
        check(get(key), len(first))
    return t1 - t0


def sync_redispy(args):
    import redis

    client = redis.Redis(host=args.host, port=args.port)
    key, n = args.key, args.requests
    first = client.get(key)
    check(first, len(first or b''))
    get = client.get
    t0 = time.perf_counter()
    for _ in range(n):
        get(key)
    t1 = time.perf_counter()
    check(get(key), len(first))
    client.close()
    return t1 - t0


async def gather_gets(client, key, n):
    return await asyncio.gather(*(client.get(key) for _ in range(n)))


async def asyncio_dtredis(args):
    instance = dtredis_instance(args)
    async with instance.get_async_redis() as client:
        # Warm-up: opens the pool's connections.
        warm = await gather_gets(client, args.key, min(args.requests, 1000))
        t0 = time.perf_counter()
        values = await gather_gets(client, args.key, args.requests)
        t1 = time.perf_counter()
    check(values[-1], len(warm[0]))
    if len(values) != args.requests:
        sys.exit('bench_python: %d results for %d GETs' % (len(values), args.requests))
    await instance.reset_async_pool()
    return t1 - t0


async def asyncio_redispy(args):
    import redis.asyncio

    pool = redis.asyncio.BlockingConnectionPool(host=args.host, port=args.port,
                                                max_connections=args.max_connections,
                                                timeout=120)
    client = redis.asyncio.Redis(connection_pool=pool)
    warm = await gather_gets(client, args.key, min(args.requests, 1000))
    t0 = time.perf_counter()
    values = await gather_gets(client, args.key, args.requests)
    t1 = time.perf_counter()
    check(values[-1], len(warm[0]))
    if len(values) != args.requests:
        sys.exit('bench_python: %d results for %d GETs' % (len(values), args.requests))
    await client.close()
    await pool.disconnect()
    return t1 - t0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--impl', choices=['dtredis', 'redis-py'], required=True)
    parser.add_argument('--mode', choices=['sync', 'asyncio'], required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=6379)
    parser.add_argument('-n', '--requests', type=int, default=20000)
    parser.add_argument('--max-connections', type=int, default=10)
    parser.add_argument('--key', default='key:000000000000')
    args = parser.parse_args()

    if args.mode == 'sync':
        seconds = (sync_dtredis if args.impl == 'dtredis' else sync_redispy)(args)
    else:
        coro = (asyncio_dtredis if args.impl == 'dtredis' else asyncio_redispy)(args)
        seconds = asyncio.run(asyncio.wait_for(coro, timeout=600))

    print('ops=%d seconds=%.6f ops_per_sec=%.1f'
          % (args.requests, seconds, args.requests / seconds))


if __name__ == '__main__':
    main()
