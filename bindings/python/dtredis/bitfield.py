# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's BitFieldOperation, which client.bitfield(key) returns."""

class BitFieldOperation:
    """redis-py's BitFieldOperation: BITFIELD subcommands gathered by chained
    calls (get, set, incrby, overflow), sent as one command by execute().

    Made by bitfield(key, default_overflow); execute() returns the list of
    results (awaitable from an asyncio client; queued on a pipeline) and
    starts the operation afresh.
    """

    def __init__(self, client, key, default_overflow=None):
        self.client = client
        self.key = key
        self._default_overflow = default_overflow
        self.operations = []
        self._last_overflow = 'WRAP'
        self.reset()

    def reset(self):
        """Drops the gathered subcommands; the default overflow applies again."""
        self.operations = []
        self._last_overflow = 'WRAP'
        self.overflow(self._default_overflow or self._last_overflow)

    def overflow(self, overflow):
        """OVERFLOW WRAP, SAT or FAIL for the INCRBY and SET that follow;
        sent only when it changes."""
        overflow = overflow.upper()
        if overflow != self._last_overflow:
            self._last_overflow = overflow
            self.operations.append(('OVERFLOW', overflow))
        return self

    def incrby(self, fmt, offset, increment, overflow=None):
        """INCRBY fmt offset increment, after OVERFLOW @overflow if given."""
        if overflow is not None:
            self.overflow(overflow)
        self.operations.append(('INCRBY', fmt, offset, increment))
        return self

    def get(self, fmt, offset):
        """GET fmt offset (an offset '#N' counts in fields of fmt)."""
        self.operations.append(('GET', fmt, offset))
        return self

    def set(self, fmt, offset, value):
        """SET fmt offset value."""
        self.operations.append(('SET', fmt, offset, value))
        return self

    @property
    def command(self):
        """The BITFIELD command as it will be sent."""
        command = ['BITFIELD', self.key]
        for operation in self.operations:
            command.extend(operation)
        return command

    def execute(self):
        """Sends the command; the list of results, one per GET, SET, INCRBY."""
        command = self.command
        self.reset()
        return self.client.execute_command(*command)
