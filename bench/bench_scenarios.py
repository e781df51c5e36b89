# bench/bench_scenarios.py: what bench/run measures: the scenarios, their
# implementations and targets, the request counts, and how results are
# read from the programs' output.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import re

KEY = 'key:__rand_int__'   # what redis-benchmark -t get asks for (no -r): everyone GETs it
VALUE_SIZE = 32

# The depths c-async-dN runs besides c-async's 1000.
ASYNC_DEPTHS = [1, 10, 100, 10000]

# name -> (title, [(impl id, label)], target: (impl, baseline impl, ratio) or None)
SCENARIOS = [
    ('c-sync', 'C sync GET, 1 thread',
     [('dtredis', 'dtredis DtRedisClient'),
      ('hiredis', 'hiredis redisCommand loop'),
      ('rb', 'redis-benchmark -c 1 -P 1')],
     ('dtredis', 'hiredis', 1.0)),
    ('c-sync-8t', 'C sync GET, 8 threads',
     [('dtredis', 'dtredis, one shared DtRedisClient'),
      ('hiredis', 'hiredis, one context per thread'),
      ('rb', 'redis-benchmark -c 8 -P 1')],
     ('dtredis', 'hiredis', 1.0)),
    ('c-async', 'C async GET, 1000 in flight, 1 thread',
     [('dtredis', 'dtredis DtRedisAsyncClient'),
      ('dtredis-1conn', 'dtredis, max-connections 1'),
      ('hiredis', 'hiredis async + adapters/glib.h'),
      ('rb', 'redis-benchmark -c 1 -P 16')],
     # Issue 14: a quarter ahead of plain hiredis at 1,000 in flight.
     ('dtredis', 'hiredis', 1.25)),
] + [
    # The same at other depths (issue 14: at least plain hiredis's speed at
    # every depth from 1 to 10,000).
    ('c-async-d%d' % depth, 'C async GET, {:,} in flight, 1 thread'.format(depth),
     [('dtredis', 'dtredis DtRedisAsyncClient'),
      ('hiredis', 'hiredis async + adapters/glib.h')],
     ('dtredis', 'hiredis', 1.0))
    for depth in ASYNC_DEPTHS
] + [
    ('c-pipeline', 'C sync pipeline of 1,000 GETs, 1 thread',
     [('dtredis', 'dtredis DtRedisPipeline (transaction FALSE)'),
      ('hiredis', 'hiredis 1,000 redisAppendCommand, then 1,000 redisGetReply'),
      ('rb', 'redis-benchmark -c 1 -P 1000')],
     ('dtredis', 'hiredis', 1.0)),
] + [
    ('c-value-%s' % name, 'C sync GET of a {} value, 1 thread'.format(title),
     [('dtredis', 'dtredis DtRedisClient get_bytes'),
      ('hiredis', 'hiredis redisCommand loop')],
     ('dtredis', 'hiredis', 1.0))
    for name, title in (('100k', '100 KiB'), ('10m', '10 MiB'))
] + [
    ('py-sync', 'Python sync GET',
     [('dtredis', 'dtredis (PyGObject overrides)'),
      ('redis-py', 'redis-py 4.3 Redis, PythonParser'),
      ('redis-py-hiredis', 'redis-py 4.3 Redis, HiredisParser')],
     ('dtredis', 'redis-py', 1.5)),
    ('py-asyncio', 'Python asyncio, 20,000 concurrent GETs',
     [('dtredis', 'dtredis async, max-connections 10'),
      ('redis-py', 'redis.asyncio, BlockingConnectionPool(10), PythonParser'),
      ('redis-py-hiredis', 'redis.asyncio, BlockingConnectionPool(10), HiredisParser')],
     ('dtredis', 'redis-py', 10.0)),
    ('py-pipeline', 'Python pipeline of 1,000 GETs',
     [('dtredis', 'dtredis pipeline(transaction=False)'),
      ('redis-py', 'redis-py 4.3 pipeline(transaction=False), PythonParser'),
      ('redis-py-hiredis', 'redis-py 4.3 pipeline(transaction=False), HiredisParser')],
     ('dtredis', 'redis-py', 2.0)),
    ('py-cluster', 'Python sync GET on a 3-primary Redis Cluster, keys over all slots',
     [('dtredis', 'dtredis, a Cluster config (cluster-nodes)'),
      ('redis-py', 'redis-py 4.3 RedisCluster, PythonParser'),
      ('redis-py-hiredis', 'redis-py 4.3 RedisCluster, HiredisParser')],
     None),
]
CLUSTER_KEYS = 1000    # py-cluster: the keys GET cycles through
PIPELINE_SIZE = 1000   # GETs per pipeline in py-pipeline and c-pipeline
# c-value-*: the key each GETs and the size of its value.
VALUE_KEYS = {'c-value-100k': ('key:value-100k', 100 * 1024),
              'c-value-10m': ('key:value-10m', 10 * 1024 * 1024)}
# Memory per command in flight (the async programs' "memory:" line): the target.
MEMORY_TARGET = 200

