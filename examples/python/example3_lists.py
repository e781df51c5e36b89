#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 3: List Operations (Queue/Stack)."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

with redis_instance.get_redis() as client:
    # Task queue (FIFO)
    client.lpush("tasks", "task1", "task2", "task3")

    # Process tasks
    while client.llen("tasks") > 0:
        task = client.rpop("tasks")
        print(f"Processing: {task.decode()}")

    # Stack (LIFO)
    client.rpush("history", "page1", "page2", "page3")
    last_page = client.rpop("history")
    print(f"Last visited: {last_page.decode()}")

    # Get range
    client.rpush("logs", "log1", "log2", "log3")
    recent_logs = client.lrange("logs", 0, 2)
    for log in recent_logs:
        print(log.decode())
