# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's Monitor, sync and asyncio, over DtRedis.Monitor
-------------------------------------------------------------
``client.monitor()`` gives a ``Monitor`` (``AsyncMonitor`` from an asyncio
client) on a connection of its own, never one of the pools'.  As in
redis-py, entering the context sends MONITOR, ``next_command()`` returns
the next command the server ran as a dict (``time``, ``db``,
``client_address``, ``client_port``, ``client_type``, ``command``, always
text), ``listen()`` yields them, and leaving the context closes the
connection.  ``next_command()`` outside the context starts the monitor
first.

The asyncio ``AsyncMonitor`` waits in a thread of its own (one per
monitor): cancelling the task that awaits ``next_command()`` cancels the
wait in C and waits for it to stop, and loses no line.
"""

from gi.repository import GLib

from .call_thread import CallThread
from .core import _error, _instance_of


def _unquote(text):
    """The arguments of a MONITOR line's command part, each still carrying
    the server's escapes except that of the double quote, joined by
    spaces: what redis-py's Monitor reports."""
    arguments = []
    current = None
    i = 0
    while i < len(text):
        char = text[i]
        if current is None:
            if char == '"':
                current = []
        elif char == '\\' and i + 1 < len(text):
            following = text[i + 1]
            current.append('"' if following == '"' else char + following)
            i += 1
        elif char == '"':
            arguments.append(''.join(current))
            current = None
        else:
            current.append(char)
        i += 1
    return ' '.join(arguments)


def parse_line(line):
    """The dict redis-py's Monitor.next_command() gives for a MONITOR line:
    ``1700000000.123456 [0 127.0.0.1:51234] "SET" "k" "v"``."""
    stamp, rest = line.split(' ', 1)
    if not rest.startswith('['):
        raise _line_error(line)
    close = rest.find('] ')
    if close < 0:
        raise _line_error(line)
    db, _, client = rest[1:close].partition(' ')
    if client == 'lua':
        address, port, kind = 'lua', '', 'lua'
    elif client.startswith('unix:'):
        address, port, kind = 'unix', client[len('unix:'):], 'unix'
    else:
        # The port follows the last colon: IPv6 addresses have others.
        address, _, port = client.rpartition(':')
        kind = 'tcp'
    return {'time': float(stamp), 'db': int(db), 'client_address': address,
            'client_port': port, 'client_type': kind, 'command': _unquote(rest[close + 2:])}


def _line_error(line):
    from .exceptions import RedisError
    return RedisError('Not a MONITOR line: %r' % line[:80])


class _MonitorBase:
    """The C monitor of a client's instance, made when first needed."""

    def __init__(self, instance):
        self._instance = instance
        self._c = None

    def _monitor(self):
        if self._c is None:
            self._c = self._instance.get_monitor()
        return self._c

    def _start(self, cancellable=None):
        try:
            self._monitor().start(cancellable)
        except GLib.Error as error:
            raise _error(error) from error

    def _next_line(self, cancellable=None, slice_ms=-1):
        """The next line; with @slice_ms, waited for in slices that long,
        so that Python handles signals (Ctrl+C) between them: a slice
        that ends empty loses nothing."""
        c = self._monitor()
        if not c.get_active():
            self._start(cancellable)
        try:
            line = None
            while line is None:
                line = c.next_command(slice_ms, cancellable)
            return line
        except GLib.Error as error:
            raise _error(error) from error

    def _close(self):
        if self._c is not None:
            self._c.close()


class Monitor(_MonitorBase):
    """redis-py's Monitor: ``with client.monitor() as m: for command in
    m.listen(): ...``.  Used from one thread at a time."""

    def __enter__(self):
        self._start()
        return self

    def __exit__(self, *exc_info):
        self._close()

    def next_command(self):
        """The next command the server runs, as a dict; waits for it (a
        KeyboardInterrupt stops the wait within 100 ms)."""
        return parse_line(self._next_line(slice_ms=100))

    def listen(self):
        """Yields each command the server runs, as next_command() does."""
        while True:
            yield self.next_command()


class AsyncMonitor(_MonitorBase):
    """redis-py's asyncio Monitor: ``async with client.monitor() as m:
    async for command in m.listen(): ...``."""

    def __init__(self, instance):
        super().__init__(instance)
        self._thread = CallThread('dtredis-monitor')

    async def connect(self):
        """Makes the C monitor (no I/O), as redis-py's connect() takes a
        connection."""
        self._monitor()

    async def __aenter__(self):
        await self._thread.call(self._start)
        return self

    async def __aexit__(self, *exc_info):
        await self.aclose()

    async def aclose(self):
        """Closes the monitor's connection and its thread."""
        await self._thread.close(self._close)

    async def next_command(self):
        """The next command the server runs, as a dict."""
        return parse_line(await self._thread.call(self._next_line))

    async def listen(self):
        """Yields each command the server runs."""
        while True:
            yield await self.next_command()


def monitor_for(client):
    """client.monitor() for any of our clients: an AsyncMonitor for an
    asyncio one."""
    instance, is_async = _instance_of(client)
    return AsyncMonitor(instance) if is_async else Monitor(instance)
