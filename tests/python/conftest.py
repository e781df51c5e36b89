# SPDX-License-Identifier: LGPL-2.1-or-later
"""pytest fixtures: private redis-servers on free loopback ports.

Run with Debian's /usr/bin/python3 (it has PyGObject), through `meson test`
or under `meson devenv`, which point GI_TYPELIB_PATH, LD_LIBRARY_PATH and
PYTHONPATH at the build and source trees.

Fixtures:
  redis_server          session-wide server (TCP and Unix socket)
  cluster_lab           session-wide Redis Cluster: 3 primaries, 3 replicas
                        (cluster_lab.py)
  sentinel_lab          session-wide master, replica and 3 sentinels
                        (sentinel_lab.py)
  redis_url             its URL, "redis://127.0.0.1:PORT/0"
  redis_server_factory  call it to start more servers for one test, e.g.
                        redis_server_factory(password="pw",
                                             extra_config=["user alice on >pw ~* +@all"])
                        they are stopped when the test ends.

A missing redis-server fails the tests that need it; it never skips them.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest

_PR_SET_PDEATHSIG = 1


def _redis_server_path():
    path = os.environ.get("DT_TEST_REDIS_SERVER") or "redis-server"
    if shutil.which(path) is None:
        pytest.fail("redis-server not found (%s): install redis-server or set "
                    "DT_TEST_REDIS_SERVER" % path, pytrace=False)
    return path


def _free_port():
    # Someone may take it before redis-server binds it: start() retries.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent(parent):
    # Runs in the child between fork and exec: when the test process dies,
    # even by SIGKILL, the server gets SIGKILL too.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(127)


def _start_watchdog(path):
    # Removes @path once our end of its stdin closes, which happens however
    # this process ends; its own session survives a killpg() by meson.
    return subprocess.Popen(
        ["/bin/sh", "-c", 'while read -r _; do :; done; rm -rf -- "$1"',
         "dtredis-test-watchdog", path],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _quote(value):
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _encode(args):
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif not isinstance(arg, bytes):
            arg = str(arg).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(out)


class _Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("redis-server closed the connection")
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line + b"\r\n"

    def exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def reply(self):
        """One whole reply, as the raw bytes the server sent."""
        line = self.line()
        kind, count = line[:1], line[1:-2]
        if kind in b"$=!":
            n = int(count)
            return line if n < 0 else line + self.exact(n + 2)
        if kind in b"*~>%":
            n = int(count) * (2 if kind == b"%" else 1)
            return line + b"".join(self.reply() for _ in range(max(n, 0)))
        return line


class RedisServer:
    """A redis-server in its own tmpdir, on free 127.0.0.1 ports."""

    host = "127.0.0.1"
    extra_args = ()  # e.g. ("--sentinel",)

    def __init__(self, password=None, extra_config=(), unix_socket=True):
        self.password = password
        self.extra_config = list(extra_config)
        self.tmpdir = tempfile.mkdtemp(prefix="dtredis-pytest-")
        self._watchdog = _start_watchdog(self.tmpdir)
        self.unix_path = os.path.join(self.tmpdir, "redis.sock") if unix_socket else None
        self.conf_path = os.path.join(self.tmpdir, "redis.conf")
        self.log_path = os.path.join(self.tmpdir, "redis.log")
        self.port = None
        self.process = None

    @property
    def url(self):
        return "redis://%s:%d/0" % (self.host, self.port)

    def _write_config(self):
        lines = [
            "bind 127.0.0.1",
            "port %d" % self.port,
            "daemonize no",
            'save ""',
            "appendonly no",
            'logfile ""',
            "dir " + _quote(self.tmpdir),
        ]
        if self.unix_path:
            lines += ["unixsocket " + _quote(self.unix_path), "unixsocketperm 700"]
        if self.password is not None:
            lines.append("requirepass " + _quote(self.password))
        lines += self.extra_config
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def _spawn(self):
        self._write_config()
        parent = os.getpid()
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [_redis_server_path(), self.conf_path, *self.extra_args],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                cwd=self.tmpdir, preexec_fn=lambda: _die_with_parent(parent))

    def _log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return "(no log)"

    def _ping_raw(self):
        try:
            with socket.create_connection((self.host, self.port), timeout=1) as s:
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                reply = _Reader(s).line()
                return reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH")
        except OSError:
            return False

    def _wait_ready(self):
        """True when up; False when the port was taken; fails otherwise."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._ping_raw():
                return True
            if self.process.poll() is not None:
                log = self._log()
                self.process = None
                if "Address already in use" in log:
                    return False
                pytest.fail("redis-server exited during startup:\n" + log, pytrace=False)
            time.sleep(0.02)
        self.kill()
        pytest.fail("redis-server did not answer PING on port %d:\n%s"
                    % (self.port, self._log()), pytrace=False)

    def start(self):
        for _ in range(8):
            self.port = _free_port()
            self._spawn()
            if self._wait_ready():
                return self
        pytest.fail("no free port for redis-server", pytrace=False)

    def restart(self):
        """A fresh process on the same port and socket (no data kept)."""
        self.stop()
        for _ in range(50):
            self._spawn()
            if self._wait_ready():
                return self
            time.sleep(0.1)
        pytest.fail("port %d stayed busy: cannot restart redis-server" % self.port,
                    pytrace=False)

    def stop(self):
        """SIGTERM, then SIGKILL after 5 s."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def kill(self):
        """SIGKILL, as a crash would."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait()
        self.process = None

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def close(self):
        self.stop()
        shutil.rmtree(self.tmpdir, ignore_errors=True)
        if self._watchdog is not None:
            self._watchdog.stdin.close()
            self._watchdog.wait()
            self._watchdog = None

    def command(self, *args):
        """Sends one command on a fresh connection (authenticating first if
        the server has a password) and returns the raw RESP reply bytes,
        e.g. b"+OK\\r\\n" or b"$1\\r\\nv\\r\\n"."""
        with socket.create_connection((self.host, self.port), timeout=10) as s:
            reader = _Reader(s)
            if self.password is not None:
                s.sendall(_encode(["AUTH", self.password]))
                auth = reader.reply()
                if not auth.startswith(b"+OK"):
                    return auth
            s.sendall(_encode(args))
            return reader.reply()

    def __repr__(self):
        return "<RedisServer %s unix=%s>" % (self.url, self.unix_path)


@pytest.fixture(scope="session")
def redis_server():
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


@pytest.fixture
def server(redis_server):
    """The session's server, emptied (FLUSHALL) for the test."""
    assert redis_server.command('FLUSHALL') == b'+OK\r\n'
    return redis_server


@pytest.fixture
def redis_server_factory():
    servers = []

    def start(password=None, extra_config=(), unix_socket=True):
        server = RedisServer(password=password, extra_config=extra_config,
                             unix_socket=unix_socket)
        servers.append(server)
        return server.start()

    try:
        yield start
    finally:
        for server in servers:
            server.close()


@pytest.fixture(scope="session")
def sentinel_lab():
    from sentinel_lab import SentinelLab
    lab = SentinelLab(RedisServer).start()
    try:
        yield lab
    finally:
        lab.close()


def pytest_report_header(config):
    return "python: %s; redis-server: %s" % (
        sys.executable,
        os.environ.get("DT_TEST_REDIS_SERVER") or shutil.which("redis-server"))


@pytest.fixture(scope="session")
def cluster_lab():
    from cluster_lab import ClusterLab
    lab = ClusterLab(RedisServer, _free_port).start()
    try:
        yield lab
    finally:
        lab.close()
