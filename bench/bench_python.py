#!/usr/bin/python3
# bench_python.py: the Python scenarios, dtredis beside redis-py.
#
#   --impl dtredis|redis-py|redis-py-hiredis  --mode sync|asyncio|pipeline
#
# The two redis-py impls differ only in the reply parser:
#   redis-py          parser_class=PythonParser (redis.connection's, or
#                     redis.asyncio.connection's), forced through the
#                     connection pool: pure Python, whether or not hiredis
#                     is installed.
#   redis-py-hiredis  redis-py's default parser, which is HiredisParser when
#                     the hiredis module (Debian: python3-hiredis) imports;
#                     fails at once if it does not.
# Either way the parser the pool's connections really use is checked after
# the warm-up (exit 1 on a mismatch) and printed on stderr as "parser: ...";
# --debug adds a few more lines there.
#
# sync:     N x client.get(key) in a loop (dtredis: `with instance.get_redis()`;
#           redis-py: redis.Redis on a ConnectionPool).
# asyncio:  N concurrent client.get(key) in one asyncio.gather (dtredis:
#           `async with instance.get_async_redis()`, max-connections M;
#           redis-py: redis.asyncio.Redis on a BlockingConnectionPool of
#           max_connections=M, the pool that queues callers instead of failing
#           them when 20,000 ask at once).
# pipeline: N pipelines, one after the other, each client.pipeline(
#           transaction=False) of --pipeline-size (1,000) GETs, queued then
#           execute()d; here N counts pipelines, and ops= counts commands.
#
# cluster:  N x client.get(key), cycling through --cluster-keys keys spread
#           over all slots, on the cluster whose nodes --cluster-nodes names
#           (host:port,...; the keys are set first, untimed): dtredis with a
#           Cluster config (`with instance.get_redis()`), redis-py with
#           redis.cluster.RedisCluster and the parser chosen as above.
#
# pubsub:   the subscriber of bench/run's pub/sub scenarios: a redis-py
#           shaped PubSub (client.pubsub(); p.subscribe(--channel);
#           p.get_message(timeout=...) in a loop) receives N messages from
#           bench-publisher; timed from the first message to the last, with
#           the process's CPU time over the same span. With --backlog it
#           reads a line from stdin between subscribing and receiving (the
#           publisher has sent everything by then). Prints "ops=N-1
#           seconds=S ops_per_sec=R cpu_seconds=C".
# pubsub-latency: the same subscriber skips --warmup messages, then takes N
#           samples of time.monotonic_ns() at get_message()'s return minus
#           the publisher's CLOCK_MONOTONIC timestamp in the payload. Prints
#           "samples=N p50_us=.. p99_us=.. max_us=..".
#           Each impl's PubSub comes from one small function in
#           PUBSUB_FACTORIES; one that raises NotAvailable (dtredis while its
#           layer's pubsub() raises NotImplementedError) exits with status 77
#           and "not available: ..." on stderr, which bench/run reports as such.
#
# Connecting and a warm-up are not timed. Prints one line:
# "ops=N seconds=S ops_per_sec=R". Run it with Debian's /usr/bin/python3
# (gi and redis-py); bench/run sets GI_TYPELIB_PATH, LD_LIBRARY_PATH and
# PYTHONPATH for the build tree.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import asyncio
import math
import sys
import time

IMPLS = ['dtredis', 'redis-py', 'redis-py-hiredis']


class Failure(Exception):
    """Ends the benchmark with exit status 1 and this message (raised, not
    sys.exit(), so that it leaves asyncio.run() without a traceback)."""


class NotAvailable(Exception):
    """The impl cannot run this mode (yet): exit status 77, not a failure."""


EXIT_NOT_AVAILABLE = 77


def debug(args, *what):
    if args.debug:
        print('debug:', *what, file=sys.stderr, flush=True)


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
        raise Failure('GET returned %r' % (value,))


# -- redis-py: which parser --------------------------------------------------

def redispy_parser(args, asyncio_api):
    """The parser_class the impl asks for (None: redis-py's default) and the
    class its connections must end up with."""
    import redis
    import redis.connection
    import redis.utils
    if asyncio_api:
        import redis.asyncio.connection
        module = redis.asyncio.connection
    else:
        module = redis.connection
    if args.impl == 'redis-py':
        return module.PythonParser, module.PythonParser
    # redis-py-hiredis: the default, which must be hiredis's.
    try:
        import hiredis
    except ImportError as e:
        raise Failure('redis-py-hiredis needs the hiredis module '
                 '(Debian: python3-hiredis): %s' % e)
    if not redis.utils.HIREDIS_AVAILABLE or module.DefaultParser is not module.HiredisParser:
        raise Failure('hiredis %s imports, but redis-py %s does not use it '
                 '(DefaultParser is %s)'
                 % (hiredis.__version__, redis.__version__, module.DefaultParser.__qualname__))
    debug(args, 'hiredis', hiredis.__version__, 'from', hiredis.__file__)
    return None, module.HiredisParser


