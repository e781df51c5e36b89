# SPDX-License-Identifier: LGPL-2.1-or-later
"""What every part of the DtRedis Python layer shares: the exception
mapping (GErrors and error replies to classes), the conversion of values
(Python to Redis arguments, DtRedis.Reply to Python), redis-py's
response callbacks by command name, and _Commands, the base of clients
and pipelines."""

import asyncio

from gi.repository import Gio, GLib

from gi.module import get_introspection_module
from . import commands as _generated
from . import convert as _convert
from .commands import Commands as _GeneratedCommands
from .exceptions import (
    AskError, AuthenticationError, AuthenticationWrongNumberOfArgsError, BusyLoadingError,
    ClusterCrossSlotError, ClusterDownError, ConnectionError, DataError, ExecAbortError,
    InvalidConfigError, InvalidResponse, MasterDownError, ModuleError, MovedError,
    NoPermissionError, NoScriptError, ReadOnlyError, RedisClusterException, RedisError,
    ResponseError, TimeoutError, TryAgainError, WatchError)
from .hand_commands import HandCommands as _HandCommands
from .hand_server_commands import HandServerCommands as _HandServerCommands

DtRedis = get_introspection_module('DtRedis')

# -- exceptions: GErrors and error replies to classes -------------------------

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
    _code('CROSS_SLOT'): RedisClusterException,
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
        'Error loading the extension. Please check the server logs.': ModuleError,
        'Error unloading module: no such module with that name': ModuleError,
        'Error unloading module: operation not possible.': ModuleError,
        'Error unloading module: the module exports one or more module-side '
        'data types, can\'t unload': ModuleError,
    },
    'EXECABORT': ExecAbortError,
    'LOADING': BusyLoadingError,
    'NOSCRIPT': NoScriptError,
    'READONLY': ReadOnlyError,
    'NOAUTH': AuthenticationError,
    'NOPERM': NoPermissionError,
    'WRONGPASS': AuthenticationError,
    # Redis Cluster, as redis-py's ClusterParser has them.
    'ASK': AskError,
    'TRYAGAIN': TryAgainError,
    'MOVED': MovedError,
    'CLUSTERDOWN': ClusterDownError,
    'CROSSSLOT': ClusterCrossSlotError,
    'MASTERDOWN': MasterDownError,
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
    """@values as the str the server would get, or None if one is binary.

    A list of str without NUL (the common case) is returned as it is."""
    if type(values) is list:
        for value in values:
            if type(value) is not str or '\0' in value:
                break
        else:
            return values
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


_REPLY_NIL = DtRedis.ReplyType.NIL
_REPLY_STATUS = DtRedis.ReplyType.STATUS
_REPLY_INTEGER = DtRedis.ReplyType.INTEGER
_REPLY_STRING = DtRedis.ReplyType.STRING
_REPLY_ARRAY = DtRedis.ReplyType.ARRAY
_reply_type = DtRedis.Reply.get_reply_type
_reply_bytes = DtRedis.Reply.get_bytes
_reply_data = DtRedis.Reply.get_data
_reply_integer = DtRedis.Reply.get_integer
_reply_n_elements = DtRedis.Reply.get_n_elements
_reply_element = DtRedis.Reply.get_element


def _from_reply(reply):
    """A DtRedis.Reply as redis-py's parser gives it, before callbacks.

    Bulk and status strings are bytes, integers int, nil None, arrays
    lists, and an error reply an instance of its exception class (as
    inside redis-py transaction results), which callers raise.
    """
    # One call into C for the common case, a string that is not empty
    # (get_data() gives b'' for every other reply too).
    data = _reply_data(reply)
    if data:
        return data
    kind = _reply_type(reply)
    if kind == _REPLY_STRING or kind == _REPLY_STATUS:
        return data
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


# redis-py's response callbacks, by command name: the generated table
# (from each command's first py line, hand-written methods included).
_RESPONSE_CALLBACKS = dict(_generated.RESPONSE_CALLBACKS)
# ASKING has no method (it belongs to Cluster routing); redis-py converts it.
_RESPONSE_CALLBACKS['ASKING'] = _convert.bool_ok
_RESPONSE_CALLBACKS.update(('CLUSTER ' + sub, conversion)
                           for sub, conversion in _convert.CLUSTER.items())


