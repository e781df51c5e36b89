# SPDX-License-Identifier: LGPL-2.1-or-later
"""What redis-py does to arguments and replies, for the DtRedis Python layer.

The generated command methods (commands.py) and the hand-written
ones (hand_commands.py) name these functions.  Argument helpers
turn redis-py's argument types into what is sent; reply conversions turn a
reply as parsed (bytes, or str under decode_responses; int; None; lists)
into the value redis-py returns.  A conversion that takes arguments is a
factory: conversion(options...) returns the function to apply.

Every function works on both bytes and str replies, so the same method
serves clients with and without decode_responses.
"""

import datetime

# -- arguments ------------------------------------------------------------------


def seconds(value):
    """A time to live in seconds: a timedelta becomes whole seconds."""
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return value


def milliseconds(value):
    """A time to live in milliseconds: a timedelta becomes whole ms."""
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds() * 1000)
    return value


def unix_seconds(value):
    """A point in time in seconds: a datetime becomes its Unix time."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp())
    return value


def unix_milliseconds(value):
    """A point in time in milliseconds: a datetime becomes its Unix time."""
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def bit(value):
    """A bit value: any truth value as 1 or 0, as redis-py sends it."""
    return 1 if value else 0


def list_or_args(keys, args):
    """redis-py's list_or_args(): a key or an iterable of keys, then @args."""
    if isinstance(keys, (bytes, str)):
        keys = [keys]
    else:
        try:
            keys = list(keys)
        except TypeError:
            keys = [keys]
    if args:
        keys.extend(args)
    return keys


# -- replies --------------------------------------------------------------------


def text(value):
    """A status or bulk string as str (invalid UTF-8 replaced)."""
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    return value


def raw(response):
    """The reply as parsed."""
    return response


def binary(response):
    """A binary payload (DUMP): bytes, even under decode_responses."""
    return response


binary.never_decode = True


def to_bool(response):
    """An integer reply 0/1 as a bool."""
    return bool(response)


def to_int(response):
    """An integer reply."""
    return int(response)


def to_float(response):
    """A double in a bulk string, as a float."""
    return float(response)


def bool_ok(response):
    """OK: True."""
    return text(response) == 'OK'


def true(_response):
    """A reply that only means success."""
    return True


def ping(response):
    """PONG: True."""
    return text(response) == 'PONG'


def push(response):
    """LPUSH, RPUSH: the list's length."""
    if isinstance(response, int):
        return response
    return text(response) == 'OK'


def str_if_bytes(response):
    """A reply as str."""
    return text(response)


def strs(response):
    """A list of strings as a list of str."""
    return [text(item) for item in response]


def bools(response):
    """A list of 0/1 as a list of bool."""
    return [bool(item) for item in response]


def tuple_or_none(response):
    """BLPOP, BRPOP: (key, value), or None on timeout."""
    return tuple(response) if response else None


def bzpop(response):
    """BZPOPMIN, BZPOPMAX: (key, member, score), or None on timeout."""
    if not response:
        return None
    return response[0], response[1], float(response[2])


def to_set(response):
    """SMEMBERS, SINTER...: a set."""
    return set(response) if response else set()


def pairs_to_dict(response):
    """A flat list of pairs as a dict, in the server's order."""
    if not response:
        return {}
    it = iter(response)
    return dict(zip(it, it))


def _pairs_with_str_keys(response):
    it = iter(response or ())
    return {text(key): value for key, value in zip(it, it)}


def list_of_dicts(response):
    """XINFO GROUPS, XINFO CONSUMERS: a list of dicts with str keys."""
    return [_pairs_with_str_keys(item) for item in response]


def float_or_none(response):
    """A double, or None for nil."""
    return None if response is None else float(response)


def floats_or_none(response):
    """ZMSCORE: a list of float or None."""
    return [None if item is None else float(item) for item in response]


def int_or_none(response):
    """An integer, or None for nil."""
    return None if response is None else int(response)


def randomkey(response):
    """RANDOMKEY: a key, or None in an empty database."""
    return response or None


def time(response):
    """TIME: (seconds, microseconds)."""
    return int(response[0]), int(response[1])


def config_get(response):
    """CONFIG GET: a dict of str to str."""
    items = [None if item is None else text(item) for item in response]
    return pairs_to_dict(items)


def geopos(response):
    """GEOPOS: a list of (longitude, latitude), None for a missing member."""
    return [None if pos is None else (float(pos[0]), float(pos[1])) for pos in response]


