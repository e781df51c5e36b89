#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 5: Sorted Sets (a leaderboard)."""

import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

config = RedisConfig().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = RedisInstance(config)

with redis_instance.get_redis() as client:
    # Leaderboard
    client.zadd("leaderboard", {
        "player1": 100,
        "player2": 250,
        "player3": 175,
        "player4": 300
    })

    # Get top players
    top_3 = client.zrevrange("leaderboard", 0, 2, withscores=True)
    print("Top 3 players:")
    for player, score in top_3:
        print(f"  {player.decode()}: {int(score)} points")

    # Get rank
    rank = client.zrevrank("leaderboard", "player2")
    print(f"player2 rank: {rank + 1}")

    # Increment score
    client.zincrby("leaderboard", 50, "player1")

    # Get score
    score = client.zscore("leaderboard", "player1")
    print(f"player1 score: {int(score)}")
