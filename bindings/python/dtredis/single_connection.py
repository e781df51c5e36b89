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

import asyncio
import concurrent.futures

from gi.repository import Gio, GLib
from gi.module import get_introspection_module

from .async_client import AsyncClient, _AsyncPipeline, _awaitable_method, _coroutine_method
from .client import _DecodedClient
from .client_extras import AsyncClientExtras
from .core import (
    _argv,
    _Commands,
    _decoding,
    _error,
    _from_reply,
    _GeneratedCommands,
    _HandCommands,
    _HandServerCommands,
    _values_as_text)
from .hand_server_commands import COROUTINES as _COROUTINES

DtRedis = get_introspection_module('DtRedis')

_c_execute = DtRedis.Client.execute
_c_execute_bytes = DtRedis.Client.execute_bytes
_c_close = DtRedis.Client.close
# The C method: the override's get_async_redis_client() is a coroutine.
_i_get_async_redis_client = DtRedis.Instance.get_async_redis_client


def _run(client, argv, callback, cancellable):
    """One command on the C single-connection @client (in its thread)."""
    texts = _values_as_text(argv)
    try:
        if texts is not None:
            reply = _c_execute(client, texts, cancellable)
        else:
            reply = _c_execute_bytes(client, _argv(argv), cancellable)
    except GLib.Error as error:
        raise _error(error) from error
    return callback(_from_reply(reply))


class AsyncSingleConnectionClient(AsyncClientExtras, _Commands):
    """The asyncio client's methods on one kept connection (see the module
    documentation)."""

    def __init__(self, instance, decode=False):
        self._single = instance.get_single_connection_client()
        # A pooled asyncio client of the same instance: pipelines, pubsub()
        # and monitor() go through it, as redis-py's do through the pool.
        self._client = _i_get_async_redis_client(instance)
        self._decode = decode
        self._thread = None

    @property
    def props(self):
        """The C client's properties (instance, single_connection)."""
        return self._single.props

    def __repr__(self):
        url = self._single.props.instance.get_config().build_redacted_url()
        return '<%s.%s(%s%s)>' % (type(self).__module__, type(self).__name__,
                                  'decode_responses=True, ' if self._decode else '', url)

    async def _in_thread(self, function, *args):
        """function(*args, cancellable) in this client's thread; a cancel of
        the awaiting task cancels it there and waits for it to end."""
        if self._thread is None:
            self._thread = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix='dtredis-client')
        cancellable = Gio.Cancellable()
        future = asyncio.get_running_loop().run_in_executor(
            self._thread, function, *args, cancellable)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancellable.cancel()
            try:
                await future
            except Exception:  # noqa: BLE001 - the cancel is what the caller sees
                pass
            raise

    def _execute(self, argv, callback):
        if self._decode:
            callback = _decoding(callback)
        return self._in_thread(_run, self._single, argv, callback)

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline on the pool (as redis-py's single-connection client's)."""
        return _AsyncPipeline(self._client, transaction, self._decode)

    transaction = AsyncClient.transaction

    async def close(self, close_connection_pool=None):
        """Gives the kept connection back, closed; the next command starts
        on a new one."""
        if self._thread is not None:
            await self._in_thread(lambda _cancellable: _c_close(self._single))
            self._thread.shutdown(wait=False)
            self._thread = None
        else:
            _c_close(self._single)

    async def aclose(self):
        """The same as close()."""
        await self.close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc_info):
        await self.close()


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
    while not isinstance(client, (DtRedis.Client, DtRedis.AsyncClient)):
        client = client._client
    instance = client.props.instance
    if isinstance(client, DtRedis.AsyncClient):
        return AsyncSingleConnectionClient(instance, decode)
    single = instance.get_single_connection_client()
    return _DecodedClient(single) if decode else single
