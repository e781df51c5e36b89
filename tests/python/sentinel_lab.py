# SPDX-License-Identifier: LGPL-2.1-or-later
"""A Sentinel deployment on loopback ports for the tests: a master, a
replica and 3 sentinels (quorum 2), each a RedisServer (conftest) in its
own tmpdir. `down-after-milliseconds` is 1 s so that failovers take
seconds. conftest's `sentinel_lab` fixture makes one per session; close()
stops every process, whatever happened.
"""

import time

import pytest

MASTER_NAME = 'mymaster'


def _sentinel_class(server_class):
    class SentinelServer(server_class):
        extra_args = ('--sentinel',)
    return SentinelServer


class SentinelLab:
    def __init__(self, server_class):
        # A master waits 5 s for more replicas before a diskless full sync
        # by default; the lab's replicas link up at once without it.
        self.nodes = [server_class(unix_socket=False, extra_config=['repl-diskless-sync-delay 0'])
                      for _ in range(2)]
        self._sentinel_class = _sentinel_class(server_class)
        self.sentinels = []

    @property
    def sentinel_addresses(self):
        """[(host, port)] of the sentinels, as redis-py's Sentinel takes them."""
        return [(s.host, s.port) for s in self.sentinels]

    def start(self):
        try:
            master, replica = self.nodes
            master.start()
            replica.extra_config.append('replicaof %s %d' % (master.host, master.port))
            replica.start()
            config = ['sentinel monitor %s %s %d 2' % (MASTER_NAME, master.host, master.port),
                      'sentinel down-after-milliseconds %s 1000' % MASTER_NAME,
                      'sentinel failover-timeout %s 5000' % MASTER_NAME]
            for _ in range(3):
                sentinel = self._sentinel_class(extra_config=config, unix_socket=False)
                self.sentinels.append(sentinel)
                sentinel.start()
            self.wait_until_ready()
        except BaseException:
            self.close()
            raise
        return self

    def wait_until_ready(self, timeout=30):
        """Until every sentinel sees the replica linked and the 2 others."""
        deadline = time.monotonic() + timeout
        while True:
            ready = all(
                b'master-link-status\r\n$2\r\nok' in s.command('SENTINEL', 'REPLICAS', MASTER_NAME)
                and s.command('SENTINEL', 'SENTINELS', MASTER_NAME).startswith(b'*2\r\n')
                for s in self.sentinels)
            if ready:
                return
            if time.monotonic() > deadline:
                pytest.fail('the sentinels did not see the whole lab', pytrace=False)
            time.sleep(0.1)

    def master_index(self):
        """The node whose ROLE says master, or None."""
        for index, node in enumerate(self.nodes):
            if node.running and node.command('ROLE').startswith(b'*3\r\n$6\r\nmaster'):
                return index
        return None

    def sentinels_say(self):
        """(host, port) the first sentinel gives for the master."""
        raw = self.sentinels[0].command('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)
        parts = raw.split(b'\r\n')
        return parts[2].decode(), int(parts[4])

    def failover(self, timeout=20):
        """SENTINEL FAILOVER, retried while no replica is ready for it."""
        deadline = time.monotonic() + timeout
        while True:
            reply = self.sentinels[0].command('SENTINEL', 'FAILOVER', MASTER_NAME)
            if reply.startswith(b'+OK'):
                return
            if time.monotonic() > deadline:
                pytest.fail('SENTINEL FAILOVER: %r' % reply, pytrace=False)
            time.sleep(0.2)

    def close(self):
        for server in self.sentinels + self.nodes:
            server.close()
