# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fixtures work, and the build tree's DtRedis is what `gi` loads."""

import os
import socket
import stat

import gi
import pytest


def _raw_ping(family, address):
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(address)
        s.sendall(b"*1\r\n$4\r\nPING\r\n")
        return s.recv(64)


def test_redis_server_answers_ping_over_tcp(redis_server):
    assert redis_server.host == "127.0.0.1"
    assert redis_server.url == "redis://127.0.0.1:%d/0" % redis_server.port
    assert _raw_ping(socket.AF_INET, (redis_server.host, redis_server.port)) == b"+PONG\r\n"


def test_redis_server_answers_ping_over_unix_socket(redis_server):
    mode = os.stat(redis_server.unix_path).st_mode
    assert stat.S_ISSOCK(mode)
    assert stat.S_IMODE(mode) == 0o700
    assert _raw_ping(socket.AF_UNIX, redis_server.unix_path) == b"+PONG\r\n"


def test_redis_url_fixture(redis_server, redis_url):
    assert redis_url == redis_server.url


def test_command_helper_returns_raw_replies(redis_server):
    assert redis_server.command("SET", "smoke:k", b"v\r\nw") == b"+OK\r\n"
    assert redis_server.command("GET", "smoke:k") == b"$4\r\nv\r\nw\r\n"
    assert redis_server.command("GET", "smoke:missing") == b"$-1\r\n"
    assert redis_server.command("RPUSH", "smoke:l", "a", "bc") == b":2\r\n"
    assert redis_server.command("LRANGE", "smoke:l", 0, -1) == b"*2\r\n$1\r\na\r\n$2\r\nbc\r\n"
    assert redis_server.command("CONFIG", "GET", "save") == b"*2\r\n$4\r\nsave\r\n$0\r\n\r\n"
    assert redis_server.command("DEL", "smoke:k", "smoke:l") == b":2\r\n"


def test_factory_server_with_password_and_acl(redis_server_factory, redis_server):
    server = redis_server_factory(password="s3cr\"et pw",
                                  extra_config=["user alice on >pw ~* +@all"])
    assert server.port != redis_server.port
    assert _raw_ping(socket.AF_INET, (server.host, server.port)).startswith(b"-NOAUTH")
    assert server.command("PING") == b"+PONG\r\n"
    assert server.command("AUTH", "alice", "pw") == b"+OK\r\n"
    assert server.command("AUTH", "alice", "nope").startswith(b"-WRONGPASS")


def test_factory_server_restart_and_kill(redis_server_factory):
    server = redis_server_factory()
    port, pid = server.port, server.process.pid
    assert server.command("SET", "k", "v") == b"+OK\r\n"

    server.restart()
    assert server.port == port
    assert server.process.pid != pid
    assert server.command("GET", "k") == b"$-1\r\n"

    server.kill()
    assert not server.running
    with pytest.raises(OSError):
        _raw_ping(socket.AF_INET, (server.host, port))

    server.restart()
    assert server.command("PING") == b"+PONG\r\n"


def test_factory_server_is_cleaned_up(redis_server_factory):
    server = redis_server_factory()
    tmpdir, process = server.tmpdir, server.process
    server.close()
    assert process.poll() is not None
    assert not os.path.exists(tmpdir)


def test_overrides_are_found_from_the_source_tree():
    # bindings/python/gi/overrides joins gi.overrides.__path__ through
    # PYTHONPATH: gi's own extend_path() picks it up (it must have no
    # __init__.py there, or it would shadow the real gi package).
    import gi.overrides

    here = os.path.dirname(os.path.abspath(__file__))
    ours = os.path.normpath(os.path.join(here, "..", "..", "bindings", "python", "gi", "overrides"))
    assert ours in [os.path.normpath(p) for p in gi.overrides.__path__]
    assert gi.__file__.startswith("/usr/lib/python3/"), gi.__file__


def test_dtredis_imports_from_the_build_tree():
    gi.require_version("DtRedis", "1.0")
    from gi.repository import DtRedis

    assert DtRedis.Config().get_redis_port() == 6379
