# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyGObject overrides for DtRedis: a redis-py compatible Python layer.

With these overrides, code written for redis-py (through dtpyfw's
``RedisInstance``) runs on dtredis with only its imports changed::

    import gi
    gi.require_version("DtRedis", "1.0")
    from gi.repository import DtRedis

    config = DtRedis.Config().set_redis_host("localhost").set_redis_db("0")
    instance = DtRedis.Instance(config)
    with instance.get_redis() as client:
        client.set("greeting", "hello")
        client.get("greeting")            # b'hello'

    async with instance.get_async_redis() as client:     # under asyncio
        await client.get("greeting")      # b'hello'

Commands have redis-py's names, signatures and return values (bytes,
ints, floats, lists, sets, dicts, tuples, True/None).  Errors are the
exception classes below, all subclasses of ``DtRedis.RedisError``, made
from the library's GErrors and the server's error replies by one table,
``_ERRORS``, and always raised, never returned.  Pipelines have redis-py's
optimistic transactions: watch() sends WATCH at once on a leased
connection (see _PipelineBase).

"""

import contextlib

from gi.repository import GLib

from gi.module import get_introspection_module
from gi.overrides import override
from dtredis import exceptions
from dtredis.async_client import AsyncClient, _DecodedAsyncClient
from dtredis.bridge import _bridge
from dtredis.client import Client, _DecodedClient
from dtredis.cluster import AsyncRedisCluster, ClusterNode, RedisCluster
from dtredis.core import _error, _none
from dtredis.exceptions import (  # noqa: F401 - the classes are DtRedis.*
    AskError, AuthenticationError, AuthenticationWrongNumberOfArgsError, BusyLoadingError,
    ClusterCrossSlotError, ClusterDownError, ClusterError, ConnectionError, DataError,
    ExecAbortError, InvalidConfigError, InvalidResponse, LockError, LockNotOwnedError,
    MasterDownError, ModuleError, MovedError, NoPermissionError, NoScriptError, PubSubError,
    ReadOnlyError, RedisClusterException, RedisError, ResponseError, SlotNotCoveredError,
    TimeoutError, TryAgainError, WatchError)
from dtredis.lock import AsyncLock, Lock
from dtredis.script import AsyncScript, Script
from dtredis.sentinel import AsyncSentinel, MasterNotFoundError, Sentinel, SlaveNotFoundError

DtRedis = get_introspection_module('DtRedis')

__all__ = list(exceptions.NAMES) + [
    'Client', 'AsyncClient', 'Lock', 'AsyncLock', 'Script', 'AsyncScript',
    'Sentinel', 'AsyncSentinel', 'MasterNotFoundError', 'SlaveNotFoundError',
    'RedisCluster', 'AsyncRedisCluster', 'ClusterNode']


# -- configuration and instance ---------------------------------------------------------

_CConfig = DtRedis.Config


@override
class Config(_CConfig):
    """Connection settings with fluent setters (each returns the config)."""

    @classmethod
    def new_from_url(cls, url):
        """A configuration parsed from @url; InvalidConfigError if it is bad."""
        try:
            return _CConfig.new_from_url(url)
        except GLib.Error as error:
            raise _error(error) from error

    def set_redis_db(self, db):
        """Sets the database number: a str as in the seed, or an int; the config."""
        if isinstance(db, int) and not isinstance(db, bool):
            db = str(db)
        return _CConfig.set_redis_db(self, db)

    def apply_redis_py_options(self, options):
        """Applies redis-py's connection keywords (from_url(**options)).

        Each keyword dtredis has a setting for is applied; the ones that
        only tune redis-py's own machinery are accepted when they ask for
        what dtredis does anyway.  Any other raises TypeError naming it,
        so no option is silently dropped.
        """
        options = dict(options)
        setters = {
            'db': self.set_redis_db,
            'username': self.set_redis_username,
            'password': self.set_redis_password,
            'socket_timeout': self.set_redis_socket_timeout,
            'socket_connect_timeout': self.set_redis_connect_timeout,
            'max_connections': self.set_redis_max_connections,
            'client_name': self.set_redis_client_name,
            'ssl': self.set_redis_ssl,
            'ssl_ca_certs': self.set_redis_tls_ca_file,
            'ssl_certfile': self.set_redis_tls_cert_file,
            'ssl_keyfile': self.set_redis_tls_key_file,
        }
        harmless = {'encoding': ('utf-8', 'utf8'), 'encoding_errors': ('strict',),
                    'retry_on_timeout': (False,), 'single_connection_client': (False,),
                    'health_check_interval': None, 'socket_keepalive': None}
        for key, value in options.items():
            if key in setters:
                if value is not None:
                    setters[key](value)
            elif key == 'ssl_cert_reqs':
                if value in (None, 'none', 0):
                    self.set_redis_tls_insecure(True)
            elif key in harmless and (harmless[key] is None or value in harmless[key]):
                continue
            else:
                raise TypeError('from_url() got an unsupported argument %s=%r'
                                % (key, value))
        return self

    def validate(self):
        """True, or raises InvalidConfigError naming the bad setting."""
        try:
            return _CConfig.validate(self)
        except GLib.Error as error:
            raise _error(error) from error


__all__.append('Config')

_CInstance = DtRedis.Instance
_i_get_redis_client = _CInstance.get_redis_client
_i_get_async_redis_client = _CInstance.get_async_redis_client
_i_reset_async_pool = (_CInstance.reset_async_pool_async,
                       _CInstance.reset_async_pool_finish)
_i_ping = _CInstance.ping


@override
class Instance(_CInstance):
    """dtpyfw's RedisInstance: lazy sync and async pools for one config.

    Instance(config) copies @config and does no I/O; pools open on first
    use.
    """

    def __init__(self, redis_config=None, decode_responses=False, **kwargs):
        if redis_config is not None:
            kwargs['config'] = redis_config
        super().__init__(**kwargs)
        self.decode_responses = bool(decode_responses)

    def _decode(self, decode_responses):
        if decode_responses is None:
            return getattr(self, 'decode_responses', False)
        return bool(decode_responses)

    def get_redis_client(self, decode_responses=None):
        """A sync Client (decoding replies to str with decode_responses,
        which defaults to the instance's); close it when done."""
        client = _i_get_redis_client(self)
        return _DecodedClient(client) if self._decode(decode_responses) else client

    def _async_client(self, decode_responses):
        client = _i_get_async_redis_client(self)
        if self._decode(decode_responses):
            return _DecodedAsyncClient(client)
        return client

    def _owned_client(self, decode_responses):
        """A client that owns this instance (from_url())."""
        client = self.get_redis_client(decode_responses)
        getattr(client, '_client', client)._dtredis_owner = self
        return client

    def _owned_async_client(self, decode_responses):
        client = self._async_client(decode_responses)
        getattr(client, '_client', client)._dtredis_owner = self
        return client

    @property
    def config(self):
        """The configuration (a snapshot of the one given)."""
        return self.get_config()

    @property
    def redis_url(self):
        """The connection URL, as the seed builds it."""
        return self.get_redis_url()

    def ping(self):
        """Checks the server with PING on the sync pool: True, or raises."""
        try:
            return _i_ping(self, None)
        except GLib.Error as error:
            raise _error(error) from error

    @contextlib.contextmanager
    def get_redis(self, decode_responses=None):
        """Context manager yielding a sync Client, closed on exit."""
        client = self.get_redis_client(decode_responses)
        try:
            yield client
        finally:
            client.close()

    async def get_async_redis_client(self, decode_responses=None):
        """An AsyncClient (a coroutine, as in the seed); close it when done."""
        return self._async_client(decode_responses)

    @contextlib.asynccontextmanager
    async def get_async_redis(self, decode_responses=None):
        """Async context manager yielding an AsyncClient, closed on exit."""
        client = self._async_client(decode_responses)
        try:
            yield client
        finally:
            await client.close()

    async def reset_async_pool(self):
        """Closes the async pool's connections; the next command opens new ones."""
        start, finish = _i_reset_async_pool
        await _bridge().solo(self, start, (), finish, _none)


__all__.append('Instance')


def is_redis_connected(redis_instance):
    """The seed's health check: (True, None), or (False, the exception)."""
    try:
        with redis_instance.get_redis() as client:
            client.ping()
        return True, None
    except Exception as error:  # the health check reports every failure
        return False, error


__all__.append('is_redis_connected')
