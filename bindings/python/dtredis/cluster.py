# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's RedisCluster on dtredis: DtRedis.RedisCluster and
DtRedis.AsyncRedisCluster.

Each wraps an ordinary dtredis client (sync, or asyncio) whose
DtRedis.Config is a Cluster config (cluster-nodes): the C library learns
the slot map, sends every command to the node that owns the slot of its
keys, follows MOVED and ASK and waits out TRYAGAIN and CLUSTERDOWN.  A
command whose keys are in different slots raises RedisClusterException
before anything is sent; a keyless one goes to the owner of slot 0.  Every
command method of the client is the cluster's (rc.set, rc.execute_command,
rc.pipeline...); this module adds redis-py's cluster methods: keyslot(),
the node getters, mget_nonatomic() and mset_nonatomic().

The library itself runs DBSIZE (summed), KEYS (joined), FLUSHDB,
FLUSHALL, SCRIPT FLUSH and SCRIPT LOAD on every primary.  What else
redis-py sends to every primary, SCRIPT EXISTS and the SCANs of
scan_iter(), goes here through a standalone client of each primary, made
on first use with the cluster's settings.

The node getters read the library's slot map (learned first when none is
known, which blocks: AsyncRedisCluster learns it in initialize(), which
`async with` awaits).  The instance behind a cluster (rc.instance) has the
topology-changed signal.
"""

import asyncio
import random
import socket
import threading
import urllib.parse

from gi.repository import GLib
from gi.module import get_introspection_module

from . import convert as _convert
from .call_thread import CallThread
from .client_extras import AsyncClientExtras, ClientExtras
from .core import _DOMAIN, _encode, _error
from .exceptions import RedisClusterException, SlotNotCoveredError
from .sentinel import _address

DtRedis = get_introspection_module('DtRedis')

PRIMARY = 'primary'
REPLICA = 'replica'

# redis-py's RedisCluster keywords that tune its own routing, which the C
# library does its own way: accepted with the values that ask for what it
# does (None: any value).  read_from_replicas is a setting of the config.
_ROUTING_OPTIONS = {
    'cluster_error_retry_attempts': None,  # retries last up to the socket timeout
    'reinitialize_steps': None,            # a MOVED updates the map, then refreshes it
    'dynamic_startup_nodes': None,         # the map's nodes are used, then the seeds
    'require_full_coverage': (False,),
    'address_remap': (None,),
    'retry': (None,),
}


def _node_name(host, port):
    """redis-py's node name."""
    return '%s:%s' % (host, port)


def _split_address(address):
    """(host, port) of the library's "host:port" ("[v6]:port")."""
    host, _, port = address.rpartition(':')
    if host.startswith('[') and host.endswith(']'):
        host = host[1:-1]
    return host, int(port)


def _resolved(host):
    """redis-py names the local host by its address."""
    return socket.gethostbyname(host) if host == 'localhost' else host


class ClusterNode:
    """redis-py's ClusterNode: a node's .host, .port, .name ("host:port")
    and .server_type ("primary", "replica", or None for a startup node).

    dtredis keeps the connections, so .redis_connection is always None.
    """

    def __init__(self, host, port=6379, server_type=None, redis_connection=None):
        self.host = _resolved(host)
        self.port = int(port)
        self.name = _node_name(self.host, self.port)
        self.server_type = server_type
        self.redis_connection = redis_connection

    def __repr__(self):
        return ('[host=%s,port=%d,name=%s,server_type=%s,redis_connection=%s]'
                % (self.host, self.port, self.name, self.server_type, self.redis_connection))

    def __eq__(self, other):
        return isinstance(other, ClusterNode) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


