# SPDX-License-Identifier: LGPL-2.1-or-later
"""The redis-py data-command methods the command table cannot generate.

redis-commands.txt marks each of them "py> hand NAME(PARAMS)": redis-py
checks their arguments (raising DataError before anything is sent),
derives one argument from several parameters, or picks the command from
its options.  Everything else is generated (commands.py); the server and
connection commands written by hand are in hand_server_commands.py.
Like the generated methods, each returns self._execute(argv, callback).
"""

from . import convert as _c
from .bitfield import BitFieldOperation
from .exceptions import DataError

_GEO_UNITS = ('m', 'km', 'mi', 'ft')

def _both_or_neither(a, b, message):
    if (a is None) != (b is None):
        raise DataError(message)


def _limit(pieces, start, num):
    if start is not None and num is not None:
        pieces += ('LIMIT', start, num)


def _positive_int(value, message):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise DataError(message)


class HandCommands:
    """redis-py's methods that check or combine their arguments."""

    # bitmaps

    def bitcount(self, key, start=None, end=None, mode=None):
        """BITCOUNT key [start end [BYTE|BIT]]: the number of set bits."""
        _both_or_neither(start, end, 'Both start and end must be specified')
        pieces = ['BITCOUNT', key]
        if start is not None:
            pieces += (start, end)
        if mode is not None:
            pieces.append(mode)
        return self._execute(pieces, _c.to_int)

    def bitpos(self, key, bit, start=None, end=None, mode=None):
        """BITPOS key bit [start [end [BYTE|BIT]]]: the first such bit."""
        if bit not in (0, 1):
            raise DataError('bit must be 0 or 1')
        if start is None and end is not None:
            raise DataError('start argument is not set, when end is specified')
        pieces = ['BITPOS', key, bit]
        if start is not None:
            pieces.append(start)
            if end is not None:
                pieces.append(end)
        if mode is not None:
            pieces.append(mode)
        return self._execute(pieces, _c.to_int)

    # strings, hashes

    def getex(self, name, ex=None, px=None, exat=None, pxat=None, persist=False):
        """GETEX: the value, setting or removing its time to live."""
        options = {ex, px, exat, pxat}
        if len(options) > 2 or (len(options) > 1 and persist):
            raise DataError('``ex``, ``px``, ``exat``, ``pxat``, and ``persist`` '
                            'are mutually exclusive.')
        pieces = ['GETEX', name]
        if ex is not None:
            pieces += ('EX', _c.seconds(ex))
        if px is not None:
            pieces += ('PX', _c.milliseconds(px))
        if exat is not None:
            pieces += ('EXAT', _c.unix_seconds(exat))
        if pxat is not None:
            pieces += ('PXAT', _c.unix_milliseconds(pxat))
        if persist:
            pieces.append('PERSIST')
        return self._execute(pieces, _c.raw)

    def hmset(self, name, mapping):
        """HMSET: True (deprecated by Redis; hset(mapping=) does the same)."""
        if not mapping:
            raise DataError("'hmset' with 'mapping' of length 0")
        pieces = ['HMSET', name]
        for pair in mapping.items():
            pieces.extend(pair)
        return self._execute(pieces, _c.to_bool)

    def hset(self, name, key=None, value=None, mapping=None, items=None):
        """HSET: the number of fields added, from key/value, mapping and items."""
        if key is None and not mapping and not items:
            raise DataError("'hset' with no key value pairs")
        pieces = ['HSET', name]
        if items:
            pieces += items
        if key is not None:
            pieces += (key, value)
        if mapping:
            for pair in mapping.items():
                pieces.extend(pair)
        return self._execute(pieces, _c.to_int)

    # lists and sorted-set pops

    def _mpop(self, command, prefix, keys, min, max, count, message):  # noqa: A002
        if bool(min) == bool(max):
            raise DataError(*message)
        pieces = [command] + prefix + list(keys) + ['MIN' if min else 'MAX']
        if count != 1:
            pieces += ('COUNT', count)
        return self._execute(pieces, _c.raw)

    def bzmpop(self, timeout, numkeys, keys, min=False, max=False, count=1):  # noqa: A002
        """BZMPOP: [key, [[member, score]...]], or None on timeout."""
        return self._mpop('BZMPOP', [timeout, numkeys], keys, min, max, count,
                          ('Either min or max, but not both must be set',))

    def zmpop(self, num_keys, keys, min=False, max=False, count=1):  # noqa: A002
        """ZMPOP: [key, [[member, score]...]], or None."""
        # redis-py 4.3.4 raises this one without a message
        return self._mpop('ZMPOP', [num_keys], keys, min, max, count, ())

    # sorting

    def sort(self, name, start=None, num=None, by=None, get=None, desc=False,
             alpha=False, store=None, groups=False):
        """SORT: the sorted list (tuples with groups), or its length with store."""
        return self._sort('SORT', name, start, num, by, get, desc, alpha, store, groups)

    def sort_ro(self, key, start=None, num=None, by=None, get=None, desc=False,
                alpha=False):
        """SORT_RO: the sorted list."""
        return self._sort('SORT_RO', key, start, num, by, get, desc, alpha, None, False)

    def _sort(self, command, name, start, num, by, get, desc, alpha, store, groups):
        _both_or_neither(start, num, '``start`` and ``num`` must both be specified')
        pieces = [command, name]
        if by is not None:
            pieces += ('BY', by)
        _limit(pieces, start, num)
        if get is not None:
            for pattern in ([get] if isinstance(get, (bytes, str)) else get):
                pieces += ('GET', pattern)
        if desc:
            pieces.append('DESC')
        if alpha:
            pieces.append('ALPHA')
        if store is not None:
            pieces += ('STORE', store)
        if groups and (not get or isinstance(get, (bytes, str)) or len(get) < 2):
            raise DataError('when using "groups" the "get" argument must be '
                            'specified and contain at least two keys')
        return self._execute(pieces, _c.sort(len(get) if groups else None))

    # sorted sets

    def zmscore(self, key, members):
        """ZMSCORE: the scores of @members, None for a missing one."""
        if not members:
            raise DataError('ZMSCORE members must be a non-empty list')
        return self._execute(['ZMSCORE', key] + list(members), _c.floats_or_none)

    def zadd(self, name, mapping, nx=False, xx=False, ch=False, incr=False,
             gt=False, lt=False):
        """ZADD: how many members were added (the new score with incr)."""
        if not mapping:
            raise DataError('ZADD requires at least one element/score pair')
        if nx and xx:
            raise DataError("ZADD allows either 'nx' or 'xx', not both")
        if incr and len(mapping) != 1:
            raise DataError("ZADD option 'incr' only works when passing a "
                            "single element/score pair")
        if nx and (gt or lt):
            raise DataError("Only one of 'nx', 'lt', or 'gr' may be defined.")
        pieces = ['ZADD', name]
        for flag, word in ((nx, 'NX'), (xx, 'XX'), (gt, 'GT'), (lt, 'LT'),
                           (ch, 'CH'), (incr, 'INCR')):
            if flag:
                pieces.append(word)
        for member, score in mapping.items():
            pieces += (score, member)
        return self._execute(pieces, _c.zadd(incr))

    def zrange(self, name, start, end, desc=False, withscores=False,
               score_cast_func=float, byscore=False, bylex=False, offset=None,
               num=None):
        """ZRANGE: members, or (member, score) pairs with withscores."""
        if not byscore and not bylex and offset is None and num is None and desc:
            return self.zrevrange(name, start, end, withscores, score_cast_func)
        return self._zrange('ZRANGE', None, name, start, end, desc, byscore, bylex,
                            withscores, score_cast_func, offset, num)

    def zrangestore(self, dest, name, start, end, byscore=False, bylex=False,
                    desc=False, offset=None, num=None):
        """ZRANGESTORE: how many members were stored in dest."""
        return self._zrange('ZRANGESTORE', dest, name, start, end, desc, byscore,
                            bylex, False, None, offset, num)

    def _zrange(self, command, dest, name, start, end, desc, byscore, bylex,
                withscores, score_cast_func, offset, num):
        if byscore and bylex:
            raise DataError('``byscore`` and ``bylex`` can not be specified together.')
        _both_or_neither(offset, num, '``offset`` and ``num`` must both be specified.')
        if bylex and withscores:
            raise DataError('``withscores`` not supported in combination with ``bylex``.')
        pieces = [command] + ([dest] if dest else []) + [name, start, end]
        if byscore:
            pieces.append('BYSCORE')
        if bylex:
            pieces.append('BYLEX')
        if desc:
            pieces.append('REV')
        _limit(pieces, offset, num)
        if withscores:
            pieces.append('WITHSCORES')
        return self._execute(pieces, _c.zset_pairs(withscores, score_cast_func))

    def _zrange_by(self, command, name, low, high, start, num, withscores=False,
                   score_cast_func=float):
        _both_or_neither(start, num, '``start`` and ``num`` must both be specified')
        pieces = [command, name, low, high]
        _limit(pieces, start, num)
        if withscores:
            pieces.append('WITHSCORES')
        return self._execute(pieces, _c.zset_pairs(withscores, score_cast_func))

    def zrangebylex(self, name, min, max, start=None, num=None):  # noqa: A002
        """ZRANGEBYLEX: the members between min and max."""
        return self._zrange_by('ZRANGEBYLEX', name, min, max, start, num)

    def zrevrangebylex(self, name, max, min, start=None, num=None):  # noqa: A002
        """ZREVRANGEBYLEX: the members between max and min, highest first."""
        return self._zrange_by('ZREVRANGEBYLEX', name, max, min, start, num)

    def zrangebyscore(self, name, min, max, start=None, num=None,  # noqa: A002
                      withscores=False, score_cast_func=float):
        """ZRANGEBYSCORE: members (or pairs) with scores between min and max."""
        return self._zrange_by('ZRANGEBYSCORE', name, min, max, start, num,
                               withscores, score_cast_func)

    def zrevrangebyscore(self, name, max, min, start=None, num=None,  # noqa: A002
                         withscores=False, score_cast_func=float):
        """ZREVRANGEBYSCORE: as zrangebyscore, highest first."""
        return self._zrange_by('ZREVRANGEBYSCORE', name, max, min, start, num,
                               withscores, score_cast_func)

    def _zaggregate(self, command, dest, keys, aggregate, withscores=False):
        pieces = [command] + ([dest] if dest is not None else []) + [len(keys)]
        weights = None
        if isinstance(keys, dict):
            keys, weights = keys.keys(), keys.values()
        pieces += keys
        if weights:
            pieces.append('WEIGHTS')
            pieces += weights
        if aggregate:
            if aggregate.upper() not in ('SUM', 'MIN', 'MAX'):
                raise DataError('aggregate can be sum, min or max.')
            pieces += ('AGGREGATE', aggregate)
        if withscores:
            pieces.append('WITHSCORES')
        return self._execute(pieces, _c.zset_pairs(withscores) if dest is None else _c.raw)

    def zinter(self, keys, aggregate=None, withscores=False):
        """ZINTER: the intersection; keys may be a dict of key to weight."""
        return self._zaggregate('ZINTER', None, keys, aggregate, withscores)

    def zunion(self, keys, aggregate=None, withscores=False):
        """ZUNION: the union; keys may be a dict of key to weight."""
        return self._zaggregate('ZUNION', None, keys, aggregate, withscores)

    def zinterstore(self, dest, keys, aggregate=None):
        """ZINTERSTORE: the size of the intersection stored in dest."""
        return self._zaggregate('ZINTERSTORE', dest, keys, aggregate)

    def zunionstore(self, dest, keys, aggregate=None):
        """ZUNIONSTORE: the size of the union stored in dest."""
        return self._zaggregate('ZUNIONSTORE', dest, keys, aggregate)

    # geo

    def geoadd(self, name, values, nx=False, xx=False, ch=False):
        """GEOADD: values is a flat sequence of longitude, latitude, member."""
        if nx and xx:
            raise DataError("GEOADD allows either 'nx' or 'xx', not both")
        if len(values) % 3 != 0:
            raise DataError('GEOADD requires places with lon, lat and name values')
        pieces = ['GEOADD', name]
        for flag, word in ((nx, 'NX'), (xx, 'XX'), (ch, 'CH')):
            if flag:
                pieces.append(word)
        pieces += values
        return self._execute(pieces, _c.to_int)

    def geodist(self, name, place1, place2, unit=None):
        """GEODIST: the distance between two members, or None."""
        pieces = ['GEODIST', name, place1, place2]
        if unit and unit not in _GEO_UNITS:
            raise DataError('GEODIST invalid unit')
        if unit:
            pieces.append(unit)
        return self._execute(pieces, _c.float_or_none)

    def _georadius(self, pieces, unit, withdist, withcoord, withhash, count, sort,
                   store, store_dist, any):  # noqa: A002
        if unit and unit not in _GEO_UNITS:
            raise DataError('GEORADIUS invalid unit')
        pieces.append(unit or 'm')
        if any and count is None:
            raise DataError("``any`` can't be provided without ``count``")
        for flag, word in ((withdist, 'WITHDIST'), (withcoord, 'WITHCOORD'),
                           (withhash, 'WITHHASH')):
            if flag:
                pieces.append(word)
        if count is not None:
            pieces += ('COUNT', count)
            if any:
                pieces.append('ANY')
        if sort:
            if sort not in ('ASC', 'DESC'):
                raise DataError('GEORADIUS invalid sort')
            pieces.append(sort)
        if store and store_dist:
            raise DataError('GEORADIUS store and store_dist cant be set together')
        if store:
            pieces += ('STORE', store)
        if store_dist:
            pieces += ('STOREDIST', store_dist)
        return self._execute(pieces, _c.geosearch(withdist, withcoord, withhash,
                                                  store, store_dist))

    def georadius(self, name, longitude, latitude, radius, unit=None, withdist=False,
                  withcoord=False, withhash=False, count=None, sort=None, store=None,
                  store_dist=None, any=False):  # noqa: A002
        """GEORADIUS: the places within radius of a point."""
        return self._georadius(['GEORADIUS', name, longitude, latitude, radius], unit,
                               withdist, withcoord, withhash, count, sort, store,
                               store_dist, any)

    def georadiusbymember(self, name, member, radius, unit=None, withdist=False,
                          withcoord=False, withhash=False, count=None, sort=None,
                          store=None, store_dist=None, any=False):  # noqa: A002
        """GEORADIUSBYMEMBER: the places within radius of a member."""
        return self._georadius(['GEORADIUSBYMEMBER', name, member, radius], unit,
                               withdist, withcoord, withhash, count, sort, store,
                               store_dist, any)

    def georadius_ro(self, name, longitude, latitude, radius, unit=None, withdist=False,
                     withcoord=False, withhash=False, count=None, sort=None,
                     any=False):  # noqa: A002
        """GEORADIUS_RO: georadius() without STORE, for read-only replicas."""
        return self._georadius(['GEORADIUS_RO', name, longitude, latitude, radius], unit,
                               withdist, withcoord, withhash, count, sort, None, None, any)

    def georadiusbymember_ro(self, name, member, radius, unit=None, withdist=False,
                             withcoord=False, withhash=False, count=None, sort=None,
                             any=False):  # noqa: A002
        """GEORADIUSBYMEMBER_RO: georadiusbymember() without STORE."""
        return self._georadius(['GEORADIUSBYMEMBER_RO', name, member, radius], unit,
                               withdist, withcoord, withhash, count, sort, None, None, any)

    def _geosearch(self, pieces, member, longitude, latitude, unit, radius, width,
                   height, sort, count, any, withcoord, withdist, withhash,
                   storedist, convert):  # noqa: A002
        if member is None and (longitude is None or latitude is None):
            raise DataError('GEOSEARCH must have member or longitude and latitude')
        if member:
            if longitude or latitude:
                raise DataError('GEOSEARCH member and longitude or latitude '
                                'cant be set together')
            pieces += ('FROMMEMBER', member)
        if longitude and latitude:
            pieces += ('FROMLONLAT', longitude, latitude)
        if radius is None and (width is None or height is None):
            raise DataError('GEOSEARCH must have radius or width and height')
        if unit is None:
            raise DataError('GEOSEARCH must have unit')
        if unit.lower() not in _GEO_UNITS:
            raise DataError('GEOSEARCH invalid unit')
        if radius:
            if width or height:
                raise DataError('GEOSEARCH radius and width or height '
                                'cant be set together')
            pieces += ('BYRADIUS', radius, unit)
        if width and height:
            pieces += ('BYBOX', width, height, unit)
        if sort:
            if sort.upper() not in ('ASC', 'DESC'):
                raise DataError('GEOSEARCH invalid sort')
            pieces.append(sort.upper())
        if count:
            pieces += ('COUNT', count)
            if any:
                pieces.append('ANY')
        elif any:
            raise DataError("GEOSEARCH ``any`` can't be provided without count")
        for flag, word in ((withdist, 'WITHDIST'), (withcoord, 'WITHCOORD'),
                           (withhash, 'WITHHASH'), (storedist, 'STOREDIST')):
            if flag:
                pieces.append(word)
        return self._execute(pieces, convert)

    def geosearch(self, name, member=None, longitude=None, latitude=None, unit='m',
                  radius=None, width=None, height=None, sort=None, count=None,
                  any=False, withcoord=False, withdist=False, withhash=False):  # noqa: A002
        """GEOSEARCH: the places in a circle or box around a member or point."""
        return self._geosearch(['GEOSEARCH', name], member, longitude, latitude, unit,
                               radius, width, height, sort, count, any, withcoord,
                               withdist, withhash, False,
                               _c.geosearch(withdist, withcoord, withhash))

    def geosearchstore(self, dest, name, member=None, longitude=None, latitude=None,
                       unit='m', radius=None, width=None, height=None, sort=None,
                       count=None, any=False, storedist=False):  # noqa: A002
        """GEOSEARCHSTORE: how many places were stored in dest."""
        return self._geosearch(['GEOSEARCHSTORE', dest, name], member, longitude,
                               latitude, unit, radius, width, height, sort, count, any,
                               False, False, False, storedist, _c.raw)

    # streams

    def xadd(self, name, fields, id='*', maxlen=None, approximate=True,  # noqa: A002
             nomkstream=False, minid=None, limit=None):
        """XADD: the new entry's id."""
        if maxlen is not None and minid is not None:
            raise DataError('Only one of ```maxlen``` or ```minid``` may be specified')
        pieces = ['XADD', name]
        if maxlen is not None:
            _positive_int(maxlen, 'XADD maxlen must be a positive integer')
            pieces += ['MAXLEN'] + (['~'] if approximate else []) + [maxlen]
        if minid is not None:
            pieces += ['MINID'] + (['~'] if approximate else []) + [minid]
        if limit is not None:
            pieces += ('LIMIT', limit)
        if nomkstream:
            pieces.append('NOMKSTREAM')
        pieces.append(id)
        if not isinstance(fields, dict) or not fields:
            raise DataError('XADD fields must be a non-empty dict')
        for pair in fields.items():
            pieces.extend(pair)
        return self._execute(pieces, _c.raw)

    def xtrim(self, name, maxlen=None, approximate=True, minid=None, limit=None):
        """XTRIM: how many entries were deleted."""
        if maxlen is not None and minid is not None:
            raise DataError('Only one of ``maxlen`` or ``minid`` may be specified')
        if maxlen is None and minid is None:
            raise DataError('One of ``maxlen`` or ``minid`` must be specified')
        pieces = ['XTRIM', name, 'MAXLEN' if maxlen is not None else 'MINID']
        if approximate:
            pieces.append('~')
        pieces.append(maxlen if maxlen is not None else minid)
        if limit is not None:
            pieces += ('LIMIT', limit)
        return self._execute(pieces, _c.to_int)

    def _xrange(self, command, name, first, last, count):
        pieces = [command, name, first, last]
        if count is not None:
            _positive_int(count, 'XRANGE count must be a positive integer')
            pieces += ('COUNT', count)
        return self._execute(pieces, _c.stream_list)

    def xrange(self, name, min='-', max='+', count=None):  # noqa: A002
        """XRANGE: [(id, {field: value})...]."""
        return self._xrange('XRANGE', name, min, max, count)

    def xrevrange(self, name, max='+', min='-', count=None):  # noqa: A002
        """XREVRANGE: [(id, {field: value})...], newest first."""
        return self._xrange('XREVRANGE', name, max, min, count)

    def _xread_options(self, command, pieces, count, block):
        if count is not None:
            _positive_int(count, '%s count must be a positive integer' % command)
            pieces += ('COUNT', count)
        if block is not None:
            if not isinstance(block, int) or isinstance(block, bool) or block < 0:
                raise DataError('%s block must be a non-negative integer' % command)
            pieces += ('BLOCK', block)

    def _xread_streams(self, command, pieces, streams):
        if not isinstance(streams, dict) or not streams:
            raise DataError('%s streams must be a non empty dict' % command)
        pieces.append('STREAMS')
        pieces += streams.keys()
        pieces += streams.values()
        return self._execute(pieces, _c.xread)

    def xread(self, streams, count=None, block=None):
        """XREAD: [[stream, [(id, fields)...]]...]; [] when nothing came."""
        pieces = ['XREAD']
        self._xread_options('XREAD', pieces, count, block)
        return self._xread_streams('XREAD', pieces, streams)

    def xreadgroup(self, groupname, consumername, streams, count=None, block=None,
                   noack=False):
        """XREADGROUP: as xread(), for a consumer of a group."""
        pieces = ['XREADGROUP', 'GROUP', groupname, consumername]
        self._xread_options('XREADGROUP', pieces, count, block)
        if noack:
            pieces.append('NOACK')
        return self._xread_streams('XREADGROUP', pieces, streams)

    def xclaim(self, name, groupname, consumername, min_idle_time, message_ids,
               idle=None, time=None, retrycount=None, force=False, justid=False):
        """XCLAIM: the claimed entries, or their ids with justid."""
        if not isinstance(min_idle_time, int) or min_idle_time < 0:
            raise DataError('XCLAIM min_idle_time must be a non negative integer')
        if not isinstance(message_ids, (list, tuple)) or not message_ids:
            raise DataError('XCLAIM message_ids must be a non empty list or tuple '
                            'of message IDs to claim')
        pieces = ['XCLAIM', name, groupname, consumername, min_idle_time]
        pieces += message_ids
        for value, word in ((idle, 'IDLE'), (time, 'TIME'), (retrycount, 'RETRYCOUNT')):
            if value is not None:
                if not isinstance(value, int):
                    raise DataError('XCLAIM %s must be an integer' % word.lower())
                pieces += (word, value)
        if force:
            pieces.append('FORCE')
        if justid:
            pieces.append('JUSTID')
        return self._execute(pieces, _c.xclaim(justid))

    def xautoclaim(self, name, groupname, consumername, min_idle_time, start_id=0,
                   count=None, justid=False):
        """XAUTOCLAIM: [next start id, entries, deleted ids] (ids with justid)."""
        if isinstance(min_idle_time, int) and min_idle_time < 0:
            raise DataError('XAUTOCLAIM min_idle_time must be a nonnegative integer')
        pieces = ['XAUTOCLAIM', name, groupname, consumername, min_idle_time, start_id]
        if count is not None:
            if int(count) < 0:
                raise DataError('XPENDING count must be a integer >= 0')
            pieces += ('COUNT', count)
        if justid:
            pieces.append('JUSTID')
        return self._execute(pieces, _c.xautoclaim(justid))

    def xpending_range(self, name, groupname, min, max, count,  # noqa: A002
                       consumername=None, idle=None):
        """XPENDING with a range: a list of dicts, one per pending entry."""
        if min is None and max is None and count is None:
            if idle is not None or consumername is not None:
                raise DataError('if XPENDING is provided with idle time or '
                                'consumername, it must be provided with min, max '
                                'and count parameters')
            return self.xpending(name, groupname)
        if min is None or max is None or count is None:
            raise DataError('XPENDING must be provided with min, max and count '
                            'parameters, or none of them.')
        pieces = ['XPENDING', name, groupname]
        if idle is not None:
            if int(idle) < 0:
                raise DataError('XPENDING idle must be a integer >= 0')
            pieces += ('IDLE', idle)
        if int(count) < 0:
            raise DataError('XPENDING count must be a integer >= 0')
        pieces += (min, max, count)
        if consumername:
            pieces.append(consumername)
        return self._execute(pieces, _c.xpending_range)

    def bitfield(self, key, default_overflow=None):
        """A BitFieldOperation on @key: chain get(), set(), incrby(),
        overflow(), then execute()."""
        return BitFieldOperation(self, key, default_overflow=default_overflow)
