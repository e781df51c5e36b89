# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's PubSub, sync and asyncio, over DtRedis.PubSub
-------------------------------------------------------------
``client.pubsub()`` gives a ``PubSub`` (``AsyncPubSub`` from an asyncio
client) with redis-py's methods and message dicts
(``{'type', 'pattern', 'channel', 'data'}``), plus ``ssubscribe`` /
``sunsubscribe`` for shard channels (``smessage``), as in redis-py 5.
From a ``RedisCluster``, each shard channel lives on the node that owns
its slot and follows it when the slot moves or its node fails over;
``get_sharded_message()`` (redis-py's ``ClusterPubSub`` name) reads them
all, with the other events, from the one object.

Underneath is one ``DtRedis.PubSub``: a connection of its own that
reconnects and subscribes again by itself after a connection loss (the
messages published meanwhile are lost: at most once).  Its events wait in
its bounded pull queue (``queue_limit``, default 10,000) until
``get_message()`` or ``listen()`` takes them.  A full queue stops the
reading of the socket (``PAUSE_READING``), so that, as with redis-py, the
server holds what follows rather than the client dropping it; only while a
call (``subscribe()``, ``ping()``...) waits for its answer does a full
queue drop its oldest events, counted in ``dropped``.

- The sync ``PubSub`` runs the C object on a private GLib.MainContext,
  iterated only inside its calls (``get_message(timeout=)`` waits in
  slices of at most 50 ms, so that another thread's ``subscribe()`` never
  waits longer than that), under a lock: ``run_in_thread()`` and calls
  from other threads take turns.
- ``AsyncPubSub`` runs it on the asyncio bridge's worker (see
  ``bridge``); ``get_message()`` awaits the next event there and takes
  the ones already queued with it, in one crossing.

Channel and pattern names are sent as UTF-8 text: bytes names must be
UTF-8.
"""

import asyncio
import collections
import inspect
import threading
import time

from gi.repository import GLib

from gi.module import get_introspection_module
from .bridge import _bridge
from .convert import list_or_args
from .core import _error, _instance_of
from .exceptions import DataError, PubSubError

DtRedis = get_introspection_module('DtRedis')

_PubSub = DtRedis.PubSub
_bytes_data = GLib.Bytes.get_data

# Longest wait inside the private context at a time (sync PubSub).
_SLICE_MS = 50
# Most events an asyncio get_message() takes in one crossing.
_TAKE_AT_ONCE = 512

_PUBLISH_TYPES = ('message', 'pmessage', 'smessage')
_SUBSCRIBE_TYPES = ('subscribe', 'psubscribe', 'ssubscribe')
_UNSUBSCRIBE_TYPES = ('unsubscribe', 'punsubscribe', 'sunsubscribe')

# Which handler table a message or a confirmation belongs to.
_TABLES = {
    'message': 'channels', 'subscribe': 'channels', 'unsubscribe': 'channels',
    'pmessage': 'patterns', 'psubscribe': 'patterns', 'punsubscribe': 'patterns',
    'smessage': 'shard_channels', 'ssubscribe': 'shard_channels',
    'sunsubscribe': 'shard_channels',
}
_PENDING = {table: 'pending_unsubscribe_' + table
            for table in ('channels', 'patterns', 'shard_channels')}


def _name(value):
    """A channel or pattern name as the text the C calls take."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            return bytes(value).decode('utf-8')
        except UnicodeDecodeError:
            raise DataError('dtredis subscribes to UTF-8 channel and pattern names '
                            'only: %r is not UTF-8' % bytes(value)) from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    raise DataError("Invalid input of type: '%s'. Convert to a bytes, string, int or "
                    "float first." % type(value).__name__)