def _cluster_instance(host, port, startup_nodes, url, kwargs):
    """A DtRedis.Instance on a Cluster config, and decode_responses.

    The seeds are @url's addresses, or @host:@port, then @startup_nodes;
    the other keywords are from_url()'s, and read_from_replicas.
    """
    from gi.repository import DtRedis as Overridden  # the overridden Config and Instance
    options = dict(kwargs)
    decode = bool(options.pop('decode_responses', False))
    read_from_replicas = options.pop('read_from_replicas', None)
    for key, allowed in _ROUTING_OPTIONS.items():
        if key in options:
            value = options.pop(key)
            if allowed is not None and value not in allowed:
                raise TypeError('RedisCluster() got an unsupported argument %s=%r: '
                                'dtredis routes the commands itself' % (key, value))
    db = options.pop('db', None)
    if db not in (None, 0, '0'):
        raise RedisClusterException("Argument 'db' is not possible to use in cluster mode "
                                    "(a cluster has only database 0)")
    seeds = []
    if url is not None:
        if url.partition('://')[0].lower() == 'unix':
            raise RedisClusterException('RedisCluster does not currently support Unix '
                                        'Domain Socket connections')
        config = Overridden.Config.new_from_url(url)
        if config.props.db != '0':
            raise RedisClusterException("Argument 'db' is not possible to use in cluster "
                                        "mode (the URL names database %s)" % config.props.db)
        # redis+cluster:// names the nodes; redis:// one of them.
        seeds.extend(config.get_redis_cluster_nodes() or
                     [_address(config.props.host, config.props.port)])
    else:
        config = Overridden.Config()
        if host is not None:
            seeds.append(_address(host, port))
    for node in startup_nodes or ():
        if isinstance(node, ClusterNode):
            seeds.append(_address(node.host, node.port))
        else:
            seeds.append(_address(*node))
    if not seeds:
        raise RedisClusterException(
            'RedisCluster requires at least one node to discover the cluster: '
            'give host and port, startup_nodes=[ClusterNode(host, port), ...], '
            'or a URL (RedisCluster.from_url())')
    config.apply_redis_py_options(options)
    config.set_redis_cluster_nodes(list(dict.fromkeys(seeds)))
    if read_from_replicas is not None:
        config.set_redis_read_from_replicas(bool(read_from_replicas))
    config.validate()
    return Overridden.Instance(config), decode, seeds


def _pairing(nodes):
    """CLUSTER NODES (as redis-py converts it) as {primary name: [replica
    names]}.  Not CLUSTER SLOTS: it leaves out a replica until its first
    sync, when the library's map already has it."""
    names = {node['node_id']: _node_name(*_split_address(address))
             for address, node in nodes.items()}
    pairing = {}
    for node in nodes.values():
        primary = names.get(node['master_id'])
        if primary is not None:
            pairing.setdefault(primary, []).append(names[node['node_id']])
    return pairing


def _by_slot(keys):
    """{slot: [indexes of @keys]}, in the order the slots first appear."""
    slots = {}
    for index, key in enumerate(keys):
        slots.setdefault(_key_slot(key), []).append(index)
    return slots


def _key_slot(key):
    return DtRedis.key_slot_bytes(GLib.Bytes.new(_encode(key)))


def _in_order(n, slots, replies):
    """The values of per-slot MGET @replies at their keys' places."""
    values = [None] * n
    for indexes, reply in zip(slots.values(), replies):
        for index, value in zip(indexes, reply):
            values[index] = value
    return values


def _pairs_by_slot(mapping):
    """{slot: {key: value}} for MSET."""
    slots = {}
    for key, value in mapping.items():
        slots.setdefault(_key_slot(key), {})[key] = value
    return slots


def _url_for(url, host, port):
    """@url for @host:@port alone (redis:// or rediss://); its credentials
    and options kept."""
    parts = urllib.parse.urlsplit(url)
    userinfo, at, _ = parts.netloc.rpartition('@')
    return urllib.parse.urlunsplit(parts._replace(
        scheme=parts.scheme.lower().replace('+cluster', ''),
        netloc=userinfo + at + _address(host, port)))


def _no_target_nodes(options):
    if options.get('target_nodes') is not None:
        raise TypeError('execute_command() got target_nodes: dtredis sends a command '
                        'to the node that owns its keys (a keyless one to the owner of slot 0)')


