# SPDX-License-Identifier: LGPL-2.1-or-later
"""DtRedis.AsyncClient, the asyncio client, and its pipeline."""

import asyncio
import functools
import inspect

from gi.module import get_introspection_module
from gi.overrides import override

from .client_extras import AsyncClientExtras

from .core import (
    RedisError,
    WatchError,
    _argv,
    _Commands,
    _DecodingProxy,
    _client_repr,
    _from_reply,
    _GeneratedCommands,
    _HandCommands,
    _HandServerCommands,
    _true,
    _values_as_text)
from .pipeline import (
    _PipelineBase,
    _finish_pipeline,
    _p_append,
    _p_append_bytes,
    _p_execute_async,
    _p_immediate_async,
    _p_immediate_bytes_async,
    _p_immediate_finish,
    _p_unwatch,
    _p_watch_async,
    _p_watch_finish,
    _pipeline_results,
    _watch_keys)
from .bridge import _a_pipeline, _bridge, _is_batchable
from .hand_server_commands import COROUTINES as _COROUTINES

DtRedis = get_introspection_module('DtRedis')

# -- the async client ---------------------------------------------------------------

_CAsyncClient = DtRedis.AsyncClient
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
class AsyncClient(AsyncClientExtras, _Commands, _CAsyncClient):
    """The asyncio client: redis-py's asyncio commands, awaitable.

    Get one from Instance.get_async_redis() or
    await Instance.get_async_redis_client().  Each command returns an
    awaitable future (see _CallFuture) run through the bridge described in
    the module documentation: commands that cannot block are sent in
    batches, as non-transactional pipelines; the others one by one, and
    cancelling the task that awaits one of them cancels it in the pool.
    """

    # override() files the class under the module's last name: DtRedis.
    __module__ = 'gi.overrides.DtRedis'

    def _execute(self, argv, callback):
        """Queues one command given as Python values; returns its future."""
        texts = _values_as_text(argv)
        if _is_batchable(argv):
            if texts is not None:
                return _bridge().batched(self, _p_append, texts, callback)
            # A tuple: what _append_all() takes for binary arguments.
            return _bridge().batched(self, _p_append_bytes, tuple(_argv(argv)), callback)
        if texts is not None:
            return _bridge().solo(self, _a_execute_async, (texts,), _a_execute_finish,
                                  _generic_convert(callback))
        return _bridge().solo(self, _a_execute_bytes_async, (_argv(argv),),
                              _a_execute_bytes_finish, _generic_convert(callback))

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline; a MULTI/EXEC transaction unless transaction=False."""
        return _AsyncPipeline(self, transaction, self._decode)

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

    _decode = False

    @classmethod
    def from_url(cls, url, **kwargs):
        """An asyncio client for @url (see Client.from_url()); it owns its
        pools: close() closes them."""
        from .client import _instance_from_url
        instance, decode = _instance_from_url(url, kwargs)
        return instance._owned_async_client(decode)

    __repr__ = _client_repr

    async def close(self, close_connection_pool=None):
        """Ends this client; the instance's async pool stays open for its
        other clients (a client from from_url() closes its own pool, and
        so does close_connection_pool=True)."""
        _a_close(self)
        instance = getattr(self, '_dtredis_owner', None)
        if instance is not None and close_connection_pool is not False:
            await instance.reset_async_pool()

    async def aclose(self):
        """The same as close()."""
        await self.close()

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


class _DecodedAsyncClient(AsyncClientExtras, _DecodingProxy, _Commands):
    """An AsyncClient whose replies come back as str (decode_responses=True);
    see _DecodingProxy."""

    _plain_execute = staticmethod(AsyncClient._execute)

    def pipeline(self, transaction=True, shard_hint=None):
        """A pipeline whose results are decoded."""
        return _AsyncPipeline(self._client, transaction, True)

    transaction = AsyncClient.transaction
    __aenter__ = AsyncClient.__aenter__
    __aexit__ = AsyncClient.__aexit__

    async def close(self, close_connection_pool=None):
        """Closes the wrapped client."""
        await self._client.close(close_connection_pool)

    async def aclose(self):
        """The same as close()."""
        await self.close()


def _coroutine_method(method):
    """@method as a coroutine function: it runs when awaited (and its
    result is awaited in turn), as redis-py's asyncio methods that are
    coroutines although they send nothing first (COROUTINES)."""
    @functools.wraps(method)
    async def command(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result
    return command


# The command methods of both asyncio clients raise argument errors when
# awaited, as redis-py's coroutines do.
for _name in {name for cls in (_GeneratedCommands, _HandCommands, _HandServerCommands,
                                _Commands)
              for name in vars(cls) if not name.startswith('_')}:
    _wrap = _coroutine_method if _name in _COROUTINES else _awaitable_method
    for _cls in (AsyncClient, _DecodedAsyncClient):
        setattr(_cls, _name, _wrap(getattr(_Commands, _name)))
del _name, _cls, _wrap



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
