# bench/bench_server.py: the private redis-server that bench/allocations and
# bench/instructions-by-depth measure against.
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