def scan(response):
    """SCAN, SSCAN: (cursor as int, list of keys)."""
    cursor, items = response
    return int(cursor), items


def hscan(response):
    """HSCAN: (cursor as int, dict of field to value)."""
    cursor, items = response
    return int(cursor), pairs_to_dict(items)


def zscan(score_cast_func=float):
    """ZSCAN: (cursor as int, list of (member, score))."""
    def convert(response):
        cursor, items = response
        it = iter(items)
        return int(cursor), list(zip(it, map(score_cast_func, it)))
    return convert


def pubsub_numsub(response):
    """PUBSUB NUMSUB: a list of (channel, count)."""
    return list(zip(response[0::2], response[1::2]))


def set_result(get=False):
    """SET: True, None when NX/XX kept it from setting; the old value with GET."""
    if get:
        return raw

    def convert(response):
        if response is None:
            return None
        return text(response) == 'OK'
    return convert


def zset_pairs(withscores=False, score_cast_func=float):
    """Sorted-set members, or [(member, score)...] with WITHSCORES."""
    if not withscores:
        return raw

    def convert(response):
        if not response:
            return response
        it = iter(response)
        return list(zip(it, map(score_cast_func, it)))
    return convert


def zadd(incr=False):
    """ZADD: the number added; the new score (or None) with INCR."""
    def convert(response):
        if response is None:
            return None
        return float(response) if incr else int(response)
    return convert


def object(infotype=''):  # noqa: A001 - redis-py's name for OBJECT
    """OBJECT: an int for IDLETIME and REFCOUNT, the reply otherwise."""
    if text(infotype).lower() in ('idletime', 'refcount'):
        return int_or_none
    return raw


def sort(groups=None):
    """SORT: the list, or tuples of @groups elements with GET patterns."""
    if not groups:
        return raw

    def convert(response):
        if not response or isinstance(response, int):
            return response
        return list(zip(*[response[i::groups] for i in range(groups)]))
    return convert


def _info_value(value):
    if ',' not in value or '=' not in value:
        try:
            return float(value) if '.' in value else int(value)
        except ValueError:
            return value
    fields = {}
    for item in value.split(','):
        key, _, rest = item.rpartition('=')
        fields[key] = _info_value(rest)
    return fields


def info(response):
    """INFO: a dict of each field, numbers as int or float."""
    result = {}
    for line in text(response).splitlines():
        if not line or line.startswith('#'):
            continue
        if ':' not in line:
            result.setdefault('__raw__', []).append(line)
            continue
        key, value = line.split(':', 1)
        if key == 'cmdstat_host':
            key, value = line.rsplit(':', 1)
        if key == 'module':
            result.setdefault('modules', []).append(_info_value(value))
        else:
            result[key] = _info_value(value)
    return result


def client_list(response):
    """CLIENT LIST: a list of dicts, one per client."""
    return [dict(pair.split('=', 1) for pair in line.split(' '))
            for line in text(response).splitlines()]


def stream_list(response):
    """XRANGE and friends: a list of (id, {field: value})."""
    if response is None:
        return None
    return [(None, None) if entry is None else (entry[0], pairs_to_dict(entry[1]))
            for entry in response]


def xread(response):
    """XREAD, XREADGROUP: [[stream, [(id, fields)...]]...]; [] on timeout."""
    if response is None:
        return []
    return [[stream[0], stream_list(stream[1])] for stream in response]


def xclaim(justid=False):
    """XCLAIM: the claimed entries, or only their ids with JUSTID."""
    return raw if justid else stream_list


def xautoclaim(justid=False):
    """XAUTOCLAIM: [next id, entries, deleted ids], or the ids with JUSTID."""
    def convert(response):
        if justid:
            return response[1]
        response[1] = stream_list(response[1])
        return response
    return convert


def xpending(response):
    """XPENDING summary: a dict of pending, min, max and consumers."""
    consumers = [{'name': name, 'pending': int(count)} for name, count in response[3] or []]
    return {'pending': response[0], 'min': response[1], 'max': response[2],
            'consumers': consumers}


def xpending_range(response):
    """XPENDING with a range: a list of dicts, one per entry."""
    names = ('message_id', 'consumer', 'time_since_delivered', 'times_delivered')
    return [dict(zip(names, entry)) for entry in response]


