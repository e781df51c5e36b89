#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's best practices that are code, each run once."""

import asyncio
import os
import socket
from urllib.parse import urlsplit

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402
from gi.repository.DtRedis import ConnectionError, TimeoutError  # noqa: E402
from gi.repository.DtRedis import is_redis_connected  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
host, port = redis_url.hostname, redis_url.port or 6379

config = RedisConfig() \
    .set_redis_host(host) \
    .set_redis_port(port) \
    .set_redis_db("0")

print("1. Use Context Managers")

# Good: Automatic cleanup
redis_instance = RedisInstance(config)
with redis_instance.get_redis() as client:
    client.set("key", "value")

# Bad: Manual cleanup required
client = redis_instance.get_redis_client()
client.set("key", "value")
client.close()  # Easy to forget

with redis_instance.get_redis() as client:
    print(f"   key = {client.get('key')}")

print("2. Reuse RedisInstance")

# Good: Single instance (the one above)


def func1():
    with redis_instance.get_redis() as client:
        return client.incr("calls")


def func2():
    with redis_instance.get_redis() as client:
        return client.incr("calls")


func1()
print(f"   calls = {func2()}, connections opened = {redis_instance.get_sync_pool_stats().total}")

print("3. Use Appropriate Database Numbers")

# Cache database
cache_config = RedisConfig().set_redis_host(host).set_redis_port(port).set_redis_db("0")
cache_redis = RedisInstance(cache_config)

# Session database
session_config = RedisConfig().set_redis_host(host).set_redis_port(port).set_redis_db("1")
session_redis = RedisInstance(session_config)

# Queue database
queue_config = RedisConfig().set_redis_host(host).set_redis_port(port).set_redis_db("2")
queue_redis = RedisInstance(queue_config)

for name, instance in (("cache", cache_redis), ("session", session_redis), ("queue", queue_redis)):
    with instance.get_redis() as client:
        client.set("purpose", name)
for name, instance in (("cache", cache_redis), ("session", session_redis), ("queue", queue_redis)):
    with instance.get_redis() as client:
        print(f"   {instance.get_redis_url().rsplit('/', 1)[1]}: purpose = {client.get('purpose')}")

print("4. Handle Connection Errors")

# A port that was free a moment ago: nothing answers there.
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    closed_port = s.getsockname()[1]
redis_instance_down = RedisInstance(
    RedisConfig().set_redis_host("127.0.0.1").set_redis_port(closed_port))

try:
    with redis_instance_down.get_redis() as client:
        client.set("key", "value")
except (ConnectionError, TimeoutError) as e:
    print(f"   Redis connection failed: {e}")
    # Fallback logic or retry

print("5. Use Pipelines for Bulk Operations")

# Good: Pipeline for bulk operations
with redis_instance.get_redis() as client:
    pipe = client.pipeline()
    for i in range(1000):
        pipe.set(f"key:{i}", f"value:{i}")
    pipe.execute()

# Bad: Individual operations (slow)
with redis_instance.get_redis() as client:
    for i in range(1000):
        client.set(f"key:{i}", f"value:{i}")
    print(f"   key:999 = {client.get('key:999')}")

print("6. Async for I/O-Bound Operations")


# Good: Async for web services
async def fetch_user_data(user_id: int):
    async with redis_instance.get_async_redis() as client:
        return await client.hgetall(f"user:{user_id}")


# Good: Sync for simple scripts
def backup_data():
    with redis_instance.get_redis() as client:
        return client.keys("*")


with redis_instance.get_redis() as client:
    client.hset("user:1", mapping={"name": "Ada", "lang": "en"})
print(f"   user 1 = {asyncio.run(fetch_user_data(1))}")
print(f"   keys in db 0 = {len(backup_data())}")

print("7. Implement Health Checks")

# Check connection health
is_healthy, error = is_redis_connected(redis_instance)
if not is_healthy:
    print(f"Redis health check failed: {error}")
    # Alert or failover
print(f"   healthy = {is_healthy}, error = {error}")
