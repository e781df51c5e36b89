#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's health check (best practice 7): is_redis_connected()
against the server in REDIS_URL, then against a port nobody listens on."""

import os
import socket

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402
from gi.repository.DtRedis import is_redis_connected  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance


def check(redis_instance: RedisInstance) -> None:
    # Check connection health
    is_healthy, error = is_redis_connected(redis_instance)
    if not is_healthy:
        print(f"Redis health check failed: {error}")
        # Alert or failover
    else:
        print("Redis is healthy")


config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)
check(redis_instance)

# A port that was free a moment ago: the connection is refused.
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    closed_port = s.getsockname()[1]

down_config = RedisConfig() \
    .set_redis_host("127.0.0.1") \
    .set_redis_port(closed_port) \
    .set_redis_socket_timeout(2.0)
check(RedisInstance(down_config))
