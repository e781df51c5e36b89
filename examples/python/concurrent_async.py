#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "Concurrent Operations": three users fetched at once with
asyncio.gather()."""

import asyncio
import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


async def fetch_user_data(redis_instance: RedisInstance, user_id: int):
    async with redis_instance.get_async_redis() as client:
        name = await client.get(f"user:{user_id}:name")
        email = await client.get(f"user:{user_id}:email")
        return {"name": name, "email": email}


async def store_users(redis_instance: RedisInstance):
    # Something to fetch (the seed assumes the users exist).
    async with redis_instance.get_async_redis() as client:
        for user_id, name in ((1, "Alice"), (2, "Bob"), (3, "Carol")):
            await client.set(f"user:{user_id}:name", name)
            await client.set(f"user:{user_id}:email", f"{name.lower()}@example.com")


async def main():
    redis_instance = RedisInstance(config)
    await store_users(redis_instance)

    # Fetch multiple users concurrently
    users = await asyncio.gather(
        fetch_user_data(redis_instance, 1),
        fetch_user_data(redis_instance, 2),
        fetch_user_data(redis_instance, 3)
    )

    print(users)

asyncio.run(main())
