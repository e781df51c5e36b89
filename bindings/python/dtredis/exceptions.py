# SPDX-License-Identifier: LGPL-2.1-or-later
"""The exception classes of the DtRedis Python layer.

They have redis-py's names and hierarchy.  When the redis package is
importable, each class also derives from its namesake in
redis.exceptions, so code that catches redis.exceptions.ConnectionError
(or any other of them) catches ours unchanged.  DtRedis.py maps GErrors
and server error replies to these classes.
"""

try:
    import redis.exceptions as _redis_exceptions
except ImportError:  # redis-py is optional
    _redis_exceptions = None


def _also(name):
    """redis.exceptions.@name as a one-element base tuple, or ()."""
    cls = getattr(_redis_exceptions, name, None)
    return (cls,) if isinstance(cls, type) else ()


class RedisError(*_also('RedisError'), Exception):
    """Base class of every error this layer raises (redis-py's RedisError)."""


class ConnectionError(RedisError, *_also('ConnectionError')):  # noqa: A001
    """The server could not be reached, or the connection broke."""


class TimeoutError(RedisError, *_also('TimeoutError')):  # noqa: A001
    """The server did not answer within the socket timeout."""


class AuthenticationError(ConnectionError, *_also('AuthenticationError')):
    """The server refused the credentials (NOAUTH, WRONGPASS)."""


class BusyLoadingError(ConnectionError, *_also('BusyLoadingError')):
    """The server is loading its dataset (LOADING)."""


class ResponseError(RedisError, *_also('ResponseError')):
    """The server answered with an error reply; the message is its text."""


class ExecAbortError(ResponseError, *_also('ExecAbortError')):
    """A transaction was discarded because a command was refused (EXECABORT)."""


class NoScriptError(ResponseError, *_also('NoScriptError')):
    """EVALSHA named a script the server does not have (NOSCRIPT)."""


class ReadOnlyError(ResponseError, *_also('ReadOnlyError')):
    """A write was sent to a read-only replica (READONLY)."""


class NoPermissionError(ResponseError, *_also('NoPermissionError')):
    """The ACL user may not run the command (NOPERM)."""


class ModuleError(ResponseError, *_also('ModuleError')):
    """MODULE LOAD or UNLOAD failed (the server's log says why)."""


class AuthenticationWrongNumberOfArgsError(ResponseError,
                                           *_also('AuthenticationWrongNumberOfArgsError')):
    """AUTH got a wrong number of arguments."""


class DataError(RedisError, *_also('DataError')):
    """An argument cannot be sent: a wrong type, or options that exclude each other."""


class InvalidConfigError(RedisError, ValueError):
    """A setting or URL of the configuration is malformed or out of range."""


class InvalidResponse(RedisError, *_also('InvalidResponse')):
    """The server sent something that is not valid RESP."""


class WatchError(RedisError, *_also('WatchError')):
    """A watched key changed, so the transaction ran nothing."""


class PubSubError(RedisError, *_also('PubSubError')):
    """A pub/sub call made no sense in the subscriber's state."""


class LockError(RedisError, *_also('LockError'), ValueError):
    """A lock could not be acquired, extended or released."""


class LockNotOwnedError(LockError, *_also('LockNotOwnedError')):
    """The lock is no longer held by this owner (it expired or was taken)."""


# Redis Cluster.  The C library follows MOVED and ASK and waits out
# TRYAGAIN and CLUSTERDOWN itself: these replies reach Python only when
# that was not enough (its time ran out) or in a pipeline's results.

class RedisClusterException(RedisError, *_also('RedisClusterException')):
    """A command cannot be run on the cluster as given: its keys are in
    different hash slots (nothing was sent), or the arguments make no
    sense for a cluster."""


class SlotNotCoveredError(RedisClusterException, *_also('SlotNotCoveredError')):
    """No node of the cluster serves the hash slot."""


class ClusterError(RedisError, *_also('ClusterError')):
    """The cluster could not run the command after its redirections and retries."""


class ClusterDownError(ClusterError, ResponseError, *_also('ClusterDownError')):
    """The cluster is down, or the slot has no serving node (CLUSTERDOWN)."""

    def __init__(self, resp):
        self.args = (resp,)
        self.message = resp


class MasterDownError(ClusterDownError, *_also('MasterDownError')):
    """The replica lost its link with its primary (MASTERDOWN)."""


class TryAgainError(ResponseError, *_also('TryAgainError')):
    """A multi-key command arrived while its slot was moving (TRYAGAIN)."""


class ClusterCrossSlotError(ResponseError, RedisClusterException,
                            *_also('ClusterCrossSlotError')):
    """The keys of one command are in different hash slots (CROSSSLOT).

    In a pipeline's results (or an asyncio command sent in a batch) this
    is the library's own reply for a command it did not send; it is also
    a RedisClusterException, the class the same command raises alone.
    """


class AskError(ResponseError, *_also('AskError')):
    """The slot is migrating: ask the node named, this once (ASK).

    As in redis-py: .slot_id, .host, .port and .node_addr come from the
    reply's "SLOT HOST:PORT".
    """

    def __init__(self, resp):
        self.args = (resp,)
        self.message = resp
        slot_id, _, new_node = resp.partition(' ')
        host, _, port = new_node.rpartition(':')
        try:
            self.slot_id = int(slot_id)
            self.node_addr = self.host, self.port = host, int(port)
        except ValueError:  # not the reply a server sends: keep the text
            self.slot_id = self.host = self.port = self.node_addr = None


class MovedError(AskError, *_also('MovedError')):
    """The slot lives on another node now (MOVED)."""


NAMES = ('RedisError', 'ConnectionError', 'TimeoutError', 'AuthenticationError',
         'BusyLoadingError', 'ResponseError', 'ExecAbortError', 'NoScriptError',
         'ReadOnlyError', 'NoPermissionError', 'ModuleError',
         'AuthenticationWrongNumberOfArgsError',
         'DataError', 'InvalidConfigError', 'InvalidResponse', 'WatchError',
         'PubSubError', 'LockError', 'LockNotOwnedError',
         'RedisClusterException', 'SlotNotCoveredError', 'ClusterError', 'ClusterDownError',
         'MasterDownError', 'TryAgainError', 'ClusterCrossSlotError', 'AskError', 'MovedError')