class _ClusterBase:
    """What both classes share: the settings, keyslot() and the node getters."""

    def __init__(self, host=None, port=6379, startup_nodes=None, url=None, **kwargs):
        instance, decode, seeds = _cluster_instance(host, port, startup_nodes, url, kwargs)
        self._instance = instance
        self._decode = decode
        self._client = self._owned(instance, decode)
        self._node_clients = {}
        self._node_clients_lock = threading.Lock()
        self.startup_nodes = {}
        for address in seeds:
            node = ClusterNode(*_split_address(address))
            self.startup_nodes[node.name] = node
        self._nodes = {}
        self._pairing = None  # (the node lists it was made for, {primary: [replicas]})

    @classmethod
    def from_url(cls, url, **kwargs):
        """A cluster client whose seeds are @url's addresses
        ("redis://[[user]:[password]@]host:port[/0]", "rediss://...", or
        "redis+cluster://host:port,host:port/0"); the keywords are
        RedisCluster()'s.  As in from_url(), what the URL says wins."""
        return cls(url=url, **kwargs)

    def __getattr__(self, name):
        # Every command method, pipeline(), lock()...: the client's.
        if name == '_client':
            raise AttributeError(name)
        return getattr(self._client, name)

    def __repr__(self):
        return '<%s startup_nodes=[%s]>' % (type(self).__name__, ','.join(self.startup_nodes))

    @property
    def instance(self):
        """The DtRedis.Instance behind the client (topology-changed)."""
        return self._instance

    def keyslot(self, key):
        """The hash slot of @key, encoded as redis-py encodes keys."""
        return _key_slot(key)

    def _addresses(self, replicas):
        try:
            return self._instance.list_cluster_nodes(replicas, None)
        except GLib.Error as error:
            raise _error(error) from error

    def _node(self, address, server_type):
        """The ClusterNode of @address ("host:port", a name too), the same
        object each time."""
        host, port = _split_address(address)
        name = _node_name(host, port)
        node = self._nodes.get(name)
        if node is None:
            node = self._nodes.setdefault(name, ClusterNode(host, port))
        node.server_type = server_type
        return node

    def get_primaries(self):
        """The primaries (ClusterNode), in the order of their first slot."""
        return [self._node(address, PRIMARY) for address in self._addresses(False)]

    def get_replicas(self):
        """The replicas (ClusterNode)."""
        return [self._node(address, REPLICA) for address in self._addresses(True)]

    def get_nodes(self):
        """Every node of the slot map: the primaries, then the replicas."""
        return self.get_primaries() + self.get_replicas()

    def get_random_node(self):
        """Any node of the slot map."""
        return random.choice(self.get_nodes())

    def get_node(self, host=None, port=None, node_name=None):
        """The node at @host:@port, or named @node_name; None if the slot
        map has no such node."""
        if host and port:
            node_name = _node_name(_resolved(host), int(port))
        elif not node_name:
            return None
        for node in self.get_nodes():
            if node.name == node_name:
                return node
        return None

    def get_default_node(self):
        """The node keyless commands go to: the owner of slot 0 (None
        when no node owns it)."""
        try:
            return self._node(self._owner(0), PRIMARY)
        except SlotNotCoveredError:
            return None

    def _owner(self, slot):
        try:
            return self._instance.get_cluster_node_for_slot(slot, None)
        except GLib.Error as error:
            if (error.domain, error.code) == (_DOMAIN, int(DtRedis.Error.FAILED)):
                raise SlotNotCoveredError('Slot "%d" is not covered by the cluster.'
                                          % slot) from error
            raise _error(error) from error

    def _stamp(self):
        return tuple(self._addresses(False)), tuple(self._addresses(True))

    def _node_from_slot(self, slot, replica):
        """get_node_from_key()'s answer, with self._pairing up to date."""
        owner = self._node(self._owner(slot), PRIMARY)
        if not replica:
            return owner
        # The pairing may be older than the map: only a replica the map
        # still has.
        replicas = {_node_name(*_split_address(address)) for address in self._addresses(True)}
        for name in self._pairing[1].get(owner.name, ()):
            if name in replicas:
                return self._node(name, REPLICA)
        return None

    def _node_client(self, node):
        """A standalone client of @node, with the cluster's settings (made
        once, closed by close())."""
        with self._node_clients_lock:
            client = self._node_clients.get(node.name)
            if client is None:
                from gi.repository import DtRedis as Overridden
                config = self._instance.get_config().copy()
                config.set_redis_cluster_nodes(None)
                config.set_redis_host(node.host).set_redis_port(node.port)
                if config.props.url:
                    config.set_redis_url(_url_for(config.props.url, node.host, node.port))
                client = self._owned_node(Overridden.Instance(config), self._decode)
                self._node_clients[node.name] = client
            return client

    def _take_node_clients(self):
        with self._node_clients_lock:
            clients = list(self._node_clients.values())
            self._node_clients.clear()
        return clients


