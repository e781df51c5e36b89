#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 1: Basic Synchronous Operations."""

import os
from urllib.parse import urlsplit

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))

# Setup
config = RedisConfig() \
    .set_redis_host(redis_url.hostname) \
    .set_redis_port(redis_url.port or 6379) \
    .set_redis_db(redis_url.path.lstrip("/") or "0")

redis_instance = RedisInstance(config)

# String operations
with redis_instance.get_redis() as client:
    # Set and get
    client.set("greeting", "Hello, Redis!")
    greeting = client.get("greeting")
    print(greeting.decode())  # Hello, Redis!

    # Increment counter
    client.set("visitors", 0)
    client.incr("visitors")
    client.incrby("visitors", 10)
    visitors = client.get("visitors")
    print(f"Visitors: {visitors.decode()}")  # Visitors: 11

    # Expiration
    client.setex("session:abc", 3600, "user_data")
    ttl = client.ttl("session:abc")
    print(f"Session expires in {ttl} seconds")
