# SPDX-License-Identifier: LGPL-2.1-or-later
"""DtRedis.Sentinel and AsyncSentinel against real sentinels (sentinel_lab),
beside redis-py's Sentinel where they should agree.

The lab is shared by the whole module; the failover tests come last and
change which node is the master.
"""

import asyncio
import time

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis, GLib  # noqa: E402

import redis.sentinel  # noqa: E402

from sentinel_lab import MASTER_NAME  # noqa: E402

TIMEOUTS = dict(socket_timeout=2.0, socket_connect_timeout=1.0)


def _ours(lab, **kwargs):
    return DtRedis.Sentinel(lab.sentinel_addresses, **dict(TIMEOUTS, **kwargs))


def _eventually(read, timeout=10):
    """read()'s value once it is not None (a replica catching up)."""
    deadline = time.monotonic() + timeout
    while (value := read()) is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return value


def _node_for(lab, address):
    for node in lab.nodes:
        if (node.host, node.port) == address:
            return node
    raise AssertionError('no node at %r' % (address,))


def test_master_and_replica_clients(sentinel_lab):
    sentinel = _ours(sentinel_lab)
    master = sentinel.master_for(MASTER_NAME)
    replica = sentinel.slave_for(MASTER_NAME, decode_responses=True)
    try:
        assert master.set('sentinel:py', 'v') is True
        assert master.get('sentinel:py') == b'v'
        assert master.execute_command('ROLE')[0] == b'master'
        assert replica.execute_command('ROLE')[0] == 'slave'
        assert _eventually(lambda: replica.get('sentinel:py')) == 'v'
        with pytest.raises(DtRedis.ReadOnlyError):
            replica.set('sentinel:py', 'x')
        assert master.get('sentinel:py') == b'v'
    finally:
        master.close()
        replica.close()
        sentinel.close()


def test_discovery_matches_redis_py(sentinel_lab):
    ours = _ours(sentinel_lab)
    theirs = redis.sentinel.Sentinel(sentinel_lab.sentinel_addresses, **TIMEOUTS)
    try:
        assert ours.discover_master(MASTER_NAME) == theirs.discover_master(MASTER_NAME)
        assert sorted(ours.discover_slaves(MASTER_NAME)) == sorted(theirs.discover_slaves(MASTER_NAME))
        with pytest.raises(DtRedis.MasterNotFoundError):
            ours.discover_master('nosuchmaster')
        with pytest.raises(redis.sentinel.MasterNotFoundError):
            theirs.discover_master('nosuchmaster')
        # Asking for more sentinels than watch the master finds none, as in redis-py.
        strict = _ours(sentinel_lab, min_other_sentinels=3)
        with pytest.raises(DtRedis.MasterNotFoundError):
            strict.discover_master(MASTER_NAME)
        strict.close()
        assert ours.execute_command('PING') is True
    finally:
        ours.close()


def test_unknown_master_and_bad_options(sentinel_lab):
    sentinel = _ours(sentinel_lab, sentinel_kwargs={'password': 'wrong-sentinel-pw'})
    client = sentinel.master_for(MASTER_NAME)
    with pytest.raises(DtRedis.ConnectionError) as caught:
        client.get('k')
    assert 'wrong-sentinel-pw' not in str(caught.value)
    client.close()

    client = _ours(sentinel_lab).master_for('nosuchmaster')
    with pytest.raises(DtRedis.ConnectionError) as caught:
        client.get('k')
    assert 'nosuchmaster' in str(caught.value)
    client.close()

    with pytest.raises(TypeError):
        DtRedis.Sentinel(sentinel_lab.sentinel_addresses, sentinel_kwargs={'ssl': True})
    with pytest.raises(TypeError):
        _ours(sentinel_lab).master_for(MASTER_NAME, retry_on_timeout=True)


def test_from_url(sentinel_lab):
    hosts = ','.join('%s:%d' % address for address in sentinel_lab.sentinel_addresses)
    client = DtRedis.Client.from_url('redis+sentinel://%s/%s/3' % (hosts, MASTER_NAME),
                                     decode_responses=True, client_name='dt-py-url')
    try:
        assert client.set('sentinel:url', 'three') is True
        assert client.get('sentinel:url') == 'three'
        master = _node_for(sentinel_lab, sentinel_lab.sentinels_say())
        assert b'name=dt-py-url ' in master.command('CLIENT', 'LIST')
        assert master.command('EVAL', "redis.call('SELECT', '3') return redis.call('GET', KEYS[1])",
                              1, 'sentinel:url') == b'$5\r\nthree\r\n'
        assert 'redis+sentinel://' in repr(client)
    finally:
        client.close()
    with pytest.raises(DtRedis.InvalidConfigError):
        DtRedis.Client.from_url('redis+sentinel://%s' % hosts)


def test_async_sentinel(sentinel_lab):
    async def main():
        sentinel = DtRedis.AsyncSentinel(sentinel_lab.sentinel_addresses, **TIMEOUTS)
        master = sentinel.master_for(MASTER_NAME)
        replica = sentinel.slave_for(MASTER_NAME)
        try:
            assert await master.set('sentinel:async', 'a') is True
            results = await asyncio.gather(*(master.incr('sentinel:async:n') for _ in range(200)))
            assert sorted(results) == list(range(1, 201))
            for _ in range(500):
                if await replica.get('sentinel:async') == b'a':
                    break
                await asyncio.sleep(0.01)
            assert await replica.get('sentinel:async') == b'a'
            assert await sentinel.discover_master(MASTER_NAME) == sentinel_lab.sentinels_say()
            assert len(await sentinel.discover_slaves(MASTER_NAME)) == 1
        finally:
            await master.close()
            await replica.close()
            await sentinel.close()
    asyncio.run(main())