def xinfo_stream(full=False):
    """XINFO STREAM: a dict with str keys; entries as (id, fields)."""
    def convert(response):
        data = _pairs_with_str_keys(response)
        if not full:
            for key in ('first-entry', 'last-entry'):
                entry = data.get(key)
                if entry is not None:
                    data[key] = (entry[0], pairs_to_dict(entry[1]))
        else:
            data['entries'] = {entry_id: pairs_to_dict(fields)
                               for entry_id, fields in data['entries']}
            data['groups'] = [_pairs_with_str_keys(group) for group in data['groups']]
        return data
    return convert


def geosearch(withdist=False, withcoord=False, withhash=False, store=None, store_dist=None):
    """GEOSEARCH, GEORADIUS...: places, or lists with distance, hash, coordinates."""
    if store or store_dist:
        return raw
    if not (withdist or withcoord or withhash):
        return lambda response: response if isinstance(response, list) else [response]
    casts = [raw]
    if withdist:
        casts.append(float)
    if withhash:
        casts.append(int)
    if withcoord:
        casts.append(lambda pos: (float(pos[0]), float(pos[1])))

    def convert(response):
        return [[cast(item) for cast, item in zip(casts, place)] for place in response]
    return convert


# -- server, connection and ACL replies ------------------------------------------


def _pairs(response):
    """A flat [key, value, key, value...] list as (key, value) pairs."""
    it = iter(response or ())
    return zip(it, it)


def _text_pairs(response):
    """A flat list of pairs as a dict with str keys and str string values
    (integers and nested lists kept as they are)."""
    return {text(key): text(value) for key, value in _pairs(response)}


def timestamp(response):
    """LASTSAVE: a Unix time as a naive local datetime (None for 0)."""
    if not response:
        return None
    try:
        seconds = int(response)
    except ValueError:
        return None
    return datetime.datetime.fromtimestamp(seconds)


def client_kill(response):
    """CLIENT KILL: True for OK; the number killed (filter form) as an int."""
    if isinstance(response, int):
        return response
    return bool_ok(response)


_DEBUG_OBJECT_INTEGERS = ('refcount', 'serializedlength', 'lru', 'lru_seconds_idle')


def debug_object(response):
    """DEBUG OBJECT: 'Value at:0x.. refcount:1 encoding:int ...' as a dict
    of str, its first word under 'type' (as redis-py reads it), the known
    counts as ints."""
    fields = {}
    for pair in ('type:' + str_if_bytes(response)).split():
        name, _, value = pair.partition(':')
        fields[name] = value
    for name in _DEBUG_OBJECT_INTEGERS:
        if name in fields:
            fields[name] = int(fields[name])
    return fields


_CLIENT_INFO_INTEGERS = ('id', 'age', 'idle', 'db', 'sub', 'psub', 'multi', 'qbuf',
                         'qbuf-free', 'obl', 'argv-mem', 'oll', 'omem', 'tot-mem')


def client_info(response):
    """CLIENT INFO (and an ACL LOG entry's client-info): a dict of str,
    the counters redis-py knows as int.  The line is split on single
    spaces, as redis-py does, so the last value keeps the server's newline."""
    info = {}
    for field in text(response).split(' '):
        name, value = field.split('=')
        info[name] = value
    for name in _CLIENT_INFO_INTEGERS:
        info[name] = int(info[name])
    return info


def command(response):
    """COMMAND: a dict of command name to its details."""
    commands = {}
    for details in response:
        name = text(details[0])
        entry = {'name': name, 'arity': int(details[1]), 'flags': strs(details[2]),
                 'first_key_pos': details[3], 'last_key_pos': details[4],
                 'step_count': details[5]}
        if len(details) > 7:
            entry['tips'], entry['key_specifications'], entry['subcommands'] = details[7:10]
        commands[name] = entry
    return commands


def memory_stats(response):
    """MEMORY STATS: a dict with str keys and str string values; each db.N
    entry a dict of its own."""
    stats = _text_pairs(response)
    for key in stats:
        if key.startswith('db.'):
            stats[key] = _text_pairs(stats[key])
    return stats


def module_list(response):
    """MODULE LIST: a dict per module (keys as the server sent them)."""
    return [pairs_to_dict(module) for module in response]


