#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Async Pipeline": 100 SETs queued, then sent at once."""

import asyncio
import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


async def bulk_insert(redis_instance: RedisInstance, data: dict):
    async with redis_instance.get_async_redis() as client:
        pipe = client.pipeline()
        for key, value in data.items():
            await pipe.set(key, value)
        await pipe.execute()


async def main():
    redis_instance = RedisInstance(config)

    data = {f"key:{i}": f"value:{i}" for i in range(100)}
    await bulk_insert(redis_instance, data)
    print("100 keys inserted")

    # Read two of them back.
    async with redis_instance.get_async_redis() as client:
        print(await client.get("key:0"), await client.get("key:99"))

    await redis_instance.reset_async_pool()

asyncio.run(main())
