#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Pipeline for Bulk Operations": 100 SETs in one round trip."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

with redis_instance.get_redis() as client:
    # Use pipeline for multiple operations
    pipe = client.pipeline()
    for i in range(100):
        pipe.set(f"key:{i}", f"value:{i}")
    results = pipe.execute()

    print("100 keys set efficiently")

    # One reply per command, in order.
    print(f"{len(results)} replies, all True: {all(r is True for r in results)}")
    print(client.get("key:0"), client.get("key:99"))
