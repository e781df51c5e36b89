# SPDX-License-Identifier: LGPL-2.1-or-later
"""DtRedis.Client, the sync client: redis-py's methods, with the
common ones sent through the typed C methods."""

import time

from gi.repository import GLib
from gi.module import get_introspection_module
from gi.overrides import override

from .client_extras import ClientExtras

from .core import (
    WatchError,
    _are_keys,
    _argv,
    _Bytes,
    _bytes_data,
    _bytes_list,
    _bytes_or_none,
    _bytes_set,
    _Commands,
    _convert,
    _DecodingProxy,
    _client_repr,
    _encode,
    _error,
    _from_reply,
    _gbytes,
    _is_int64,
    _is_key,
    _rank,
    _score,
    _scored,
    _values_as_text)
from .pipeline import _Pipeline

DtRedis = get_introspection_module('DtRedis')

# -- the sync client ------------------------------------------------------------

_CClient = DtRedis.Client
_c_execute = _CClient.execute
_c_execute_bytes = _CClient.execute_bytes
# The typed methods generated from the command table are text first; the
# Python layer returns bytes as redis-py does, so where a reply carries
# values it calls the binary-safe `_bytes` twin.
_c_set_bytes = _CClient.set_bytes
_c_get_bytes = _CClient.get_bytes
_c_setex_bytes = _CClient.setex_bytes
_c_incr = _CClient.incr
_c_incrby = _CClient.incrby
_c_decr = _CClient.decr
_c_ttl = _CClient.ttl
_c_expire = _CClient.expire
_c_delete = _CClient.delete
_c_exists = _CClient.exists
_c_keys_bytes = _CClient.keys_bytes
_c_hset_bytes = _CClient.hset_bytes
_c_hget_bytes = _CClient.hget_bytes
_c_hexists = _CClient.hexists
_c_hdel = _CClient.hdel
_c_lpush = _CClient.lpush
_c_rpush = _CClient.rpush
_c_lpop_bytes = _CClient.lpop_bytes
_c_rpop_bytes = _CClient.rpop_bytes
_c_llen = _CClient.llen
_c_lrange_bytes = _CClient.lrange_bytes
_c_sadd = _CClient.sadd
_c_srem = _CClient.srem
_c_smembers_bytes = _CClient.smembers_bytes
_c_sismember = _CClient.sismember
_c_sunion_bytes = _CClient.sunion_bytes
_c_sinter_bytes = _CClient.sinter_bytes
_c_sdiff_bytes = _CClient.sdiff_bytes
_c_zadd = _CClient.zadd
_c_zincrby = _CClient.zincrby
_c_zscore = _CClient.zscore
_c_zrank = _CClient.zrank
_c_zrevrank = _CClient.zrevrank
_c_zrange_bytes = _CClient.zrange_bytes
_c_zrange_withscores = _CClient.zrange_withscores
_c_zrevrange_bytes = _CClient.zrevrange_bytes
_c_zrevrange_withscores = _CClient.zrevrange_withscores
_c_ping = _CClient.ping
_c_publish_bytes = _CClient.publish_bytes
_c_dbsize = _CClient.dbsize
_c_flushdb = _CClient.flushdb
_scored_member_new = DtRedis.ScoredMember.new
_c_close = _CClient.close


