# SPDX-License-Identifier: LGPL-2.1-or-later
"""The script of test_redis_py_parity.py: CALLS, one list of (method,
args, kwargs) that calls every command method redis-py has for the
commands dtredis implements, with the shapes that nondeterministic calls
compare, and the lists the signature test uses (SIG_METHODS, NOT_CALLED,
OPTIONAL_KWARGS, SPELLED_KWARGS).  Data only; the test file runs it."""

import datetime
import hashlib

FUTURE = 4102444800                 # 2100-01-01T00:00:00Z, for EXAT and friends
FUTURE_DT = datetime.datetime(2100, 1, 1, 12, 30)
CHANNEL, PATTERN = 'parity-chan', 'parity-pat*'


class Saved:
    """Stands for the result that an earlier call saved under @label."""

    def __init__(self, label):
        self.label = label


OTHER_DB = object()                 # stands for the run's second database
THIS_DB = object()                  # stands for the run's own database
PARITY_USER = 'parity-user'         # an ACL user the script makes and deletes


def exact(value):
    """@value with every type made explicit (== alone has True == 1 == 1.0)."""
    if isinstance(value, BaseException):
        return ('raises', type(value).__name__, str(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [exact(item) for item in value])
    if isinstance(value, dict):
        return ('dict', [(exact(key), exact(item)) for key, item in value.items()])
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted((exact(item) for item in value), key=repr))
    return (type(value).__name__, value)


# -- shapes: what must agree for a nondeterministic call ---------------------------

def structure(value):
    """Types only, all the way down: a TIME, a random member, a client id."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [structure(item) for item in value])
    if isinstance(value, dict):
        return ('dict', [(key, structure(item)) for key, item in value.items()])
    return type(value).__name__


def members(value):
    """The same items in any order (random members, hash-table order)."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and isinstance(value[1], list):
        return (type(value).__name__, value[0], sorted(value[1]))  # a SCAN page
    return (type(value).__name__, sorted(value))


def without(*fields):
    """The result with the values of dict @fields (times) replaced by their types."""
    def shape(value):
        if isinstance(value, (list, tuple)):
            return (type(value).__name__, [shape(item) for item in value])
        if isinstance(value, dict):
            return ('dict', [(key, structure(item) if key in fields else shape(item))
                             for key, item in value.items()])
        return (type(value).__name__, value)
    shape.__name__ = 'without%r' % (fields,)
    return shape


def within(low, high):
    """An int between @low and @high (a PTTL that ticks while we look)."""
    def shape(value):
        return (type(value).__name__, isinstance(value, int) and low <= value <= high)
    shape.__name__ = 'within(%r, %r)' % (low, high)
    return shape


def picked(*keys):
    """Some stable entries of a dict (INFO, whose counters move)."""
    def shape(value):
        return (type(value).__name__, [(key, value[key]) for key in keys])
    shape.__name__ = 'picked%r' % (keys,)
    return shape


def typed(*keys):
    """Some entries of a dict, their values by type (MEMORY STATS, whose
    numbers move and whose db.N entries depend on the other run)."""
    def shape(value):
        return (type(value).__name__, [(key, structure(value[key])) for key in keys])
    shape.__name__ = 'typed%r' % (keys,)
    return shape


def commands(value):
    """COMMAND: a dict in the server's hash-table order, each command's
    subcommands too: the same entries, types included, in any order."""
    def entry(details):
        details = dict(details, subcommands=sorted(map(repr, details['subcommands'])))
        return exact(details)
    return (type(value).__name__,
            sorted((name, entry(details)) for name, details in value.items()))


def rows(value):
    """A list of dicts (CLIENT LIST): its type and each row's sorted keys."""
    return (type(value).__name__, sorted({tuple(sorted(row)) for row in value}))


# -- the script -------------------------------------------------------------------

LUA_GET = "return redis.call('GET', KEYS[1])"
LUA_SUM = "return tonumber(ARGV[1]) + tonumber(ARGV[2])"
LUA_ERR = "return redis.error_reply('boom')"
LUA_TABLE = "return {1, 'two', {3, ARGV[1]}, redis.status_reply('OK')}"
SHA_GET = hashlib.sha1(LUA_GET.encode()).hexdigest()
SHA_SUM = hashlib.sha1(LUA_SUM.encode()).hexdigest()
LIBRARY = """#!lua name=paritylib
redis.register_function('pget', function(keys, args) return redis.call('GET', keys[1]) end)
redis.register_function{function_name='pro', callback=function(keys, args)
  return {keys[1], args[1]} end, flags={'no-writes'}}
"""
BIN = b'\xff\x00'
PALERMO = (13.361389, 38.115556, 'Palermo')
CATANIA = (15.087269, 37.502669, 'Catania')
ROME = (12.496366, 41.902782, b'Rome\xff')
TD = datetime.timedelta

