#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Multiple Operations": strings, hashes, lists and sets
through one client."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

with redis_instance.get_redis() as client:
    # String operations
    client.set("counter", 0)
    client.incr("counter")
    client.incrby("counter", 5)

    # Hash operations
    client.hset("user:1", "name", "John")
    client.hset("user:1", "email", "john@example.com")

    # List operations
    client.lpush("tasks", "task1", "task2", "task3")

    # Set operations
    client.sadd("tags", "python", "redis", "cache")

    # Get data
    counter = client.get("counter")
    user = client.hgetall("user:1")
    tasks = client.lrange("tasks", 0, -1)
    tags = client.smembers("tags")

print(f"counter: {counter}")
print(f"user: {user}")
print(f"tasks: {tasks}")
# A set has no order: sorted, so that the output is the same every run.
print(f"tags: {sorted(tags)}")
