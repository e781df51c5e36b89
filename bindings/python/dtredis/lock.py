# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's Lock: a shared lock held as one key, sync and asyncio.

client.lock(name, timeout=...) returns a Lock (an AsyncLock from the
asyncio client) with redis-py's semantics:

- acquire() sets the key to a random token with SET NX (and PX when the
  lock has a timeout); blocking, it tries again every @sleep seconds
  until @blocking_timeout.
- release(), extend() and reacquire() act only if the key still holds
  this owner's token, checked and changed in one Lua script, so an owner
  whose lock expired and was taken by another never releases or extends
  the other's lock (LockNotOwnedError).
- The token is per thread unless thread_local=False.

Nothing is ever sent twice: a SET NX whose answer was lost raises (the
caller cannot know whether it holds the lock, and the key expires with
its timeout); it is not retried.
"""

import asyncio
import threading
import time
import types
import uuid

from .exceptions import LockError, LockNotOwnedError

# Deletes the key if it holds the token: 1, else 0.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""

# Adds ARGV[2] ms to the key's time to live (sets it with ARGV[3] == "1")
# if the key holds the token and has a time to live: 1, else 0.
_EXTEND = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  return 0
end
local extra = tonumber(ARGV[2])
if ARGV[3] == '1' then
  redis.call('PEXPIRE', KEYS[1], extra)
else
  redis.call('PEXPIRE', KEYS[1], ttl + extra)
end
return 1
"""

# Sets the key's time to live to ARGV[2] ms if it holds the token: 1, else 0.
_REACQUIRE = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""


def _token_bytes(token):
    if token is None:
        return uuid.uuid1().hex.encode()
    if isinstance(token, str):
        return token.encode()
    return bytes(token)


def _as_bytes(value):
    return value.encode() if isinstance(value, str) else value


class _LockState:
    """What Lock and AsyncLock share: settings, the token, the checks."""

    def __init__(self, redis, name, timeout=None, sleep=0.1, blocking=True,
                 blocking_timeout=None, thread_local=True):
        self.redis = redis
        self.name = name
        self.timeout = timeout
        self.sleep = sleep
        self.blocking = blocking
        self.blocking_timeout = blocking_timeout
        self.thread_local = bool(thread_local)
        self.local = threading.local() if self.thread_local else types.SimpleNamespace()
        self.local.token = None
        self._release_script = redis.register_script(_RELEASE)
        self._extend_script = redis.register_script(_EXTEND)
        self._reacquire_script = redis.register_script(_REACQUIRE)

    def _token(self):
        return getattr(self.local, 'token', None)

    def _timeout_ms(self):
        return int(self.timeout * 1000) if self.timeout else None

    def _deadline(self, blocking_timeout):
        if blocking_timeout is None:
            blocking_timeout = self.blocking_timeout
        return None if blocking_timeout is None else time.monotonic() + blocking_timeout

    def _check_held(self, action, needs_timeout):
        if self._token() is None:
            raise LockError('Cannot %s an unlocked lock' % action)
        if needs_timeout and self.timeout is None:
            raise LockError('Cannot %s a lock with no timeout' % action)

    def _owned_by(self, stored):
        token = self._token()
        return token is not None and stored is not None and _as_bytes(stored) == token


class Lock(_LockState):
    """A shared lock on key @name; a context manager."""

    def __enter__(self):
        if self.acquire():
            return self
        raise LockError('Unable to acquire lock within the time specified')

    def __exit__(self, *exc_info):
        self.release()

    def acquire(self, sleep=None, blocking=None, blocking_timeout=None, token=None):
        """Takes the lock: True, or False when not blocking or out of time."""
        sleep = self.sleep if sleep is None else sleep
        blocking = self.blocking if blocking is None else blocking
        token = _token_bytes(token)
        deadline = self._deadline(blocking_timeout)
        while True:
            if self.redis.set(self.name, token, nx=True, px=self._timeout_ms()):
                self.local.token = token
                return True
            if not blocking:
                return False
            if deadline is not None and time.monotonic() + sleep > deadline:
                return False
            time.sleep(sleep)

    def locked(self):
        """Whether any owner holds the lock."""
        return self.redis.get(self.name) is not None

    def owned(self):
        """Whether this owner holds the lock."""
        return self._owned_by(self.redis.get(self.name))

    def release(self):
        """Releases the lock; LockNotOwnedError if another owner holds it now."""
        self._check_held('release', False)
        token, self.local.token = self._token(), None
        if not self._release_script(keys=[self.name], args=[token], client=self.redis):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned")

    def extend(self, additional_time, replace_ttl=False):
        """Adds @additional_time seconds (sets it with @replace_ttl): True."""
        self._check_held('extend', True)
        args = [self._token(), int(additional_time * 1000), '1' if replace_ttl else '0']
        if not self._extend_script(keys=[self.name], args=args, client=self.redis):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned")
        return True

    def reacquire(self):
        """Resets the time to live to the lock's timeout: True."""
        self._check_held('reacquire', True)
        args = [self._token(), self._timeout_ms()]
        if not self._reacquire_script(keys=[self.name], args=args, client=self.redis):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned")
        return True


class AsyncLock(_LockState):
    """Lock for the asyncio client: the same methods, awaited."""

    async def __aenter__(self):
        if await self.acquire():
            return self
        raise LockError('Unable to acquire lock within the time specified')

    async def __aexit__(self, *exc_info):
        await self.release()

    async def acquire(self, blocking=None, blocking_timeout=None, token=None):
        """Takes the lock: True, or False when not blocking or out of time."""
        blocking = self.blocking if blocking is None else blocking
        token = _token_bytes(token)
        deadline = self._deadline(blocking_timeout)
        while True:
            if await self.redis.set(self.name, token, nx=True, px=self._timeout_ms()):
                self.local.token = token
                return True
            if not blocking:
                return False
            if deadline is not None and time.monotonic() + self.sleep > deadline:
                return False
            await asyncio.sleep(self.sleep)

    async def locked(self):
        """Whether any owner holds the lock."""
        return await self.redis.get(self.name) is not None

    async def owned(self):
        """Whether this owner holds the lock."""
        return self._owned_by(await self.redis.get(self.name))

    async def release(self):
        """Releases the lock; LockNotOwnedError if another owner holds it now."""
        self._check_held('release', False)
        token, self.local.token = self._token(), None
        if not await self._release_script(keys=[self.name], args=[token], client=self.redis):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned")

    async def extend(self, additional_time, replace_ttl=False):
        """Adds @additional_time seconds (sets it with @replace_ttl): True."""
        self._check_held('extend', True)
        args = [self._token(), int(additional_time * 1000), '1' if replace_ttl else '0']
        if not await self._extend_script(keys=[self.name], args=args, client=self.redis):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned")
        return True

    async def reacquire(self):
        """Resets the time to live to the lock's timeout: True."""
        self._check_held('reacquire', True)
        args = [self._token(), self._timeout_ms()]
        if not await self._reacquire_script(keys=[self.name], args=args, client=self.redis):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned")
        return True
