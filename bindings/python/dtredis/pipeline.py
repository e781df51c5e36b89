# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's Pipeline for the sync client, and what it shares with the
asyncio pipeline (_PipelineBase): queueing, WATCH and MULTI."""

from gi.repository import GLib
from gi.module import get_introspection_module

from .core import (
    DataError,
    RedisError,
    _argv,
    _Bytes,
    _Commands,
    _decoding,
    _encode,
    _error,
    _from_reply,
    _is_key,
    _values_as_text)

DtRedis = get_introspection_module('DtRedis')

# -- pipelines --------------------------------------------------------------------

_c_pipeline = DtRedis.Client.pipeline
_p_append = DtRedis.Pipeline.append
_p_append_bytes = DtRedis.Pipeline.append_bytes
_p_append_commands = DtRedis.Pipeline.append_commands
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


def _append_all(pipe, commands):
    """Queues @commands on the C pipeline @pipe, in order: each a list of
    str (text) or a tuple of GLib.Bytes.  A run of text commands goes in
    one append_commands() call: one crossing into C instead of one per
    command."""
    flat = []
    lengths = []
    for argv in commands:
        if type(argv) is list:
            flat += argv
            lengths.append(len(argv))
            continue
        if lengths:
            _p_append_commands(pipe, flat, lengths)
            flat = []
            lengths = []
        _p_append_bytes(pipe, argv)
    if lengths:
        _p_append_commands(pipe, flat, lengths)


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
    append = results.append
    for value, (argv, callback) in zip(values, stack):
        if not isinstance(value, RedisError):
            append(callback(value))
            continue
        if raise_on_error:
            command = ' '.join(map(_safe_str, argv))
            value.args = ('Command # %d (%s) of pipeline caused error: %s'
                          % (len(results) + 1, command, value.args[0]),) + value.args[1:]
            raise value
        append(value)
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

    def __init__(self, client, transaction, decode=False):
        self._client = client
        self._decode = decode
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
        if self._decode:
            callback = _decoding(callback)
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
        # Text comes from _execute() as a list, binary arguments as a tuple.
        _append_all(pipe, [argv if type(argv) is list else tuple(_Bytes(arg) for arg in argv)
                           for argv, _callback in stack])
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
