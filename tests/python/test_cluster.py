# SPDX-License-Identifier: LGPL-2.1-or-later
"""Redis Cluster against the local lab (cluster_lab.py): hash slots."""

import random

import gi

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis, GLib  # noqa: E402

import redis  # noqa: E402


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