def _convert(message, decode):
    """A DtRedis.Message as redis-py's message dict."""
    kind = message.get_kind_name()
    pattern = None
    if kind == 'message' or kind == 'smessage':
        channel = message.get_channel_data()
        data = message.get_data()
    elif kind == 'pmessage':
        channel = message.get_channel_data()
        pattern = message.get_pattern_data()
        data = message.get_data()
    elif kind == 'pong':
        channel = None
        data = message.get_data()
    else:
        # A confirmation; UNSUBSCRIBE with nothing subscribed names nothing.
        channel = message.get_channel_data() if message.get_channel_bytes() is not None else None
        data = message.get_count()
    if decode:
        if channel is not None:
            channel = channel.decode('utf-8')
        if pattern is not None:
            pattern = pattern.decode('utf-8')
        if not isinstance(data, int):
            data = data.decode('utf-8')
    return {'type': kind, 'pattern': pattern, 'channel': channel, 'data': data}


class _PubSubBase:
    """What both PubSub classes share: redis-py's bookkeeping of handlers
    and pending unsubscriptions, and the making of the C object."""

    PUBLISH_MESSAGE_TYPES = _PUBLISH_TYPES
    UNSUBSCRIBE_MESSAGE_TYPES = _UNSUBSCRIBE_TYPES

    def __init__(self, instance, decode_responses=False, ignore_subscribe_messages=False,
                 queue_limit=None):
        self._instance = instance
        self._queue_limit = queue_limit
        self._decode = decode_responses
        self.ignore_subscribe_messages = ignore_subscribe_messages
        self._c = None
        self._clear_tables()

    def _clear_tables(self):
        self.channels = {}
        self.patterns = {}
        self.shard_channels = {}
        self.pending_unsubscribe_channels = set()
        self.pending_unsubscribe_patterns = set()
        self.pending_unsubscribe_shard_channels = set()

    def _key(self, name):
        """A name as the handler tables hold it: bytes, or str when decoding."""
        text = _name(name)
        return text if self._decode else text.encode('utf-8')

    @property
    def subscribed(self):
        """Whether anything is subscribed (until its unsubscribe is read)."""
        return bool(self.channels or self.patterns or self.shard_channels)

    @property
    def dropped(self):
        """How many events the pull queue dropped because it was full."""
        return 0 if self._c is None else self._c.get_dropped()

    def _new_c(self):
        c = self._instance.get_pubsub()
        # As with redis-py, nothing is dropped: a full queue leaves the rest
        # to the server.
        c.set_overflow(DtRedis.PubSubOverflow.PAUSE_READING)
        if self._queue_limit is not None:
            c.set_queue_limit(self._queue_limit)
        return c

    def _subscribing(self, table, args, kwargs):
        """(names to send, {key: handler}) for a subscribe call."""
        if args:
            args = list_or_args(args[0], args[1:])
        new = dict.fromkeys(args)
        new.update(kwargs)
        if not new:
            raise DataError('subscribing to %s needs at least one name' % table.replace('_', ' '))
        return [_name(k) for k in new], {self._key(k): v for k, v in new.items()}

    def _subscribed(self, table, new):
        getattr(self, table).update(new)
        getattr(self, _PENDING[table]).difference_update(new)

    def _unsubscribing(self, table, args):
        """The names to send for an unsubscribe call (empty: all)."""
        if args:
            args = list_or_args(args[0], args[1:])
            keys = [self._key(k) for k in args]
        else:
            keys = list(getattr(self, table))
        getattr(self, _PENDING[table]).update(keys)
        return [_name(k) for k in args]

    def _prepare(self, message):
        """redis-py's handle_message() up to the handler: the handler to
        call (or None) and the message, None when it is to be ignored."""
        kind = message['type']
        if kind == 'message':  # the common case first
            handler = self.channels.get(message['channel'])
            return (handler, message) if handler else (None, message)
        if kind in _UNSUBSCRIBE_TYPES:
            table = _TABLES[kind]
            name = message['channel']
            pending = getattr(self, _PENDING[table])
            if name in pending:
                pending.discard(name)
                getattr(self, table).pop(name, None)
        if kind in _PUBLISH_TYPES:
            key = message['pattern'] if kind == 'pmessage' else message['channel']
            handler = getattr(self, _TABLES[kind]).get(key)
            if handler:
                return handler, message
        elif kind != 'pong' and self._ignoring:
            return None, None
        return None, message

    def _check_handlers(self):
        for table in ('channels', 'patterns', 'shard_channels'):
            for name, handler in getattr(self, table).items():
                if handler is None:
                    raise PubSubError("%s: '%s' has no handler registered"
                                      % ('Pattern' if table == 'patterns' else 'Channel', name))