@override
class Client(ClientExtras, _Commands, _CClient):
    """The blocking client, with redis-py's methods; thread-safe.

    Get one from Instance.get_redis() or Instance.get_redis_client().
    Commands with a typed C helper call it directly when their arguments
    allow it (str keys, no options); everything else goes through
    execute() or execute_bytes().  HGETALL does too, although it has a
    helper: its GHashTable would lose the server's field order, which
    redis-py's dict keeps.
    """

    # override() files the class under the module's last name: DtRedis.
    __module__ = 'gi.overrides.DtRedis'

    _decode = False

    @classmethod
    def from_url(cls, url, **kwargs):
        """A client for @url, as redis-py's Redis.from_url(): the URL forms
        of DtRedis.Config, and redis-py's keyword arguments where dtredis
        has the setting (db, username, password, socket_timeout,
        socket_connect_timeout, max_connections, client_name, ssl_*,
        decode_responses).  It owns its pools: close() closes them."""
        instance, decode = _instance_from_url(url, kwargs)
        return instance._owned_client(decode)

    __repr__ = _client_repr

    def _execute(self, argv, callback, cancellable=None):
        """Runs one command given as Python values; returns callback(reply)."""
        texts = _values_as_text(argv)
        try:
            if texts is not None:
                reply = _c_execute(self, texts, cancellable)
            else:
                reply = _c_execute_bytes(self, _argv(argv), cancellable)
        except GLib.Error as error:
            raise _error(error) from error
        return callback(_from_reply(reply))

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline; a MULTI/EXEC transaction unless transaction=False."""
        return _Pipeline(self, transaction, self._decode)

    def transaction(self, func, *watches, shard_hint=None,
                    value_from_callable=False, watch_delay=None):
        """Runs func(pipe) as an optimistic transaction, as redis-py does.

        Each attempt watches @watches, calls func(pipe) (which reads at
        once through the pipe, then calls pipe.multi() and queues its
        writes) and executes the pipe.  When a watched key changed
        (WatchError) it starts again, after @watch_delay seconds if given.
        Returns execute()'s results, or func's own with
        @value_from_callable.  Other errors end it: a command that may
        have run is never sent again.
        """
        with self.pipeline(True, shard_hint) as pipe:
            while True:
                try:
                    if watches:
                        pipe.watch(*watches)
                    value = func(pipe)
                    results = pipe.execute()
                except WatchError:
                    pipe.reset()
                    if watch_delay is not None and watch_delay > 0:
                        time.sleep(watch_delay)
                    continue
                return value if value_from_callable else results

    def close(self):
        """Ends this client; the instance's pool stays open for its other
        clients (a client from from_url() closes its own pool).  A
        single-connection client (client()) gives its connection back,
        closed; its next command starts on a new one."""
        _c_close(self)
        instance = getattr(self, '_dtredis_owner', None)
        if instance is not None:
            instance.reset_sync_pool()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def set(self, name, value, ex=None, px=None, nx=False, xx=False,
            keepttl=False, get=False, exat=None, pxat=None):
        """SET: True, or None when NX/XX kept it from setting (old value with get)."""
        if (type(name) is str and ex is None and px is None and not nx and not xx
                and not keepttl and not get and exat is None and pxat is None
                and '\0' not in name):
            try:
                return _c_set_bytes(self, name, _Bytes(_encode(value)), None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.set(self, name, value, ex, px, nx, xx, keepttl, get, exat, pxat)

    def get(self, name):
        """GET: bytes, or None for a missing key."""
        if type(name) is str and '\0' not in name:
            try:
                data = _c_get_bytes(self, name, None)
            except GLib.Error as error:
                raise _error(error) from error
            return None if data is None else _bytes_data(data)
        return _Commands.get(self, name)

    def setex(self, name, time, value):
        """SETEX: True."""
        time = _convert.seconds(time)
        if _is_key(name) and _is_int64(time):
            try:
                return _c_setex_bytes(self, name, time, _gbytes(value), None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.setex(self, name, time, value)

    def incr(self, name, amount=1):
        """INCRBY name amount: the new value."""
        if _is_key(name) and _is_int64(amount):
            try:
                if amount == 1:
                    return _c_incr(self, name, None)
                return _c_incrby(self, name, amount, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.incr(self, name, amount)

    def incrby(self, name, amount=1):
        """INCRBY: the new value."""
        if _is_key(name) and _is_int64(amount):
            try:
                return _c_incrby(self, name, amount, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.incrby(self, name, amount)

    def decr(self, name, amount=1):
        """DECRBY name amount: the new value."""
        if amount == 1 and _is_key(name):
            try:
                return _c_decr(self, name, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.decr(self, name, amount)

    def ttl(self, name):
        """TTL: seconds to live, -1 without expiry, -2 for a missing key."""
        if _is_key(name):
            try:
                return _c_ttl(self, name, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.ttl(self, name)

    def expire(self, name, time, nx=False, xx=False, gt=False, lt=False):
        """EXPIRE: whether the timeout was set."""
        time = _convert.seconds(time)
        if _is_key(name) and _is_int64(time) and not (nx or xx or gt or lt):
            try:
                return _c_expire(self, name, time, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.expire(self, name, time, nx, xx, gt, lt)

    def delete(self, *names):
        """DEL: how many keys were removed."""
        if names and _are_keys(names):
            try:
                return _c_delete(self, names, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.delete(self, *names)

    def exists(self, *names):
        """EXISTS: how many of the keys exist."""
        if names and _are_keys(names):
            try:
                return _c_exists(self, names, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.exists(self, *names)

    def keys(self, pattern='*', **kwargs):
        """KEYS: the matching key names, as a list of bytes."""
        if _is_key(pattern):
            try:
                return _bytes_list(_c_keys_bytes(self, pattern, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.keys(self, pattern)

    def hset(self, name, key=None, value=None, mapping=None, items=None):
        """HSET: how many fields were added."""
        if key is not None and not mapping and not items and _is_key(name) \
                and _is_key(key):
            try:
                return _c_hset_bytes(self, name, key, _gbytes(value), None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.hset(self, name, key, value, mapping, items)

    def hget(self, name, key):
        """HGET: bytes, or None."""
        if _is_key(name) and _is_key(key):
            try:
                return _bytes_or_none(_c_hget_bytes(self, name, key, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.hget(self, name, key)

    def hexists(self, name, key):
        """HEXISTS: a bool."""
        if _is_key(name) and _is_key(key):
            try:
                return _c_hexists(self, name, key, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.hexists(self, name, key)

    def hdel(self, name, *keys):
        """HDEL: how many fields were removed."""
        if keys and _is_key(name) and _are_keys(keys):
            try:
                return _c_hdel(self, name, keys, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.hdel(self, name, *keys)

    def lpush(self, name, *values):
        """LPUSH: the new length."""
        texts = _values_as_text(values) if values and _is_key(name) else None
        if texts is not None:
            try:
                return _c_lpush(self, name, texts, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.lpush(self, name, *values)

    def rpush(self, name, *values):
        """RPUSH: the new length."""
        texts = _values_as_text(values) if values and _is_key(name) else None
        if texts is not None:
            try:
                return _c_rpush(self, name, texts, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.rpush(self, name, *values)

    def lpop(self, name, count=None):
        """LPOP: bytes or None; a list with count."""
        if count is None and _is_key(name):
            try:
                return _bytes_or_none(_c_lpop_bytes(self, name, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.lpop(self, name, count)

    def rpop(self, name, count=None):
        """RPOP: bytes or None; a list with count."""
        if count is None and _is_key(name):
            try:
                return _bytes_or_none(_c_rpop_bytes(self, name, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.rpop(self, name, count)

    def llen(self, name):
        """LLEN: the length."""
        if _is_key(name):
            try:
                return _c_llen(self, name, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.llen(self, name)

    def lrange(self, name, start, end):
        """LRANGE: a list of bytes."""
        if _is_key(name) and _is_int64(start) and _is_int64(end):
            try:
                return _bytes_list(_c_lrange_bytes(self, name, start, end, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.lrange(self, name, start, end)

    def sadd(self, name, *values):
        """SADD: how many members were added."""
        texts = _values_as_text(values) if values and _is_key(name) else None
        if texts is not None:
            try:
                return _c_sadd(self, name, texts, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.sadd(self, name, *values)

    def srem(self, name, *values):
        """SREM: how many members were removed."""
        texts = _values_as_text(values) if values and _is_key(name) else None
        if texts is not None:
            try:
                return _c_srem(self, name, texts, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.srem(self, name, *values)

    def smembers(self, name):
        """SMEMBERS: a set of bytes."""
        if _is_key(name):
            try:
                return _bytes_set(_c_smembers_bytes(self, name, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.smembers(self, name)

    def sismember(self, name, value):
        """SISMEMBER: a bool."""
        texts = _values_as_text((value,)) if _is_key(name) else None
        if texts is not None:
            try:
                return _c_sismember(self, name, texts[0], None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.sismember(self, name, value)

    def _set_operation(self, c_function, command, keys, args):
        """SUNION, SINTER or SDIFF: the typed helper when the keys allow it."""
        keys = _convert.list_or_args(keys, args)
        if keys and _are_keys(keys):
            try:
                return _bytes_set(c_function(self, keys, None))
            except GLib.Error as error:
                raise _error(error) from error
        return self._execute([command] + keys, _convert.to_set)

    def sunion(self, keys, *args):
        """SUNION: a set of bytes."""
        return self._set_operation(_c_sunion_bytes, 'SUNION', keys, args)

    def sinter(self, keys, *args):
        """SINTER: a set of bytes."""
        return self._set_operation(_c_sinter_bytes, 'SINTER', keys, args)

    def sdiff(self, keys, *args):
        """SDIFF: a set of bytes."""
        return self._set_operation(_c_sdiff_bytes, 'SDIFF', keys, args)

    def zadd(self, name, mapping, nx=False, xx=False, ch=False, incr=False,
             gt=False, lt=False):
        """ZADD: how many members were added (the new score with incr)."""
        if (len(mapping) == 1 and _is_key(name)
                and not (nx or xx or ch or incr or gt or lt)):
            (member, score), = mapping.items()
            if _is_key(member) and type(score) in (int, float):
                try:
                    return _c_zadd(self, name,
                                   [_scored_member_new(member, score)], None)
                except GLib.Error as error:
                    raise _error(error) from error
        return _Commands.zadd(self, name, mapping, nx, xx, ch, incr, gt, lt)

    def zincrby(self, name, amount, value):
        """ZINCRBY: the new score as a float."""
        if _is_key(name) and _is_key(value) and type(amount) in (int, float):
            try:
                return _c_zincrby(self, name, amount, value, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.zincrby(self, name, amount, value)

    def zscore(self, name, value):
        """ZSCORE: a float, or None."""
        if _is_key(name) and _is_key(value):
            try:
                return _score(_c_zscore(self, name, value, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.zscore(self, name, value)

    def zrank(self, name, value):
        """ZRANK: an int, or None."""
        if _is_key(name) and _is_key(value):
            try:
                return _rank(_c_zrank(self, name, value, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.zrank(self, name, value)

    def zrevrank(self, name, value):
        """ZREVRANK: an int, or None."""
        if _is_key(name) and _is_key(value):
            try:
                return _rank(_c_zrevrank(self, name, value, None))
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.zrevrank(self, name, value)

    def _zrange_fast(self, desc, name, start, end, withscores, score_cast_func):
        """ZRANGE/ZREVRANGE through the typed methods, or NotImplemented."""
        if not (_is_key(name) and _is_int64(start) and _is_int64(end)):
            return NotImplemented
        if withscores and score_cast_func is not float:
            # redis-py casts the score's text: only float is the same as
            # the C method's double.
            return NotImplemented
        try:
            if desc:
                if withscores:
                    return _scored(_c_zrevrange_withscores(self, name, start, end, None))
                return _bytes_list(_c_zrevrange_bytes(self, name, start, end, None))
            if withscores:
                return _scored(_c_zrange_withscores(self, name, start, end, None))
            return _bytes_list(_c_zrange_bytes(self, name, start, end, None))
        except GLib.Error as error:
            raise _error(error) from error

    def zrange(self, name, start, end, desc=False, withscores=False,
               score_cast_func=float, byscore=False, bylex=False, offset=None,
               num=None):
        """ZRANGE: a list of bytes, or of (member, score) with withscores."""
        if not (byscore or bylex) and offset is None and num is None:
            if desc:
                return self.zrevrange(name, start, end, withscores, score_cast_func)
            result = self._zrange_fast(False, name, start, end, withscores,
                                       score_cast_func)
            if result is not NotImplemented:
                return result
        return _Commands.zrange(self, name, start, end, desc, withscores,
                               score_cast_func, byscore, bylex, offset, num)

    def zrevrange(self, name, start, end, withscores=False, score_cast_func=float):
        """ZREVRANGE: a list of bytes, or of (member, score) with withscores."""
        result = self._zrange_fast(True, name, start, end, withscores,
                                   score_cast_func)
        if result is not NotImplemented:
            return result
        return _Commands.zrevrange(self, name, start, end, withscores, score_cast_func)

    def ping(self):
        """PING: True."""
        try:
            return _c_ping(self, None) == 'PONG'
        except GLib.Error as error:
            raise _error(error) from error

    def publish(self, channel, message):
        """PUBLISH: how many subscribers got the message."""
        if _is_key(channel):
            try:
                return _c_publish_bytes(self, channel, _gbytes(message), None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.publish(self, channel, message)

    def dbsize(self):
        """DBSIZE: the number of keys."""
        try:
            return _c_dbsize(self, None)
        except GLib.Error as error:
            raise _error(error) from error

    def flushdb(self, asynchronous=False):
        """FLUSHDB: True."""
        if not asynchronous:
            try:
                return _c_flushdb(self, None)
            except GLib.Error as error:
                raise _error(error) from error
        return _Commands.flushdb(self, asynchronous)


def _instance_from_url(url, kwargs):
    """A DtRedis.Instance for from_url(@url, **@kwargs), and decode_responses."""
    from gi.repository import DtRedis  # the overridden Config and Instance
    kwargs = dict(kwargs)
    decode = bool(kwargs.pop('decode_responses', False))
    config = DtRedis.Config.new_from_url(url)
    config.apply_redis_py_options(kwargs)
    return DtRedis.Instance(config), decode


class _DecodedClient(ClientExtras, _DecodingProxy, _Commands):
    """A Client whose replies come back as str (decode_responses=True):
    hgetall() gives a dict of str, zrange(withscores=True) pairs of str and
    float, strict UTF-8 as in redis-py (see _DecodingProxy).  Pipelines
    and transactions from it decode too."""

    _plain_execute = staticmethod(Client._execute)

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline whose results are decoded."""
        return _Pipeline(self._client, transaction, True)

    transaction = Client.transaction
    __enter__ = Client.__enter__
    __exit__ = Client.__exit__

    def close(self):
        """Closes the wrapped client."""
        self._client.close()