def pool_kwargs(parser_class):
    return {} if parser_class is None else {'parser_class': parser_class}


def check_parser(args, pool, expected):
    """Every connection the pool made uses the expected parser; says which."""
    conns = list(getattr(pool, '_connections', None) or
                 list(getattr(pool, '_available_connections', [])) +
                 list(getattr(pool, '_in_use_connections', [])))
    if not conns:
        raise Failure('the pool has no connection to check the parser of')
    for conn in conns:
        parser = type(conn._parser)
        if parser is not expected:
            raise Failure('%s: the connection parses with %s.%s, not %s.%s'
                     % (args.impl, parser.__module__, parser.__qualname__,
                        expected.__module__, expected.__qualname__))
    parser = type(conns[0]._parser)
    print('parser: %s.%s (%d connection(s))' % (parser.__module__, parser.__qualname__, len(conns)),
          file=sys.stderr, flush=True)
    debug(args, 'pool', type(pool).__module__ + '.' + type(pool).__qualname__,
          'connection_kwargs parser_class =', pool.connection_kwargs.get('parser_class', '(default)'))


# -- sync --------------------------------------------------------------------

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


def redispy_client(args):
    import redis

    parser_class, expected = args.parser
    pool = redis.ConnectionPool(host=args.host, port=args.port, **pool_kwargs(parser_class))
    return redis.Redis(connection_pool=pool), expected


def sync_redispy(args):
    client, expected = redispy_client(args)
    key, n = args.key, args.requests
    first = client.get(key)
    check(first, len(first or b''))
    check_parser(args, client.connection_pool, expected)
    get = client.get
    t0 = time.perf_counter()
    for _ in range(n):
        get(key)
    t1 = time.perf_counter()
    check(get(key), len(first))
    client.close()
    client.connection_pool.disconnect()
    return t1 - t0


# -- cluster -----------------------------------------------------------------

def cluster_keys(args):
    return ['bench:cluster:%d' % i for i in range(args.cluster_keys)]


def cluster_loop(get, keys, n):
    count = len(keys)
    t0 = time.perf_counter()
    for i in range(n):
        get(keys[i % count])
    return time.perf_counter() - t0


def cluster_dtredis(args):
    import gi
    gi.require_version('DtRedis', '1.0')
    from gi.repository import DtRedis

    config = (DtRedis.Config()
              .set_redis_cluster_nodes(args.cluster_nodes.split(','))
              .set_redis_max_connections(args.max_connections))
    instance = DtRedis.Instance(config)
    keys = cluster_keys(args)
    value = b'x' * 32
    with instance.get_redis() as client:
        for key in keys:
            client.set(key, value)
        seconds = cluster_loop(client.get, keys, args.requests)
        check(client.get(keys[-1]), len(value))
    return seconds


def cluster_redispy(args):
    from redis.cluster import ClusterNode, ClusterParser, RedisCluster

    # RedisCluster sets its own parser on each connection: ClusterParser,
    # which is redis-py's default parser (hiredis's, when it imports) with
    # the cluster's errors. For the pure-Python variant, the same errors on
    # PythonParser.
    parser_class, expected = args.parser
    if parser_class is None:
        if not issubclass(ClusterParser, expected):
            raise Failure('RedisCluster parses with %s, not hiredis' % ClusterParser.__mro__[1])
        cluster_parser = ClusterParser
    else:
        cluster_parser = type('ClusterPythonParser', (parser_class,),
                              {'EXCEPTION_CLASSES': ClusterParser.EXCEPTION_CLASSES})

    class Cluster(RedisCluster):
        def on_connect(self, connection):
            connection.set_parser(cluster_parser)
            connection.on_connect()

    args.parser = (cluster_parser, cluster_parser)
    nodes = [ClusterNode(host, int(port))
             for host, port in (address.rsplit(':', 1) for address in args.cluster_nodes.split(','))]
    client = Cluster(startup_nodes=nodes)
    keys = cluster_keys(args)
    value = b'x' * 32
    for key in keys:
        client.set(key, value)
    for node in client.get_primaries():
        check_parser(args, node.redis_connection.connection_pool, cluster_parser)
    seconds = cluster_loop(client.get, keys, args.requests)
    check(client.get(keys[-1]), len(value))
    client.close()
    return seconds


# -- pipeline ----------------------------------------------------------------

def run_pipelines(client, key, size, count):
    """count pipelines of size GETs; the last one's results."""
    values = None
    for _ in range(count):
        with client.pipeline(transaction=False) as pipe:
            get = pipe.get
            for _ in range(size):
                get(key)
            values = pipe.execute()
    return values