class PubSub(_PubSubBase):
    """redis-py's PubSub: subscribe, then read with get_message() or
    listen(), or let run_in_thread() call the handlers.  See the module
    documentation."""

    def __init__(self, instance, decode_responses=False, ignore_subscribe_messages=False,
                 queue_limit=None):
        super().__init__(instance, decode_responses, ignore_subscribe_messages, queue_limit)
        self._context = GLib.MainContext.new()
        self._lock = threading.RLock()
        self._ready = collections.deque()  # converted events taken ahead (ping)
        self._subscribed_event = threading.Event()
        self._ignoring = ignore_subscribe_messages

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        self.reset()

    def __del__(self):
        try:
            self.reset()
        except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone
            pass

    def _pubsub(self):
        """The C object, made on the private context on first use."""
        if self._c is None:
            self._context.push_thread_default()
            try:
                self._c = self._new_c()
            finally:
                self._context.pop_thread_default()
        return self._c

    def _call(self, method, *args):
        with self._lock:
            try:
                return method(self._pubsub(), *args, None)
            except GLib.Error as error:
                raise _error(error) from error

    def _subscribe(self, method, table, args, kwargs):
        names, new = self._subscribing(table, args, kwargs)
        self._call(method, names)
        self._subscribed(table, new)
        self._subscribed_event.set()

    def _unsubscribe(self, method, table, args):
        self._call(method, self._unsubscribing(table, args))

    def subscribe(self, *args, **kwargs):
        """SUBSCRIBE; keyword arguments map a channel to its handler."""
        self._subscribe(_PubSub.subscribe, 'channels', args, kwargs)

    def psubscribe(self, *args, **kwargs):
        """PSUBSCRIBE; keyword arguments map a pattern to its handler."""
        self._subscribe(_PubSub.psubscribe, 'patterns', args, kwargs)

    def ssubscribe(self, *args, **kwargs):
        """SSUBSCRIBE (shard channels); keyword arguments map one to its handler."""
        self._subscribe(_PubSub.ssubscribe, 'shard_channels', args, kwargs)

    def unsubscribe(self, *args):
        """UNSUBSCRIBE from the channels given, or from all."""
        self._unsubscribe(_PubSub.unsubscribe, 'channels', args)

    def punsubscribe(self, *args):
        """PUNSUBSCRIBE from the patterns given, or from all."""
        self._unsubscribe(_PubSub.punsubscribe, 'patterns', args)

    def sunsubscribe(self, *args):
        """SUNSUBSCRIBE from the shard channels given, or from all."""
        self._unsubscribe(_PubSub.sunsubscribe, 'shard_channels', args)

    def ping(self, message=None):
        """PING on the subscribed connection; its pong comes as a message."""
        with self._lock:
            pong = self._call(_PubSub.ping, '' if message is None else _name(message))
            # Whatever came before the pong is read before it.
            pop = self._c.pop_message
            while True:
                event = pop()
                if event is None:
                    break
                self._ready.append(_convert(event, self._decode))
            self._ready.append(_convert(pong, self._decode))

    def _next(self, timeout):
        """The next event as a dict, waiting up to @timeout seconds (None:
        without limit); None when none came."""
        with self._lock:
            if self._ready:
                return self._ready.popleft()
            # What the last wait read comes first, without a wait.
            event = self._c.pop_message()
        if event is not None:
            return _convert(event, self._decode)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                if self._ready:
                    return self._ready.popleft()
                if deadline is None:
                    wait = _SLICE_MS
                else:
                    wait = max(0, min(_SLICE_MS, int((deadline - time.monotonic()) * 1000 + 0.999)))
                try:
                    event = self._c.next_message(wait, None)
                except GLib.Error as error:
                    raise _error(error) from error
            if event is not None:
                return _convert(event, self._decode)
            if deadline is not None and time.monotonic() >= deadline:
                return None

    def handle_message(self, response, ignore_subscribe_messages=False):
        """redis-py's handle_message() for a message dict: calls its
        handler (and gives None), or gives the message."""
        if response is None:
            return None
        self._ignoring = ignore_subscribe_messages or self.ignore_subscribe_messages
        handler, message = self._prepare(response)
        if not self.subscribed:
            self._subscribed_event.clear()
        if handler is not None:
            handler(message)
            return None
        return message

    def get_message(self, ignore_subscribe_messages=False, timeout=0.0):
        """The next message, or None when none came within @timeout seconds."""
        if not (self.channels or self.patterns or self.shard_channels or self._ready):
            start = time.monotonic()
            if not self._subscribed_event.wait(timeout):
                return None
            if timeout is not None:
                timeout = max(0.0, timeout - (time.monotonic() - start))
        if self._c is None:
            return None
        return self.handle_message(self._next(timeout), ignore_subscribe_messages)

    def get_sharded_message(self, ignore_subscribe_messages=False, timeout=0.0, target_node=None):
        """redis-py's ClusterPubSub.get_sharded_message(): the next event of
        any kind, shard channels' included (one object holds them all, on
        whichever nodes own their slots); @target_node is accepted and
        unused."""
        return self.get_message(ignore_subscribe_messages, timeout)

    def listen(self):
        """Yields the messages until nothing is subscribed."""
        while self.subscribed:
            response = self.handle_message(self._next(None))
            if response is not None:
                yield response

    def run_in_thread(self, sleep_time=0, daemon=False, exception_handler=None):
        """Calls the handlers from a thread; every subscription needs one."""
        self._check_handlers()
        thread = PubSubWorkerThread(self, sleep_time, daemon=daemon,
                                    exception_handler=exception_handler)
        thread.start()
        return thread

    def reset(self):
        """Closes the connection and forgets every subscription."""
        with self._lock:
            if self._c is not None:
                self._c.close()
                self._c = None
            self._ready.clear()
            self._clear_tables()
            self._subscribed_event.clear()

    close = reset