class RedisCluster(ClientExtras, _ClusterBase):
    """redis-py's redis.cluster.RedisCluster, on a dtredis client.

    RedisCluster(host='10.0.0.1', port=7000) or
    RedisCluster(startup_nodes=[ClusterNode('10.0.0.1', 7000), ...],
    password=..., socket_timeout=0.5), or RedisCluster.from_url(url).
    The keyword arguments are from_url()'s and read_from_replicas; db
    must be 0, and redis-py's other routing keywords are accepted when
    they ask for what dtredis does.
    Every other attribute is the wrapped DtRedis.Client's: rc.set(),
    rc.get(), rc.execute_command(), rc.pipeline()...
    """

    @staticmethod
    def _owned(instance, decode):
        return instance._owned_client(decode)

    _owned_node = _owned

    def get_node_from_key(self, key, replica=False):
        """The primary that owns @key's slot; with replica, one of its
        replicas (None if it has none).  SlotNotCoveredError when no
        node owns the slot."""
        if replica and (self._pairing is None or self._pairing[0] != self._stamp()):
            stamp = self._stamp()
            self._pairing = stamp, _pairing(self._client.execute_command('CLUSTER', 'NODES'))
        return self._node_from_slot(self.keyslot(key), replica)

    def execute_command(self, *args, **options):
        """Runs any command where its keys live (see Client.execute_command)."""
        _no_target_nodes(options)
        return self._client.execute_command(*args, **options)

    def pipeline(self, transaction=None, shard_hint=None):
        """A pipeline of the client: not a transaction unless @transaction,
        as in redis-py's RedisCluster."""
        return self._client.pipeline(bool(transaction), shard_hint)

    def mget_nonatomic(self, keys, *args):
        """MGET for the keys of each slot, one after the other: the values
        in the order of @keys."""
        keys = _convert.list_or_args(keys, args)
        slots = _by_slot(keys)
        return _in_order(len(keys), slots, [self._client.mget([keys[i] for i in indexes])
                                            for indexes in slots.values()])

    def mset_nonatomic(self, mapping):
        """MSET for the pairs of each slot, one after the other: one True
        per slot."""
        return [self._client.mset(pairs) for pairs in _pairs_by_slot(mapping).values()]

    def _summed(self, command, keys):
        """@command for the keys of each slot, one after the other, the
        counts added up: not atomic, as in redis-py's RedisCluster."""
        keys = list(keys)
        return sum(getattr(self._client, command)(*[keys[i] for i in indexes])
                   for indexes in _by_slot(keys).values())

    def delete(self, *names):
        """DEL of keys in any slots: one DEL per slot, the count summed."""
        return self._summed('delete', names)

    def exists(self, *names):
        """EXISTS of keys in any slots: one per slot, the count summed."""
        return self._summed('exists', names)

    def unlink(self, *names):
        """UNLINK of keys in any slots: one per slot, the count summed."""
        return self._summed('unlink', names)

    def touch(self, *names):
        """TOUCH of keys in any slots: one per slot, the count summed."""
        return self._summed('touch', names)

    def _on_primaries(self, method, *args, **kwargs):
        """client.@method(...) on a standalone client of each primary: the results."""
        return [getattr(self._node_client(node), method)(*args, **kwargs)
                for node in self.get_primaries()]

    def script_exists(self, *args):
        """SCRIPT EXISTS: whether every primary has each script."""
        return [all(found) for found in zip(*self._on_primaries('script_exists', *args))]

    def scan_iter(self, match=None, count=None, _type=None, **kwargs):
        """Every key of the cluster (matching @match, of type @_type): SCAN
        on each primary in turn."""
        for node in self.get_primaries():
            yield from self._node_client(node).scan_iter(match=match, count=count,
                                                         _type=_type, **kwargs)

    def close(self):
        """Closes the client and the pools it owns."""
        try:
            for client in self._take_node_clients():
                client.close()
        finally:
            self._client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


async def _raising(error):
    raise error


