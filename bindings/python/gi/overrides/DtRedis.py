# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for DtRedis: a redis-py compatible Python layer.

With these overrides, code written for redis-py (through dtpyfw's
``RedisInstance``) runs on dtredis with only its imports changed::

    import gi
    gi.require_version("DtRedis", "1.0")
    from gi.repository import DtRedis

    config = DtRedis.Config().set_redis_host("localhost").set_redis_db("0")
    instance = DtRedis.Instance(config)
    with instance.get_redis() as client:
        client.set("greeting", "hello")
        client.get("greeting")            # b'hello'

    async with instance.get_async_redis() as client:     # under asyncio
        await client.get("greeting")      # b'hello'

Commands have redis-py's names, signatures and return values (bytes,
ints, floats, lists, sets, dicts, tuples, True/None).  Errors are the
exception classes below, all subclasses of ``DtRedis.RedisError``, made
from the library's GErrors and the server's error replies by one table,
``_ERRORS``, and always raised, never returned.  Pipelines have redis-py's
optimistic transactions: watch() sends WATCH at once on a leased
connection (see _PipelineBase).

The asyncio bridge
------------------
PyGObject 3.42 knows nothing of asyncio, so the awaitable commands go
through a bridge (``_Bridge``).  One daemon thread per process,
"dtredis-glib", runs a ``GLib.MainLoop`` on a private ``GLib.MainContext``
that it has pushed as its thread-default context.  Every C ``_async``
call starts on that thread, so the async pool of each instance lives on
that context (the pool binds to the context of the thread that sends its
first command), and every completion callback runs there too.

- A command makes a future on the running event loop and queues a
  ``_Call`` on that loop's ``_Channel``.  The first command of a loop
  iteration schedules one wakeup of the worker (``call_soon()``, then
  ``GLib.MainContext.invoke_full()``), so a ``gather()`` of thousands of
  commands reaches the worker as one batch.
- The worker starts the calls.  Commands that cannot block are sent per
  client as one non-transactional ``DtRedis.Pipeline``; the others
  (BLPOP, SUBSCRIBE, transactions...) each with their own
  ``Gio.Cancellable``.
- The worker converts replies to Python values, queues them on the
  channel, and once per GLib main loop iteration (an idle source)
  schedules one drain on the event loop with ``call_soon_threadsafe()``.

Why this is safe:

- The GMainContext has one owner, the worker: no other thread iterates
  it or starts a C call on it.
- Futures are made, resolved and cancelled only on their event loop's
  thread; the worker only fills plain ``_Call`` objects and deques.
- ``deque.append()`` and ``deque.popleft()`` are atomic under the GIL.
  Each "wakeup pending" flag is read and written by one thread only, and
  cleared before its deque is emptied, so no item is left without a
  wakeup.
- ``g_cancellable_cancel()`` is thread-safe: cancelling the task that
  awaits a command sent alone cancels its GCancellable from the loop's
  thread, and the task raises CancelledError only once the C call has
  ended (``_SoloFuture``), so a cancelled BLPOP's connection is closed
  before the cancel is reported and pops nothing afterwards.  A command
  not yet handed to the worker is never sent.  A batched command's
  future is cancelled at once: such commands cannot block.
