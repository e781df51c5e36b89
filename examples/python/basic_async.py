#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Basic Async Usage" of get_async_redis()."""

import asyncio
import os
from urllib.parse import urlsplit

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


async def main():
    config = RedisConfig() \
        .set_redis_host(redis_url.hostname) \
        .set_redis_port(redis_url.port or 6379) \
        .set_redis_db(redis_url.path.lstrip("/") or "0")

    redis_instance = RedisInstance(config)

    async with redis_instance.get_async_redis() as client:
        await client.set("user:1:name", "Jane Doe")
        name = await client.get("user:1:name")
        print(name)  # b'Jane Doe'

asyncio.run(main())
