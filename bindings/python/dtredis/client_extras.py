# SPDX-License-Identifier: LGPL-2.1-or-later
"""What redis-py clients offer beyond single commands: scan iterators,
locks and scripts, for the sync client (ClientExtras) and the asyncio
client (AsyncClientExtras).  Built on the clients' command methods."""

from .lock import AsyncLock, Lock
from .script import AsyncScript, Script


class ClientExtras:
    """scan_iter() and friends, lock() and register_script()."""

    def scan_iter(self, match=None, count=None, _type=None, **kwargs):
        """Every key (matching @match, of type @_type), through SCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, keys = self.scan(cursor=cursor, match=match, count=count,
                                     _type=_type, **kwargs)
            yield from keys

    def sscan_iter(self, name, match=None, count=None):
        """Every member of set @name, through SSCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, members = self.sscan(name, cursor=cursor, match=match, count=count)
            yield from members

    def hscan_iter(self, name, match=None, count=None):
        """Every (field, value) of hash @name, through HSCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, fields = self.hscan(name, cursor=cursor, match=match, count=count)
            yield from fields.items()

    def zscan_iter(self, name, match=None, count=None, score_cast_func=float):
        """Every (member, score) of sorted set @name, through ZSCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, pairs = self.zscan(name, cursor=cursor, match=match, count=count,
                                       score_cast_func=score_cast_func)
            yield from pairs

    def lock(self, name, timeout=None, sleep=0.1, blocking=True, blocking_timeout=None,
             lock_class=None, thread_local=True):
        """A Lock on key @name (see dtredis.lock); a context manager."""
        cls = Lock if lock_class is None else lock_class
        return cls(self, name, timeout=timeout, sleep=sleep, blocking=blocking,
                   blocking_timeout=blocking_timeout, thread_local=thread_local)

    def register_script(self, script):
        """A Script: calling it runs @script by its SHA1 (see dtredis.script)."""
        return Script(self, script)


class AsyncClientExtras:
    """The same for the asyncio client: async generators, AsyncLock, AsyncScript."""

    async def scan_iter(self, match=None, count=None, _type=None, **kwargs):
        """Every key (matching @match, of type @_type), through SCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, keys = await self.scan(cursor=cursor, match=match, count=count,
                                           _type=_type, **kwargs)
            for key in keys:
                yield key

    async def sscan_iter(self, name, match=None, count=None):
        """Every member of set @name, through SSCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, members = await self.sscan(name, cursor=cursor, match=match,
                                               count=count)
            for member in members:
                yield member

    async def hscan_iter(self, name, match=None, count=None):
        """Every (field, value) of hash @name, through HSCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, fields = await self.hscan(name, cursor=cursor, match=match,
                                              count=count)
            for item in fields.items():
                yield item

    async def zscan_iter(self, name, match=None, count=None, score_cast_func=float):
        """Every (member, score) of sorted set @name, through ZSCAN."""
        cursor = '0'
        while cursor != 0:
            cursor, pairs = await self.zscan(name, cursor=cursor, match=match,
                                             count=count, score_cast_func=score_cast_func)
            for pair in pairs:
                yield pair

    def lock(self, name, timeout=None, sleep=0.1, blocking_timeout=None, lock_class=None,
             thread_local=True):
        """An AsyncLock on key @name; an async context manager."""
        cls = AsyncLock if lock_class is None else lock_class
        return cls(self, name, timeout=timeout, sleep=sleep,
                   blocking_timeout=blocking_timeout, thread_local=thread_local)

    def register_script(self, script):
        """An AsyncScript: awaiting a call runs @script by its SHA1."""
        return AsyncScript(self, script)
