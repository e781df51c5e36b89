# SPDX-License-Identifier: LGPL-2.1-or-later
"""A thread of its own for an asyncio object's blocking C calls.

The asyncio Monitor and single-connection client run blocking C methods
(one at a time, in order) on a thread of their own, each given a fresh
Gio.Cancellable.  Cancelling the task that awaits a call cancels that
cancellable and waits for the call to end before CancelledError reaches
the caller: nothing goes on in C on its behalf after the cancel is
reported.
"""

import asyncio
import concurrent.futures

from gi.repository import Gio


class CallThread:
    """Runs function(*args, cancellable) calls on one thread, started by
    the first call."""

    def __init__(self, name):
        self._name = name
        self._executor = None

    async def call(self, function, *args):
        if self._executor is None:
            self._executor = concurrent.futures.ThreadPoolExecutor(
                1, thread_name_prefix=self._name)
        cancellable = Gio.Cancellable()
        future = asyncio.get_running_loop().run_in_executor(
            self._executor, function, *args, cancellable)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancellable.cancel()
            try:
                await future
            except Exception:  # noqa: BLE001 - the cancel is what the caller sees
                pass
            raise

    async def close(self, function):
        """Runs function() last, on the thread if it was started, then lets
        the thread end."""
        if self._executor is None:
            function()
            return
        await self.call(lambda _cancellable: function())
        self._executor.shutdown(wait=False)
        self._executor = None
