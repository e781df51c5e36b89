#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Basic Usage" of get_redis(): set a key and read it back."""

import os
from urllib.parse import urlsplit

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

# Where the server is: REDIS_URL, else the seed's localhost:6379, db 0.
redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))

config = RedisConfig() \
    .set_redis_host(redis_url.hostname) \
    .set_redis_port(redis_url.port or 6379) \
    .set_redis_db(redis_url.path.lstrip("/") or "0")

redis_instance = RedisInstance(config)

# Simple key-value operations
with redis_instance.get_redis() as client:
    client.set("user:1:name", "John Doe")
    name = client.get("user:1:name")
    print(name)  # b'John Doe'