class _SwitchWatch:
    """Records the instance's master-changed signal, which comes on the
    default main context: wait() iterates it, writing meanwhile."""

    def __init__(self, client):
        self.address = None
        self.at = None
        client.props.instance.connect('master-changed', self._changed)

    def _changed(self, instance, address):
        assert self.address is None
        self.address = address
        self.at = time.monotonic()

    def wait(self, write, timeout=30):
        context = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while self.address is None:
            assert time.monotonic() < deadline, 'no master-changed'
            write()
            while context.iteration(False):
                pass
            time.sleep(0.02)
        return self.at


def _try_incr(client, key, counts):
    try:
        client.incr(key)
    except (DtRedis.ConnectionError, DtRedis.ReadOnlyError) as error:
        counts['maybe' if 'may have been executed' in str(error) else 'refused'] += 1
        return False
    counts['ok'] += 1
    return True


def _writes_after_switch(client, key, switched_at, n):
    """@n INCRs of @key after the switch; returns when the first one
    succeeded. None may be "may have been executed"."""
    counts = dict(ok=0, maybe=0, refused=0)
    first_ok = None
    while counts['ok'] < n and time.monotonic() < switched_at + 10:
        if _try_incr(client, key, counts) and first_ok is None:
            first_ok = time.monotonic()
    assert counts['maybe'] == 0
    assert counts['ok'] == n
    return first_ok


def test_failover_sync_and_asyncio(sentinel_lab):
    """SENTINEL FAILOVER: from master-changed on, writes reach the new
    master within 2 s, all of them, and none the old one."""
    sentinel = _ours(sentinel_lab)
    client = sentinel.master_for(MASTER_NAME, client_name='dt-py-failover')
    watch = _SwitchWatch(client)
    old_master = _node_for(sentinel_lab, sentinel_lab.sentinels_say())
    before = dict(ok=0, maybe=0, refused=0)
    assert client.incr('py:failover:before') == 1

    sentinel_lab.failover()
    switched_at = watch.wait(lambda: _try_incr(client, 'py:failover:before', before))
    new_master = _node_for(sentinel_lab, sentinel_lab.sentinels_say())
    assert watch.address == '%s:%d' % (new_master.host, new_master.port)

    first_ok = _writes_after_switch(client, 'py:failover:after', switched_at, 50)
    assert first_ok - switched_at < 2.0
    assert new_master.command('GET', 'py:failover:after') == b'$2\r\n50\r\n'
    # None of ours is left on the old master.
    assert b'name=dt-py-failover ' not in old_master.command('CLIENT', 'LIST')
    client.close()

    async def main():
        aclient = DtRedis.AsyncSentinel(sentinel_lab.sentinel_addresses, **TIMEOUTS) \
            .master_for(MASTER_NAME)
        try:
            values = await asyncio.gather(*(aclient.incr('py:failover:async') for _ in range(100)))
            assert sorted(values) == list(range(1, 101))
        finally:
            await aclient.close()
    asyncio.run(main())
    assert new_master.command('GET', 'py:failover:async') == b'$3\r\n100\r\n'
    sentinel.close()


def test_failover_after_kill(sentinel_lab):
    """The master is killed: commands fail (never "may have been
    executed": none was in flight) until the sentinels promote the
    replica, then writes go there."""
    sentinel_lab.wait_until_ready()
    sentinel = _ours(sentinel_lab)
    client = sentinel.master_for(MASTER_NAME)
    watch = _SwitchWatch(client)
    old_address = sentinel_lab.sentinels_say()
    assert client.set('py:kill:k', 'v') is True

    before = dict(ok=0, maybe=0, refused=0)
    _node_for(sentinel_lab, old_address).kill()
    switched_at = watch.wait(lambda: _try_incr(client, 'py:kill:before', before))
    assert before['maybe'] == 0
    new_master = _node_for(sentinel_lab, sentinel_lab.sentinels_say())
    # The pools switch before the signal is dispatched: a write may have
    # succeeded in between, on the new master (the old one is dead).
    assert new_master.command('GET', 'py:kill:before') == \
        (b'$-1\r\n' if before['ok'] == 0 else b'$1\r\n%d\r\n' % before['ok'])

    first_ok = _writes_after_switch(client, 'py:kill:after', switched_at, 20)
    assert first_ok - switched_at < 2.0
    assert new_master.command('GET', 'py:kill:after') == b'$2\r\n20\r\n'

    # Pipelines and optimistic transactions work on the new master too.
    with client.pipeline(transaction=False) as pipe:
        assert pipe.incr('py:kill:pipe').incr('py:kill:pipe').execute() == [1, 2]

    def add_one(pipe):
        value = int(pipe.get('py:kill:pipe'))
        pipe.multi()
        pipe.set('py:kill:pipe', value + 1)
    assert client.transaction(add_one, 'py:kill:pipe') == [True]
    assert new_master.command('GET', 'py:kill:pipe') == b'$1\r\n3\r\n'

    async def main():
        aclient = DtRedis.AsyncSentinel(sentinel_lab.sentinel_addresses, **TIMEOUTS) \
            .master_for(MASTER_NAME)
        try:
            async with aclient.pipeline(transaction=True) as pipe:
                pipe.incr('py:kill:pipe').incr('py:kill:pipe')
                assert await pipe.execute() == [4, 5]
        finally:
            await aclient.close()
    asyncio.run(main())
    client.close()
    sentinel.close()
