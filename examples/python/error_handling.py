#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Error Handling" of get_redis(): an exception inside the
with block still gives the connection back to the pool."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

try:
    with redis_instance.get_redis() as client:
        client.set("key", "value")
        # Raise an error
        raise ValueError("Something went wrong")
except ValueError:
    # Context manager still ensures proper cleanup
    print("Error handled, Redis connection cleaned up")

# The connection went back to the pool, and the pool still works.
stats = redis_instance.get_sync_pool_stats()
print(f"Connections in use: {stats.in_use}")
with redis_instance.get_redis() as client:
    print(client.get("key"))  # b'value'
