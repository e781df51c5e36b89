# SPDX-License-Identifier: LGPL-2.1-or-later
"""A Redis Cluster on loopback ports for the tests: 3 primaries and 3
replicas, each a RedisServer (conftest) in its own tmpdir, joined with
`redis-cli --cluster create ... --cluster-replicas 1 --cluster-yes`.

`cluster-node-timeout` is short (1 s) so that failovers take seconds.
Forming the cluster takes 2-3 s here: conftest's `cluster_lab` fixture
makes one per session. close() stops every node, whatever happened.
"""

import shutil
import subprocess
import time

import pytest

NODE_TIMEOUT_MS = 1000


def _redis_cli_path():
    path = shutil.which('redis-cli')
    if path is None:
        pytest.fail('redis-cli not found: install redis-tools (scripts/install-deps)',
                    pytrace=False)
    return path


def _info_fields(raw):
    """CLUSTER INFO's raw bulk reply as a dict of str."""
    text = raw.split(b'\r\n', 1)[1].decode()
    return dict(line.split(':', 1) for line in text.split('\r\n') if ':' in line)


def _node_class(server_class, free_port):
    """@server_class with a cluster bus port of its own: by default the bus
    listens on the port + 10000, which a free port above 55535 cannot
    have."""
    class ClusterNode(server_class):
        bus_port = None

        def _write_config(self):
            if self.bus_port is None:
                self.bus_port = free_port()
            self.extra_config = [line for line in self.extra_config
                                 if not line.startswith('cluster-port ')]
            self.extra_config.append('cluster-port %d' % self.bus_port)
            super()._write_config()
    return ClusterNode


class ClusterLab:
    """Six cluster-enabled redis-servers formed into one cluster."""

    def __init__(self, server_class, free_port, primaries=3, replicas_per_primary=1):
        config = ['cluster-enabled yes', 'cluster-config-file nodes.conf',
                  'cluster-node-timeout %d' % NODE_TIMEOUT_MS,
                  'repl-diskless-sync-delay 0']  # replicas sync at once
        count = primaries * (1 + replicas_per_primary)
        node_class = _node_class(server_class, free_port)
        self.replicas_per_primary = replicas_per_primary
        self.n_replicas = primaries * replicas_per_primary
        self.nodes = [node_class(extra_config=config, unix_socket=False)
                      for _ in range(count)]

    @property
    def seeds(self):
        """host:port of every node."""
        return ['%s:%d' % (node.host, node.port) for node in self.nodes]

    def start(self):
        try:
            for node in self.nodes:
                node.start()
            create = subprocess.run(
                [_redis_cli_path(), '--cluster', 'create', *self.seeds,
                 '--cluster-replicas', str(self.replicas_per_primary), '--cluster-yes'],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
            if create.returncode != 0:
                pytest.fail('redis-cli --cluster create failed:\n%s%s'
                            % (create.stdout.decode(errors='replace'),
                               create.stderr.decode(errors='replace')), pytrace=False)
            self.wait_until_ok()
            self._wait_for_replicas()
        except BaseException:
            self.close()
            raise
        return self

    def wait_until_ok(self, timeout=30):
        """Until every running node says cluster_state:ok with all slots
        assigned and knows every node."""
        deadline = time.monotonic() + timeout
        while True:
            states = [_info_fields(node.command('CLUSTER', 'INFO'))
                      for node in self.nodes if node.running]
            if all(s.get('cluster_state') == 'ok' and s.get('cluster_slots_assigned') == '16384'
                   and int(s.get('cluster_known_nodes', 0)) == len(self.nodes) for s in states):
                return
            if time.monotonic() > deadline:
                pytest.fail('the cluster did not become ok: %r' % states, pytrace=False)
            time.sleep(0.05)

    def _wait_for_replicas(self, timeout=30):
        """Until every node lists every replica as one and each replica has
        synced with its primary: "cluster_state:ok" may come first, with a
        replica still a master of no slots (its own shard in CLUSTER
        SHARDS), or loading."""
        deadline = time.monotonic() + timeout
        while True:
            counts = []
            for node in self.nodes:
                lines = node.command('CLUSTER', 'NODES').split(b'\r\n', 1)[1].split(b'\n')
                counts.append(sum(1 for line in lines if len(line.split(b' ')) > 2
                                  and b'slave' in line.split(b' ')[2].split(b',')))
            synced = sum(1 for node in self.nodes
                         if b'master_link_status:up' in node.command('INFO', 'replication'))
            if all(count == self.n_replicas for count in counts) and synced == self.n_replicas:
                return
            if time.monotonic() > deadline:
                pytest.fail('the replicas did not all join: %r' % counts, pytrace=False)
            time.sleep(0.05)

    def close(self):
        for node in self.nodes:
            node.close()
