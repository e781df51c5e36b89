#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 8: Rate Limiting with a counter that expires."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


class RateLimiter:
    def __init__(self, redis_instance: RedisInstance):
        self.redis = redis_instance

    def is_allowed(
        self,
        key: str,
        max_requests: int,
        window_seconds: int
    ) -> bool:
        """Check if request is allowed under rate limit."""
        with self.redis.get_redis() as client:
            current = client.get(key)

            if current is None:
                # First request in window
                pipe = client.pipeline()
                pipe.set(key, 1)
                pipe.expire(key, window_seconds)
                pipe.execute()
                return True

            count = int(current)
            if count < max_requests:
                client.incr(key)
                return True

            return False


# Usage
redis_instance = RedisInstance(config)
limiter = RateLimiter(redis_instance)

# Allow 10 requests per minute per IP
ip_address = "192.168.1.1"
allowed = limiter.is_allowed(
    key=f"rate_limit:{ip_address}",
    max_requests=10,
    window_seconds=60
)

if allowed:
    print("Request allowed")
else:
    print("Rate limit exceeded")

# Eleven more from the same address within the minute: the window holds 10.
more = [limiter.is_allowed(f"rate_limit:{ip_address}", 10, 60) for _ in range(11)]
print(f"Next 11 requests: {more.count(True)} allowed, {more.count(False)} refused")

with redis_instance.get_redis() as client:
    ttl = client.ttl(f"rate_limit:{ip_address}")
    print(f"Window resets in at most 60 s: {0 < ttl <= 60}")