# Pub/sub subscribers, C then Python. The target is against redis-py's
# PubSub; it is checked for dtredis in C and for dtredis's Python layer.
PUBSUB_IMPLS = [
    ('dtredis', 'dtredis C, "message" signal handler'),
    ('dtredis-pull', 'dtredis C, next_message() pull queue'),
    ('hiredis', 'hiredis redisGetReply loop'),
    ('dtredis-py', 'dtredis Python client.pubsub()'),
    ('redis-py', 'redis-py 4.3 PubSub, PythonParser'),
    ('redis-py-hiredis', 'redis-py 4.3 PubSub, HiredisParser'),
]
PUBSUB_TARGETS = [('dtredis', 'redis-py', 5.0), ('dtredis-py', 'redis-py', 5.0)]
SCENARIOS += [
    ('pubsub-live', 'Pub/sub msgs/s, 1 subscriber, live publisher', PUBSUB_IMPLS, PUBSUB_TARGETS),
    ('pubsub-backlog', 'Pub/sub msgs/s, 1 subscriber, draining a backlog', PUBSUB_IMPLS,
     PUBSUB_TARGETS),
]
# Latency is a scenario of its own: percentiles, not a rate.
LATENCY_SCENARIO = ('pubsub-latency', 'Pub/sub latency, one message at a time', PUBSUB_IMPLS)
LATENCY_INTERVAL_US = 1000
LATENCY_WARMUP = 100
PUBSUB_SIZE = 32       # payload bytes
PUBSUB_BATCH = 1000    # PUBLISHes the publisher writes before reading their replies
# --only names that stand for several scenarios.
GROUPS = {'pubsub': ['pubsub-live', 'pubsub-backlog', 'pubsub-latency'],
          'c-large': ['c-pipeline', 'c-value-100k', 'c-value-10m'],
          'c-async-depths': ['c-async'] + ['c-async-d%d' % d for d in ASYNC_DEPTHS]}
EXIT_NOT_AVAILABLE = 77   # bench_python.py: this impl cannot run the mode (yet)
NOT_AVAILABLE = 'not available'


def baselines(name):
    """What dtredis is compared with in a scenario: plain hiredis for C,
    redis-py with either parser for Python (the target is against the first)."""
    return ['hiredis'] if name.startswith('c-') else ['redis-py', 'redis-py-hiredis']


def comparisons(name):
    """The (impl, baseline) ratios a scenario reports."""
    if name.startswith('pubsub-'):
        return [('dtredis', 'hiredis'), ('dtredis-pull', 'hiredis'),
                ('dtredis', 'redis-py'), ('dtredis', 'redis-py-hiredis'),
                ('dtredis-py', 'redis-py'), ('dtredis-py', 'redis-py-hiredis')]
    return [('dtredis', base) for base in baselines(name)]


def target_for(target, impl, base):
    """The ratio a scenario's target asks of impl ÷ base, or None."""
    for t in (target if isinstance(target, list) else [target] if target else []):
        if t[0] == impl and t[1] == base:
            return t[2]
    return None


def unit(name):
    return 'msgs/s' if name.startswith('pubsub-') else 'GET/s'

# Requests per run: sized for 2-3 s per run on a small machine
# (py-pipeline: pipelines of PIPELINE_SIZE GETs).
FULL_N = {
    'c-sync': 60000, 'c-sync-8t': 120000, 'c-async': 1000000,
    'py-sync': 30000, 'py-asyncio': 20000, 'py-pipeline': 400, 'py-cluster': 30000,
    'rb-c-sync': 60000, 'rb-c-sync-8t': 120000, 'rb-c-async': 600000,
    'pubsub-live': 200000, 'pubsub-backlog': 200000, 'pubsub-latency': 2000,
    'c-async-d1': 40000, 'c-async-d10': 200000, 'c-async-d100': 600000, 'c-async-d10000': 1000000,
    'c-pipeline': 2000000, 'rb-c-pipeline': 2000000, 'c-value-100k': 20000, 'c-value-10m': 200,
}
QUICK_N = {
    'c-sync': 2000, 'c-sync-8t': 4000, 'c-async': 20000,
    'py-sync': 2000, 'py-asyncio': 2000, 'py-pipeline': 20, 'py-cluster': 2000,
    'rb-c-sync': 2000, 'rb-c-sync-8t': 4000, 'rb-c-async': 20000,
    'pubsub-live': 20000, 'pubsub-backlog': 20000, 'pubsub-latency': 200,
    'c-async-d1': 2000, 'c-async-d10': 5000, 'c-async-d100': 20000, 'c-async-d10000': 20000,
    'c-pipeline': 20000, 'rb-c-pipeline': 20000, 'c-value-100k': 500, 'c-value-10m': 10,
}
# Callgrind: (small N, large N); instructions per GET = difference / (large - small).
# pubsub: messages received, by the backlog scenario's subscriber.
CALLGRIND_N = {'sync': (2000, 12000), 'async': (4000, 24000), 'pubsub': (20000, 120000)}
CALLGRIND_N_QUICK = {'sync': (200, 1200), 'async': (2000, 6000), 'pubsub': (2000, 12000)}
# kind -> (the scenario it profiles, the programs)
CALLGRIND_KINDS = [('sync', 'c-sync', ['dtredis', 'hiredis']),
                   ('async', 'c-async', ['dtredis', 'hiredis']),
                   ('pubsub', 'pubsub-backlog', ['dtredis', 'dtredis-pull', 'hiredis'])]

MEMORY_RE = re.compile(r'memory: bytes_per_inflight=([0-9.]+)')
RESULT_RE = re.compile(r'ops=(\d+) seconds=([0-9.]+) ops_per_sec=([0-9.]+)')
CPU_RE = re.compile(r'cpu_seconds=([0-9.]+)')
LATENCY_RE = re.compile(r'samples=(\d+) p50_us=([0-9.]+) p99_us=([0-9.]+) max_us=([0-9.]+)')
