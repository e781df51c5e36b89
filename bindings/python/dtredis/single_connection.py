# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's ``client()``: a client that keeps one connection
----------------------------------------------------------------
``client.client()`` gives a client whose commands all run on one
connection, kept until ``close()``, so that SELECT, CLIENT SETNAME, WATCH
and the like stay in force between them (redis-py's
``single_connection_client``).  Underneath is a C single-connection
``DtRedis.Client`` (``Instance.get_single_connection_client()``): its
first command leases the connection from the sync pool; close() gives it
back, closed.  If the connection is lost after a command changed its
state, later commands raise ConnectionError (``DT_REDIS_ERROR_CLOSED``)
until close(), rather than run without that state.

From an asyncio client, ``client()`` gives an ``AsyncSingleConnectionClient``
with the asyncio client's methods; its commands run one at a time on a
thread of its own, and cancelling the task that awaits one cancels it in
C and waits for it to end.  Its pipelines, like redis-py's, use the pool.
"""

from gi.module import get_introspection_module

from .async_client import AsyncClient, _AsyncPipeline, _awaitable_method, _coroutine_method
from .call_thread import CallThread
from .client import Client, _DecodedClient
from .client_extras import AsyncClientExtras
from .core import (
    _Commands,
    _decoding,
    _GeneratedCommands,
    _HandCommands,
    _HandServerCommands,
    _instance_of)
from .hand_server_commands import COROUTINES as _COROUTINES

DtRedis = get_introspection_module('DtRedis')

_c_close = DtRedis.Client.close
# The C method: the override's get_async_redis_client() is a coroutine.
_i_get_async_redis_client = DtRedis.Instance.get_async_redis_client


class AsyncSingleConnectionClient(AsyncClientExtras, _Commands):
    """The asyncio client's methods on one kept connection (see the module
    documentation)."""

    def __init__(self, instance, decode=False):
        self._single = instance.get_single_connection_client()
        # A pooled asyncio client of the same instance: pipelines, pubsub()
        # and monitor() go through it, as redis-py's do through the pool.
        self._client = _i_get_async_redis_client(instance)
        self._decode = decode
        self._thread = CallThread('dtredis-client')

    @property
    def props(self):
        """The C client's properties (instance, single_connection)."""
        return self._single.props

    def __repr__(self):
        url = self._single.props.instance.get_config().build_redacted_url()
        return '<%s.%s(%s%s)>' % (type(self).__module__, type(self).__name__,
                                  'decode_responses=True, ' if self._decode else '', url)

    def _execute(self, argv, callback):
        if self._decode:
            callback = _decoding(callback)
        return self._thread.call(Client._execute, self._single, argv, callback)

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline on the pool (as redis-py's single-connection client's)."""
        return _AsyncPipeline(self._client, transaction, self._decode)

    transaction = AsyncClient.transaction

    async def close(self, close_connection_pool=None):
        """Gives the kept connection back, closed; the next command starts
        on a new one."""
        await self._thread.close(lambda: _c_close(self._single))

    aclose = AsyncClient.aclose
    __aenter__ = AsyncClient.__aenter__
    __aexit__ = AsyncClient.__aexit__


# Argument errors are raised when awaited, as on the other asyncio clients.
for _name in {name for cls in (_GeneratedCommands, _HandCommands, _HandServerCommands,
                                _Commands)
              for name in vars(cls) if not name.startswith('_')}:
    _wrap = _coroutine_method if _name in _COROUTINES else _awaitable_method
    setattr(AsyncSingleConnectionClient, _name, _wrap(getattr(_Commands, _name)))
del _name, _wrap


def single_connection_client_for(client):
    """client.client() for any of our clients: the same kind (sync or
    asyncio, decoding or not) on one kept connection."""
    decode = getattr(client, '_decode', False)
    instance, is_async = _instance_of(client)
    if is_async:
        return AsyncSingleConnectionClient(instance, decode)
    single = instance.get_single_connection_client()
    return _DecodedClient(single) if decode else single
