# bench/bench_server.py: the private redis-server that bench/allocations and
# bench/instructions-by-depth measure against, and the private cluster of
# bench/run's py-cluster scenario.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def private_server(key, value=b'x' * 32):
    """A redis-server on a free loopback port, in a temporary folder, with
    @key set to @value; yields the port and stops the server whatever
    happens."""
    port = free_port()
    tmp = tempfile.mkdtemp(prefix='dtredis-bench-')
    server = subprocess.Popen([shutil.which('redis-server') or 'redis-server', '--port', str(port),
                               '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
                               '--dir', tmp], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=0.1) as s:
                    s.sendall(b'*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n'
                              % (len(key), key.encode(), len(value), value))
                    if s.recv(16).startswith(b'+OK'):
                        break
            except OSError:
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def _command(port, *args):
    """One command on a new connection; the raw reply bytes."""
    with socket.create_connection(('127.0.0.1', port), timeout=2) as s:
        s.sendall(b''.join([b'*%d\r\n' % len(args)]
                           + [b'$%d\r\n%s\r\n' % (len(a), a) for a in (x.encode() for x in args)]))
        return s.recv(65536)


@contextlib.contextmanager
def private_cluster(n_primaries=3):
    """A Redis Cluster of @n_primaries primaries (no replicas) on free
    loopback ports, each with a cluster bus port of its own, in one
    temporary folder; yields the ports and stops every node whatever
    happens."""
    tmp = tempfile.mkdtemp(prefix='dtredis-bench-cluster-')
    ports = [free_port() for _ in range(n_primaries)]
    servers = []
    try:
        for port in ports:
            servers.append(subprocess.Popen(
                [shutil.which('redis-server') or 'redis-server', '--port', str(port),
                 '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmp,
                 '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes-%d.conf' % port,
                 '--cluster-port', str(free_port())], stdout=subprocess.DEVNULL))
        for port in ports:
            for _ in range(100):
                try:
                    _command(port, 'PING')
                    break
                except OSError:
                    time.sleep(0.05)
        subprocess.run([shutil.which('redis-cli') or 'redis-cli', '--cluster', 'create',
                        *['127.0.0.1:%d' % p for p in ports], '--cluster-yes'],
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True, timeout=60)
        for _ in range(600):
            if all(b'cluster_state:ok' in _command(p, 'CLUSTER', 'INFO') for p in ports):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError('the benchmark cluster did not become ok')
        yield ports
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
