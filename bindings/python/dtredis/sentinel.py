# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's Sentinel on dtredis: DtRedis.Sentinel and DtRedis.AsyncSentinel.

master_for() and slave_for() return ordinary dtredis clients (sync, or
asyncio) whose DtRedis.Config is a Sentinel config: the C library asks the
sentinels where the master is, checks the node's role with ROLE before
using a connection, listens for +switch-master and moves every new command
to the new master at once. A command already sent to the old master is
never sent again. The instance behind a client has the master-changed
signal (client.instance).

discover_master() and discover_slaves() ask the sentinels directly, as
redis-py's do, with its checks (the master is not down, and is seen by at
least min_other_sentinels other sentinels).
"""

from .exceptions import ConnectionError, ResponseError, TimeoutError

_SENTINEL_OPTIONS = ('username', 'password')


class MasterNotFoundError(ConnectionError):
    """No sentinel knows a usable master of that name (redis-py's name)."""


class SlaveNotFoundError(ConnectionError):
    """No sentinel knows a usable replica (redis-py's name)."""


def _address(host, port):
    host = str(host)
    if ':' in host and not host.startswith('['):
        host = '[%s]' % host
    return '%s:%d' % (host, int(port))


def _pairs(entry):
    """One entry of SENTINEL MASTERS/REPLICAS (a flat list) as a dict of str."""
    values = [item.decode() if isinstance(item, bytes) else str(item) for item in entry]
    return dict(zip(values[0::2], values[1::2]))


def _check_master_state(state, min_other_sentinels):
    flags = state.get('flags', '').split(',')
    if 'master' not in flags or 's_down' in flags or 'o_down' in flags:
        return False
    return int(state.get('num-other-sentinels', 0)) >= min_other_sentinels


def _healthy_replicas(entries):
    found = []
    for entry in entries:
        state = _pairs(entry)
        flags = state.get('flags', '').split(',')
        if 's_down' in flags or 'o_down' in flags or 'disconnected' in flags:
            continue
        found.append((state['ip'], int(state['port'])))
    return found


class _SentinelBase:
    def __init__(self, sentinels, min_other_sentinels=0, sentinel_kwargs=None,
                 **connection_kwargs):
        self.sentinel_addresses = [(str(host), int(port)) for host, port in sentinels]
        if not self.sentinel_addresses:
            raise ValueError('Sentinel() needs at least one (host, port)')
        self.min_other_sentinels = min_other_sentinels
        sentinel_kwargs = dict(sentinel_kwargs or {})
        for key, value in sentinel_kwargs.items():
            if key not in _SENTINEL_OPTIONS and value is not None:
                raise TypeError('Sentinel() got an unsupported sentinel_kwargs entry %s=%r: '
                                'the sentinels are reached with the data nodes\' settings '
                                'and their own username and password' % (key, value))
        self.sentinel_kwargs = sentinel_kwargs
        self.connection_kwargs = connection_kwargs

    def __repr__(self):
        return '<%s sentinels=[%s]>' % (type(self).__name__, ','.join(
            _address(host, port) for host, port in self.sentinel_addresses))

    def _instance(self, service_name, replicas, kwargs):
        from gi.repository import DtRedis
        options = dict(self.connection_kwargs)
        options.update(kwargs)
        decode = bool(options.pop('decode_responses', False))
        for ignored in ('redis_class', 'connection_pool_class'):
            if options.pop(ignored, None) is not None:
                raise TypeError('%s is not supported: dtredis makes the client' % ignored)
        config = DtRedis.Config()
        config.set_redis_sentinels([_address(host, port)
                                    for host, port in self.sentinel_addresses])
        config.set_redis_master_name(service_name)
        config.set_redis_read_from_replicas(replicas)
        if self.sentinel_kwargs.get('username') is not None:
            config.set_redis_sentinel_username(self.sentinel_kwargs['username'])
        if self.sentinel_kwargs.get('password') is not None:
            config.set_redis_sentinel_password(self.sentinel_kwargs['password'])
        config.apply_redis_py_options(options)
        config.validate()
        return DtRedis.Instance(config), decode

    def _sentinel_url(self, host, port):
        from urllib.parse import quote
        credentials = ''
        if self.sentinel_kwargs.get('password') is not None:
            credentials = '%s:%s@' % (quote(self.sentinel_kwargs.get('username') or '', safe=''),
                                      quote(self.sentinel_kwargs['password'], safe=''))
        elif self.sentinel_kwargs.get('username') is not None:
            credentials = '%s@' % quote(self.sentinel_kwargs['username'], safe='')
        return 'redis://%s%s/0' % (credentials, _address(host, port))

    def _client(self, service_name, replicas, redis_class, connection_pool_class, kwargs):
        instance, decode = self._instance(service_name, replicas, dict(
            kwargs, redis_class=redis_class, connection_pool_class=connection_pool_class))
        return self._owned(instance, decode)

    def master_for(self, service_name, redis_class=None, connection_pool_class=None,
                   **kwargs):
        """A client on the master of @service_name; it follows failovers."""
        return self._client(service_name, False, redis_class, connection_pool_class, kwargs)

    def slave_for(self, service_name, redis_class=None, connection_pool_class=None,
                  **kwargs):
        """A client on a replica of @service_name (read-from-replicas), or
        on the master when there is no healthy replica."""
        return self._client(service_name, True, redis_class, connection_pool_class, kwargs)

    def _adopt_master(self, index, masters, service_name):
        """The master's (host, port) in sentinel @index's SENTINEL MASTERS
        answer when it is usable (that sentinel then comes first), or None."""
        for entry in masters:
            state = _pairs(entry)
            if state.get('name') == service_name and \
                    _check_master_state(state, self.min_other_sentinels):
                self.sentinels.insert(0, self.sentinels.pop(index))
                return state['ip'], int(state['port'])
        return None


class Sentinel(_SentinelBase):
    """redis-py's redis.sentinel.Sentinel, with dtredis clients.

    Sentinel([('127.0.0.1', 26379), ...], sentinel_kwargs={'password': ...},
    socket_timeout=0.5, password=...).master_for('mymaster') gives a
    DtRedis.Client on the master; slave_for() one on a healthy replica
    (the master when there is none). The keyword arguments are from_url()'s.
    """

    def __init__(self, sentinels, min_other_sentinels=0, sentinel_kwargs=None,
                 **connection_kwargs):
        super().__init__(sentinels, min_other_sentinels, sentinel_kwargs, **connection_kwargs)
        from .client import Client
        self.sentinels = [Client.from_url(self._sentinel_url(host, port))
                          for host, port in self.sentinel_addresses]

    @staticmethod
    def _owned(instance, decode):
        return instance._owned_client(decode)

    def discover_master(self, service_name):
        """(host, port) of the master, from the first sentinel that knows a
        usable one; MasterNotFoundError otherwise."""
        for index, sentinel in enumerate(self.sentinels):
            try:
                masters = sentinel.execute_command('SENTINEL', 'MASTERS')
            except (ConnectionError, TimeoutError):
                continue
            found = self._adopt_master(index, masters, service_name)
            if found is not None:
                return found
        raise MasterNotFoundError('No master found for %r' % (service_name,))

    def discover_slaves(self, service_name):
        """[(host, port)] of the healthy replicas, from the first sentinel
        that answers."""
        for sentinel in self.sentinels:
            try:
                found = _healthy_replicas(
                    sentinel.execute_command('SENTINEL', 'REPLICAS', service_name))
            except (ConnectionError, TimeoutError, ResponseError):
                continue
            if found:
                return found
        return []

    def execute_command(self, *args, once=False, **kwargs):
        """Runs a command on every sentinel (on the first with once=True);
        True, as redis-py returns."""
        for sentinel in self.sentinels[:1] if once else self.sentinels:
            sentinel.execute_command(*args, **kwargs)
        return True

    def close(self):
        """Closes the connections to the sentinels."""
        for sentinel in self.sentinels:
            sentinel.close()


class AsyncSentinel(_SentinelBase):
    """redis-py's redis.asyncio.sentinel.Sentinel: master_for() and
    slave_for() give asyncio clients; discover_* are coroutines."""

    def __init__(self, sentinels, min_other_sentinels=0, sentinel_kwargs=None,
                 **connection_kwargs):
        super().__init__(sentinels, min_other_sentinels, sentinel_kwargs, **connection_kwargs)
        from .async_client import AsyncClient
        self.sentinels = [AsyncClient.from_url(self._sentinel_url(host, port))
                          for host, port in self.sentinel_addresses]

    @staticmethod
    def _owned(instance, decode):
        return instance._owned_async_client(decode)

    async def discover_master(self, service_name):
        """(host, port) of the master; MasterNotFoundError otherwise."""
        for index, sentinel in enumerate(self.sentinels):
            try:
                masters = await sentinel.execute_command('SENTINEL', 'MASTERS')
            except (ConnectionError, TimeoutError):
                continue
            found = self._adopt_master(index, masters, service_name)
            if found is not None:
                return found
        raise MasterNotFoundError('No master found for %r' % (service_name,))

    async def discover_slaves(self, service_name):
        """[(host, port)] of the healthy replicas."""
        for sentinel in self.sentinels:
            try:
                found = _healthy_replicas(
                    await sentinel.execute_command('SENTINEL', 'REPLICAS', service_name))
            except (ConnectionError, TimeoutError, ResponseError):
                continue
            if found:
                return found
        return []

    async def execute_command(self, *args, once=False, **kwargs):
        """Runs a command on every sentinel (the first with once=True)."""
        for sentinel in self.sentinels[:1] if once else self.sentinels:
            await sentinel.execute_command(*args, **kwargs)
        return True

    async def close(self):
        """Closes the connections to the sentinels."""
        for sentinel in self.sentinels:
            await sentinel.close()