class PubSubWorkerThread(threading.Thread):
    """The thread of PubSub.run_in_thread(): reads and dispatches until stop()."""

    def __init__(self, pubsub, sleep_time, daemon=False, exception_handler=None):
        super().__init__(name='dtredis-pubsub', daemon=daemon)
        self.pubsub = pubsub
        self.sleep_time = sleep_time
        self.exception_handler = exception_handler
        self._running = threading.Event()

    def run(self):
        if self._running.is_set():
            return
        self._running.set()
        while self._running.is_set():
            try:
                # A short wait even for sleep_time=0: the loop must not spin.
                self.pubsub.get_message(ignore_subscribe_messages=True,
                                        timeout=max(self.sleep_time, _SLICE_MS / 1000))
            except BaseException as error:  # noqa: BLE001 - redis-py hands all to the handler
                if self.exception_handler is None:
                    raise
                self.exception_handler(error, self.pubsub, self)
        self.pubsub.close()

    def stop(self):
        """Stops the thread after its current wait; it closes the PubSub."""
        self._running.clear()


# -- asyncio ---------------------------------------------------------------------

def _start(verb):
    """The bridge's start function of one C call, made on the worker."""
    method = getattr(_PubSub, verb + '_async')

    def start(target, names, cancellable, callback, data):
        method(target._worker_pubsub(), names, cancellable, callback, data)
    return start


def _finish(verb):
    method = getattr(_PubSub, verb + '_finish')
    return lambda source, result: method(source, result)


