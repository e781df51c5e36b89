# SPDX-License-Identifier: LGPL-2.1-or-later
"""The asyncio bridge
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
import os
import threading
import weakref

from gi.repository import Gio, GLib
from gi.module import get_introspection_module

from .core import _error, _is_error_reply
from .pipeline import _append_all, _finish_pipeline, _p_execute_async

DtRedis = get_introspection_module('DtRedis')

_a_pipeline = DtRedis.AsyncClient.pipeline

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
# With a Cluster config the library runs these on every primary (DBSIZE
# summed, KEYS joined, SCRIPT LOAD everywhere...) when they are sent
# alone, but not inside a pipeline: they are never batched.
_EVERY_PRIMARY = frozenset(('DBSIZE', 'KEYS', 'FLUSHDB', 'FLUSHALL', 'SCRIPT|LOAD',
                            'SCRIPT|FLUSH'))


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
        known = 'sub' if traits & _Traits.SUBCOMMANDS else \
            _traits_batchable(traits) and name not in _EVERY_PRIMARY
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
        known = _batchable_names[full] = (
            _traits_batchable(DtRedis.command_get_traits(name, sub)) and full not in _EVERY_PRIMARY)
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
    None) is a command queued into a batch of @target, an AsyncClient:
    args is its argv, a list of str or a tuple of GLib.Bytes, queued by
    pipeline._append_all() (start, Pipeline.append or append_bytes, says
    which); its reply goes through convert, the command's redis-py
    callback.
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
            _append_all(pipe, [call.args for call in calls])
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