class AsyncRedisCluster(AsyncClientExtras, _ClusterBase):
    """redis-py's redis.asyncio.cluster.RedisCluster, on a dtredis
    AsyncClient: the same constructor as RedisCluster, awaitable
    commands.

    `await rc.initialize()` (or `async with`) learns the slot map without
    blocking the event loop; the node getters then read it.
    """

    def __init__(self, host=None, port=6379, startup_nodes=None, url=None, **kwargs):
        super().__init__(host, port, startup_nodes, url, **kwargs)
        self._thread = CallThread('dtredis-cluster')

    @staticmethod
    def _owned(instance, decode):
        return instance._owned_async_client(decode)

    _owned_node = _owned

    async def initialize(self):
        """Learns the slot map (in a thread of its own), and which replica
        serves which primary; the cluster."""
        def learn(cancellable):
            try:
                return self._instance.list_cluster_nodes(False, cancellable)
            except GLib.Error as error:
                raise _error(error) from error
        await self._thread.call(learn)
        stamp = self._stamp()
        self._pairing = stamp, _pairing(await self._client.execute_command('CLUSTER', 'NODES'))
        return self

    def get_node_from_key(self, key, replica=False):
        """The primary that owns @key's slot; with replica, one of its
        replicas as initialize() last saw them (None if it has none).
        SlotNotCoveredError when no node owns the slot."""
        if replica and self._pairing is None:
            raise RedisClusterException('get_node_from_key(replica=True) needs '
                                        'await initialize() first')
        return self._node_from_slot(self.keyslot(key), replica)

    def execute_command(self, *args, **options):
        """Runs any command where its keys live; awaitable."""
        try:
            _no_target_nodes(options)
        except TypeError as error:
            return _raising(error)
        return self._client.execute_command(*args, **options)

    def pipeline(self, transaction=None, shard_hint=None):
        """A pipeline of the client: not a transaction unless @transaction."""
        return self._client.pipeline(bool(transaction), shard_hint)

    async def mget_nonatomic(self, keys, *args):
        """MGET for the keys of each slot, all at once: the values in the
        order of @keys."""
        keys = _convert.list_or_args(keys, args)
        slots = _by_slot(keys)
        replies = await asyncio.gather(*(self._client.mget([keys[i] for i in indexes])
                                         for indexes in slots.values()))
        return _in_order(len(keys), slots, replies)

    async def mset_nonatomic(self, mapping):
        """MSET for the pairs of each slot, all at once: one True per slot."""
        return list(await asyncio.gather(*(self._client.mset(pairs)
                                           for pairs in _pairs_by_slot(mapping).values())))

    async def _summed(self, command, keys):
        """@command for the keys of each slot, all at once, the counts
        added up: not atomic, as in redis-py's RedisCluster."""
        keys = list(keys)
        return sum(await asyncio.gather(*(getattr(self._client, command)(*[keys[i] for i in indexes])
                                          for indexes in _by_slot(keys).values())))

    async def delete(self, *names):
        """DEL of keys in any slots: one DEL per slot, the count summed."""
        return await self._summed('delete', names)

    async def exists(self, *names):
        """EXISTS of keys in any slots: one per slot, the count summed."""
        return await self._summed('exists', names)

    async def unlink(self, *names):
        """UNLINK of keys in any slots: one per slot, the count summed."""
        return await self._summed('unlink', names)

    async def touch(self, *names):
        """TOUCH of keys in any slots: one per slot, the count summed."""
        return await self._summed('touch', names)

    async def _on_primaries(self, method, *args, **kwargs):
        """As RedisCluster._on_primaries(), on every primary at once."""
        return await asyncio.gather(*(getattr(self._node_client(node), method)(*args, **kwargs)
                                      for node in self.get_primaries()))

    async def script_exists(self, *args):
        """SCRIPT EXISTS: whether every primary has each script."""
        return [all(found) for found in zip(*await self._on_primaries('script_exists', *args))]

    async def scan_iter(self, match=None, count=None, _type=None, **kwargs):
        """Every key of the cluster: SCAN on each primary in turn."""
        for node in self.get_primaries():
            async for key in self._node_client(node).scan_iter(
                    match=match, count=count, _type=_type, **kwargs):
                yield key

    async def close(self):
        """Closes the client and the pools it owns."""
        try:
            for client in self._take_node_clients():
                await client.close()
        finally:
            try:
                await self._client.close()
            finally:
                await self._thread.close(lambda: None)

    async def aclose(self):
        """The same as close()."""
        await self.close()

    async def __aenter__(self):
        return await self.initialize()

    async def __aexit__(self, *exc_info):
        await self.close()
