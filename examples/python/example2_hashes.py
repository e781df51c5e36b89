#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 2: Hash Operations."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

with redis_instance.get_redis() as client:
    # Store user profile
    client.hset("user:123", mapping={
        "name": "Alice Smith",
        "email": "alice@example.com",
        "age": "30",
        "city": "New York"
    })

    # Get specific field
    name = client.hget("user:123", "name")
    print(f"Name: {name.decode()}")

    # Get all fields
    user = client.hgetall("user:123")
    for key, value in user.items():
        print(f"{key.decode()}: {value.decode()}")

    # Update field
    client.hset("user:123", "age", "31")

    # Check if field exists
    has_phone = client.hexists("user:123", "phone")
    print(f"Has phone: {has_phone}")  # False

    print(f"Age now: {client.hget('user:123', 'age').decode()}")  # 31
