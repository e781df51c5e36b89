# SPDX-License-Identifier: LGPL-2.1-or-later
"""Redis Cluster against the local lab (cluster_lab.py): hash slots, and
DtRedis.RedisCluster and AsyncRedisCluster."""

import asyncio
import random
import time

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis, GLib  # noqa: E402
from gi.module import get_introspection_module  # noqa: E402

import redis  # noqa: E402
import redis.exceptions  # noqa: E402


def test_the_lab_has_three_primaries_with_a_replica_each(cluster_lab):
    node = cluster_lab.nodes[0]
    shards = redis.Redis(host=node.host, port=node.port).execute_command('CLUSTER', 'SHARDS')
    assert len(shards) == 3
    for shard in shards:
        fields = dict(zip(shard[::2], shard[1::2]))
        roles = sorted(dict(zip(n[::2], n[1::2]))[b'role'] for n in fields[b'nodes'])
        assert roles == [b'master', b'replica']


def test_key_slot_equals_cluster_keyslot(cluster_lab):
    """100,000 random keys (bytes weighted towards {, } and NUL) and the
    hash tags' edge cases: DtRedis.key_slot_bytes() against the cluster's
    own CLUSTER KEYSLOT, asked of every node in turn."""
    rand = random.Random(20261203)
    alphabet = [b'{', b'}', b'\0', b'a', b'b'] + [bytes([i]) for i in range(256)]
    keys = [b'', b'{}', b'{a}', b'a{}b', b'{}{a}', b'{{a}}', b'a{b}c{d}', b'}{x}', b'{\0}',
            '{é}'.encode(), b'{user1000}.following', b'123456789']
    keys += [b''.join(rand.choice(alphabet) for _ in range(rand.randrange(0, 30)))
             for _ in range(100000)]
    clients = [redis.Redis(host=node.host, port=node.port) for node in cluster_lab.nodes]
    expected = []
    for start in range(0, len(keys), 10000):
        pipe = clients[(start // 10000) % len(clients)].pipeline(transaction=False)
        for key in keys[start:start + 10000]:
            pipe.execute_command('CLUSTER', 'KEYSLOT', key)
        expected += pipe.execute()
    got = [DtRedis.key_slot_bytes(GLib.Bytes.new(key)) for key in keys]
    mismatches = [(key, g, e) for key, g, e in zip(keys, got, expected) if g != e]
    assert not mismatches[:5]
    assert DtRedis.key_slot('{user1000}.followers') == DtRedis.key_slot('user1000') == 3443
    assert DtRedis.CLUSTER_SLOTS == 16384


# -- DtRedis.RedisCluster and AsyncRedisCluster ----------------------------------------
#
# Each test checks what the servers themselves hold and ran, through
# redis-py clients of single nodes, against the slot map the cluster gives
# (CLUSTER SHARDS).  Keys start with "pyrc:" (or "{pyrc:...}") and are
# deleted at the end.

_C = get_introspection_module('DtRedis')  # the C methods, without the Python layer
TIMEOUTS = dict(socket_timeout=5.0, socket_connect_timeout=2.0)


class _Shards:
    """The cluster as CLUSTER SHARDS has it, and redis-py clients of its nodes."""

    def __init__(self, lab):
        self._clients = {}
        self.owner = [None] * DtRedis.CLUSTER_SLOTS
        self.primaries, self.replicas, self.replicas_of = [], [], {}
        seed = lab.nodes[0]
        seed_name = '%s:%d' % (seed.host, seed.port)
        for shard in self.node(seed_name).execute_command('CLUSTER', 'SHARDS'):
            fields = dict(zip(shard[::2], shard[1::2]))
            nodes = [dict(zip(n[::2], n[1::2])) for n in fields[b'nodes']]
            names = {n[b'role']: '%s:%d' % (n[b'ip'].decode(), n[b'port']) for n in nodes}
            primary = names[b'master']
            self.primaries.append(primary)
            self.replicas.append(names[b'replica'])
            self.replicas_of[primary] = names[b'replica']
            slots = fields[b'slots']
            for first, last in zip(slots[::2], slots[1::2]):
                self.owner[first:last + 1] = [primary] * (last - first + 1)
        self.all = self.primaries + self.replicas

    def node(self, name):
        client = self._clients.get(name)
        if client is None:
            host, port = name.rsplit(':', 1)
            client = self._clients[name] = redis.Redis(host=host, port=int(port))
        return client

    def server_slots(self, keys):
        """CLUSTER KEYSLOT of each key, asked of the cluster."""
        pipe = self.node(self.primaries[0]).pipeline(transaction=False)
        for key in keys:
            pipe.execute_command('CLUSTER', 'KEYSLOT', key)
        return pipe.execute()

    def keys_by_primary(self, pattern):
        """{primary: set of its keys matching @pattern}, from each node's own SCAN."""
        return {name: set(self.node(name).scan_iter(match=pattern, count=1000))
                for name in self.primaries}

    def calls(self, command):
        """{node: how many times it ran @command} (INFO commandstats)."""
        return {name: self.node(name).info('commandstats').get('cmdstat_' + command, {})
                .get('calls', 0) for name in self.all}

    def delete(self, pattern):
        for name in self.primaries:
            pipe = self.node(name).pipeline(transaction=False)
            for key in self.node(name).scan_iter(match=pattern, count=1000):
                pipe.delete(key)  # one by one: a node refuses keys of several slots
            pipe.execute()


def _rc(lab, **kwargs):
    seed = lab.nodes[0]
    return DtRedis.RedisCluster(host=seed.host, port=seed.port, **dict(TIMEOUTS, **kwargs))


def _expected_homes(shards, keys):
    homes = {name: set() for name in shards.primaries}
    for key, slot in zip(keys, shards.server_slots(keys)):
        homes[shards.owner[slot]].add(key.encode())
    return homes


def test_redis_cluster_puts_each_key_on_the_owner_of_its_slot(cluster_lab):
    shards = _Shards(cluster_lab)
    keys = ['pyrc:route:%d' % i for i in range(300)]
    rc = _rc(cluster_lab)
    try:
        for i, key in enumerate(keys):
            assert rc.set(key, 'v%d' % i) is True
        homes = _expected_homes(shards, keys)
        assert all(len(held) > 50 for held in homes.values())  # every primary has some
        assert shards.keys_by_primary('pyrc:route:*') == homes
        for i, key in enumerate(keys):
            assert rc.get(key) == b'v%d' % i
        slots = shards.server_slots(keys)
        assert [shards.node(shards.owner[slot]).get(key) for key, slot in zip(keys, slots)] \
            == [b'v%d' % i for i in range(300)]
        assert [rc.incr(key) for key in ('pyrc:route:n', 'pyrc:route:n')] == [1, 2]
        assert rc.execute_command('GET', 'pyrc:route:n') == b'2'
        assert rc.hset('pyrc:route:h', mapping={'a': 1, 'b': 2}) == 2
        assert rc.hgetall('pyrc:route:h') == {b'a': b'1', b'b': b'2'}
        assert rc.delete(*keys[:1]) == 1
        assert rc.exists(keys[0]) == 0
    finally:
        rc.close()
        shards.delete('pyrc:route:*')
    assert shards.keys_by_primary('pyrc:route:*') == {name: set() for name in shards.primaries}


def test_keyslot_and_node_getters_match_the_cluster(cluster_lab):
    shards = _Shards(cluster_lab)
    rc = _rc(cluster_lab)
    try:
        values = ['pyrc:slot', b'pyrc:\xff\x00bytes', 12345, -7, 2.5, 1e100, '{user1000}.x', 'é']
        assert [rc.keyslot(value) for value in values] == shards.server_slots(values)
        with pytest.raises(DtRedis.DataError):
            rc.keyslot(True)

        assert sorted(node.name for node in rc.get_primaries()) == sorted(shards.primaries)
        assert sorted(node.name for node in rc.get_replicas()) == sorted(shards.replicas)
        nodes = rc.get_nodes()
        assert sorted(node.name for node in nodes) == sorted(shards.all)
        assert {node.name: node.server_type for node in nodes} == dict(
            [(name, 'primary') for name in shards.primaries]
            + [(name, 'replica') for name in shards.replicas])
        for lab_node in cluster_lab.nodes:
            node = rc.get_node(lab_node.host, lab_node.port)
            assert (node.host, node.port) == (lab_node.host, lab_node.port)
            assert rc.get_node(node_name=node.name) is node
        assert rc.get_node('127.0.0.1', 1) is None
        assert rc.get_default_node().name == shards.owner[0]

        keys = ['pyrc:node:%d' % i for i in range(64)]
        for key, slot in zip(keys, shards.server_slots(keys)):
            assert rc.get_node_from_key(key).name == shards.owner[slot]
            replica = rc.get_node_from_key(key, replica=True)
            assert (replica.name, replica.server_type) == \
                (shards.replicas_of[shards.owner[slot]], 'replica')

        node = DtRedis.ClusterNode('localhost', 7000)
        assert (node.host, node.port, node.name) == ('127.0.0.1', 7000, '127.0.0.1:7000')
        assert node == DtRedis.ClusterNode('127.0.0.1', 7000)
        assert node != DtRedis.ClusterNode('127.0.0.1', 7001)
    finally:
        rc.close()


def test_mget_and_mset_nonatomic_send_one_command_per_slot(cluster_lab):
    shards = _Shards(cluster_lab)
    keys = ['pyrc:nonatomic:%d' % i for i in range(40)] + ['{pyrc:tag}:%d' % i for i in range(5)]
    slots = shards.server_slots(keys)
    per_primary = {name: len({s for s in set(slots) if shards.owner[s] == name})
                   for name in shards.primaries}
    rc = _rc(cluster_lab)
    try:
        before = shards.calls('mset')
        assert rc.mset_nonatomic({key: 'm' + key for key in keys}) == [True] * len(set(slots))
        after = shards.calls('mset')
        assert {name: after[name] - before[name] for name in shards.primaries} == per_primary
        for key, slot in zip(keys, slots):
            assert shards.node(shards.owner[slot]).get(key) == b'm' + key.encode()

        asked = list(reversed(keys)) + ['pyrc:nonatomic:missing', keys[3]]
        before = shards.calls('mget')
        got = rc.mget_nonatomic(asked)
        after = shards.calls('mget')
        assert got == [b'm' + key.encode() for key in reversed(keys)] + \
            [None, b'm' + keys[3].encode()]
        missing_slot = shards.server_slots(['pyrc:nonatomic:missing'])[0]
        assert sum(after.values()) - sum(before.values()) == len(set(slots) | {missing_slot})
        assert rc.mget_nonatomic(keys[0], keys[1]) == \
            [b'm' + keys[0].encode(), b'm' + keys[1].encode()]
        # Keys of one slot (a hash tag) are one MGET, atomic.
        assert rc.mget(keys[40:]) == [b'm' + key.encode() for key in keys[40:]]
    finally:
        rc.close()
        shards.delete('pyrc:nonatomic:*')
        shards.delete('{pyrc:tag}:*')


def test_cross_slot_command_raises_and_sends_nothing(cluster_lab):
    shards = _Shards(cluster_lab)
    a, b = 'pyrc:cross:a', 'pyrc:cross:b'
    assert len(set(shards.server_slots([a, b]))) == 2
    rc = _rc(cluster_lab)
    try:
        rc.set(a, '1')
        before = shards.calls('mget'), shards.calls('del')
        with pytest.raises(DtRedis.RedisClusterException) as caught:
            rc.mget([a, b])
        assert isinstance(caught.value, redis.exceptions.RedisClusterException)
        assert isinstance(caught.value, DtRedis.RedisError)
        assert caught.value.__cause__.code == int(DtRedis.Error.CROSS_SLOT)
        assert 'MGET' in str(caught.value)
        with pytest.raises(DtRedis.RedisClusterException):
            rc.execute_command('MGET', a, b)
        with pytest.raises(DtRedis.RedisClusterException):
            rc.execute_command('DEL', a, b)
        assert (shards.calls('mget'), shards.calls('del')) == before
        assert rc.get(a) == b'1'
        # DEL, EXISTS, UNLINK and TOUCH of keys in several slots are
        # redis-py's non-atomic helpers: one command per slot, summed.
        rc.set(b, '2')
        assert rc.exists(a, b, 'pyrc:cross:none') == 2
        assert rc.touch(a, b) == 2
        def primary_dels():
            calls = shards.calls('del')
            return sum(calls[name] for name in shards.primaries)
        dels = primary_dels()
        assert rc.delete(a, b, 'pyrc:cross:none') == 2
        assert primary_dels() == dels + len({rc.keyslot(k) for k in (a, b, 'pyrc:cross:none')})
        assert rc.exists(a, b) == 0
        rc.set(a, '1')
        assert rc.unlink(a, b) == 1
    finally:
        rc.close()
        shards.delete('pyrc:cross:*')


def test_error_replies_of_a_cluster_have_redis_py_classes(cluster_lab):
    """A node asked for a key it does not own answers MOVED: through a
    standalone client it is redis-py's MovedError, with the owner."""
    shards = _Shards(cluster_lab)
    key = 'pyrc:moved'
    owner = shards.owner[shards.server_slots([key])[0]]
    other = next(name for name in shards.primaries if name != owner)
    client = DtRedis.Client.from_url('redis://%s/0' % other)
    try:
        with pytest.raises(DtRedis.MovedError) as caught:
            client.get(key)
    finally:
        client.close()
    error = caught.value
    assert isinstance(error, redis.exceptions.MovedError)
    assert isinstance(error, DtRedis.AskError) and isinstance(error, DtRedis.ResponseError)
    assert error.slot_id == shards.server_slots([key])[0]
    assert '%s:%d' % error.node_addr == owner
    for name in ('ClusterError', 'ClusterDownError', 'TryAgainError', 'AskError',
                 'MovedError', 'RedisClusterException', 'ClusterCrossSlotError',
                 'MasterDownError', 'SlotNotCoveredError'):
        assert issubclass(getattr(DtRedis, name), getattr(redis.exceptions, name)), name
    assert issubclass(DtRedis.ClusterDownError, DtRedis.ClusterError)
    assert issubclass(DtRedis.TryAgainError, DtRedis.ResponseError)


def test_from_url_and_the_options_a_cluster_refuses(cluster_lab):
    shards = _Shards(cluster_lab)
    seed = cluster_lab.seeds[1]
    rc = DtRedis.RedisCluster.from_url('redis://%s' % seed, decode_responses=True,
                                       client_name='pyrc-from-url', **TIMEOUTS)
    try:
        assert rc.set('pyrc:url', 'é') is True
        assert rc.get('pyrc:url') == 'é'
        owner = shards.owner[shards.server_slots(['pyrc:url'])[0]]
        assert 'pyrc-from-url' in [client['name'] for client in shards.node(owner).client_list()]
        assert list(rc.startup_nodes) == [seed]
        assert 'RedisCluster' in repr(rc) and seed in repr(rc)
    finally:
        rc.close()
        shards.delete('pyrc:url')

    # redis+cluster:// names several seeds.
    rc = DtRedis.RedisCluster.from_url('redis+cluster://%s/0' % ','.join(cluster_lab.seeds[:2]),
                                       **TIMEOUTS)
    try:
        assert list(rc.startup_nodes) == cluster_lab.seeds[:2]
        assert rc.set('pyrc:url', 'c') is True
        assert shards.node(owner).get('pyrc:url') == b'c'
        assert rc.script_exists('0' * 40) == [False]  # on a standalone client of each primary
    finally:
        rc.close()
        shards.delete('pyrc:url')

    # A dead seed first: the next one is asked.
    live = cluster_lab.nodes[2]
    rc = DtRedis.RedisCluster(startup_nodes=[DtRedis.ClusterNode('127.0.0.1', 1),
                                             DtRedis.ClusterNode(live.host, live.port)],
                              db=0, **TIMEOUTS)
    try:
        assert sorted(node.name for node in rc.get_nodes()) == sorted(shards.all)
    finally:
        rc.close()

    with pytest.raises(DtRedis.RedisClusterException, match="'db'"):
        _rc(cluster_lab, db=1)
    with pytest.raises(DtRedis.RedisClusterException, match="'db'"):
        DtRedis.RedisCluster.from_url('redis://%s/2' % seed)
    with pytest.raises(DtRedis.RedisClusterException):
        DtRedis.RedisCluster.from_url('unix:///tmp/redis.sock')
    with pytest.raises(DtRedis.RedisClusterException, match='at least one node'):
        DtRedis.RedisCluster()
    with pytest.raises(TypeError, match='require_full_coverage'):
        _rc(cluster_lab, require_full_coverage=True)
    with pytest.raises(TypeError, match='retry_on_timeout'):
        _rc(cluster_lab, retry_on_timeout=True)
    with pytest.raises(TypeError, match='no_such_option'):
        _rc(cluster_lab, no_such_option=1)
    rc = _rc(cluster_lab)
    try:
        with pytest.raises(TypeError, match='target_nodes'):
            rc.execute_command('PING', target_nodes='all')
    finally:
        rc.close()


def test_read_from_replicas(cluster_lab):
    shards = _Shards(cluster_lab)
    keys = ['pyrc:replicas:%d' % i for i in range(30)]
    rc = _rc(cluster_lab, read_from_replicas=True)
    try:
        # The whole map first (the replicas with it), before any command
        # teaches it a slot's owner alone.
        assert sorted(node.name for node in rc.get_replicas()) == sorted(shards.replicas)
        for key in keys:
            rc.set(key, 'r')
        before = shards.calls('get'), shards.calls('set')
        for key in keys:
            rc.get(key)  # a replica may not have it yet: what counts is who answers
        gets, sets = shards.calls('get'), shards.calls('set')
        assert sets == before[1]
        assert {name: gets[name] - before[0][name] for name in shards.primaries} == \
            {name: 0 for name in shards.primaries}
        expected = {name: 0 for name in shards.replicas}
        for slot in shards.server_slots(keys):
            expected[shards.replicas_of[shards.owner[slot]]] += 1
        assert {name: gets[name] - before[0][name] for name in shards.replicas} == expected
    finally:
        rc.close()
        shards.delete('pyrc:replicas:*')


def test_scripts_locks_and_whole_cluster_commands(cluster_lab):
    shards = _Shards(cluster_lab)
    keys = ['pyrc:extras:%d' % i for i in range(60)]
    homes = _expected_homes(shards, keys)
    rc = _rc(cluster_lab)
    try:
        for key in keys:
            rc.set(key, key)
        # A script none of the nodes has: loaded on every primary the
        # first time a node answers NOSCRIPT, so it runs whichever node
        # its key lives on.
        source = "return redis.call('GET', KEYS[1]) -- %r" % time.monotonic()
        script = rc.register_script(source)
        assert [script(keys=[key]) for key in keys] == [key.encode() for key in keys]
        assert [shards.node(name).script_exists(script.sha) for name in shards.primaries] == \
            [[True]] * len(shards.primaries)
        assert rc.script_exists(script.sha) == [True]

        for key in keys[:6]:
            lock = rc.lock(key + ':lock', timeout=5)
            assert lock.acquire(blocking=False) is True
            assert lock.owned() is True
            lock.release()
            assert rc.exists(key + ':lock') == 0

        assert set(rc.scan_iter(match='pyrc:extras:*', count=7)) == set().union(*homes.values())
        assert set(rc.keys('pyrc:extras:*')) == set().union(*homes.values())
        assert rc.dbsize() == sum(shards.node(name).dbsize() for name in shards.primaries)
    finally:
        rc.close()
        shards.delete('pyrc:extras:*')


def test_pipelines_across_slots_and_transactions_in_one(cluster_lab):
    shards = _Shards(cluster_lab)
    keys = ['pyrc:pipe:%d' % i for i in range(20)]
    rc = _rc(cluster_lab)
    try:
        with rc.pipeline() as pipe:  # not a transaction, as in redis-py's RedisCluster
            for key in keys:
                pipe.set(key, key)
            for key in keys:
                pipe.get(key)
            assert pipe.execute() == [True] * 20 + [key.encode() for key in keys]
        assert shards.keys_by_primary('pyrc:pipe:*') == _expected_homes(shards, keys)

        # A cross-slot command in a pipeline is not sent; the others are.
        before = shards.calls('mget')
        with rc.pipeline() as pipe:
            pipe.get(keys[0]).mget(keys[0], keys[1]).get(keys[1])
            got = pipe.execute(raise_on_error=False)
        assert got[0::2] == [keys[0].encode(), keys[1].encode()]
        assert isinstance(got[1], DtRedis.ClusterCrossSlotError)
        assert isinstance(got[1], DtRedis.RedisClusterException)
        assert isinstance(got[1], redis.exceptions.ClusterCrossSlotError)
        assert shards.calls('mget') == before

        tagged = ['{pyrc:pipe}:%d' % i for i in range(3)]
        with rc.pipeline(transaction=True) as pipe:
            for key in tagged:
                pipe.incr(key)
            pipe.mget(tagged)
            assert pipe.execute() == [1, 1, 1, [b'1', b'1', b'1']]
        before = shards.calls('exec'), shards.calls('incr')
        with pytest.raises(DtRedis.RedisClusterException):
            with rc.pipeline(transaction=True) as pipe:
                pipe.incr(keys[0]).incr(keys[1]).execute()
        assert (shards.calls('exec'), shards.calls('incr')) == before
    finally:
        rc.close()
        shards.delete('pyrc:pipe:*')
        shards.delete('{pyrc:pipe}:*')


def test_close_closes_the_connections(cluster_lab):
    shards = _Shards(cluster_lab)
    rc = _rc(cluster_lab, client_name='pyrc-close')
    for i in range(30):
        rc.get('pyrc:close:%d' % i)

    def connections():
        return sum(1 for name in shards.all for client in shards.node(name).client_list()
                   if client['name'] == 'pyrc-close')
    assert connections() >= len(shards.primaries)
    rc.close()
    deadline = time.monotonic() + 1
    while connections() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert connections() == 0


def _sharded_messages(get, count):
    got = []
    deadline = time.monotonic() + 10
    while len(got) < count and time.monotonic() < deadline:
        message = get()
        if message is not None:
            got.append(message)
    return got


def test_sharded_pubsub_follows_slot_owners(cluster_lab):
    """Shard channels of three slots on three primaries: each SSUBSCRIBE
    runs on its slot's owner (INFO commandstats), SPUBLISH there counts one
    subscriber, and the messages arrive, sync and asyncio."""
    shards = _Shards(cluster_lab)
    tags = {}
    for i in range(100000):
        tag = 'pysh%d' % i
        owner = shards.owner[DtRedis.key_slot(tag)]
        tags.setdefault(owner, tag)
        if len(tags) == 3:
            break
    channels = ['{%s}:news' % tag for tag in tags.values()]
    rc = _rc(cluster_lab)
    try:
        before = shards.calls('ssubscribe')
        pubsub = rc.pubsub()
        pubsub.ssubscribe(*channels)
        confirmations = _sharded_messages(lambda: pubsub.get_sharded_message(timeout=1.0), 3)
        assert sorted(m['channel'] for m in confirmations) == sorted(c.encode() for c in channels)
        assert {m['type'] for m in confirmations} == {'ssubscribe'}
        after = shards.calls('ssubscribe')
        assert {name: after[name] - before[name] for name in shards.primaries} == \
            {name: 1 for name in shards.primaries}
        for channel in channels:
            owner = shards.owner[DtRedis.key_slot(channel)]
            assert shards.node(owner).execute_command('SPUBLISH', channel, 'hi') == 1
        messages = _sharded_messages(
            lambda: pubsub.get_sharded_message(ignore_subscribe_messages=True, timeout=1.0), 3)
        assert sorted((m['type'], m['channel'], m['data']) for m in messages) == \
            sorted(('smessage', c.encode(), b'hi') for c in channels)
        pubsub.sunsubscribe()
        pubsub.close()
    finally:
        rc.close()

    seed = cluster_lab.nodes[0]

    async def main():
        async with DtRedis.AsyncRedisCluster(host=seed.host, port=seed.port, **TIMEOUTS) as arc:
            apubsub = arc.pubsub()
            await apubsub.ssubscribe(*channels)
            for channel in channels:
                owner = shards.owner[DtRedis.key_slot(channel)]
                assert shards.node(owner).execute_command('SPUBLISH', channel, 'async') == 1
            got = []
            deadline = time.monotonic() + 10
            while len(got) < 3 and time.monotonic() < deadline:
                # None for each confirmation it ignores.
                message = await apubsub.get_sharded_message(ignore_subscribe_messages=True,
                                                            timeout=1.0)
                if message is not None:
                    got.append(message)
            assert sorted(m['channel'] for m in got) == sorted(c.encode() for c in channels)
            await apubsub.aclose()

    asyncio.run(main())


def test_async_redis_cluster(cluster_lab):
    shards = _Shards(cluster_lab)
    keys = ['pyrc:async:%d' % i for i in range(300)]
    seed = cluster_lab.nodes[0]

    async def main():
        async with DtRedis.AsyncRedisCluster(
                startup_nodes=[DtRedis.ClusterNode(seed.host, seed.port)], **TIMEOUTS) as rc:
            assert sorted(node.name for node in rc.get_nodes()) == sorted(shards.all)
            assert sorted(node.name for node in rc.get_primaries()) == sorted(shards.primaries)
            assert rc.keyslot(keys[7]) == shards.server_slots([keys[7]])[0]
            owner = shards.owner[rc.keyslot(keys[7])]
            assert rc.get_node_from_key(keys[7]).name == owner
            assert rc.get_node_from_key(keys[7], replica=True).name == shards.replicas_of[owner]

            assert await asyncio.gather(*(rc.set(key, key) for key in keys)) == [True] * 300
            assert shards.keys_by_primary('pyrc:async:*') == _expected_homes(shards, keys)
            assert await asyncio.gather(*(rc.get(key) for key in keys)) == \
                [key.encode() for key in keys]
            assert await rc.execute_command('GET', keys[1]) == keys[1].encode()
            assert sorted(await asyncio.gather(*(rc.incr('pyrc:async:n') for _ in range(50)))) \
                == list(range(1, 51))

            slots = set(shards.server_slots(keys[:30]))
            before = shards.calls('mget')
            assert await rc.mget_nonatomic(keys[29::-1]) == [key.encode() for key in keys[29::-1]]
            assert sum(shards.calls('mget').values()) - sum(before.values()) == len(slots)
            assert await rc.mset_nonatomic({key: 'x' for key in keys[:30]}) == [True] * len(slots)
            assert shards.node(owner).get(keys[7]) == b'x'

            before = shards.calls('mget')
            with pytest.raises(DtRedis.RedisClusterException):
                await rc.mget(keys[:2])
            assert shards.calls('mget') == before

            script = rc.register_script("return redis.call('GET', KEYS[1]) -- async %r"
                                        % time.monotonic())
            assert [await script(keys=[key]) for key in keys[:20]] == [b'x'] * 20
            assert {key async for key in rc.scan_iter(match='pyrc:async:*', count=50)} == \
                {key.encode() for key in keys} | {b'pyrc:async:n'}
            assert await rc.dbsize() == sum(shards.node(name).dbsize() for name in shards.primaries)
            # The non-atomic helpers over several slots, summed.
            extra = ['pyrc:async:sum:%d' % i for i in range(40)]
            assert len(set(shards.server_slots(extra))) > 3
            assert await rc.mset_nonatomic({key: '1' for key in extra})
            assert await rc.exists(*extra, 'pyrc:async:sum:none') == 40
            assert await rc.touch(*extra[:10]) == 10
            assert await rc.delete(*extra[20:], 'pyrc:async:sum:none') == 20
            assert await rc.unlink(*extra[10:30]) == 10
            assert shards.keys_by_primary('pyrc:async:sum:*') == _expected_homes(shards, extra[:10])

        decoded = DtRedis.AsyncRedisCluster.from_url('redis://%s' % cluster_lab.seeds[0],
                                                     decode_responses=True, **TIMEOUTS)
        try:
            assert await decoded.get(keys[0]) == 'x'
            assert await decoded.mget_nonatomic(keys[298:]) == keys[298:]
        finally:
            await decoded.close()

    try:
        asyncio.run(main())
    finally:
        shards.delete('pyrc:async:*')


def test_glib_config_and_instance_route_sync_and_async_clients(cluster_lab):
    """No Python layer: DtRedis.Config and Instance, and the C methods of
    the clients, sync and with a GLib main loop."""
    shards = _Shards(cluster_lab)
    config = _C.Config.new()
    config.set_redis_cluster_nodes([cluster_lab.seeds[3]])
    instance = _C.Instance.new(config)
    assert sorted(instance.list_cluster_nodes(False, None)) == sorted(shards.primaries)
    assert sorted(instance.list_cluster_nodes(True, None)) == sorted(shards.replicas)
    for slot in (0, 5460, 5461, 10922, 10923, 16383, 1234):
        assert instance.get_cluster_node_for_slot(slot, None) == shards.owner[slot]

    sync_keys = ['pyrc:glib:sync:%d' % i for i in range(64)]
    async_keys = ['pyrc:glib:async:%d' % i for i in range(64)]
    client = _C.Instance.get_redis_client(instance)
    async_client = _C.Instance.get_async_redis_client(instance)
    try:
        for key in sync_keys:
            assert _C.Client.execute(client, ['SET', key, 's'], None).get_data() == b'OK'
        with pytest.raises(GLib.Error) as caught:
            _C.Client.execute(client, ['MGET', sync_keys[0], sync_keys[1]], None)
        assert caught.value.code == int(DtRedis.Error.CROSS_SLOT)

        loop = GLib.MainLoop()
        results = {}

        def done(source, result, key):
            try:
                results[key] = _C.AsyncClient.execute_finish(source, result).get_data()
            except GLib.Error as error:
                results[key] = error
            if len(results) == len(async_keys) + 1:
                loop.quit()
        for key in async_keys:
            _C.AsyncClient.execute_async(async_client, ['SET', key, 'a'], None, done, key)
        _C.AsyncClient.execute_async(async_client, ['MGET', async_keys[0], async_keys[1]], None,
                                     done, 'cross')
        timeout = GLib.timeout_add_seconds(10, loop.quit)
        loop.run()
        GLib.source_remove(timeout)
        cross = results.pop('cross')
        assert isinstance(cross, GLib.Error) and cross.code == int(DtRedis.Error.CROSS_SLOT)
        assert results == {key: b'OK' for key in async_keys}
    finally:
        _C.Client.close(client)
        _C.AsyncClient.close(async_client)

    homes = _expected_homes(shards, sync_keys + async_keys)
    assert shards.keys_by_primary('pyrc:glib:*') == homes
    for key, slot in zip(sync_keys + async_keys, shards.server_slots(sync_keys + async_keys)):
        assert DtRedis.key_slot(key) == slot
        assert shards.node(shards.owner[slot]).get(key) == (b's' if ':sync:' in key else b'a')
    shards.delete('pyrc:glib:*')