"""

import asyncio
import collections
import collections.abc
import contextlib
import datetime
import functools
import inspect
import os
import threading
import time
import weakref

from gi.repository import Gio, GLib

from ..module import get_introspection_module
from ..overrides import override

DtRedis = get_introspection_module('DtRedis')

__all__ = []


# -- exceptions --------------------------------------------------------------

class RedisError(Exception):
    """Base class of every error this layer raises (redis-py's RedisError)."""


class ConnectionError(RedisError):  # noqa: A001 - redis-py's name
    """The server could not be reached, or the connection broke."""


class TimeoutError(RedisError):  # noqa: A001 - redis-py's name
    """The server did not answer within the socket timeout."""


class AuthenticationError(ConnectionError):
    """The server refused the credentials (NOAUTH, WRONGPASS)."""


class ResponseError(RedisError):
    """The server answered with an error reply; the message is its text."""


class ExecAbortError(ResponseError):
    """A transaction was discarded because a command was refused (EXECABORT)."""


class NoScriptError(ResponseError):
    """EVALSHA named a script the server does not have (NOSCRIPT)."""


class ReadOnlyError(ResponseError):
    """A write was sent to a read-only replica (READONLY)."""


class NoPermissionError(ResponseError):
    """The ACL user may not run the command (NOPERM)."""


class AuthenticationWrongNumberOfArgsError(ResponseError):
    """AUTH got a wrong number of arguments."""


class BusyLoadingError(ConnectionError):
    """The server is loading its dataset (LOADING)."""


class DataError(RedisError):
    """A value cannot be sent as a Redis argument (bool, None...)."""


class InvalidConfigError(RedisError, ValueError):
    """A setting or URL of the configuration is malformed or out of range."""


class InvalidResponse(RedisError):
    """The server sent something that is not valid RESP."""


class WatchError(RedisError):
    """A watched key changed, so the transaction ran nothing."""


__all__ += ['RedisError', 'ConnectionError', 'TimeoutError',
            'AuthenticationError', 'ResponseError', 'ExecAbortError',
            'NoScriptError', 'ReadOnlyError', 'NoPermissionError',
            'AuthenticationWrongNumberOfArgsError', 'BusyLoadingError',
            'DataError', 'InvalidConfigError', 'InvalidResponse',
            'WatchError']

_DOMAIN = 'dt-redis-error-quark'
_IO_DOMAIN = 'g-io-error-quark'


def _code(name):
    """(domain, code) of DtRedis.Error.@name, or None if this build lacks it."""
    code = getattr(DtRedis.Error, name, None)
    return None if code is None else (_DOMAIN, int(code))


# The one table of exception classes, used by every path.  Its keys are of
# two kinds:
#
# - (domain, code) of a GLib.Error: what the library reports;
# - the first word of a server error reply, as redis-py parses it ("ERR"
#   refined by the rest of the text): the word is dropped from the
#   message.  A reply with a word not listed is a ResponseError with its
#   whole text.
#
# A GLib.Error whose code carries a server reply (SERVER, AUTH, LOADING)
# is refined by its text with the same table; see _error().  Extend the
# table when the library grows a code or redis-py a class.
_ERRORS = {
    _code('FAILED'): RedisError,
    _code('INVALID_CONFIG'): InvalidConfigError,
    _code('CONNECTION'): ConnectionError,
    _code('TIMEOUT'): TimeoutError,
    _code('POOL_TIMEOUT'): ConnectionError,
    _code('PROTOCOL'): InvalidResponse,
    _code('SERVER'): ResponseError,
    _code('AUTH'): AuthenticationError,
    _code('TLS'): ConnectionError,
    _code('CLOSED'): ConnectionError,
    _code('TRANSACTION_ABORTED'): WatchError,
    _code('LOADING'): BusyLoadingError,
    _code('ENCODING'): DataError,
    (_IO_DOMAIN, int(Gio.IOErrorEnum.CANCELLED)): asyncio.CancelledError,
    (_IO_DOMAIN, int(Gio.IOErrorEnum.TIMED_OUT)): TimeoutError,
    'ERR': {
        'max number of clients reached': ConnectionError,
        'Client sent AUTH, but no password is set': AuthenticationError,
        'invalid password': AuthenticationError,
        "wrong number of arguments for 'auth' command":
            AuthenticationWrongNumberOfArgsError,
        "wrong number of arguments for 'AUTH' command":
            AuthenticationWrongNumberOfArgsError,
    },
    'EXECABORT': ExecAbortError,
    'LOADING': BusyLoadingError,
    'NOSCRIPT': NoScriptError,
    'READONLY': ReadOnlyError,
    'NOAUTH': AuthenticationError,
    'NOPERM': NoPermissionError,
    'WRONGPASS': AuthenticationError,
}
_ERRORS.pop(None, None)  # a code this build of the library lacks
# Codes the table does not name fall back to their domain's class.
_DOMAIN_CLASSES = {_DOMAIN: RedisError, _IO_DOMAIN: ConnectionError}
# The GError codes whose message is (or may be) the server's reply text.
_REPLY_CODES = frozenset(key for key in (_code('SERVER'), _code('AUTH'), _code('LOADING'),
                                         _code('CONNECTION'))
                         if key is not None)


def _reply_class(message):
    """(class, message) for a server error reply's text, per _ERRORS.

    The class is None when the first word is not in the table.
    """
    word, _, rest = message.partition(' ')
    cls = _ERRORS.get(word)
    if isinstance(cls, dict):
        cls = cls.get(rest, ResponseError)
    if cls is None:
        return None, message
    return cls, rest


def _response_error(message):
    """The exception for a server error reply with text @message."""
    cls, text = _reply_class(message)
    if cls is None:
        return ResponseError(message)
    return cls(text)


def _is_error_reply(value):
    """Whether a parsed reply stands for an error reply (see _from_reply)."""
    return isinstance(value, RedisError)


def _error(error):
    """Maps a GLib.Error to the exception to raise, with it as __cause__.

    SERVER errors are the server's text, classed by it alone.  AUTH,
    LOADING and CONNECTION may carry a reply too: its text picks a
    subclass of the code's class (AUTH with "WRONGPASS ..." is an
    AuthenticationError with redis-py's message), never another class.
    The messages come from the library, which never puts a password in
    them.
    """
    key = (error.domain, error.code)
    cls = _ERRORS.get(key)
    if cls is None:
        cls = _DOMAIN_CLASSES.get(error.domain, RedisError)
    message = error.message
    if key in _REPLY_CODES:
        refined, text = _reply_class(message)
        if refined is not None and (cls is ResponseError or issubclass(refined, cls)):
            cls, message = refined, text
    exc = cls(message)
    exc.__cause__ = error
    return exc


# -- values: Python to Redis and back -----------------------------------------

_Bytes = GLib.Bytes.new
_bytes_data = GLib.Bytes.get_data


def _encode_slow(value):
    """_encode() for the less common types, with redis-py's checks."""
    if isinstance(value, (bytes, memoryview)):
        return bytes(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise DataError("Invalid input of type: '%s'. Convert to a bytes, "
                        "string, int or float first." % type(value).__name__)
    if isinstance(value, str):
        return value.encode()
    return repr(value).encode()


def _encode(value):
    """Encodes one argument as redis-py does: str as UTF-8, numbers by repr."""
    kind = type(value)
    if kind is bytes:
        return value
    if kind is str:
        return value.encode()
    if kind is int or kind is float:
        return repr(value).encode()
    return _encode_slow(value)


def _gbytes(value):
    """One argument as a GLib.Bytes."""
    return _Bytes(_encode(value))


def _argv(args):
    """A command as the list of GLib.Bytes execute_bytes() takes."""
    return [_Bytes(_encode(arg)) for arg in args]


def _is_key(value):
    """Whether @value can go to a typed C helper as a utf8 key."""
    return type(value) is str and '\0' not in value


def _are_keys(values):
    """Whether every element of @values can go into a C string array."""
    for value in values:
        if type(value) is not str or '\0' in value:
            return False
    return True


def _values_as_text(values):
    """@values as the str the server would get, or None if one is binary."""
    texts = []
    for value in values:
        kind = type(value)
        if kind is str:
            if '\0' in value:
                return None
            texts.append(value)
        elif kind is int or kind is float:
            texts.append(repr(value))
        else:
            return None
    return texts


def _is_int64(value):
    """Whether @value can go to a gint64 parameter exactly."""
    return type(value) is int and -0x8000000000000000 <= value <= 0x7fffffffffffffff


def _seconds(value):
    """A time to live in seconds: timedelta becomes int, as in redis-py."""
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds())
    return value


def _milliseconds(value):
    """A time to live in milliseconds: timedelta becomes int, as in redis-py."""
    if isinstance(value, datetime.timedelta):
        return int(value.total_seconds() * 1000)
    return value


def _list_or_args(keys, args):
    """redis-py's list_or_args(): a key or iterable of keys, plus more keys."""
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


_REPLY_NIL = DtRedis.ReplyType.NIL
_REPLY_STATUS = DtRedis.ReplyType.STATUS
_REPLY_INTEGER = DtRedis.ReplyType.INTEGER
_REPLY_STRING = DtRedis.ReplyType.STRING
_REPLY_ARRAY = DtRedis.ReplyType.ARRAY
_reply_type = DtRedis.Reply.get_reply_type
_reply_bytes = DtRedis.Reply.get_bytes
_reply_integer = DtRedis.Reply.get_integer
_reply_n_elements = DtRedis.Reply.get_n_elements
_reply_element = DtRedis.Reply.get_element


def _from_reply(reply):
    """A DtRedis.Reply as redis-py's parser gives it, before callbacks.

    Bulk and status strings are bytes, integers int, nil None, arrays
    lists, and an error reply an instance of its exception class (as
    inside redis-py transaction results), which callers raise.
    """
    kind = _reply_type(reply)
    if kind == _REPLY_STRING or kind == _REPLY_STATUS:
        return _bytes_data(_reply_bytes(reply))
    if kind == _REPLY_INTEGER:
        return _reply_integer(reply)
    if kind == _REPLY_NIL:
        return None
    if kind == _REPLY_ARRAY:
        return [_from_reply(_reply_element(reply, i))
                for i in range(_reply_n_elements(reply))]
    return _response_error(_bytes_data(_reply_bytes(reply)).decode('utf-8', 'replace'))


# Conversions of typed C results.

def _bytes_or_none(data):
    """A GLib.Bytes or None as bytes or None."""
    return None if data is None else _bytes_data(data)


def _bytes_list(array):
    """A list of GLib.Bytes as a list of bytes."""
    return [_bytes_data(item) for item in array]


def _bytes_set(array):
    """A list of GLib.Bytes as a set of bytes."""
    return {_bytes_data(item) for item in array}


_scored_member_bytes = DtRedis.ScoredMember.get_member_bytes
_scored_member_score = DtRedis.ScoredMember.get_score


def _scored(members):
    """A list of DtRedis.ScoredMember as redis-py's [(member, score), ...]."""
    return [(_bytes_data(_scored_member_bytes(member)), _scored_member_score(member))
            for member in members]


def _rank(value):
    """A ZRANK result: -1 means no such member."""
    return None if value < 0 else value


def _score(score):
    """A zscore result as redis-py's float or None: NaN means nil."""
    return None if score != score else score


def _true(_result):
    """Results that mean success: redis-py returns True."""
    return True


def _none(_result):
    """Results that mean nothing in Python."""
    return None


# redis-py's response callbacks, by command name.

def _identity(response):
    """The response as parsed, for commands without a callback."""
    return response


def _bool_ok(response):
    """OK -> True."""
    return response == b'OK'


def _set_result(response):
    """SET: True when set, None when NX/XX prevented it."""
    return response and response == b'OK'


def _ping(response):
    """PING: True for PONG."""
    return response == b'PONG'


def _to_set(response):
    """SMEMBERS, SUNION...: a set."""
    return set(response) if response else set()


def _pairs_to_dict(response):
    """HGETALL: a dict, in the server's order."""
    if not response:
        return {}
    it = iter(response)
    return dict(zip(it, it))


def _float_or_none(response):
    """ZSCORE, ZINCRBY: a float or None."""
    return None if response is None else float(response)


def _int_or_none(response):
    """ZRANK: an int or None."""
    return None if response is None else int(response)


def _tuple_or_none(response):
    """BLPOP, BRPOP: a (key, value) tuple or None."""
    return tuple(response) if response else None


def _str_if_bytes(response):
    """A status string as str."""
    return response.decode('utf-8', 'replace') if isinstance(response, bytes) else response


def _config_get(response):
    """CONFIG GET: a dict of str."""
    response = [_str_if_bytes(i) for i in response]
    return _pairs_to_dict(response)


def _time(response):
    """TIME: (seconds, microseconds)."""
    return int(response[0]), int(response[1])


def _zset_pairs(score_cast_func):
    """ZRANGE ... WITHSCORES: a callback giving [(member, score), ...]."""
    def convert(response):
        if not response:
            return response
        it = iter(response)
        return list(zip(it, map(score_cast_func, it)))
    return convert


def _callbacks(names, callback):
    """{name: callback} for each of the space-separated @names."""
    return dict.fromkeys(names.split(), callback)


# The callbacks execute_command() applies; commands not here give the
# parsed reply as it is.
_RESPONSE_CALLBACKS = {
    **_callbacks('AUTH COPY EXPIRE EXPIREAT HEXISTS HMSET MOVE MSETNX PERSIST '
                 'PEXPIRE PEXPIREAT PSETEX RENAMENX SETEX SETNX SISMEMBER '
                 'SMOVE', bool),
    **_callbacks('FLUSHALL FLUSHDB LSET LTRIM MSET PFMERGE QUIT READONLY '
                 'READWRITE RENAME SAVE SELECT SHUTDOWN SLAVEOF SWAPDB UNWATCH '
                 'WATCH ASKING', _bool_ok),
    **_callbacks('BITCOUNT BITPOS DECRBY DEL EXISTS GEOADD GETBIT HDEL HLEN '
                 'HSTRLEN INCRBY LINSERT LLEN LPUSHX PFADD PFCOUNT RPUSHX SADD '
                 'SCARD SDIFFSTORE SETBIT SETRANGE SINTERSTORE SREM STRLEN '
                 'SUNIONSTORE UNLINK XACK XDEL XLEN XTRIM ZCARD ZLEXCOUNT ZREM '
                 'ZREMRANGEBYLEX ZREMRANGEBYRANK ZREMRANGEBYSCORE', int),
    **_callbacks('INCRBYFLOAT HINCRBYFLOAT', float),
    **_callbacks('GEODIST ZINCRBY ZSCORE', _float_or_none),
    **_callbacks('ZADD ZRANK ZREVRANK', _int_or_none),
    **_callbacks('SDIFF SINTER SMEMBERS SUNION', _to_set),
    **_callbacks('BLPOP BRPOP', _tuple_or_none),
    **_callbacks('RESET', _str_if_bytes),
    **_callbacks('BGREWRITEAOF BGSAVE', _true),
    'HGETALL': _pairs_to_dict,
    'LPUSH': lambda r: isinstance(r, int) and r or r == b'OK',
    'RPUSH': lambda r: isinstance(r, int) and r or r == b'OK',
    'PING': _ping,
    'SET': _set_result,
    'CONFIG GET': _config_get,
    'TIME': _time,
    'RANDOMKEY': lambda r: r or None,
}


def _command_callback(args):
    """The callback redis-py's execute_command() would apply to @args."""
    name = args[0]
    if isinstance(name, str):
        return _RESPONSE_CALLBACKS.get(name.upper(), _identity)
    return _identity


def _split_command_name(args):
    """redis-py sends a first argument "CONFIG GET" as two words."""
    name = args[0]
    if isinstance(name, str):
        return tuple(name.split()) + args[1:]
    if isinstance(name, bytes) and b' ' in name:
        return tuple(name.split()) + args[1:]
    return args


# -- the commands, shared by clients and pipelines ----------------------------

class _Commands:
    """redis-py's command methods, each built on self._execute(argv, callback).

    argv is the command as Python values, encoded as redis-py encodes
    them; callback turns the parsed reply into what redis-py returns.  The
    sync client runs the command, the async client returns an awaitable,
    pipelines queue it.  The sync client overrides the commands that have
    a typed C helper, and falls back to these for arguments the helper
    cannot take (binary keys, options).
    """

    def execute_command(self, *args, **options):
        """Runs any command; the reply is converted as redis-py does.

        The callbacks are redis-py's for the commands it knows (SET gives
        True, SMEMBERS a set...); other commands give the parsed reply.
        redis-py's parser options (**options) are accepted and ignored.
        """
        return self._execute(_split_command_name(args), _command_callback(args))

    # strings and keys

    def set(self, name, value, ex=None, px=None, nx=False, xx=False,
            keepttl=False, get=False, exat=None, pxat=None):
        """SET: True, or None when NX/XX kept it from setting (old value with get)."""
        pieces = ['SET', name, value]
        if ex is not None:
            pieces += ['EX', _seconds(ex)]
        if px is not None:
            pieces += ['PX', _milliseconds(px)]
        if exat is not None:
            if isinstance(exat, datetime.datetime):
                exat = int(exat.timestamp())
            pieces += ['EXAT', exat]
        if pxat is not None:
            if isinstance(pxat, datetime.datetime):
                pxat = int(pxat.timestamp() * 1000)
            pieces += ['PXAT', pxat]
        if keepttl:
            pieces.append('KEEPTTL')
        if nx:
            pieces.append('NX')
        if xx:
            pieces.append('XX')
        if get:
            pieces.append('GET')
        return self._execute(pieces, _identity if get else _set_result)

    def get(self, name):
        """GET: bytes, or None for a missing key."""
        return self._execute(('GET', name), _identity)

    def getset(self, name, value):
        """GETSET: the old value, or None."""
        return self._execute(('GETSET', name, value), _identity)

    def mget(self, keys, *args):
        """MGET: a list of bytes or None."""
        return self._execute(['MGET'] + _list_or_args(keys, args), _identity)

    def mset(self, mapping):
        """MSET: True."""
        pieces = ['MSET']
        for pair in mapping.items():
            pieces.extend(pair)
        return self._execute(pieces, _bool_ok)

    def setex(self, name, time, value):
        """SETEX: True."""
        return self._execute(('SETEX', name, _seconds(time), value), bool)

    def incr(self, name, amount=1):
        """INCRBY name amount: the new value."""
        return self._execute(('INCRBY', name, amount), int)

    def incrby(self, name, amount=1):
        """INCRBY: the new value."""
        return self._execute(('INCRBY', name, amount), int)

    def incrbyfloat(self, name, amount=1.0):
        """INCRBYFLOAT: the new value as a float."""
        return self._execute(('INCRBYFLOAT', name, amount), float)

    def decr(self, name, amount=1):
        """DECRBY name amount: the new value."""
        return self._execute(('DECRBY', name, amount), int)

    def decrby(self, name, amount=1):
        """DECRBY: the new value."""
        return self._execute(('DECRBY', name, amount), int)

    def append(self, key, value):
        """APPEND: the new length."""
        return self._execute(('APPEND', key, value), _identity)

    def strlen(self, name):
        """STRLEN: the length of the value."""
        return self._execute(('STRLEN', name), int)

    def ttl(self, name):
        """TTL: seconds to live, -1 without expiry, -2 for a missing key."""
        return self._execute(('TTL', name), _identity)

    def expire(self, name, time, nx=False, xx=False, gt=False, lt=False):
        """EXPIRE: whether the timeout was set."""
        pieces = ['EXPIRE', name, _seconds(time)]
        for flag, word in ((nx, 'NX'), (xx, 'XX'), (gt, 'GT'), (lt, 'LT')):
            if flag:
                pieces.append(word)
        return self._execute(pieces, bool)

    def persist(self, name):
        """PERSIST: whether a timeout was removed."""
        return self._execute(('PERSIST', name), bool)

    def delete(self, *names):
        """DEL: how many keys were removed."""
        return self._execute(('DEL',) + names, int)

    def exists(self, *names):
        """EXISTS: how many of the keys exist."""
        return self._execute(('EXISTS',) + names, int)

    def keys(self, pattern='*', **kwargs):
        """KEYS: the matching key names, as a list of bytes."""
        return self._execute(('KEYS', pattern), _identity)

    def type(self, name):
        """TYPE: the type of the key, as bytes (b'string', b'none'...)."""
        return self._execute(('TYPE', name), _identity)

    def rename(self, src, dst):
        """RENAME: True."""
        return self._execute(('RENAME', src, dst), _bool_ok)

    # hashes

    def hset(self, name, key=None, value=None, mapping=None, items=None):
        """HSET: how many fields were added."""
        if key is None and not mapping and not items:
            raise DataError("'hset' with no key value pairs")
        pieces = list(items) if items else []
        if key is not None:
            pieces.extend((key, value))
        if mapping:
            for pair in mapping.items():
                pieces.extend(pair)
        return self._execute(['HSET', name] + pieces, int)

    def hget(self, name, key):
        """HGET: bytes, or None."""
        return self._execute(('HGET', name, key), _identity)

    def hmget(self, name, keys, *args):
        """HMGET: a list of bytes or None."""
        return self._execute(['HMGET', name] + _list_or_args(keys, args), _identity)

    def hgetall(self, name):
        """HGETALL: a dict of bytes to bytes, in the server's order."""
        return self._execute(('HGETALL', name), _pairs_to_dict)

    def hexists(self, name, key):
        """HEXISTS: a bool."""
        return self._execute(('HEXISTS', name, key), bool)

    def hdel(self, name, *keys):
        """HDEL: how many fields were removed."""
        return self._execute(('HDEL', name) + keys, int)

    def hlen(self, name):
        """HLEN: the number of fields."""
        return self._execute(('HLEN', name), int)

    def hkeys(self, name):
        """HKEYS: the field names."""
        return self._execute(('HKEYS', name), _identity)

    def hvals(self, name):
        """HVALS: the values."""
        return self._execute(('HVALS', name), _identity)

    def hincrby(self, name, key, amount=1):
        """HINCRBY: the new value."""
        return self._execute(('HINCRBY', name, key, amount), _identity)

    # lists

    def lpush(self, name, *values):
        """LPUSH: the new length."""
        return self._execute(('LPUSH', name) + values, int)

    def rpush(self, name, *values):
        """RPUSH: the new length."""
        return self._execute(('RPUSH', name) + values, int)

    def lpop(self, name, count=None):
        """LPOP: bytes or None; a list with count."""
        if count is not None:
            return self._execute(('LPOP', name, count), _identity)
        return self._execute(('LPOP', name), _identity)

    def rpop(self, name, count=None):
        """RPOP: bytes or None; a list with count."""
        if count is not None:
            return self._execute(('RPOP', name, count), _identity)
        return self._execute(('RPOP', name), _identity)

    def blpop(self, keys, timeout=0):
        """BLPOP: a (key, value) tuple, or None on timeout."""
        keys = _list_or_args(keys, None)
        keys.append(0 if timeout is None else timeout)
        return self._execute(['BLPOP'] + keys, _tuple_or_none)

    def brpop(self, keys, timeout=0):
        """BRPOP: a (key, value) tuple, or None on timeout."""
        keys = _list_or_args(keys, None)
        keys.append(0 if timeout is None else timeout)
        return self._execute(['BRPOP'] + keys, _tuple_or_none)

    def llen(self, name):
        """LLEN: the length."""
        return self._execute(('LLEN', name), int)

    def lrange(self, name, start, end):
        """LRANGE: a list of bytes."""
        return self._execute(('LRANGE', name, start, end), _identity)

    def lrem(self, name, count, value):
        """LREM: how many elements were removed."""
        return self._execute(('LREM', name, count, value), _identity)

    def ltrim(self, name, start, end):
        """LTRIM: True."""
        return self._execute(('LTRIM', name, start, end), _bool_ok)

    # sets

    def sadd(self, name, *values):
        """SADD: how many members were added."""
        return self._execute(('SADD', name) + values, int)

    def srem(self, name, *values):
        """SREM: how many members were removed."""
        return self._execute(('SREM', name) + values, int)

    def smembers(self, name):
        """SMEMBERS: a set of bytes."""
        return self._execute(('SMEMBERS', name), _to_set)

    def sismember(self, name, value):
        """SISMEMBER: a bool."""
        return self._execute(('SISMEMBER', name, value), bool)

    def scard(self, name):
        """SCARD: the number of members."""
        return self._execute(('SCARD', name), int)

    def sunion(self, keys, *args):
        """SUNION: a set of bytes."""
        return self._execute(['SUNION'] + _list_or_args(keys, args), _to_set)

    def sinter(self, keys, *args):
        """SINTER: a set of bytes."""
        return self._execute(['SINTER'] + _list_or_args(keys, args), _to_set)

    def sdiff(self, keys, *args):
        """SDIFF: a set of bytes."""
        return self._execute(['SDIFF'] + _list_or_args(keys, args), _to_set)

    # sorted sets

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
            pieces += [score, member]
        return self._execute(pieces, _float_or_none if incr else int)

    def zincrby(self, name, amount, value):
        """ZINCRBY: the new score as a float."""
        return self._execute(('ZINCRBY', name, amount, value), _float_or_none)

    def zscore(self, name, value):
        """ZSCORE: a float, or None."""
        return self._execute(('ZSCORE', name, value), _float_or_none)

    def zrank(self, name, value):
        """ZRANK: an int, or None."""
        return self._execute(('ZRANK', name, value), _int_or_none)

    def zrevrank(self, name, value):
        """ZREVRANK: an int, or None."""
        return self._execute(('ZREVRANK', name, value), _int_or_none)

    def zcard(self, name):
        """ZCARD: the number of members."""
        return self._execute(('ZCARD', name), int)

    def zrem(self, name, *values):
        """ZREM: how many members were removed."""
        return self._execute(('ZREM', name) + values, int)

    def zrange(self, name, start, end, desc=False, withscores=False,
               score_cast_func=float, byscore=False, bylex=False, offset=None,
               num=None):
        """ZRANGE: a list of bytes, or of (member, score) with withscores."""
        if not byscore and not bylex and offset is None and num is None and desc:
            return self.zrevrange(name, start, end, withscores, score_cast_func)
        if byscore and bylex:
            raise DataError('``byscore`` and ``bylex`` can not be specified together.')
        if (offset is None) != (num is None):
            raise DataError('``offset`` and ``num`` must both be specified.')
        if bylex and withscores:
            raise DataError('``withscores`` not supported in combination with ``bylex``.')
        pieces = ['ZRANGE', name, start, end]
        if byscore:
            pieces.append('BYSCORE')
        if bylex:
            pieces.append('BYLEX')
        if desc:
            pieces.append('REV')
        if offset is not None:
            pieces += ['LIMIT', offset, num]
        if withscores:
            pieces.append('WITHSCORES')
            return self._execute(pieces, _zset_pairs(score_cast_func))
        return self._execute(pieces, _identity)

    def zrevrange(self, name, start, end, withscores=False, score_cast_func=float):
        """ZREVRANGE: a list of bytes, or of (member, score) with withscores."""
        if withscores:
            return self._execute(('ZREVRANGE', name, start, end, 'WITHSCORES'),
                                 _zset_pairs(score_cast_func))
        return self._execute(('ZREVRANGE', name, start, end), _identity)

    # server

    def ping(self):
        """PING: True."""
        return self._execute(('PING',), _ping)

    def echo(self, value):
        """ECHO: the value, as bytes."""
        return self._execute(('ECHO', value), _identity)

    def publish(self, channel, message):
        """PUBLISH: how many subscribers got the message."""
        return self._execute(('PUBLISH', channel, message), _identity)

    def dbsize(self):
        """DBSIZE: the number of keys."""
        return self._execute(('DBSIZE',), _identity)

    def flushdb(self, asynchronous=False):
        """FLUSHDB: True."""
        if asynchronous:
            return self._execute(('FLUSHDB', 'ASYNC'), _bool_ok)
        return self._execute(('FLUSHDB',), _bool_ok)

    def flushall(self, asynchronous=False):
        """FLUSHALL: True."""
        if asynchronous:
            return self._execute(('FLUSHALL', 'ASYNC'), _bool_ok)
        return self._execute(('FLUSHALL',), _bool_ok)


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
class Client(_Commands, _CClient):
    """The blocking client, with redis-py's methods; thread-safe.

    Get one from Instance.get_redis() or Instance.get_redis_client().
    Commands with a typed C helper call it directly when their arguments
    allow it (str keys, no options); everything else goes through
    execute() or execute_bytes().  HGETALL does too, although it has a
    helper: its GHashTable would lose the server's field order, which
    redis-py's dict keeps.
    """

    def _execute(self, argv, callback):
        """Runs one command given as Python values; returns callback(reply)."""
        texts = _values_as_text(argv)
        try:
            if texts is not None:
                reply = _c_execute(self, texts, None)
            else:
                reply = _c_execute_bytes(self, _argv(argv), None)
        except GLib.Error as error:
            raise _error(error) from error
        return callback(_from_reply(reply))

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline; a MULTI/EXEC transaction unless transaction=False."""
        return _Pipeline(self, transaction)

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
        """Accepted for redis-py compatibility; the pool stays open."""
        _c_close(self)

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
        time = _seconds(time)
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
        time = _seconds(time)
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
        keys = _list_or_args(keys, args)
        if keys and _are_keys(keys):
            try:
                return _bytes_set(c_function(self, keys, None))
            except GLib.Error as error:
                raise _error(error) from error
        return self._execute([command] + keys, _to_set)

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


__all__.append('Client')


# -- pipelines --------------------------------------------------------------------

_c_pipeline = _CClient.pipeline
_p_append = DtRedis.Pipeline.append
_p_append_bytes = DtRedis.Pipeline.append_bytes
_p_watch = DtRedis.Pipeline.watch
_p_watch_async = DtRedis.Pipeline.watch_async
_p_watch_finish = DtRedis.Pipeline.watch_finish
_p_get_watching = DtRedis.Pipeline.get_watching
_p_unwatch = DtRedis.Pipeline.unwatch
_p_immediate = DtRedis.Pipeline.execute_immediate
_p_immediate_bytes = DtRedis.Pipeline.execute_immediate_bytes
_p_immediate_async = DtRedis.Pipeline.execute_immediate_async
_p_immediate_bytes_async = DtRedis.Pipeline.execute_immediate_bytes_async
_p_immediate_finish = DtRedis.Pipeline.execute_immediate_finish
_p_execute = DtRedis.Pipeline.execute
_p_execute_async = DtRedis.Pipeline.execute_async
_p_execute_finish = DtRedis.Pipeline.execute_finish


def _execute_pipeline(pipe):
    """Runs @pipe on the sync pool: the parsed replies, in order."""
    return [_from_reply(reply) for reply in _p_execute(pipe, None)]


def _finish_pipeline(pipe, result):
    """Finishes Pipeline.execute_async(): the parsed replies, in order."""
    return [_from_reply(reply) for reply in _p_execute_finish(pipe, result)]


def _safe_str(value):
    """An argument as text, for error messages."""
    return value.decode('utf-8', 'replace') if isinstance(value, bytes) else str(value)


def _pipeline_results(values, stack, raise_on_error):
    """The parsed replies of a pipeline as redis-py's execute() returns them.

    Each value goes through its command's callback.  A command's error
    reply, whatever its class (ResponseError, AuthenticationError,
    BusyLoadingError...), is raised (the first one, annotated as redis-py
    does) with raise_on_error, else left in the list as the exception.
    """
    results = []
    for number, (value, (argv, callback)) in enumerate(zip(values, stack), 1):
        if _is_error_reply(value):
            if raise_on_error:
                command = ' '.join(map(_safe_str, argv))
                value.args = ('Command # %d (%s) of pipeline caused error: %s'
                              % (number, command, value.args[0]),) + value.args[1:]
                raise value
            results.append(value)
        else:
            results.append(callback(value))
    return results


def _watch_keys(names):
    """The keys of watch(*names) as the str array DtRedis.Pipeline.watch takes."""
    keys = []
    for name in names:
        if isinstance(name, bytes):
            try:
                name = name.decode()
            except UnicodeDecodeError:
                name = None
        if not _is_key(name):
            raise DataError('watched keys must be text without NUL bytes')
        keys.append(name)
    if not keys:
        raise DataError('watch() needs at least one key')
    return keys


class _PipelineBase(_Commands):
    """What the sync and async pipelines share: queueing, WATCH and MULTI.

    Commands are encoded when queued and sent as one DtRedis.Pipeline by
    execute().  watch() is redis-py's optimistic locking, for real: it
    makes a DtRedis.Pipeline (self._watcher) that leases one connection
    and sends WATCH at once.  Until multi(), commands run at once over
    that connection (DtRedis.Pipeline.execute_immediate) and return their
    result; execute() then sends MULTI, the queued commands and EXEC over
    it, and an EXEC refused because a watched key changed raises
    WatchError.  execute(), reset(), unwatch() and leaving the `with`
    block end the lease: the library closes that connection rather than
    give it back to the pool with WATCH active, so no later command
    inherits the watch.
    """

    def __init__(self, client, transaction):
        self._client = client
        self.transaction = transaction
        self._stack = []
        self._watcher = None  # the DtRedis.Pipeline holding the watched connection
        self.explicit_transaction = False

    def __len__(self):
        return len(self._stack)

    def __bool__(self):
        return True

    @property
    def watching(self):
        """Whether keys are watched: watch() was called and no execute(),
        reset() or unwatch() (or a lost connection) ended it since."""
        watcher = self._watcher
        return watcher is not None and _p_get_watching(watcher)

    def execute_command(self, *args, **options):
        """Queues any command; WATCH and UNWATCH act at once, as in redis-py."""
        name = args[0] if args else None
        if isinstance(name, bytes):
            name = name.decode('utf-8', 'replace')
        if isinstance(name, str) and name.upper() == 'WATCH':
            return self.watch(*args[1:])
        if isinstance(name, str) and name.upper() == 'UNWATCH':
            return self.unwatch()
        return _Commands.execute_command(self, *args, **options)

    def _execute(self, argv, callback):
        if self._watcher is not None and not self.explicit_transaction:
            return self._immediate(argv, callback)
        # Text goes into the C pipeline as a string array, which is
        # cheaper than one GLib.Bytes per argument.
        texts = _values_as_text(argv)
        if texts is None:
            texts = tuple(_encode(arg) for arg in argv)
        self._stack.append((texts, callback))
        return self

    def _reset(self):
        """Drops the queued commands, and the watched connection if any."""
        watcher = self._watcher
        self._stack = []
        self._watcher = None
        self.explicit_transaction = False
        if watcher is not None:
            _p_unwatch(watcher)

    def _after_watch_error(self):
        """After a failed watch() or command while watching: if the library
        ended the lease (the connection broke), the pipeline is reset, as
        redis-py resets it."""
        watcher = self._watcher
        if watcher is not None and not _p_get_watching(watcher):
            self._reset()

    def _watcher_for_watch(self):
        """The DtRedis.Pipeline to send WATCH on: the current one, or a new one."""
        if self.explicit_transaction:
            raise RedisError('Cannot issue a WATCH after a MULTI')
        if self._watcher is None:
            self._watcher = self._make_pipeline(self._client, self.transaction)
        return self._watcher

    def multi(self):
        """Starts the transactional part after watch()."""
        if self.explicit_transaction:
            raise RedisError('Cannot issue nested calls to MULTI')
        if self._stack:
            raise RedisError('Commands without an initial WATCH have already been issued')
        self.explicit_transaction = True

    def _take_commands(self):
        """The queued commands as a filled DtRedis.Pipeline, and the stack.

        The pipeline is the watched one when keys are watched (its
        execute() sends MULTI ... EXEC over the watched connection and
        ends the lease), else a new one.  Empties this pipeline, as
        redis-py does after execute().
        """
        stack, watcher = self._stack, self._watcher
        transaction = self.transaction or self.explicit_transaction
        self._stack = []
        self._watcher = None
        self.explicit_transaction = False
        if watcher is not None and _p_get_watching(watcher):
            pipe = watcher
        else:
            pipe = self._make_pipeline(self._client, transaction)
        for argv, _callback in stack:
            if type(argv) is list:  # text, from _execute()
                _p_append(pipe, argv)
            else:
                _p_append_bytes(pipe, [_Bytes(arg) for arg in argv])
        return pipe, stack


class _Pipeline(_PipelineBase):
    """redis-py's Pipeline: chained commands, then execute()."""

    _make_pipeline = staticmethod(_c_pipeline)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.reset()

    def reset(self):
        """Drops the queued commands and ends the watch, if any."""
        self._reset()

    def watch(self, *names):
        """WATCH @names now, on a connection leased for this pipeline; True.

        Until multi(), the pipeline's commands run at once over that
        connection.  Calling it again adds keys.
        """
        keys = _watch_keys(names)
        watcher = self._watcher_for_watch()
        try:
            _p_watch(watcher, keys, None)
        except GLib.Error as error:
            self._after_watch_error()
            raise _error(error) from error
        return True

    def unwatch(self):
        """Ends the watch (the watched connection is closed); True."""
        if self._watcher is not None:
            watcher, self._watcher = self._watcher, None
            _p_unwatch(watcher)
        return True

    def _immediate(self, argv, callback):
        """Runs one command at once over the watched connection."""
        watcher = self._watcher
        texts = _values_as_text(argv)
        try:
            if texts is not None:
                reply = _p_immediate(watcher, texts, None)
            else:
                reply = _p_immediate_bytes(watcher, _argv(argv), None)
        except GLib.Error as error:
            self._after_watch_error()
            raise _error(error) from error
        return callback(_from_reply(reply))

    def execute(self, raise_on_error=True):
        """Runs the queued commands; their results, as redis-py gives them.

        While watching, this is MULTI, the commands and EXEC over the
        watched connection, even with no command queued; WatchError if a
        watched key changed.
        """
        if not self._stack and not self.watching:
            self._reset()
            return []
        pipe, stack = self._take_commands()
        try:
            values = _execute_pipeline(pipe)
        except GLib.Error as error:
            raise _error(error) from error
        return _pipeline_results(values, stack, raise_on_error)


# -- the asyncio bridge -----------------------------------------------------------

# Uncancelled GCancellables kept for reuse: making one per call costs more
# than the rest of the call on the worker.
_SPARE_CANCELLABLES = 4096

# Most commands sent in one batch (one DtRedis.Pipeline): enough to make
# the per-batch cost vanish, few enough that the first results of a big
# gather() come back early and that batches spread over connections.
_BATCH_LIMIT = 512

# Commands that never block and leave the connection as they found it go
# in batches; any other (BLPOP, SUBSCRIBE, SELECT, MULTI, an admin command
# such as DEBUG SLEEP, an unknown one...) is sent alone, with its own
# GCancellable.  The library's command table says which is which; answers
# are cached by name (and subcommand, for containers such as CLIENT).
_Traits = DtRedis.CommandTraits
_NOT_BATCHED = _Traits.BLOCKING | _Traits.STATEFUL | _Traits.ADMIN
_batchable_names = {}


def _traits_batchable(traits):
    return bool(traits & _Traits.KNOWN) and not traits & _NOT_BATCHED


def _is_batchable(argv):
    """Whether the command @argv may share a batch with others."""
    name = argv[0]
    if type(name) is bytes:
        try:
            name = name.decode('ascii')
        except UnicodeDecodeError:
            return False
    elif type(name) is not str:
        return False
    name = name.upper()
    known = _batchable_names.get(name)
    if known is None:
        traits = DtRedis.command_get_traits(name, None)
        known = 'sub' if traits & _Traits.SUBCOMMANDS else _traits_batchable(traits)
        _batchable_names[name] = known
    if known != 'sub':
        return known
    if len(argv) < 2:
        return False
    sub = argv[1]
    if type(sub) is bytes:
        try:
            sub = sub.decode('ascii')
        except UnicodeDecodeError:
            return False
    elif type(sub) is not str:
        return False
    full = name + '|' + sub.upper()
    known = _batchable_names.get(full)
    if known is None:
        known = _batchable_names[full] = _traits_batchable(DtRedis.command_get_traits(name, sub))
    return known


class _CallFuture(asyncio.Future):
    """The future of one batched command; cancelling it cancels at once.

    Commands return it directly rather than a coroutine: asyncio.gather()
    takes a future as it is, where it wraps each coroutine in a Task,
    which would cost more than the command itself.  It also speaks the
    coroutine protocol (send, throw, close: those of the iterator that
    awaiting it gives), so asyncio.create_task() and asyncio.run() accept
    it as they accept redis-py's coroutines.
    """

    __slots__ = ('_call', '_steps')

    def _iterator(self):
        steps = self._steps
        if steps is None:
            steps = self._steps = self.__await__()
        return steps

    def send(self, value):
        """Coroutine protocol: one step of awaiting the future."""
        return self._iterator().send(value)

    def throw(self, *exc_info):
        """Coroutine protocol: raises @exc_info where the future is awaited.

        Whoever awaited the command gives up on it (a Task cancelled before
        its first step throws CancelledError in), so the call is cancelled.
        """
        self.cancel()
        return self._iterator().throw(*exc_info)

    def close(self):
        """Coroutine protocol: gives up on the command, as throw() does."""
        self.cancel()
        self._steps = None

    def cancel(self, msg=None):
        """Cancels the future; a command not yet sent is never sent.

        A batched command already sent runs on the server (it cannot
        block and leaves its connection as it found it); its reply is
        dropped.
        """
        if not super().cancel(msg):
            return False
        call = self._call
        if call is not None:
            call.cancelled = True
        return True


collections.abc.Coroutine.register(_CallFuture)


class _SoloFuture(asyncio.Future):
    """The future of a call sent alone; it ends only when the C call has.

    cancel() marks the call cancelled and cancels its GCancellable, but
    leaves the future pending and returns False, unless the worker has
    not started the call (then it never will, and the future is cancelled
    at once).  The future then ends when the C call completes: cancelled
    if it ended with G_IO_ERROR_CANCELLED, else with its result or error.
    A task awaiting it (Task.cancel() remembers the request when the
    future refuses it) raises CancelledError only then, so by the time
    the cancel is reported, the pool has closed a blocking command's
    connection: a BLPOP reported cancelled can pop nothing afterwards.
    asyncio.wait_for() waits for such a future to end as well.
    """

    __slots__ = ('_call',)

    def cancel(self, msg=None):
        """Asks the C call to stop; see the class documentation."""
        call = self._call
        if call is None or self.done():
            return super().cancel(msg)
        # The worker sets .cancellable before it checks .cancelled, so one
        # of the two always sees the other's write: either the worker
        # skips the call, or the GCancellable gets cancelled here.
        call.cancelled = True
        cancellable = call.cancellable
        if cancellable is None:
            return super().cancel(msg)
        cancellable.cancel()
        return False


class _Call:
    """One call on its way between an event loop and the worker.

    A single call runs start(target, *args, cancellable, callback) and
    gives convert(finish(target, result)).  A batched call (finish is
    None) is a command queued with start(pipeline, args) into a batch of
    @target, an AsyncClient; its reply goes through convert, the command's
    redis-py callback.
    """

    __slots__ = ('future', 'channel', 'target', 'start', 'args', 'finish',
                 'convert', 'cancellable', 'cancelled')

    def __init__(self, future, channel, target, start, args, finish, convert):
        self.future = future
        self.channel = channel
        self.target = target
        self.start = start
        self.args = args
        self.finish = finish
        self.convert = convert
        self.cancellable = None
        self.cancelled = False


def _call_done(source, result, call):
    """On the worker: the GAsyncReadyCallback of a single call."""
    try:
        value = call.convert(call.finish(source, result))
    except GLib.Error as error:
        call.channel.push(call, False, _error(error))
    except Exception as error:  # a conversion or callback failed
        call.channel.push(call, False, error)
    else:
        call.channel.push(call, True, value)


def _batch_done(pipe, result, batch):
    """On the worker: the GAsyncReadyCallback of a batch."""
    channel, calls = batch
    push = channel.push
    try:
        values = _finish_pipeline(pipe, result)
    except Exception as error:  # every command of the batch gets it
        for call in calls:
            push(call, False, _error(error) if isinstance(error, GLib.Error) else error)
        return
    for call, value in zip(calls, values):
        if _is_error_reply(value):  # raised by the await, whatever its class
            push(call, False, value)
            continue
        try:
            value = call.convert(value)
        except Exception as error:  # a callback failed
            push(call, False, error)
        else:
            push(call, True, value)


class _Channel:
    """The calls of one event loop, to the worker and back, in batches.

    Each side has its own deque and its own "wakeup pending" flag, which
    only its own thread reads and writes: the loop wakes the worker once
    per loop iteration (from a call_soon() callback, so a gather() of many
    commands becomes one batch), and the worker wakes the loop once per
    GLib main loop iteration (from an idle source), so both threads do
    their share of the work in few, long turns of the GIL.
    """

    def __init__(self, bridge, loop):
        self._bridge = bridge
        # Weak: the bridge keeps channels for as long as their loops live.
        self._loop = weakref.ref(loop)
        self._outgoing = collections.deque()
        self._kick_pending = False
        self._results = collections.deque()
        self._flush_pending = False

    # The loop's thread.

    def submit(self, call, loop):
        """Queues @call for the worker; @loop is the running loop."""
        self._outgoing.append(call)
        if not self._kick_pending:
            self._kick_pending = True
            loop.call_soon(self._kick_soon, loop)

    def _kick_soon(self, loop):
        # One more turn of the loop: a task made around the command (as in
        # create_task(client.get(k))) has run its first step by then, so
        # cancelling it before it ran sends nothing, as with a coroutine.
        loop.call_soon(self._kick)

    def _kick(self):
        self._kick_pending = False
        self._bridge.context.invoke_full(GLib.PRIORITY_DEFAULT, self._dispatch)

    def _drain(self):
        """Resolves every future whose result came back.

        A resolved future can no longer be cancelled, so its call's
        cancellable goes back to the worker for another call.
        """
        popleft = self._results.popleft
        spare = self._bridge.spare_cancellables
        while True:
            try:
                call, ok, value = popleft()
            except IndexError:
                return
            future = call.future
            future._call = None  # no cycle for the garbage collector
            if future.done():
                continue
            if ok:
                future.set_result(value)
            elif isinstance(value, asyncio.CancelledError):
                # The C call ended cancelled: now the future may be too.
                asyncio.Future.cancel(future)
            else:
                future.set_exception(value)
            cancellable = call.cancellable
            if (cancellable is not None and not call.cancelled
                    and len(spare) < _SPARE_CANCELLABLES):
                spare.append(cancellable)

    # The worker's thread.

    def _dispatch(self, *_unused):
        """Starts every queued call: batches per client, single calls."""
        popleft = self._outgoing.popleft
        spare = self._bridge.spare_cancellables
        batches = {}
        while True:
            try:
                call = popleft()
            except IndexError:
                break
            if call.cancelled:
                continue
            if call.finish is None:
                batch = batches.get(call.target)
                if batch is None:
                    batch = batches[call.target] = []
                batch.append(call)
                if len(batch) == _BATCH_LIMIT:
                    self._send_batch(call.target, batches.pop(call.target))
                continue
            try:
                cancellable = spare.pop()
            except IndexError:
                cancellable = Gio.Cancellable()
            call.cancellable = cancellable
            if call.cancelled:
                # Its future may be waiting for the end of the call (see
                # _SoloFuture): this is it.
                self.push(call, False, asyncio.CancelledError())
                continue
            try:
                call.start(call.target, *call.args, cancellable, _call_done, call)
            except Exception as error:  # arguments the C function refused
                self.push(call, False, error)
        for client, batch in batches.items():
            self._send_batch(client, batch)
        return GLib.SOURCE_REMOVE

    def _send_batch(self, client, calls):
        """Sends @calls as one non-transactional pipeline of @client."""
        pipe = _a_pipeline(client, False)
        try:
            for call in calls:
                call.start(pipe, call.args)
            _p_execute_async(pipe, None, _batch_done, (self, calls))
        except Exception as error:  # arguments the C functions refused
            for call in calls:
                self.push(call, False, error)

    def push(self, call, ok, value):
        """Queues a result for the loop."""
        self._results.append((call, ok, value))
        if not self._flush_pending:
            self._flush_pending = True
            source = GLib.Idle(GLib.PRIORITY_DEFAULT)
            source.set_callback(self._flush)
            source.attach(self._bridge.context)

    def _flush(self, *_unused):
        self._flush_pending = False
        loop = self._loop()
        try:
            loop.call_soon_threadsafe(self._drain)
        except (AttributeError, RuntimeError):
            # The loop is gone or closed: nobody awaits these any more.
            self._results.clear()
        return GLib.SOURCE_REMOVE


def _no_loop():
    """What a dead weak reference to a loop gives."""
    return None


class _Bridge:
    """The worker thread that owns the async pool's GMainContext."""

    def __init__(self):
        self.context = GLib.MainContext.new()
        self.spare_cancellables = collections.deque()
        self._mainloop = GLib.MainLoop.new(self.context, False)
        self._channels = weakref.WeakKeyDictionary()
        self._last_loop = _no_loop
        self._last_channel = None
        started = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(started,),
                                        name='dtredis-glib', daemon=True)
        self._thread.start()
        started.wait()

    def _run(self, started):
        self.context.push_thread_default()
        started.set()
        self._mainloop.run()

    def _channel(self, loop):
        channel = self._channels.get(loop)
        if channel is None:
            channel = self._channels[loop] = _Channel(self, loop)
        self._last_loop = weakref.ref(loop)
        self._last_channel = channel
        return channel

    def _submit(self, loop, future, target, start, args, finish, convert):
        if loop is self._last_loop():
            channel = self._last_channel
        else:
            channel = self._channel(loop)
        call = future._call = _Call(future, channel, target, start, args, finish, convert)
        channel.submit(call, loop)
        return future

    def batched(self, target, start, args, convert):
        """Queues a command for the next batch of @target (see _Call).

        Returns a _CallFuture of the running loop, resolved with the
        converted result or the exception, and sent now: many of them
        make one batch.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            # Called outside a loop (asyncio.run(client.ping())): start
            # when awaited, as a coroutine would.
            return self.solo(target, start, (args,), None, convert)
        future = _CallFuture(loop=loop)
        future._steps = None
        return self._submit(loop, future, target, start, args, None, convert)

    async def solo(self, target, start, args, finish, convert):
        """A call sent alone, with its own GCancellable: a coroutine.

        It is sent when first awaited (a task cancelled before its first
        step sends nothing), and ends only once the C call has (see
        _SoloFuture): cancelled, it raises CancelledError after the pool
        reported the cancel.  @finish None: a batched command, sent in a
        batch of its own.
        """
        loop = asyncio.get_running_loop()
        if finish is None:
            future = _CallFuture(loop=loop)
            future._steps = None
            args, = args
        else:
            future = _SoloFuture(loop=loop)
        return await self._submit(loop, future, target, start, args, finish, convert)


_bridge_lock = threading.Lock()
_bridge_instance = None


def _bridge():
    """The process's bridge, started on first use."""
    global _bridge_instance
    bridge = _bridge_instance
    if bridge is None:
        with _bridge_lock:
            if _bridge_instance is None:
                _bridge_instance = _Bridge()
            bridge = _bridge_instance
    return bridge