def slowlog_get(response):
    """SLOWLOG GET: a dict per entry: id, start_time, duration and the
    command as one string (bytes, even under decode_responses, as
    redis-py); complexity too for servers that send it in 4th place."""
    entries = []
    for item in response:
        entry = {'id': item[0], 'start_time': int(item[1]), 'duration': int(item[2])}
        if isinstance(item[3], list):
            words = item[3]
        else:
            entry['complexity'] = item[3]
            words = item[4]
        space = ' ' if words and isinstance(words[0], str) else b' '
        entry['command'] = space.join(words)
        entries.append(entry)
    return entries


slowlog_get.never_decode = True


def _words(value):
    """A space-separated list (ACL GETUSER keys and channels) as a list of
    str; a list as it came."""
    if isinstance(value, (bytes, str)):
        value = text(value).split(' ')
    return [] if value == [''] else value


def acl_getuser(response):
    """ACL GETUSER: a dict of the user's rules, or None for no such user;
    the command rules split into commands and categories, and enabled."""
    if response is None:
        return None
    user = {text(key): value for key, value in _pairs(response)}
    user['flags'] = strs(user['flags'])
    user['passwords'] = strs(user['passwords'])
    rules = text(user['commands']).split(' ')
    user['keys'] = _words(user['keys'])
    if 'channels' in user:
        user['channels'] = _words(user['channels'])
    if 'selectors' in user:
        user['selectors'] = [strs(selector) for selector in user['selectors']]
    user['commands'] = [rule for rule in rules if '@' not in rule]
    user['categories'] = [rule for rule in rules if '@' in rule]
    user['enabled'] = 'on' in user['flags']
    return user


def acl_log(response):
    """ACL LOG: a dict per entry (client-info parsed, age-seconds a float);
    ACL LOG RESET: True."""
    if response is None:
        return None
    if not isinstance(response, list):
        return bool_ok(response)
    entries = []
    for item in response:
        entry = _text_pairs(item)
        entry['client-info'] = client_info(entry.get('client-info', ''))
        entry['age-seconds'] = float(entry['age-seconds'])
        entries.append(entry)
    return entries


def cluster_info(response):
    """CLUSTER INFO: a dict of str."""
    info = {}
    for line in text(response).splitlines():
        if line:
            key, value = line.split(':')
            info[key] = value
    return info


def _slot_ranges(items):
    """The slot fields of a CLUSTER NODES line: ranges, and migrations."""
    slots, migrations = [], []
    for item in items:
        if '->-' in item:
            slot, node = item[1:-1].split('->-', 1)
            migrations.append({'slot': slot, 'node_id': node, 'state': 'migrating'})
        elif '-<-' in item:
            slot, node = item[1:-1].split('-<-', 1)
            migrations.append({'slot': slot, 'node_id': node, 'state': 'importing'})
        else:
            slots.append(item.split('-'))
    return slots, migrations


def cluster_nodes(response):
    """CLUSTER NODES, REPLICAS, SLAVES: a dict of address to node details."""
    lines = response.splitlines() if isinstance(response, (bytes, str)) else response
    nodes = {}
    for line in lines:
        fields = text(line).split(' ')
        node_id, address, flags, master, ping, pong, epoch, state = fields[:8]
        node = {'node_id': node_id, 'flags': flags, 'master_id': master,
                'last_ping_sent': ping, 'last_pong_rcvd': pong, 'epoch': epoch,
                'slots': [], 'migrations': [], 'connected': state == 'connected'}
        if len(fields) > 8:
            node['slots'], node['migrations'] = _slot_ranges(fields[8:])
        nodes[address.split('@')[0]] = node
    return nodes


# CLUSTER subcommand (upper case) to its conversion; the others are raw.
CLUSTER = {
    'ADDSLOTS': bool_ok, 'ADDSLOTSRANGE': bool_ok, 'COUNT-FAILURE-REPORTS': to_int,
    'COUNTKEYSINSLOT': to_int, 'DELSLOTS': bool_ok, 'DELSLOTSRANGE': bool_ok,
    'FAILOVER': bool_ok, 'FORGET': bool_ok, 'GETKEYSINSLOT': strs, 'INFO': cluster_info,
    'KEYSLOT': to_int, 'MEET': bool_ok, 'NODES': cluster_nodes, 'REPLICAS': cluster_nodes,
    'REPLICATE': bool_ok, 'RESET': bool_ok, 'SAVECONFIG': bool_ok,
    'SET-CONFIG-EPOCH': bool_ok, 'SETSLOT': bool_ok, 'SLAVES': cluster_nodes,
}