def check_pipeline(values, size, expected_len):
    if values is None or len(values) != size:
        raise Failure('a pipeline of %d GETs returned %r results'
                 % (size, None if values is None else len(values)))
    check(values[0], expected_len)
    check(values[-1], expected_len)


def pipeline_dtredis(args):
    instance = dtredis_instance(args)
    key, size = args.key, args.pipeline_size
    with instance.get_redis() as client:
        first = client.get(key)
        check(first, len(first or b''))
        check_pipeline(run_pipelines(client, key, size, 2), size, len(first))   # warm-up
        t0 = time.perf_counter()
        values = run_pipelines(client, key, size, args.requests)
        t1 = time.perf_counter()
    check_pipeline(values, size, len(first))
    return t1 - t0


def pipeline_redispy(args):
    client, expected = redispy_client(args)
    key, size = args.key, args.pipeline_size
    first = client.get(key)
    check(first, len(first or b''))
    check_pipeline(run_pipelines(client, key, size, 2), size, len(first))   # warm-up
    check_parser(args, client.connection_pool, expected)
    t0 = time.perf_counter()
    values = run_pipelines(client, key, size, args.requests)
    t1 = time.perf_counter()
    check_pipeline(values, size, len(first))
    client.close()
    client.connection_pool.disconnect()
    return t1 - t0


# -- asyncio -----------------------------------------------------------------

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
        raise Failure('%d results for %d GETs' % (len(values), args.requests))
    await instance.reset_async_pool()
    return t1 - t0


async def asyncio_redispy(args):
    import redis.asyncio

    parser_class, expected = args.parser
    pool = redis.asyncio.BlockingConnectionPool(host=args.host, port=args.port,
                                                max_connections=args.max_connections,
                                                timeout=120, **pool_kwargs(parser_class))
    client = redis.asyncio.Redis(connection_pool=pool)
    warm = await gather_gets(client, args.key, min(args.requests, 1000))
    check_parser(args, pool, expected)
    t0 = time.perf_counter()
    values = await gather_gets(client, args.key, args.requests)
    t1 = time.perf_counter()
    check(values[-1], len(warm[0]))
    if len(values) != args.requests:
        raise Failure('%d results for %d GETs' % (len(values), args.requests))
    await client.close()
    await pool.disconnect()
    return t1 - t0


# -- pub/sub -----------------------------------------------------------------

def pubsub_dtredis(args):
    """dtredis's redis-py shaped PubSub, from its sync client. Its pull
    queue drops the oldest message beyond queue_limit (10,000 by default)
    where redis-py lets the server buffer without limit: the limit is
    raised to hold every message of the run, and a drop fails it."""
    client = dtredis_instance(args).get_redis_client()
    try:
        try:
            return client.pubsub(queue_limit=args.requests + args.warmup + 16), None
        except TypeError:
            return client.pubsub(), None
    except (NotImplementedError, AttributeError) as e:
        raise NotAvailable('the dtredis client has no working pubsub(): %s: %s'
                           % (type(e).__name__, e))


def pubsub_redispy(args):
    client, expected = redispy_client(args)
    return client.pubsub(), expected


# impl -> function(args) returning (a redis-py shaped PubSub, the parser
# class its connection must use or None for no check).
PUBSUB_FACTORIES = {
    'dtredis': pubsub_dtredis,
    'redis-py': pubsub_redispy,
    'redis-py-hiredis': pubsub_redispy,
}


def subscribed(args, p):
    """Subscribes p to --channel and waits for the server's confirmation."""
    p.subscribe(args.channel)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        m = p.get_message(timeout=1.0)
        if m is not None and m['type'] == 'subscribe':
            return
        if m is not None:
            raise Failure('expected the subscribe confirmation, got %r' % (m,))
    raise Failure('no subscribe confirmation for %s within 30 s' % args.channel)


def check_pubsub_parser(args, p, expected):
    conn = getattr(p, 'connection', None)
    if conn is None:
        raise Failure('the PubSub has no connection to check the parser of')
    parser = type(conn._parser)
    if parser is not expected:
        raise Failure('%s: the PubSub connection parses with %s.%s, not %s.%s'
                      % (args.impl, parser.__module__, parser.__qualname__,
                         expected.__module__, expected.__qualname__))
    print('parser: %s.%s (the PubSub connection)' % (parser.__module__, parser.__qualname__),
          file=sys.stderr, flush=True)


def pubsub_messages(p, count):
    """Yields (monotonic ns at receipt, payload) for the next count messages."""
    get_message, now = p.get_message, time.monotonic_ns
    got = 0
    while got < count:
        m = get_message(timeout=20.0)
        t = now()
        if m is None:
            raise Failure('no message for 20 s (%d of %d received; %s dropped)'
                          % (got, count, getattr(p, 'dropped', 'none')))
        if m['type'] != 'message':
            continue
        got += 1
        yield t, m['data']