def _identity(value):
    return value


_VERBS = {verb: (_start(verb), _finish(verb))
          for verb in ('subscribe', 'psubscribe', 'ssubscribe',
                       'unsubscribe', 'punsubscribe', 'sunsubscribe')}


def _start_next(target, cancellable, callback, data):
    _PubSub.next_message_async(target._worker_pubsub(), cancellable, callback, data)


def _start_ping(target, message, cancellable, callback, data):
    _PubSub.ping_async(target._worker_pubsub(), message, cancellable, callback, data)


def _take(pubsub, first, decode):
    """On the worker: @first and the events queued behind it, as dicts."""
    events = [_convert(first, decode)]
    pop = pubsub.pop_message
    while len(events) < _TAKE_AT_ONCE:
        event = pop()
        if event is None:
            break
        events.append(_convert(event, decode))
    return events


class AsyncPubSub(_PubSubBase):
    """redis-py's asyncio PubSub; see the module documentation."""

    def __init__(self, instance, decode_responses=False, ignore_subscribe_messages=False,
                 queue_limit=None):
        super().__init__(instance, decode_responses, ignore_subscribe_messages, queue_limit)
        self._ready = collections.deque()
        self._ignoring = ignore_subscribe_messages

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc_value, traceback):
        await self.reset()

    def __del__(self):
        c, self._c = self._c, None
        if c is not None:
            try:
                # The last reference goes on the worker, which runs its sources.
                def close():
                    c.close()
                    return GLib.SOURCE_REMOVE
                _bridge().context.invoke_full(GLib.PRIORITY_DEFAULT, close)
            except Exception:  # noqa: BLE001 - at interpreter exit anything may be gone
                pass

    def _worker_pubsub(self):
        """On the worker: the C object, made there on first use."""
        if self._c is None:
            self._c = self._new_c()
        return self._c

    async def _run(self, verb, names):
        start, finish = _VERBS[verb]
        try:
            return await _bridge().solo(self, start, (names,), finish, _identity)
        except GLib.Error as error:
            raise _error(error) from error

    async def _subscribe(self, verb, table, args, kwargs):
        names, new = self._subscribing(table, args, kwargs)
        await self._run(verb, names)
        self._subscribed(table, new)

    async def subscribe(self, *args, **kwargs):
        """SUBSCRIBE; keyword arguments map a channel to its handler."""
        await self._subscribe('subscribe', 'channels', args, kwargs)

    async def psubscribe(self, *args, **kwargs):
        """PSUBSCRIBE; keyword arguments map a pattern to its handler."""
        await self._subscribe('psubscribe', 'patterns', args, kwargs)

    async def ssubscribe(self, *args, **kwargs):
        """SSUBSCRIBE (shard channels); keyword arguments map one to its handler."""
        await self._subscribe('ssubscribe', 'shard_channels', args, kwargs)

    async def unsubscribe(self, *args):
        """UNSUBSCRIBE from the channels given, or from all."""
        await self._run('unsubscribe', self._unsubscribing('channels', args))

    async def punsubscribe(self, *args):
        """PUNSUBSCRIBE from the patterns given, or from all."""
        await self._run('punsubscribe', self._unsubscribing('patterns', args))

    async def sunsubscribe(self, *args):
        """SUNSUBSCRIBE from the shard channels given, or from all."""
        await self._run('sunsubscribe', self._unsubscribing('shard_channels', args))

    async def ping(self, message=None):
        """PING on the subscribed connection; its pong comes as a message."""
        decode = self._decode

        def finish(source, result):
            pong = _PubSub.ping_finish(source, result)
            events = _take(source, pong, decode)
            # The pong was answered after what is queued: it goes last.
            return events[1:] + events[:1]
        try:
            events = await _bridge().solo(self, _start_ping,
                                          ('' if message is None else _name(message),),
                                          finish, _identity)
        except GLib.Error as error:
            raise _error(error) from error
        self._ready.extend(events)

    async def _next(self, timeout):
        """The next event as a dict, or None when none came in time."""
        if self._ready:
            return self._ready.popleft()
        decode = self._decode

        def finish(source, result):
            return _take(source, _PubSub.next_message_finish(source, result), decode)
        call = _bridge().solo(self, _start_next, (), finish, _identity)
        try:
            if timeout is None:
                events = await call
            else:
                events = await asyncio.wait_for(call, timeout)
        except asyncio.TimeoutError:
            return None
        except GLib.Error as error:
            raise _error(error) from error
        self._ready.extend(events[1:])
        return events[0]

    async def handle_message(self, response, ignore_subscribe_messages=False):
        """redis-py's handle_message(): awaits a coroutine handler."""
        self._ignoring = ignore_subscribe_messages or self.ignore_subscribe_messages
        handler, message = self._prepare(response)
        if handler is not None:
            result = handler(message)
            if inspect.isawaitable(result):
                await result
            return None
        return message

    async def get_message(self, ignore_subscribe_messages=False, timeout=0.0):
        """The next message, or None when none came within @timeout seconds."""
        if self._c is None and not self._ready:
            raise RuntimeError('pubsub connection not set: did you forget to call '
                               'subscribe() or psubscribe()?')
        response = await self._next(timeout)
        if response is None:
            return None
        return await self.handle_message(response, ignore_subscribe_messages)

    async def get_sharded_message(self, ignore_subscribe_messages=False, timeout=0.0,
                                  target_node=None):
        """redis-py's get_sharded_message(); see PubSub.get_sharded_message()."""
        return await self.get_message(ignore_subscribe_messages, timeout)

    async def listen(self):
        """Yields the messages until nothing is subscribed."""
        while self.subscribed:
            response = await self.handle_message(await self._next(None))
            if response is not None:
                yield response

    async def run(self, *, exception_handler=None, poll_timeout=1.0):
        """Calls the handlers until cancelled (redis-py's run())."""
        self._check_handlers()
        while True:
            try:
                await self.get_message(ignore_subscribe_messages=True, timeout=poll_timeout)
            except asyncio.CancelledError:
                raise
            except BaseException as error:  # noqa: BLE001 - redis-py hands all to the handler
                if exception_handler is None:
                    raise
                result = exception_handler(error, self)
                if inspect.isawaitable(result):
                    await result
            await asyncio.sleep(0)

    async def reset(self):
        """Closes the connection and forgets every subscription."""
        c, self._c = self._c, None
        self._ready.clear()
        self._clear_tables()
        if c is not None:
            loop = asyncio.get_running_loop()
            done = loop.create_future()

            def close():
                c.close()
                loop.call_soon_threadsafe(done.set_result, None)
                return GLib.SOURCE_REMOVE
            _bridge().context.invoke_full(GLib.PRIORITY_DEFAULT, close)
            await done

    def close(self):
        """The same as reset(): await it."""
        return self.reset()

    async def aclose(self):
        """The same as reset()."""
        await self.reset()


def pubsub_for(client, kwargs):
    """client.pubsub(**kwargs) for any of our clients, decoding ones and
    pipelines included: a PubSub with the client's instance and
    decode_responses, an AsyncPubSub for an asyncio client.  Besides
    redis-py's ignore_subscribe_messages (and shard_hint, unused), it
    takes queue_limit: how many events wait unread before the oldest are
    dropped (DtRedis.PubSub's queue-limit, 10,000 by default)."""
    options = dict(kwargs)
    ignore = bool(options.pop('ignore_subscribe_messages', False))
    queue_limit = options.pop('queue_limit', None)
    options.pop('shard_hint', None)
    if options:
        raise TypeError('pubsub() got unexpected keyword arguments: %s'
                        % ', '.join(sorted(options)))
    decode = getattr(client, '_decode', False)
    instance, is_async = _instance_of(client)
    cls = AsyncPubSub if is_async else PubSub
    return cls(instance, decode, ignore, queue_limit)