# Flags, taken out of a call's kwargs before the call:
#   'shape': f     compare f(theirs) == f(ours) instead of the results
#   'save': label  keep the result; a later Saved(label) argument stands for it
#   'raises': name redis-py raises this exception class here, on purpose
#   'chain': f     the method returns an object (bitfield()): the result is
#                  f(object), awaited if it is awaitable
# OTHER_DB stands for the run's second database (COPY DB, MOVE, SWAPDB),
# THIS_DB for its own (SELECT, SWAPDB).
CALLS = [
    # -- strings
    ('set', ('str', 'hello'), {}), ('get', ('str',), {}), ('get', ('nokey',), {}),
    ('set', ('bin', BIN), {}), ('get', ('bin',), {}), ('set', (BIN, 'binary key'), {}),
    ('get', (BIN,), {}), ('set', ('int', 10), {}), ('set', ('flt', 1.5), {}),
    ('set', ('big', 10 ** 20), {}), ('set', ('neg', -7), {}), ('set', ('tiny', 0.1), {}),
    ('mget', (['str', 'bin', 'int', 'flt', 'big', 'neg', 'tiny', 'nokey'],), {}),
    ('mget', ('str', 'int', 'nokey'), {}), ('set', ('str', 'x'), {'nx': True}),
    ('set', ('nx1', 'x'), {'nx': True}), ('set', ('nokey', 'x'), {'xx': True}),
    ('set', ('str', 'hello2'), {'xx': True}), ('set', ('str', 'hello3'), {'get': True}),
    ('set', ('getnew', BIN), {'get': True}), ('set', ('ex', 'v'), {'ex': 100}),
    ('ttl', ('ex',), {}), ('set', ('ex', 'w'), {'keepttl': True}), ('ttl', ('ex',), {}),
    ('set', ('exd', 'v'), {'ex': TD(seconds=50)}), ('ttl', ('exd',), {}),
    ('set', ('px', 'v'), {'px': 200000}), ('pttl', ('px',), {'shape': within(190000, 200000)}),
    ('set', ('pxd', 'v'), {'px': TD(seconds=300)}), ('ttl', ('pxd',), {}),
    ('set', ('exat', 'v'), {'exat': FUTURE}), ('expiretime', ('exat',), {}),
    ('set', ('exat2', 'v'), {'exat': FUTURE_DT}), ('expiretime', ('exat2',), {}),
    ('set', ('pxat', 'v'), {'pxat': FUTURE * 1000 + 123}), ('pexpiretime', ('pxat',), {}),
    ('set', ('pxat2', 'v'), {'pxat': FUTURE_DT}), ('pexpiretime', ('pxat2',), {}),
    ('pexpiretime', ('str',), {}), ('expiretime', ('nokey',), {}),
    ('set', ('str', 'v'), {'raises': 'ResponseError', 'nx': True, 'xx': True}),
    ('set', ('str', True), {'raises': 'DataError'}),
    ('set', ('str', None), {'raises': 'DataError'}),
    ('set', ('str', ['a']), {'raises': 'DataError'}),
    ('set', ('str', 'v'), {'raises': 'ResponseError', 'ex': 0}), ('getset', ('str', 'gs'), {}),
    ('getset', ('gsnew', 1), {}), ('getdel', ('gsnew',), {}), ('getdel', ('gsnew',), {}),
    ('getex', ('str',), {}), ('getex', ('str',), {'ex': 100}), ('ttl', ('str',), {}),
    ('getex', ('str',), {'px': TD(seconds=200)}), ('ttl', ('str',), {}),
    ('getex', ('str',), {'exat': FUTURE}), ('expiretime', ('str',), {}),
    ('getex', ('str',), {'pxat': FUTURE * 1000 + 5}), ('pexpiretime', ('str',), {}),
    ('getex', ('str',), {'persist': True}), ('ttl', ('str',), {}),
    ('getex', ('str',), {'raises': 'DataError', 'ex': 1, 'persist': True}),
    ('getex', ('nokey',), {'ex': 10}), ('setnx', ('str', 'no'), {}), ('setnx', ('snx', BIN), {}),
    ('setex', ('sex', 100, 'v'), {}), ('setex', ('sex2', TD(seconds=60), 2.5), {}),
    ('ttl', ('sex2',), {}), ('setex', ('sex3', 0, 'v'), {'raises': 'ResponseError'}),
    ('psetex', ('psex', 100000, 'v'), {}), ('psetex', ('psex2', TD(seconds=70), 'v'), {}),
    ('ttl', ('psex2',), {}), ('mset', ({'m1': 'a', 'm2': 2, 'm3': BIN, b'm\xff': 1.25},), {}),
    ('mget', (['m1', 'm2', 'm3', b'm\xff'],), {}), ('msetnx', ({'m1': 'x', 'm9': 'y'},), {}),
    ('msetnx', ({'m8': 'x', 'm9': 'y'},), {}), ('mget', ('m8', 'm9'), {}),
    ('append', ('app', 'ab'), {}), ('append', ('app', BIN), {}), ('append', ('app', 12), {}),
    ('get', ('app',), {}), ('strlen', ('app',), {}), ('strlen', ('nokey',), {}),
    ('getrange', ('app', 1, 3), {}), ('getrange', ('app', 0, -1), {}),
    ('getrange', ('nokey', 0, -1), {}), ('substr', ('app', 2), {}), ('substr', ('app', 0, 1), {}),
    ('setrange', ('app', 1, 'ZZ'), {}), ('setrange', ('sr', 3, BIN), {}), ('get', ('sr',), {}),
    ('incr', ('cnt',), {}), ('incr', ('cnt', 5), {}), ('incrby', ('cnt', 10), {}),
    ('incrby', ('cnt',), {}), ('decr', ('cnt',), {}), ('decr', ('cnt', 3), {}),
    ('decrby', ('cnt', 4), {}), ('decrby', ('cnt',), {}),
    ('incr', ('str',), {'raises': 'ResponseError'}),
    ('incr', ('cnt', 1.5), {'raises': 'ResponseError'}), ('incrbyfloat', ('fl',), {}),
    ('incrbyfloat', ('fl', 2.25), {}), ('incrbyfloat', ('fl', -10), {}),
    ('incrbyfloat', ('int', '1e3'), {}), ('incrbyfloat', ('str', 1), {'raises': 'ResponseError'}),
    # -- bits
    ('setbit', ('bits', 7, 1), {}), ('setbit', ('bits', 7, 0), {}),
    ('setbit', ('bits', 100, 1), {}), ('setbit', ('bits', 3, True), {}),
    ('getbit', ('bits', 100), {}), ('getbit', ('bits', 5), {}), ('getbit', ('nokey', 5), {}),
    ('setbit', ('bits', 1, 2), {}), ('set', ('bc', 'foobar'), {}), ('bitcount', ('bc',), {}),
    ('bitcount', ('bc', 1, 1), {}), ('bitcount', ('bc', 0, -2), {}),
    ('bitcount', ('bc', 5, 30), {'mode': 'BIT'}), ('bitcount', ('bc', 0, 1), {'mode': 'BYTE'}),
    ('bitcount', ('bc', 1), {'raises': 'DataError'}), ('bitcount', ('nokey',), {}),
    ('bitpos', ('bc', 1), {}), ('bitpos', ('bc', 0), {}), ('bitpos', ('bc', 1, 2), {}),
    ('bitpos', ('bc', 1, 2, -1), {}), ('bitpos', ('bc', 1, 7, 15), {'mode': 'BIT'}),
    ('bitpos', ('bc', 2), {'raises': 'DataError'}),
    ('bitpos', ('bc', 1), {'raises': 'DataError', 'end': 3}), ('bitpos', ('nokey', 0), {}),
    ('set', ('bo1', BIN), {}), ('set', ('bo2', b'\x0f\xf0'), {}),
    ('bitop', ('AND', 'band', 'bo1', 'bo2'), {}), ('get', ('band',), {}),
    ('bitop', ('OR', 'bor', 'bo1', 'bo2'), {}),
    ('bitop', ('XOR', 'bxor', 'bo1', 'bo2', 'bc'), {}), ('get', ('bxor',), {}),
    ('bitop', ('NOT', 'bnot', 'bo1'), {}), ('get', ('bnot',), {}),
    ('bitop', ('NOT', 'bnot', 'bo1', 'bo2'), {'raises': 'ResponseError'}),
    # -- LCS
    ('mset', ({'lcs1': 'ohmytext', 'lcs2': 'mynewtext'},), {}), ('lcs', ('lcs1', 'lcs2'), {}),
    ('lcs', ('lcs1', 'lcs2'), {'len': True}), ('lcs', ('lcs1', 'lcs2'), {'idx': True}),
    ('lcs', ('lcs1', 'lcs2'), {'idx': True, 'minmatchlen': 4}),
    ('lcs', ('lcs1', 'lcs2'), {'idx': True, 'withmatchlen': True}),
    ('lcs', ('lcs1', 'nokey'), {}),
    ('lcs', ('lcs1', 'lcs2'), {'raises': 'ResponseError', 'len': True, 'idx': True}),
    # -- keys
    ('exists', ('str',), {}), ('exists', ('str', 'str', 'int', 'nokey'), {}),
    ('exists', (), {'raises': 'ResponseError'}), ('type', ('str',), {}), ('type', ('nokey',), {}),
    ('touch', ('str', 'int', 'nokey'), {}), ('delete', ('nokey',), {}),
    ('delete', ('m8', 'm9', 'nokey'), {}), ('unlink', ('m1', 'nokey'), {}),
    ('unlink', (), {'raises': 'ResponseError'}), ('rename', ('m2', 'm2r'), {}),
    ('rename', ('nokey', 'x'), {'raises': 'ResponseError'}), ('renamenx', ('m2r', 'm3'), {}),
    ('renamenx', ('m2r', 'm2rr'), {}), ('get', ('m2rr',), {}), ('copy', ('m3', 'm3c'), {}),
    ('copy', ('m3', 'm3c'), {}), ('copy', ('int', 'm3c'), {'replace': True}),
    ('get', ('m3c',), {}), ('copy', ('m3', 'm3c'), {'destination_db': OTHER_DB}),
    ('copy', ('m3', 'm3c'), {'destination_db': OTHER_DB}),
    ('copy', ('bin', 'm3c'), {'destination_db': OTHER_DB, 'replace': True}),
    ('copy', ('nokey', 'x'), {}), ('move', ('m3', OTHER_DB), {}), ('move', ('m3c', OTHER_DB), {}),
    ('move', ('nokey', OTHER_DB), {}), ('exists', ('m3', 'm3c'), {}),
    ('dump', ('bin',), {'save': 'dump_bin'}), ('dump', ('nokey',), {}),
    ('restore', ('restored', 0, Saved('dump_bin')), {}), ('get', ('restored',), {}),
    ('restore', ('restored', 0, Saved('dump_bin')), {'raises': 'ResponseError'}),
    ('restore', ('restored', 0, Saved('dump_bin')), {'replace': True}),
    ('restore', ('restored2', FUTURE * 1000, Saved('dump_bin')), {'absttl': True}),
    ('pexpiretime', ('restored2',), {}),
    ('restore', ('restored3', 100000, Saved('dump_bin')), {'idletime': 10, 'replace': True}),
    ('ttl', ('restored3',), {}),
    ('restore', ('restored4', 0, Saved('dump_bin')), {'frequency': 5}),
    ('restore', ('restored5', 0, b'not a dump'), {'raises': 'ResponseError'}),
    ('expire', ('int', 100), {}), ('expire', ('nokey', 100), {}),
    ('expire', ('int', TD(seconds=30)), {}), ('ttl', ('int',), {}),
    ('expire', ('int', 300), {'nx': True}), ('expire', ('int', 300), {'xx': True}),
    ('expire', ('int', 100), {'gt': True}), ('expire', ('int', 100), {'lt': True}),
    ('expire', ('flt', 100), {'xx': True}), ('expire', ('flt', 100), {'nx': True}),
    ('ttl', ('int',), {}),
    ('expire', ('int', 100), {'raises': 'ResponseError', 'nx': True, 'xx': True}),
    ('pexpire', ('flt', 500000), {}), ('ttl', ('flt',), {}),
    ('pexpire', ('flt', TD(seconds=400)), {'lt': True}),
    ('pexpire', ('flt', 900000), {'lt': True}), ('pexpire', ('flt', 900000), {'gt': True}),
    ('ttl', ('flt',), {}), ('pexpire', ('nokey', 1000), {'xx': True}),
    ('expireat', ('big', FUTURE), {}), ('expiretime', ('big',), {}),
    ('expireat', ('big', FUTURE_DT), {'gt': True}), ('expireat', ('big', FUTURE), {'gt': True}),
    ('expireat', ('big', FUTURE + 10), {'xx': True}), ('expiretime', ('big',), {}),
    ('pexpireat', ('neg', FUTURE * 1000 + 1), {}),
    ('pexpireat', ('neg', FUTURE_DT), {'nx': True}),
    ('pexpireat', ('neg', FUTURE_DT), {'lt': True}), ('pexpiretime', ('neg',), {}),
    ('persist', ('neg',), {}), ('persist', ('neg',), {}), ('ttl', ('neg',), {}),
    ('pttl', ('neg',), {}), ('pttl', ('nokey',), {}), ('ttl', ('nokey',), {}),
    ('keys', ('m*',), {'shape': members}), ('keys', ('nomatch*',), {}), ('keys', ('exat?',), {}),
    ('keys', (), {'shape': members}), ('dbsize', (), {}),
    ('scan', (), {'count': 1000, 'shape': members}),
    ('scan', (0,), {'match': 'exat*', 'count': 1000, 'shape': members}),
    ('scan', (0,), {'match': 'nomatch*', 'count': 1000}),
    ('scan', (0,), {'_type': 'string', 'match': 'b*', 'count': 1000, 'shape': members}),
    ('scan', (), {'_type': 'hash', 'count': 1000}),
    # -- hashes
    ('hset', ('h', 'f', 'v'), {}), ('hset', ('h',), {'mapping': {'a': 1, 'b': 2.5, 'c': BIN}}),
    ('hset', ('h', 'f', 'w'), {'mapping': {'d': 'x'}}),
    ('hset', ('h',), {'items': ['i1', 'v1', 'i2', 2]}), ('hset', ('h',), {'raises': 'DataError'}),
    ('hset', ('h', BIN, BIN), {}), ('hget', ('h', 'f'), {}), ('hget', ('h', BIN), {}),
    ('hget', ('h', 'nope'), {}), ('hget', ('nokey', 'f'), {}),
    ('hget', ('str', 'f'), {'raises': 'ResponseError'}), ('hgetall', ('h',), {}),
    ('hgetall', ('nokey',), {}), ('hmset', ('h2', {'x': 1, 'y': BIN}), {}),
    ('hmset', ('h2', {}), {'raises': 'DataError'}), ('hsetnx', ('h2', 'x', 'no'), {}),
    ('hsetnx', ('h2', 'z', 3), {}), ('hmget', ('h2', ['x', 'y', 'nope']), {}),
    ('hmget', ('h2', 'x', 'z'), {}), ('hexists', ('h', 'a'), {}), ('hexists', ('h', 'nope'), {}),
    ('hdel', ('h', 'a', 'nope'), {}), ('hlen', ('h',), {}), ('hlen', ('nokey',), {}),
    ('hkeys', ('h',), {}), ('hvals', ('h',), {}), ('hkeys', ('nokey',), {}),
    ('hstrlen', ('h', 'c'), {}), ('hstrlen', ('h', 'nope'), {}), ('hincrby', ('h', 'n', 2), {}),
    ('hincrby', ('h', 'n'), {}), ('hincrby', ('h', 'f', 1), {'raises': 'ResponseError'}),
    ('hincrbyfloat', ('h', 'fl', 1.25), {}), ('hincrbyfloat', ('h', 'fl'), {}),
    ('hincrbyfloat', ('h', 'n', -0.5), {}), ('hrandfield', ('h2',), {'shape': structure}),
    ('hrandfield', ('h2', 2), {'shape': structure}),
    ('hrandfield', ('h2', 10), {'shape': members}),
    ('hset', ('h3',), {'mapping': {'p': 'q', 'r': 's'}}),  # text only, as decoded
    ('hrandfield', ('h3', -5, True), {'shape': structure}), ('hrandfield', ('nokey',), {}),
    ('hrandfield', ('nokey', 2), {}), ('hscan', ('h',), {}), ('hscan', ('h', 0), {'match': 'i*'}),
    ('hscan', ('h', 0), {'match': 'i*', 'count': 100}), ('hscan', ('nokey',), {}),
    # -- lists
    ('lpush', ('l', 'a', 'b'), {}), ('rpush', ('l', 1, 2.5, BIN, 'a'), {}),
    ('lrange', ('l', 0, -1), {}), ('lrange', ('l', 1, 2), {}), ('lrange', ('nokey', 0, -1), {}),
    ('llen', ('l',), {}), ('llen', ('nokey',), {}), ('lpushx', ('l', 'x', 'y'), {}),
    ('lpushx', ('nolist', 'x'), {}), ('rpushx', ('l', 'z'), {}), ('rpushx', ('nolist', 'z'), {}),
    ('lindex', ('l', 0), {}), ('lindex', ('l', -1), {}), ('lindex', ('l', 99), {}),
    ('linsert', ('l', 'BEFORE', 'a', 'ins'), {}), ('linsert', ('l', 'after', BIN, 'ins2'), {}),
    ('linsert', ('l', 'AFTER', 'nope', 'x'), {}), ('linsert', ('nokey', 'AFTER', 'a', 'x'), {}),
    ('lset', ('l', 0, 'first'), {}), ('lset', ('l', 99, 'x'), {'raises': 'ResponseError'}),
    ('lrange', ('l', 0, -1), {}), ('lpos', ('l', 'a'), {}), ('lpos', ('l', 'a'), {'rank': 2}),
    ('lpos', ('l', 'a'), {'rank': -1}), ('lpos', ('l', 'a'), {'count': 0}),
    ('lpos', ('l', 'a'), {'count': 1}), ('lpos', ('l', 'a'), {'count': 5, 'maxlen': 4}),
    ('lpos', ('l', 'nope'), {}), ('lpos', ('l', 'nope'), {'count': 2}),
    ('lpos', ('l', 'a'), {'raises': 'ResponseError', 'rank': 0}), ('lrem', ('l', 1, 'a'), {}),
    ('lrem', ('l', 0, 'nope'), {}), ('lpop', ('l',), {}), ('rpop', ('l',), {}),
    ('lpop', ('l', 2), {}), ('rpop', ('l', 1), {}), ('lpop', ('nokey',), {}),
    ('rpop', ('nokey', 2), {}), ('lpop', ('str',), {'raises': 'ResponseError'}),
    ('ltrim', ('l', 0, 3), {}), ('lrange', ('l', 0, -1), {}),
    ('rpush', ('l2', 'p', 'q', 'r'), {}), ('lmove', ('l2', 'l3'), {}),
    ('lmove', ('l2', 'l3', 'RIGHT', 'LEFT'), {}), ('lmove', ('nokey', 'l3'), {}),
    ('lmove', ('l2', 'l3', 'UP'), {'raises': 'ResponseError'}), ('blmove', ('l2', 'l3', 1), {}),
    ('blmove', ('l3', 'l2', 0.05, 'RIGHT', 'RIGHT'), {}), ('blmove', ('nokey', 'l2', 0.05), {}),
    ('lrange', ('l3', 0, -1), {}), ('rpoplpush', ('l3', 'l2'), {}),
    ('rpoplpush', ('nokey', 'l2'), {}), ('brpoplpush', ('l3', 'l2'), {'timeout': 1}),
    ('brpoplpush', ('nokey', 'l2', 0.05), {}), ('lrange', ('l2', 0, -1), {}),
    ('rpush', ('lm1', 'a', 'b', 'c'), {}), ('lmpop', (2, 'nokey', 'lm1'), {'direction': 'LEFT'}),
    ('lmpop', (2, 'nokey', 'lm1'), {'direction': 'RIGHT', 'count': 5}),
    ('lmpop', (1, 'nokey'), {'direction': 'LEFT'}), ('rpush', ('lm1', 'd', 'e', BIN), {}),
    ('blmpop', (1, 2, 'nokey', 'lm1'), {'direction': 'LEFT'}),
    ('blmpop', (1, 1, 'lm1'), {'direction': 'RIGHT', 'count': 2}),
    ('blmpop', (0.05, 1, 'nokey'), {'direction': 'LEFT'}), ('rpush', ('bl', 'v1', 'v2'), {}),
    ('blpop', ('bl',), {'timeout': 1}), ('blpop', (['nokey', 'bl'],), {}),
    ('rpush', ('bl', 'v3', 'v4'), {}), ('brpop', (['nokey', 'bl'],), {'timeout': 1}),
    ('brpop', ('bl', 1), {}), ('blpop', (['nokey'],), {'timeout': 0.05}),
    ('brpop', ('nokey',), {'timeout': 0.05}),
    # -- sets
    ('sadd', ('s1', 'a', 'b', 'c'), {}), ('sadd', ('s2', 'b', 'c', 'd', 1, BIN), {}),
    ('sadd', ('s3', 1, 2, 3, 4, 5), {}), ('sadd', ('s1', 'a'), {}),
    ('srem', ('s1', 'c', 'zz'), {}), ('smembers', ('s1',), {}), ('smembers', ('s3',), {}),
    ('smembers', ('nokey',), {}), ('sismember', ('s1', 'a'), {}), ('sismember', ('s1', 'zz'), {}),
    ('smismember', ('s1', ['a', 'zz', 'b']), {}), ('smismember', ('s1', 'a', 'zz'), {}),
    ('scard', ('s2',), {}), ('scard', ('nokey',), {}), ('sunion', ('s1', 's2'), {}),
    ('sunion', (['s1', 'nokey'],), {}), ('sinter', (['s1', 's2'],), {}),
    ('sinter', ('s1', 'nokey'), {}), ('sdiff', ('s2', 's1'), {}), ('sdiff', (['s2'],), {}),
    ('sunionstore', ('su', 's1', 's2'), {}), ('sinterstore', ('si', ['s1', 's2']), {}),
    ('sdiffstore', ('sd', ['s2', 's1']), {}), ('sdiffstore', ('sd2', 's2', 's1', 's3'), {}),
    ('smembers', ('su',), {}), ('smembers', ('sd',), {}), ('sintercard', (2, ['s1', 's2']), {}),
    ('sintercard', (2, ['su', 's2'], 2), {}), ('sintercard', (1, ['nokey']), {}),
    ('smove', ('s1', 's3', 'a'), {}), ('smove', ('s1', 's3', 'zz'), {}),
    ('sscan', ('s3',), {'shape': members}),
    ('sscan', ('s3', 0), {'match': '*a*', 'count': 100}),
    ('sscan', ('su',), {'count': 100, 'shape': members}), ('sscan', ('nokey',), {}),
    ('spop', ('s3',), {'shape': structure}), ('spop', ('s3', 2), {'shape': structure}),
    ('spop', ('s3', 0), {}), ('spop', ('nokey',), {}), ('spop', ('nokey', 3), {}),
    # random samples come from s1, which holds text only: a sample of s2
    # may or may not hold its binary member, so under decode_responses one
    # side could raise UnicodeDecodeError and the other not
    ('scard', ('s3',), {}), ('srandmember', ('s1',), {'shape': structure}),
    ('srandmember', ('s1', 2), {'shape': structure}),
    ('srandmember', ('s2', 50), {'shape': members}),
    ('srandmember', ('s1', -7), {'shape': structure}), ('srandmember', ('nokey',), {}),
    ('srandmember', ('nokey', 2), {}),
    # -- sorted sets
    ('zadd', ('z', {'a': 1, 'b': 2, 'c': 3.5, BIN: -1}), {}),
    ('zadd', ('z', {'a': 5}), {'nx': True}), ('zadd', ('z', {'a': 5, 'new': 1}), {'xx': True}),
    ('zadd', ('z', {'a': 6, 'd': 4}), {'ch': True}), ('zadd', ('z', {'b': 2.5}), {'incr': True}),
    ('zadd', ('z', {'b': 1}), {'incr': True, 'nx': True}),
    ('zadd', ('z', {'a': 1, 'e': 9}), {'gt': True, 'ch': True}),
    ('zadd', ('z', {'a': 100}), {'lt': True}),
    ('zadd', ('z', {'a': 1, 'b': 2}), {'raises': 'DataError', 'incr': True}),
    ('zadd', ('z', {'a': 1}), {'raises': 'DataError', 'nx': True, 'xx': True}),
    ('zadd', ('z', {'a': 1}), {'raises': 'DataError', 'nx': True, 'gt': True}),
    ('zadd', ('z', {}), {'raises': 'DataError'}),
    ('zadd', ('zl', {'a': 0, 'b': 0, 'c': 0, 'd': 0, 'e': 0}), {}), ('zcard', ('z',), {}),
    ('zcard', ('nokey',), {}), ('zscore', ('z', 'a'), {}), ('zscore', ('z', 'nope'), {}),
    ('zmscore', ('z', ['a', 'nope', BIN]), {}), ('zmscore', ('z', []), {'raises': 'DataError'}),
    ('zincrby', ('z', 2, 'c'), {}), ('zincrby', ('z', -0.5, 'new2'), {}),
    ('zrank', ('z', 'a'), {}), ('zrank', ('z', 'nope'), {}), ('zrevrank', ('z', 'a'), {}),
    ('zcount', ('z', '-inf', '+inf'), {}), ('zcount', ('z', 1, '(4'), {}),
    ('zlexcount', ('zl', '-', '+'), {}), ('zlexcount', ('zl', '[b', '(d'), {}),
    ('zrange', ('z', 0, -1), {}), ('zrange', ('z', 0, -1), {'withscores': True}),
    ('zrange', ('z', 0, 1), {'desc': True}),
    ('zrange', ('z', 0, -1), {'desc': True, 'withscores': True}),
    ('zrange', ('z', 0, -1), {'withscores': True, 'score_cast_func': str}),
    ('zrange', ('z', 1, 4), {'byscore': True}),
    ('zrange', ('z', '(1', '+inf'), {'byscore': True, 'withscores': True}),
    ('zrange', ('z', '+inf', 2), {'byscore': True, 'desc': True}),
    ('zrange', ('z', 0, 10), {'byscore': True, 'offset': 1, 'num': 2}),
    ('zrange', ('zl', '[b', '[d'), {'bylex': True}),
    ('zrange', ('zl', '+', '-'), {'bylex': True, 'desc': True, 'offset': 1, 'num': 2}),
    ('zrange', ('zl', '-', '+'), {'raises': 'DataError', 'bylex': True, 'withscores': True}),
    ('zrange', ('z', 0, 1), {'raises': 'DataError', 'offset': 1}),
    ('zrange', ('z', 0, 1), {'raises': 'DataError', 'byscore': True, 'bylex': True}),
    ('zrange', ('nokey', 0, -1), {}), ('zrevrange', ('z', 0, 2), {}),
    ('zrevrange', ('z', 0, -1), {'withscores': True}), ('zrevrange', ('z', 0, 1, True, int), {}),
    ('zrangebyscore', ('z', 1, 5), {}),
    ('zrangebyscore', ('z', '-inf', '+inf'), {'withscores': True}),
    ('zrangebyscore', ('z', '-inf', '+inf', 1, 2), {}),
    ('zrangebyscore', ('z', '(5.5', 100), {'start': 0, 'num': 3, 'withscores': True,
                                           'score_cast_func': int}),
    ('zrangebyscore', ('z', 0, 100), {'raises': 'DataError', 'start': 1}),
    ('zrevrangebyscore', ('z', '+inf', '-inf'), {}),
    ('zrevrangebyscore', ('z', 5, 1), {'withscores': True}),
    ('zrevrangebyscore', ('z', '+inf', '-inf', 0, 2), {}), ('zrangebylex', ('zl', '-', '+'), {}),
    ('zrangebylex', ('zl', '(a', '[c'), {}), ('zrangebylex', ('zl', '-', '+', 1, 2), {}),
    ('zrevrangebylex', ('zl', '+', '-'), {}), ('zrevrangebylex', ('zl', '[d', '(a', 0, 2), {}),
    ('zrangestore', ('zs', 'z', 0, 2), {}), ('zrangestore', ('zs', 'z', 1, 5), {'byscore': True}),
    ('zrangestore', ('zs2', 'zl', '[b', '[e'), {'bylex': True, 'desc': False, 'offset': 1,
                                                'num': 2}),
    ('zrangestore', ('zs3', 'z', 0, 1), {'desc': True}),
    ('zrange', ('zs2', 0, -1), {'withscores': True}),
    ('zrange', ('zs3', 0, -1), {'withscores': True}),
    ('zadd', ('za', {'a': 1, 'b': 2, 'x': 3}), {}),
    ('zadd', ('zb', {'a': 10, 'b': 20, 'y': 30}), {}), ('zdiff', (['za', 'zb'],), {}),
    ('zdiff', (['z', 'za'],), {'withscores': True}), ('zdiffstore', ('zd', ['z', 'za']), {}),
    ('zinter', (['za', 'zb'],), {}), ('zinter', (['za', 'zb'],), {'withscores': True}),
    ('zinter', (['za', 'zb'],), {'aggregate': 'MAX', 'withscores': True}),
    ('zinter', ({'za': 2, 'zb': 0.5},), {'withscores': True}),
    ('zinterstore', ('zi', ['za', 'zb']), {}),
    ('zinterstore', ('zi', {'za': 3, 'zb': 1}, 'MIN'), {}),
    ('zrange', ('zi', 0, -1), {'withscores': True}),
    ('zinter', (['za', 'zb'],), {'raises': 'DataError', 'aggregate': 'AVG'}),
    ('zintercard', (2, ['za', 'zb']), {}), ('zintercard', (2, ['za', 'zb'], 1), {}),
    ('zunion', (['za', 'zb'],), {}),
    ('zunion', (['za', 'zb'],), {'withscores': True, 'aggregate': 'SUM'}),
    ('zunion', ({'za': 1, 'zb': 2},), {'withscores': True, 'aggregate': 'min'}),
    ('zunionstore', ('zu', ['za', 'zb']), {}),
    ('zunionstore', ('zu2', {'za': 1, 'zb': -1}, 'MAX'), {}),
    ('zrange', ('zu2', 0, -1), {'withscores': True}),
    ('zrandmember', ('za',), {'shape': structure}),
    ('zrandmember', ('za', 2), {'shape': structure}),
    ('zrandmember', ('za', 10, True), {'shape': members}),
    ('zrandmember', ('za', -4), {'shape': structure}), ('zrandmember', ('nokey',), {}),
    ('zscan', ('z',), {}), ('zscan', ('z', 0), {'match': '*e*', 'count': 100}),
    ('zscan', ('za',), {'score_cast_func': int}), ('zscan', ('nokey',), {}),
    ('zrem', ('z', 'new', 'nope'), {}), ('zremrangebyrank', ('z', 0, 0), {}),
    ('zremrangebyscore', ('z', '(6', '+inf'), {}), ('zremrangebylex', ('zl', '[a', '(c'), {}),
    ('zrange', ('z', 0, -1), {'withscores': True}), ('zpopmin', ('z',), {}),
    ('zpopmax', ('z',), {}), ('zpopmin', ('zu', 2), {}), ('zpopmax', ('zu', 1), {}),
    ('zpopmin', ('nokey',), {}), ('bzpopmin', ('zu',), {'timeout': 1}),
    ('bzpopmax', (['nokey', 'zl'], 1), {}), ('bzpopmin', (['nokey'],), {'timeout': 0.05}),
    ('bzpopmax', ('nokey', 0.05), {}), ('zmpop', (2, ['nokey', 'zl']), {'min': True}),
    ('zmpop', (1, ['zl']), {'max': True, 'count': 5}), ('zmpop', (1, ['nokey']), {'max': True}),
    ('zmpop', (1, ['za']), {'raises': 'DataError'}),
    ('bzmpop', (1, 2, ['nokey', 'zb']), {'min': True}),
    ('bzmpop', (1, 1, ['zb']), {'max': True, 'count': 5}),
    ('bzmpop', (0.05, 1, ['nokey']), {'max': True}),
    ('bzmpop', (1, 1, ['zb']), {'raises': 'DataError', 'min': True, 'max': True}),
    # -- hyperloglog
    ('pfadd', ('hll', 'a', 'b', 'c'), {}), ('pfadd', ('hll', 'a'), {}),
    ('pfadd', ('hll2', 'c', 'd', BIN, 1), {}), ('pfcount', ('hll',), {}),
    ('pfcount', ('hll', 'hll2'), {}), ('pfmerge', ('hllm', 'hll', 'hll2'), {}),
    ('pfcount', ('hllm',), {}), ('pfcount', ('str',), {'raises': 'ResponseError'}),
    # -- geo
    ('geoadd', ('geo', PALERMO + CATANIA), {}), ('geoadd', ('geo', ROME), {'nx': True}),
    ('geoadd', ('geo', (13.361389, 38.2, 'Palermo')), {'xx': True, 'ch': True}),
    ('geoadd', ('geo', PALERMO), {'ch': True}),
    ('geoadd', ('geo', (1, 2)), {'raises': 'DataError'}),
    ('geoadd', ('geo', PALERMO), {'raises': 'DataError', 'nx': True, 'xx': True}),
    ('geodist', ('geo', 'Palermo', 'Catania'), {}),
    ('geodist', ('geo', 'Palermo', 'Catania', 'km'), {}),
    ('geodist', ('geo', 'Palermo', 'nope'), {}),
    ('geodist', ('geo', 'Palermo', 'Catania', 'parsec'), {'raises': 'DataError'}),
    ('geohash', ('geo', 'Palermo', 'Catania', 'nope'), {}),
    ('geopos', ('geo', 'Palermo', b'Rome\xff', 'nope'), {}),
    ('georadius', ('geo', 15, 37, 200, 'km'), {}),
    ('georadius', ('geo', 15, 37, 200), {'unit': 'km', 'withdist': True, 'withcoord': True,
                                         'withhash': True}),
    ('georadius', ('geo', 15, 37, 500, 'km'), {'count': 1, 'sort': 'DESC'}),
    ('georadius', ('geo', 15, 37, 500, 'km'), {'sort': 'ASC', 'withdist': True}),
    ('georadius', ('geo', 15, 37, 500, 'km'), {'count': 1, 'any': True}),
    ('georadius', ('geo', 15, 37, 500, 'km'), {'store': 'geostore'}),
    ('georadius', ('geo', 15, 37, 500, 'km'), {'store_dist': 'geodist'}),
    ('zrange', ('geodist', 0, -1), {'withscores': True}),
    ('georadius', ('geo', 15, 37, 500, 'km'), {'raises': 'DataError', 'sort': 'UP'}),
    ('georadiusbymember', ('geo', 'Palermo', 300, 'km'), {}),
    ('georadiusbymember', ('geo', 'Palermo', 300), {'unit': 'km', 'withdist': True,
                                                    'withcoord': True}),
    ('georadiusbymember', ('geo', 'Palermo', 500, 'km'), {'count': 2, 'sort': 'DESC',
                                                          'withhash': True}),
    ('georadiusbymember', ('geo', 'nope', 300, 'km'), {'raises': 'ResponseError'}),
    ('geosearch', ('geo',), {'member': 'Palermo', 'radius': 300, 'unit': 'km'}),
    ('geosearch', ('geo',), {'longitude': 15, 'latitude': 37, 'radius': 500, 'unit': 'km',
                             'withcoord': True, 'withdist': True, 'sort': 'ASC'}),
    ('geosearch', ('geo',), {'longitude': 15, 'latitude': 37, 'width': 600, 'height': 800,
                             'unit': 'km', 'withhash': True}),
    ('geosearch', ('geo',), {'member': 'Catania', 'radius': 1000, 'unit': 'km', 'count': 2,
                             'sort': 'DESC', 'withdist': True}),
    ('geosearch', ('geo',), {'member': 'Catania', 'radius': 1000, 'unit': 'km', 'count': 1,
                             'any': True}),
    ('geosearch', ('geo',), {'member': 'Palermo', 'radius': 10}),
    ('geosearch', ('geo',), {'raises': 'DataError', 'member': 'Palermo', 'longitude': 1,
                             'latitude': 2, 'radius': 10}),
    ('geosearch', ('geo',), {'raises': 'DataError', 'member': 'Palermo'}),
    ('geosearch', ('geo',), {'raises': 'DataError', 'member': 'Palermo', 'radius': 10,
                             'any': True}),
    ('geosearchstore', ('gss', 'geo'), {'member': 'Palermo', 'radius': 300, 'unit': 'km'}),
    ('geosearchstore', ('gss2', 'geo'), {'longitude': 15, 'latitude': 37, 'radius': 500,
                                         'unit': 'km', 'storedist': True, 'count': 2,
   'sort': 'ASC'}),
    ('zrange', ('gss2', 0, -1), {'withscores': True}),
    # -- sort
    ('rpush', ('sortl', 3, 1, 2, 10), {}),
    ('mset', ({'w_1': 30, 'w_2': 20, 'w_3': 10, 'w_10': 0, 'o_1': 'one', 'o_2': BIN},), {}),
    ('sort', ('sortl',), {}), ('sort', ('sortl',), {'desc': True}), ('sort', ('sortl', 1, 2), {}),
    ('sort', ('sortl',), {'alpha': True}), ('sort', ('sortl',), {'by': 'w_*'}),
    ('sort', ('sortl',), {'by': 'w_*', 'get': 'o_*'}),
    ('sort', ('sortl',), {'get': ['#', 'o_*'], 'groups': True}),
    ('sort', ('sortl',), {'get': ['#', 'o_*']}), ('sort', ('sortl',), {'store': 'sorted'}),
    ('lrange', ('sorted', 0, -1), {}), ('sort', ('sortl', 1), {'raises': 'DataError'}),
    ('sort', ('sortl',), {'raises': 'DataError', 'groups': True}),
    ('sort', ('str',), {'raises': 'ResponseError'}), ('sort_ro', ('sortl',), {}),
    ('sort_ro', ('sortl', 0, 2), {'desc': True}),
    ('sort_ro', ('sortl',), {'by': 'w_*', 'get': ['#', 'o_*'], 'alpha': True}),
    # -- streams (explicit ids: deterministic)
    ('xadd', ('st', {'f': 'v', 'n': 1}), {'id': '1-1'}),
    ('xadd', ('st', {'f': BIN}), {'id': '2-0'}), ('xadd', ('st', {BIN: 2.5}), {'id': b'3-0'}),
    ('xadd', ('st', {'f': 'w'}), {'id': '4-0'}),
    ('xadd', ('st', {'f': 'old'}), {'raises': 'ResponseError', 'id': '1-0'}),
    ('xadd', ('st', {}), {'raises': 'DataError', 'id': '9-0'}),
    ('xadd', ('st', {'f': 'v'}), {'raises': 'DataError', 'id': '5-0', 'maxlen': 0}),
    ('xadd', ('st', {'f': 'v'}), {'raises': 'DataError', 'id': '5-0', 'maxlen': 3,
                                  'minid': '1-0'}),
    ('xadd', ('nostream', {'f': 'v'}), {'id': '1-0', 'nomkstream': True}),
    ('exists', ('nostream',), {}), ('xadd', ('st2', {'a': 1}), {'id': '1-0'}),
    ('xadd', ('st2', {'a': 2}), {'id': '2-0'}),
    ('xadd', ('st2', {'a': 3}), {'id': '3-0', 'maxlen': 2, 'approximate': False}),
    ('xadd', ('st2', {'a': 4}), {'id': '4-0', 'maxlen': 100, 'limit': 10}),
    ('xadd', ('st2', {'a': 5}), {'id': '5-0', 'minid': '3-0', 'approximate': False}),
    ('xadd', ('st2', {'a': 6}), {'id': '6-0', 'minid': '0-1', 'limit': 5}),
    ('xrange', ('st2',), {}), ('xadd', ('stauto', {'a': 1}), {'shape': structure}),
    ('xadd', ('stauto', {'a': 2}), {'id': '*', 'maxlen': 1, 'shape': structure}),
    ('xlen', ('stauto',), {}), ('xlen', ('st',), {}), ('xlen', ('nokey',), {}),
    ('xrange', ('st',), {}), ('xrange', ('st', '2'), {}),
    ('xrange', ('st', '-', '3-0'), {'count': 2}), ('xrange', ('st', '5', '+'), {}),
    ('xrange', ('nokey',), {}), ('xrange', ('st',), {'raises': 'DataError', 'count': 0}),
    ('xrevrange', ('st',), {}), ('xrevrange', ('st', '+', '2-0'), {'count': 1}),
    ('xrevrange', ('st', '3'), {}), ('xread', ({'st': '0-0'},), {}),
    ('xread', ({'st': '2-0', 'st2': 0},), {'count': 1}), ('xread', ({'st': '$'},), {'block': 50}),
    ('xread', ({'st': '9-0'},), {}), ('xread', ({},), {'raises': 'DataError'}),
    ('xgroup_create', ('st', 'g1'), {'id': '0'}),
    ('xgroup_create', ('st', 'g1'), {'raises': 'ResponseError'}),
    ('xgroup_create', ('st', 'g2', '$'), {}),
    ('xgroup_create', ('newst', 'g1'), {'mkstream': True}),
    ('xgroup_create', ('newst2', 'g1'), {'raises': 'ResponseError'}),
    ('xgroup_create', ('st', 'g3'), {'id': '0', 'entries_read': 1}),
    ('xgroup_createconsumer', ('st', 'g1', 'c1'), {}),
    ('xgroup_createconsumer', ('st', 'g1', 'c1'), {}),
    ('xreadgroup', ('g1', 'c1', {'st': '>'}), {'count': 2}),
    ('xreadgroup', ('g1', 'c2', {'st': '>'}), {}),
    ('xreadgroup', ('g1', 'c2', {'st': '>'}), {'block': 50}),
    ('xreadgroup', ('g1', 'c1', {'st': '0'}), {}),
    ('xreadgroup', ('g2', 'c1', {'st': '>'}), {'noack': True}),
    ('xreadgroup', ('nogroup', 'c1', {'st': '>'}), {'raises': 'ResponseError'}),
    ('xpending', ('st', 'g1'), {}), ('xpending', ('st', 'g2'), {}),
    ('xpending_range', ('st', 'g1', '-', '+', 10), {'shape': without('time_since_delivered')}),
    ('xpending_range', ('st', 'g1', '-', '+', 10, 'c1'),
     {'shape': without('time_since_delivered')}),
    ('xpending_range', ('st', 'g1', '-', '+', 10), {'idle': 3600000}),
    ('xpending_range', ('st', 'g1', '-', '+', -1), {'raises': 'DataError'}),
    ('xack', ('st', 'g1', '1-0'), {}), ('xack', ('st', 'g1', '1-0', '9-9'), {}),
    ('xclaim', ('st', 'g1', 'c3', 0, ['1-1']), {}),
    ('xclaim', ('st', 'g1', 'c3', 0, ['2-0', '9-9']), {'justid': True}),
    ('xclaim', ('st', 'g1', 'c3', 0, ['3-0']), {'idle': 5, 'retrycount': 7, 'force': True}),
    ('xclaim', ('st', 'g1', 'c3', 0, ['4-0']), {'time': FUTURE * 1000, 'justid': True}),
    ('xclaim', ('st', 'g1', 'c3', 3600000, ['1-1']), {}),
    ('xclaim', ('st', 'g1', 'c3', 0, []), {'raises': 'DataError'}),
    ('xclaim', ('st', 'g1', 'c3', -1, ['1-1']), {'raises': 'DataError'}),
    ('xautoclaim', ('st', 'g1', 'c4', 0), {}),
    ('xautoclaim', ('st', 'g1', 'c5', 0, '0-0'), {'count': 1, 'justid': True}),
    ('xautoclaim', ('st', 'g1', 'c5', 3600000), {'start_id': '2-0'}),
    ('xautoclaim', ('st', 'g1', 'c5', 0), {'raises': 'DataError', 'count': -1}),
    ('xinfo_groups', ('st',), {}), ('xinfo_consumers', ('st', 'g1'), {'shape': without('idle')}),
    ('xinfo_stream', ('st',), {}), ('xinfo_stream', ('st2',), {}),
    ('xinfo_stream', ('st',), {'full': True, 'shape': structure}),
    ('xinfo_stream', ('nokey',), {'raises': 'ResponseError'}),
    ('xgroup_setid', ('st', 'g2', '0'), {}),
    ('xgroup_setid', ('st', 'g2', '2-0'), {'entries_read': 2}), ('xinfo_groups', ('st',), {}),
    ('xgroup_delconsumer', ('st', 'g1', 'c5'), {}),
    ('xgroup_delconsumer', ('st', 'g1', 'c4'), {}), ('xgroup_destroy', ('st', 'g3'), {}),
    ('xgroup_destroy', ('st', 'g3'), {}), ('xdel', ('st', '1-0', '9-9'), {}),
    ('xdel', ('st', '2-0', '3-0'), {}), ('xtrim', ('st2', 1), {'approximate': False}),
    ('xtrim', ('st', 0), {}), ('xtrim', ('st2',), {'minid': '0', 'limit': 10}),
    ('xtrim', ('st2',), {'minid': '9-0', 'approximate': False}),
    ('xtrim', ('st2', 1), {'raises': 'DataError', 'minid': '1'}),
    ('xtrim', ('st2',), {'raises': 'DataError'}), ('xlen', ('st2',), {}),
    # -- scripting
    ('eval', (LUA_GET, 1, 'str'), {}), ('eval', (LUA_SUM, 0, 2, 3), {}),
    ('eval', (LUA_TABLE, 0, BIN), {}), ('eval', (LUA_ERR, 0), {'raises': 'ResponseError'}),
    ('eval', ("return redis.call('INCR', KEYS[1])", 1, 'str'), {'raises': 'ResponseError'}),
    ('eval', ('return 1.5', 0), {}), ('eval', ('return nil', 0), {}),
    ('eval', ('return true', 0), {}), ('eval_ro', (LUA_GET, 1, 'bin'), {}),
    ('eval_ro', ("return redis.call('DEL', KEYS[1])", 1, 'bin'), {'raises': 'ResponseError'}),
    ('script_flush', (), {}), ('script_exists', (SHA_GET, SHA_SUM), {}),
    ('script_load', (LUA_GET,), {}), ('script_load', (LUA_SUM,), {}),
    ('script_exists', (SHA_GET, SHA_SUM, 'f' * 40), {}),
    ('script_exists', ([SHA_GET],), {'raises': 'DataError'}),
    ('evalsha', (SHA_GET, 1, 'int'), {}), ('evalsha', (SHA_SUM, 0, 40, 2), {}),
    ('evalsha', ('f' * 40, 0), {'raises': 'NoScriptError'}),
    ('evalsha_ro', (SHA_GET, 1, 'bin'), {}),
    ('evalsha_ro', ('f' * 40, 0), {'raises': 'NoScriptError'}),
    ('script_kill', (), {'raises': 'ResponseError'}), ('script_flush', ('ASYNC',), {}),
    ('script_flush', ('SYNC',), {}), ('script_flush', ('LATER',), {'raises': 'DataError'}),
    ('script_exists', (SHA_GET,), {}),
    # -- functions (the server has none before and after the script)
    ('function_flush', (), {}), ('function_list', (), {}), ('function_load', (LIBRARY,), {}),
    ('function_load', (LIBRARY,), {'raises': 'ResponseError'}),
    ('function_load', (LIBRARY,), {'replace': True}),
    ('function_load', ('#!lua name=bad\nthis is not lua',), {'raises': 'ResponseError'}),
    ('function_list', (), {}), ('function_list', ('parity*',), {'withcode': True}),
    ('function_list', ('nolib',), {}), ('fcall', ('pget', 1, 'str'), {}),
    ('fcall', ('pro', 1, 'k', BIN), {}), ('fcall', ('nofunc', 0), {'raises': 'ResponseError'}),
    ('fcall_ro', ('pro', 1, 'k', 'arg'), {}),
    ('fcall_ro', ('pget', 1, 'str'), {'raises': 'ResponseError'}), ('function_stats', (), {}),
    ('function_kill', (), {'raises': 'ResponseError'}),
    ('function_dump', (), {'save': 'functions'}), ('function_delete', ('paritylib',), {}),
    ('function_delete', ('paritylib',), {'raises': 'ResponseError'}),
    ('function_restore', (Saved('functions'),), {}),
    ('function_restore', (Saved('functions'),), {'raises': 'ResponseError'}),
    ('function_restore', (Saved('functions'), 'REPLACE'), {}), ('function_flush', ('ASYNC',), {}),
    ('function_restore', (Saved('functions'), 'FLUSH'), {}), ('function_list', (), {}),
    ('function_flush', ('SYNC',), {}),
    ('function_restore', (b'garbage',), {'raises': 'ResponseError'}),
    # -- server, connection, pub/sub
    ('ping', (), {}), ('echo', ('hi',), {}), ('echo', (BIN,), {}), ('echo', (12,), {}),
    ('time', (), {'shape': structure}), ('client_id', (), {'shape': structure}),
    ('client_getname', (), {}), ('client_list', (), {'shape': rows}),
    ('client_list', ('normal',), {'shape': rows}), ('client_list', ('pubsub',), {'shape': rows}),
    ('client_list', (), {'client_id': ['1'], 'shape': rows}),
    ('client_list', ('bogus',), {'raises': 'DataError'}),
    ('info', (), {'shape': picked('redis_version', 'tcp_port', 'pubsub_channels')}),
    ('info', ('server',), {'shape': structure}),
    ('info', ('keyspace', 'memory'), {'shape': picked('maxmemory_policy', 'mem_allocator')}),
    ('info', ('nosuchsection',), {}), ('config_get', ('maxmemory-policy',), {}),
    ('config_get', ('slowlog-*', 'maxmemory'), {}), ('config_get', ('nosuch*',), {}),
    ('config_set', ('slowlog-max-len', 200), {}), ('config_get', ('slowlog-max-len',), {}),
    ('config_set', ('slowlog-max-len', 128), {}),  # the default again
    ('config_set', ('no-such-parameter', 1), {'raises': 'ResponseError'}),
    ('config_set', ('maxmemory-policy', 'noeviction', 'slowlog-max-len', '128'), {}),
    ('memory_usage', ('str',), {'shape': structure}),
    ('memory_usage', ('h', 5), {'shape': structure}), ('memory_usage', ('nokey',), {}),
    ('wait', (0, 100), {}), ('publish', (CHANNEL, 'message'), {}),
    ('publish', ('parity-pattern', BIN), {}), ('publish', ('parity-nobody', 'x'), {}),
    ('pubsub_channels', (), {}), ('pubsub_channels', ('parity-*',), {}),
    ('pubsub_channels', ('nomatch*',), {}), ('pubsub_numpat', (), {}),
    ('pubsub_numsub', (CHANNEL, 'parity-nobody'), {}), ('pubsub_numsub', (), {}),
    ('dbsize', (), {}), ('flushdb', (), {}), ('dbsize', (), {}), ('set', ('afterflush', 1), {}),
    ('flushdb', (True,), {}), ('randomkey', (), {}),
    # with one key, the random key is known (and text, for decode_responses)
    ('set', ('only', 'x'), {}), ('randomkey', (), {}), ('delete', ('only',), {}),
    ('keys', (), {}), ('scan', (), {}),
    ('dbsize', (), {}),
    # -- bitfield: bitfield() gives an object; 'chain' runs it
    ('bitfield', ('bf',), {'chain': lambda op: op.set('u8', 0, 255).get('u8', 0)
                           .incrby('u8', 0, 10).get('i4', '#1').execute()}),
    ('bitfield', ('bf', 'SAT'), {'chain': lambda op: op.incrby('u8', 0, 10)
                                 .incrby('i4', '#1', 100, 'fail').get('u4', '#1').execute()}),
    ('bitfield', ('bf',), {'chain': lambda op: op.set('u8', 8, 7).overflow('wrap')
                           .overflow('SAT').command}),  # the command as it would go
    ('bitfield', ('bf',), {'chain': lambda op: op.execute()}), ('get', ('bf',), {}),
    ('bitfield', ('bf',), {'chain': lambda op: op.get('u99', 0).execute(),
                           'raises': 'ResponseError'}),
    # -- server administration and introspection
    ('save', (), {}), ('lastsave', (), {'shape': structure}), ('role', (), {}),
    ('lolwut', (), {}), ('lolwut', (5, 1, 1), {'shape': structure}),
    ('replicaof', ('NO', 'ONE'), {}), ('slaveof', (), {}),
    ('slaveof', ('localhost',), {'raises': 'DataError'}),
    ('set', ('swapped', 1), {}), ('swapdb', (THIS_DB, OTHER_DB), {}), ('exists', ('swapped',), {}),
    ('swapdb', (THIS_DB, OTHER_DB), {}), ('exists', ('swapped',), {}),
    ('swapdb', (THIS_DB, 99999), {'raises': 'ResponseError'}),
    ('config_resetstat', (), {}), ('memory_purge', (), {}),
    ('memory_malloc_stats', (), {'shape': structure}),
    ('memory_stats', (), {'shape': typed('peak.allocated', 'keys.count', 'dataset.percentage')}),
    ('command_count', (), {}), ('command_getkeys', ('SET', 'a', 'b'), {}),
    ('command_getkeys', ('MSET', 'a', 1, BIN, 2), {}),
    ('command_getkeys', ('GET',), {'raises': 'ResponseError'}),
    ('command_getkeysandflags', ('LMOVE', 'a', 'b', 'LEFT', 'RIGHT'), {}),
    ('command_list', (), {'shape': members}), ('command_list', (), {'pattern': 'xa*'}),
    ('command_list', (), {'category': 'hyperloglog', 'shape': members}),
    ('command_list', (), {'module': 'nosuchmodule'}), ('command', (), {'shape': commands}),
    ('command_docs', ('get',), {'raises': 'NotImplementedError'}),
    ('command_info', (), {'raises': 'NotImplementedError'}),
    ('memory_doctor', (), {'raises': 'NotImplementedError'}),
    ('debug_segfault', (), {'raises': 'NotImplementedError'}),
    # DEBUG is refused by this server (enable-debug-command no): the same
    # error both ways; test_debug_object_matches_redis_py has the dict.
    ('debug_object', ('nokey',), {'raises': 'ResponseError'}),
    ('memory_help', (), {'raises': 'NotImplementedError'}),
    ('latency_histogram', ('get',), {'raises': 'NotImplementedError'}),
    ('script_debug', ('YES',), {'raises': 'NotImplementedError'}),
    ('hello', (), {'raises': 'NotImplementedError'}),
    ('failover', (), {'raises': 'NotImplementedError'}),
    # the server refuses MODULE LOAD/LOADEX/UNLOAD (enable-module-command no)
    ('module_list', (), {}),
    ('module_load', ('/nonexistent/parity.so', 'a'), {'raises': 'ResponseError'}),
    ('module_loadex', ('/nonexistent/parity.so', ['name', 'value'], ['arg']),
     {'raises': 'ResponseError'}),
    ('module_unload', ('paritymodule',), {'raises': 'ResponseError'}),
    # none of the keys exists: MIGRATE answers NOKEY without connecting
    ('migrate', ('127.0.0.1', 1, 'nokey', 0, 100), {}),
    ('migrate', ('127.0.0.1', 1, ['nokey', BIN], 0, 100),
     {'copy': True, 'replace': True, 'auth': 'pw'}),
    ('migrate', ('127.0.0.1', 1, [], 0, 100), {'raises': 'DataError'}),
    ('cluster', ('info',), {'raises': 'ResponseError'}),
    ('cluster', ('keyslot', 'x'), {'raises': 'ResponseError'}),
    ('readonly', (), {'raises': 'ResponseError'}), ('readwrite', (), {'raises': 'ResponseError'}),
    ('shutdown', (True, True), {'raises': 'DataError'}),  # save and nosave: never sent
    # -- slowlog: every command logged for a moment, the default threshold again
    ('config_get', ('slowlog-log-slower-than',), {}), ('slowlog_reset', (), {}),
    ('config_set', ('slowlog-log-slower-than', 0), {}),
    ('slowlog_get', (1,), {'shape': without('id', 'start_time', 'duration')}),
    ('slowlog_get', (), {'shape': structure}), ('slowlog_len', (), {'shape': structure}),
    ('config_set', ('slowlog-log-slower-than', 10000), {}), ('slowlog_reset', (), {}),
    ('slowlog_len', (), {}), ('slowlog_get', (), {}),
    # -- ACL, with a user of the script's own
    ('acl_whoami', (), {}), ('acl_cat', (), {'shape': members}),
    ('acl_cat', ('hyperloglog',), {'shape': members}),
    ('acl_cat', ('nosuchcategory',), {'raises': 'ResponseError'}), ('acl_help', (), {}),
    ('acl_genpass', (), {'shape': structure}), ('acl_genpass', (64,), {'shape': structure}),
    ('acl_genpass', (5000,), {'raises': 'DataError'}),
    ('acl_genpass', ('x',), {'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'reset': True}), ('acl_getuser', (PARITY_USER,), {}),
    ('acl_setuser', (PARITY_USER,), {
        'enabled': True, 'passwords': ['+pw1', '+pw2'], 'hashed_passwords': '+' + '0' * 64,
        'categories': ['+@read', '-dangerous', '+hash'], 'commands': ['+set', '-keys'],
        'keys': ['k*', '~j*', '%R~r*'], 'channels': ['ch*'], 'selectors': [('+get', 's*')],
        'reset_keys': True, 'reset_passwords': True}),
    ('acl_getuser', (PARITY_USER,), {}), ('acl_list', (), {}), ('acl_users', (), {}),
    ('acl_setuser', (PARITY_USER,), {'enabled': True, 'passwords': '-pw2'}),
    ('acl_getuser', (PARITY_USER,), {}),
    ('acl_setuser', (PARITY_USER,), {'nopass': True, 'passwords': ['+x'], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'passwords': ['+a', 'b'], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'hashed_passwords': ['x'], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'categories': ['read'], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'commands': ['get'], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'selectors': [('get', 'x')], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'categories': [True], 'raises': 'DataError'}),
    ('acl_setuser', (PARITY_USER,), {'commands': ['+nosuchcommand'], 'raises': 'ResponseError'}),
    ('acl_dryrun', (PARITY_USER, 'get', 'k1'), {}),
    ('acl_dryrun', (PARITY_USER, 'set', 'zz', 'v'), {}),
    ('acl_dryrun', ('parity-nouser', 'get', 'x'), {'raises': 'ResponseError'}),
    ('acl_setuser', (PARITY_USER,), {'nopass': True, 'reset_passwords': True}),
    ('acl_getuser', (PARITY_USER,), {}), ('acl_getuser', ('parity-nouser',), {}),
    ('acl_log_reset', (), {}), ('acl_log', (), {}), ('acl_log', (1,), {}),
    ('acl_log', ('1',), {'raises': 'DataError'}),
    ('acl_load', (), {'raises': 'ResponseError'}), ('acl_save', (), {'raises': 'ResponseError'}),
    ('acl_deluser', (PARITY_USER, 'parity-nouser'), {}), ('acl_deluser', (PARITY_USER,), {}),
    ('acl_users', (), {}),
    # -- the client and its connection (stateful commands last: see the docstrings)
    ('client_info', (), {'shape': structure}), ('client_getredir', (), {}),
    ('client_trackinginfo', (), {}), ('client_unblock', (999999,), {}),
    ('client_unblock', ('999999',), {'error': True}),
    ('client_unblock', ('x',), {'raises': 'ValueError'}),
    ('client_kill', ('203.0.113.1:1',), {'raises': 'ResponseError'}),
    ('client_kill_filter', (), {'raises': 'DataError'}),
    ('client_kill_filter', (), {'_type': 'bogus', 'raises': 'DataError'}),
    ('client_kill_filter', (), {'skipme': 'yes', 'raises': 'DataError'}),
    ('client_kill_filter', (), {'_id': 999999}),
    ('client_kill_filter', (), {'addr': '203.0.113.1:1', 'skipme': True}),
    ('client_kill_filter', (), {'_type': 'pubsub', 'user': 'parity-nouser', 'raises': 'ResponseError'}),
    ('client_kill_filter', (), {'_type': 'master', 'skipme': True}),
    ('client_kill_filter', (), {'laddr': '203.0.113.1:1', 'skipme': False}),
    ('client_pause', (1,), {}), ('client_pause', (1, False), {}), ('client_unpause', (), {}),
    ('client_pause', ('1',), {'raises': 'DataError'}),
    ('client_no_evict', ('on',), {}), ('client_no_evict', ('off',), {}),
    ('client_no_evict', ('maybe',), {'raises': 'ResponseError'}),
    ('client_reply', ('ON',), {}), ('client_reply', ('off',), {'raises': 'DataError'}),
    ('client_tracking', (False,), {}),
    ('client_tracking_on', (), {}), ('client_tracking_off', (), {}),
    ('client_tracking_on', (), {'bcast': True, 'prefix': ['a', 'b'], 'noloop': True}),
    ('client_tracking_on', (), {'prefix': ['a'], 'raises': 'DataError'}),
    ('client_tracking_off', (999999,), {'raises': 'ResponseError'}),
    ('client_tracking', (True,), {'prefix': ['a'], 'raises': 'DataError'}),
    ('client_tracking', (True, 999999), {'raises': 'ResponseError'}),
    ('auth', ('pw',), {'raises': 'ResponseError'}),  # the default user has no password
    # (a wrong password for a user is no call here: WRONGPASS is redis-py's
    # ResponseError, our AuthenticationError, on every path)
    ('auth', ('any', 'default'), {}),
    ('select', (THIS_DB,), {}), ('select', ('x',), {'raises': 'ResponseError'}),
    ('watch', ('bf',), {}), ('unwatch', (), {}),
    ('client_setname', ('parity-name',), {}),
    ('client_setname', ('bad name',), {'raises': 'ResponseError'}),
    ('dbsize', (), {}),
    # RESET takes redis-py's connection to db 0 and QUIT closes it: the end
    ('reset', (), {}), ('quit', (), {}),
]

# Every redis-py method for a command dtredis implements; each must exist on
# our clients with redis-py's signature (and CALLS calls all but flushall).
SIG_METHODS = """
append bitcount bitop bitpos blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax
bzpopmin client_getname client_id client_list config_get config_set copy dbsize decr
decrby delete dump echo eval eval_ro evalsha evalsha_ro exists expire expireat
expiretime fcall fcall_ro flushall flushdb function_delete function_dump function_flush
function_kill function_list function_load function_restore function_stats geoadd
geodist geohash geopos georadius georadiusbymember geosearch geosearchstore get getbit
getdel getex getrange getset hdel hexists hget hgetall hincrby hincrbyfloat hkeys hlen
hmget hmset hrandfield hscan hset hsetnx hstrlen hvals incr incrby incrbyfloat info
keys lcs lindex linsert llen lmove lmpop lpop lpos lpush lpushx lrange lrem lset ltrim
memory_usage mget move mset msetnx persist pexpire pexpireat pexpiretime pfadd pfcount
pfmerge ping psetex pttl publish pubsub_channels pubsub_numpat pubsub_numsub randomkey
rename renamenx restore rpop rpoplpush rpush rpushx sadd scan scard script_exists
script_flush script_kill script_load sdiff sdiffstore set setbit setex setnx setrange
sinter sintercard sinterstore sismember smembers smismember smove sort sort_ro spop
srandmember srem sscan strlen substr sunion sunionstore time touch ttl type unlink wait
xack xadd xautoclaim xclaim xdel xgroup_create xgroup_createconsumer xgroup_delconsumer
xgroup_destroy xgroup_setid xinfo_consumers xinfo_groups xinfo_stream xlen xpending
xpending_range xrange xread xreadgroup xrevrange xtrim zadd zcard zcount zdiff
zdiffstore zincrby zinter zintercard zinterstore zlexcount zmpop zmscore zpopmax
zpopmin zrandmember zrange zrangebylex zrangebyscore zrangestore zrank zrem
zremrangebylex zremrangebyrank zremrangebyscore zrevrange zrevrangebylex
zrevrangebyscore zrevrank zscan zscore zunion zunionstore
acl_cat acl_deluser acl_dryrun acl_genpass acl_getuser acl_help acl_list acl_load acl_log
acl_log_reset acl_save acl_setuser acl_users acl_whoami auth bgrewriteaof bgsave bitfield
client client_getredir client_info client_kill client_kill_filter client_no_evict
client_pause client_reply client_setname client_tracking client_tracking_off
client_tracking_on client_trackinginfo client_unblock client_unpause cluster
debug_object debug_segfault
command command_count command_docs command_getkeys command_getkeysandflags command_info
command_list config_resetstat config_rewrite failover hello lastsave latency_histogram
lolwut memory_doctor memory_help memory_malloc_stats memory_purge memory_stats migrate
module_list module_load module_loadex module_unload monitor psync pubsub quit readonly
readwrite replicaof reset role save script_debug select shutdown slaveof slowlog_get
slowlog_len slowlog_reset swapdb sync unwatch watch
""".split()
NOT_CALLED = {
    'flushall': 'would empty the databases of the shared session server',
    'bgsave': 'test_persistence_commands_match_redis_py, on a server of its own',
    'bgrewriteaof': 'test_persistence_commands_match_redis_py, on a server of its own',
    'config_rewrite': 'test_persistence_commands_match_redis_py, on a server of its own',
    'monitor': 'redis-py gives a Monitor: test_connection_objects.py compares it',
    'pubsub': 'redis-py gives a PubSub: test_pubsub.py compares it side by side',
    'client': 'redis-py gives a Redis: test_connection_objects.py compares it',
    'sync': 'would make a connection a replica of the shared session server',
    'psync': 'would make a connection a replica of the shared session server',
}

# redis-py's trailing **kwargs on these only carries options we do not need
# (cluster target_nodes): our method may have it or not.
OPTIONAL_KWARGS = {
    'client_getname', 'client_id', 'client_list', 'config_get', 'config_set', 'dbsize',
    'echo', 'flushall', 'flushdb', 'info', 'keys', 'memory_usage', 'ping', 'publish',
    'pubsub_channels', 'pubsub_numpat', 'pubsub_numsub', 'randomkey', 'scan', 'time',
    'wait',
}
# redis-py's **kwargs here stands for these keyword options, which we may spell out.
SPELLED_KWARGS = {'transaction': {'shard_hint', 'value_from_callable', 'watch_delay'}}