def percentile_us(sorted_ns, p):
    """Nearest rank, as the C subscribers compute it."""
    return sorted_ns[max(1, math.ceil(p * len(sorted_ns))) - 1] / 1e3


def run_pubsub(args):
    p, expected = PUBSUB_FACTORIES[args.impl](args)
    subscribed(args, p)
    if expected is not None:
        check_pubsub_parser(args, p, expected)
    print('subscribed', flush=True)   # bench/run starts the publisher now
    n = args.requests
    if args.mode == 'pubsub-latency':
        samples = []
        for i, (t, data) in enumerate(pubsub_messages(p, args.warmup + n)):
            if i >= args.warmup:
                samples.append(t - int(data[:20]))
        samples.sort()
        print('samples=%d p50_us=%.1f p99_us=%.1f max_us=%.1f'
              % (n, percentile_us(samples, 0.50), percentile_us(samples, 0.99), samples[-1] / 1e3))
    else:
        if args.backlog:
            sys.stdin.readline()
        messages = pubsub_messages(p, n)
        t0, _ = next(messages)
        cpu0 = time.process_time()
        for t1, data in messages:
            pass
        cpu1 = time.process_time()
        if int(data[:20]) != n - 1:
            raise Failure('the last message is %r, not number %d' % (data, n - 1))
        seconds = (t1 - t0) / 1e9
        print('ops=%d seconds=%.6f ops_per_sec=%.1f cpu_seconds=%.6f'
              % (n - 1, seconds, (n - 1) / seconds, cpu1 - cpu0))
    if getattr(p, 'dropped', 0):
        raise Failure('the PubSub dropped %d messages' % p.dropped)
    p.close()


def main():
    parser = argparse.ArgumentParser(description='The Python benchmark scenarios.')
    parser.add_argument('--impl', choices=IMPLS, required=True)
    parser.add_argument('--mode', choices=['sync', 'asyncio', 'pipeline', 'cluster', 'pubsub',
                                           'pubsub-latency'],
                        required=True)
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=6379)
    parser.add_argument('-n', '--requests', type=int, default=20000,
                        help='GETs; with --mode pipeline, pipelines')
    parser.add_argument('--pipeline-size', type=int, default=1000,
                        help='GETs per pipeline (--mode pipeline)')
    parser.add_argument('--max-connections', type=int, default=10)
    parser.add_argument('--cluster-nodes', help='--mode cluster: host:port,... of the nodes')
    parser.add_argument('--cluster-keys', type=int, default=1000,
                        help='--mode cluster: the keys GET cycles through')
    parser.add_argument('--key', default='key:000000000000')
    parser.add_argument('--channel', default='bench:pubsub', help='pub/sub modes: the channel')
    parser.add_argument('--warmup', type=int, default=100,
                        help='pubsub-latency: messages received before sampling')
    parser.add_argument('--backlog', action='store_true',
                        help='pubsub: read a line from stdin between subscribing and receiving')
    parser.add_argument('--debug', action='store_true',
                        help='say more on stderr (hiredis module, pool, parser_class asked for)')
    args = parser.parse_args()

    try:
        if args.mode.startswith('pubsub'):
            if args.impl != 'dtredis':
                args.parser = redispy_parser(args, asyncio_api=False)
            run_pubsub(args)
            return
        ops, seconds = run(args)
    except NotAvailable as e:
        print('not available: %s' % e, file=sys.stderr, flush=True)
        sys.exit(EXIT_NOT_AVAILABLE)
    except Failure as e:
        sys.exit('bench_python: %s' % e)
    print('ops=%d seconds=%.6f ops_per_sec=%.1f' % (ops, seconds, ops / seconds))


def run(args):
    dtredis = args.impl == 'dtredis'
    if not dtredis:
        # Before anything runs: a missing hiredis fails here, at once.
        args.parser = redispy_parser(args, asyncio_api=args.mode == 'asyncio')
    ops = args.requests
    if args.mode == 'sync':
        seconds = (sync_dtredis if dtredis else sync_redispy)(args)
    elif args.mode == 'cluster':
        seconds = (cluster_dtredis if dtredis else cluster_redispy)(args)
    elif args.mode == 'pipeline':
        seconds = (pipeline_dtredis if dtredis else pipeline_redispy)(args)
        ops = args.requests * args.pipeline_size
    else:
        coro = (asyncio_dtredis if dtredis else asyncio_redispy)(args)
        seconds = asyncio.run(asyncio.wait_for(coro, timeout=600))
    return ops, seconds


if __name__ == '__main__':
    main()
