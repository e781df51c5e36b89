#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 4: Set Operations."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

with redis_instance.get_redis() as client:
    # Add members
    client.sadd("languages:python", "django", "flask", "fastapi")
    client.sadd("languages:javascript", "react", "vue", "express")

    # Check membership
    has_django = client.sismember("languages:python", "django")
    print(f"Python has Django: {has_django}")  # True

    # Get all members
    python_frameworks = client.smembers("languages:python")
    print("Python frameworks:")
    for fw in python_frameworks:
        print(f"  - {fw.decode()}")

    # Set operations
    client.sadd("set1", "a", "b", "c")
    client.sadd("set2", "b", "c", "d")

    # Union
    union = client.sunion("set1", "set2")
    print(f"Union: {[x.decode() for x in union]}")

    # Intersection
    intersection = client.sinter("set1", "set2")
    print(f"Intersection: {[x.decode() for x in intersection]}")

    # Difference
    diff = client.sdiff("set1", "set2")
    print(f"Difference: {[x.decode() for x in diff]}")