def _command_callback(args):
    """The callback redis-py's execute_command() would apply to @args."""
    name = args[0]
    if isinstance(name, bytes):
        name = name.decode('utf-8', 'replace')
    if isinstance(name, str):
        words = name.upper().split()
        if len(words) == 1 and len(args) > 1 and isinstance(args[1], (str, bytes)):
            sub = args[1].decode('utf-8', 'replace') if isinstance(args[1], bytes) else args[1]
            pair = words[0] + ' ' + sub.upper()
            if pair in _RESPONSE_CALLBACKS:
                return _RESPONSE_CALLBACKS[pair]
        return _RESPONSE_CALLBACKS.get(' '.join(words), _convert.raw)
    return _convert.raw


def _split_command_name(args):
    """redis-py sends a first argument "CONFIG GET" as two words."""
    name = args[0]
    if isinstance(name, str):
        return tuple(name.split()) + args[1:]
    if isinstance(name, bytes) and b' ' in name:
        return tuple(name.split()) + args[1:]
    return args


def _decoded(value):
    """A parsed reply with every string decoded, as redis-py's parser
    gives it under decode_responses=True (strict UTF-8)."""
    kind = type(value)
    if kind is bytes:
        return value.decode()
    if kind is list:
        return [_decoded(item) for item in value]
    return value


def _decoding(callback):
    """@callback, given the decoded reply (unless it takes binary data)."""
    if getattr(callback, 'never_decode', False):
        return callback

    def convert(response):
        return callback(_decoded(response))
    return convert


def _instance_of(client):
    """The instance behind any of our clients (decoding ones, pipelines and
    the asyncio single-connection client included), and whether that
    client is an asyncio one: what pubsub(), monitor() and client() make
    their objects from."""
    while not isinstance(client, (DtRedis.Client, DtRedis.AsyncClient)):
        client = client._client
    return client.props.instance, isinstance(client, DtRedis.AsyncClient)


def _client_repr(client):
    """repr() of a Client or AsyncClient: its instance's redacted URL."""
    instance = client.props.instance
    url = instance.get_config().build_redacted_url() if instance is not None else ''
    return '<%s.%s(%s)>' % (type(client).__module__, type(client).__name__, url)


class _DecodingProxy:
    """What the decode_responses=True clients share (_DecodedClient,
    _DecodedAsyncClient): they wrap a client, send every command through
    its generic path (_plain_execute, the client class's _execute) and
    decode each string of the reply before redis-py's conversion runs.
    Everything else is the wrapped client's."""

    _decode = True

    def __init__(self, client):
        self._client = client

    def _execute(self, argv, callback):
        return self._plain_execute(self._client, argv, _decoding(callback))

    def __repr__(self):
        return repr(self._client).replace('Client(', 'Client(decode_responses=True, ', 1)

    def __getattr__(self, name):
        return getattr(self._client, name)


# -- the commands, shared by clients and pipelines ----------------------------

class _Commands(_HandCommands, _HandServerCommands, _GeneratedCommands):
    """redis-py's command methods, each built on self._execute(argv, callback).

    argv is the command as Python values, encoded as redis-py encodes
    them; callback turns the parsed reply into what redis-py returns.  The
    sync client runs the command, the async client returns an awaitable,
    pipelines queue it.  The methods are generated from the command
    table's "py>" lines (commands.Commands), or written by hand
    where redis-py checks or combines its arguments
    (hand_commands.HandCommands, hand_server_commands.HandServerCommands).  The sync client overrides the
    commands that have a typed C helper, and falls back to these for
    arguments the helper cannot take (binary keys, options).
    """

    def execute_command(self, *args, **options):
        """Runs any command; the reply is converted as redis-py does.

        The callbacks are redis-py's for the commands it knows (SET gives
        True, SMEMBERS a set...); other commands give the parsed reply.
        redis-py's parser options (**options) are accepted and ignored.
        """
        return self._execute(_split_command_name(args), _command_callback(args))