def _forget_bridge():
    """In a fork()ed child: the worker thread did not survive the fork."""
    global _bridge_instance, _bridge_lock
    _bridge_instance = None
    _bridge_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_bridge)


# -- the async client ---------------------------------------------------------------

_CAsyncClient = DtRedis.AsyncClient
_a_pipeline = _CAsyncClient.pipeline
_a_close = _CAsyncClient.close
_a_execute_async = _CAsyncClient.execute_async
_a_execute_finish = _CAsyncClient.execute_finish
_a_execute_bytes_async = _CAsyncClient.execute_bytes_async
_a_execute_bytes_finish = _CAsyncClient.execute_bytes_finish


def _generic_convert(callback):
    """The conversion of an execute() reply through @callback."""
    def convert(reply):
        return callback(_from_reply(reply))
    return convert


@override
class AsyncClient(_Commands, _CAsyncClient):
    """The asyncio client: redis-py's asyncio commands, awaitable.

    Get one from Instance.get_async_redis() or
    await Instance.get_async_redis_client().  Each command returns an
    awaitable future (see _CallFuture) run through the bridge described in
    the module documentation: commands that cannot block are sent in
    batches, as non-transactional pipelines; the others one by one, and
    cancelling the task that awaits one of them cancels it in the pool.
    """

    def _execute(self, argv, callback):
        """Queues one command given as Python values; returns its future."""
        texts = _values_as_text(argv)
        if _is_batchable(argv):
            if texts is not None:
                return _bridge().batched(self, _p_append, texts, callback)
            return _bridge().batched(self, _p_append_bytes, _argv(argv), callback)
        if texts is not None:
            return _bridge().solo(self, _a_execute_async, (texts,), _a_execute_finish,
                                  _generic_convert(callback))
        return _bridge().solo(self, _a_execute_bytes_async, (_argv(argv),),
                              _a_execute_bytes_finish, _generic_convert(callback))

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline; a MULTI/EXEC transaction unless transaction=False."""
        return _AsyncPipeline(self, transaction)

    async def transaction(self, func, *watches, shard_hint=None,
                          value_from_callable=False, watch_delay=None):
        """Runs func(pipe) as an optimistic transaction (see Client.transaction).

        @func may be a coroutine function (or return any awaitable): its
        result is awaited, as redis-py's asyncio client does.
        """
        async with self.pipeline(True, shard_hint) as pipe:
            while True:
                try:
                    if watches:
                        await pipe.watch(*watches)
                    value = func(pipe)
                    if inspect.isawaitable(value):
                        value = await value
                    results = await pipe.execute()
                except WatchError:
                    await pipe.reset()
                    if watch_delay is not None and watch_delay > 0:
                        await asyncio.sleep(watch_delay)
                    continue
                return value if value_from_callable else results

    async def close(self):
        """Accepted for redis-py compatibility; the pool stays open."""
        _a_close(self)

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.close()


async def _raise(error):
    """Raises @error when awaited."""
    raise error


def _awaitable_method(method):
    """@method, with its argument errors (DataError...) raised when awaited.

    redis-py's asyncio commands are coroutines, which raise nothing before
    they are awaited.
    """
    @functools.wraps(method)
    def command(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except RedisError as error:
            return _raise(error)
    return command


for _name in [name for name in vars(_Commands) if not name.startswith('_')]:
    setattr(AsyncClient, _name, _awaitable_method(getattr(_Commands, _name)))
del _name

__all__.append('AsyncClient')


async def _ready(value):
    """@value, as an awaitable."""
    return value


class _AsyncPipeline(_PipelineBase):
    """redis-py's asyncio Pipeline: `await pipe.set(...)` chains, then execute().

    While watching, `await pipe.get(k)` runs GET at once over the watched
    connection and gives its value; multi() (a plain method, as in
    redis-py) starts queueing.  The watched connection comes from the
    instance's sync pool; the library runs its blocking I/O in a GIO
    worker thread, so the event loop never blocks.
    """

    _make_pipeline = staticmethod(_a_pipeline)

    def __await__(self):
        """Awaiting the pipeline gives the pipeline, as in redis-py."""
        return _ready(self).__await__()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.reset()

    async def reset(self):
        """Drops the queued commands and ends the watch, if any."""
        self._reset()

    async def watch(self, *names):
        """WATCH @names now, on a connection leased for this pipeline; True.

        Until multi(), the pipeline's commands run at once over that
        connection.  Calling it again adds keys.
        """
        keys = _watch_keys(names)
        watcher = self._watcher_for_watch()
        try:
            await _bridge().solo(watcher, _p_watch_async, (keys,), _p_watch_finish, _true)
        except BaseException:  # an error, or a cancel: the library knows if it holds a lease
            self._after_watch_error()
            raise
        return True

    async def unwatch(self):
        """Ends the watch (the watched connection is closed); True."""
        if self._watcher is not None:
            watcher, self._watcher = self._watcher, None
            _p_unwatch(watcher)
        return True

    async def _immediate(self, argv, callback):
        """Runs one command at once over the watched connection."""
        watcher = self._watcher
        texts = _values_as_text(argv)
        try:
            if texts is not None:
                return await _bridge().solo(watcher, _p_immediate_async, (texts,),
                                            _p_immediate_finish, _generic_convert(callback))
            return await _bridge().solo(watcher, _p_immediate_bytes_async, (_argv(argv),),
                                        _p_immediate_finish, _generic_convert(callback))
        except BaseException:
            self._after_watch_error()
            raise

    async def execute(self, raise_on_error=True):
        """Runs the queued commands; their results, as redis-py gives them.

        While watching, this is MULTI, the commands and EXEC over the
        watched connection, even with no command queued; WatchError if a
        watched key changed.  Cancelled, it raises CancelledError once
        the library has finished with the pipeline (the transaction may
        have run).
        """
        if not self._stack and not self.watching:
            self._reset()
            return []
        pipe, stack = self._take_commands()

        def convert(values):
            return _pipeline_results(values, stack, raise_on_error)
        return await _bridge().solo(pipe, _p_execute_async, (), _finish_pipeline, convert)


# -- configuration and instance ---------------------------------------------------------

_CConfig = DtRedis.Config


@override
class Config(_CConfig):
    """Connection settings with fluent setters (each returns the config)."""

    @classmethod
    def new_from_url(cls, url):
        """A configuration parsed from @url; InvalidConfigError if it is bad."""
        try:
            return _CConfig.new_from_url(url)
        except GLib.Error as error:
            raise _error(error) from error

    def validate(self):
        """True, or raises InvalidConfigError naming the bad setting."""
        try:
            return _CConfig.validate(self)
        except GLib.Error as error:
            raise _error(error) from error


__all__.append('Config')

_CInstance = DtRedis.Instance
_i_get_redis_client = _CInstance.get_redis_client
_i_get_async_redis_client = _CInstance.get_async_redis_client
_i_reset_async_pool = (_CInstance.reset_async_pool_async,
                       _CInstance.reset_async_pool_finish)
_i_ping = _CInstance.ping


@override
class Instance(_CInstance):
    """dtpyfw's RedisInstance: lazy sync and async pools for one config.

    Instance(config) copies @config and does no I/O; pools open on first
    use.
    """

    def __init__(self, redis_config=None, **kwargs):
        if redis_config is not None:
            kwargs['config'] = redis_config
        super().__init__(**kwargs)

    @property
    def config(self):
        """The configuration (a snapshot of the one given)."""
        return self.get_config()

    @property
    def redis_url(self):
        """The connection URL, as the seed builds it."""
        return self.get_redis_url()

    def ping(self):
        """Checks the server with PING on the sync pool: True, or raises."""
        try:
            return _i_ping(self, None)
        except GLib.Error as error:
            raise _error(error) from error

    @contextlib.contextmanager
    def get_redis(self):
        """Context manager yielding a sync Client, closed on exit."""
        client = _i_get_redis_client(self)
        try:
            yield client
        finally:
            client.close()

    async def get_async_redis_client(self):
        """An AsyncClient (a coroutine, as in the seed); close it when done."""
        return _i_get_async_redis_client(self)

    @contextlib.asynccontextmanager
    async def get_async_redis(self):
        """Async context manager yielding an AsyncClient, closed on exit."""
        client = _i_get_async_redis_client(self)
        try:
            yield client
        finally:
            await client.close()

    async def reset_async_pool(self):
        """Closes the async pool's connections; the next command opens new ones."""
        start, finish = _i_reset_async_pool
        await _bridge().solo(self, start, (), finish, _none)


__all__.append('Instance')


def is_redis_connected(redis_instance):
    """The seed's health check: (True, None), or (False, the exception)."""
    try:
        with redis_instance.get_redis() as client:
            client.ping()
        return True, None
    except Exception as error:  # the health check reports every failure
        return False, error


__all__.append('is_redis_connected')
