#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small chat room under asyncio: each user has a PubSub on the room's
channel, a moderator watches every room with a pattern, and messages are
posted with PUBLISH.  Handlers given as keyword arguments receive the
messages; `async for` reads the others."""

import asyncio
import os

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

config = DtRedis.Config().set_redis_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))
redis_instance = DtRedis.Instance(config)


async def main():
    async with redis_instance.get_async_redis(decode_responses=True) as client:
        users = {name: client.pubsub(ignore_subscribe_messages=True) for name in ("ann", "bob")}
        inbox = {name: [] for name in users}
        for name, pubsub in users.items():
            # The handler gets each message of room:lobby for this user.
            await pubsub.subscribe(**{"room:lobby": lambda m, name=name: inbox[name].append(m)})
        moderator = client.pubsub(ignore_subscribe_messages=True)
        await moderator.psubscribe("room:*")

        posts = [("ann", "hello!"), ("bob", "hi ann"), ("ann", "bye")]
        for author, text in posts:
            receivers = await client.publish("room:lobby", f"{author}: {text}")
            print(f"{author} posted {text!r} to {receivers} subscribers")

        # Each user reads until it has every post.
        for name, pubsub in users.items():
            while len(inbox[name]) < len(posts):
                await pubsub.get_message(timeout=5)
            print(f"{name} read:", [m["data"] for m in inbox[name]])

        seen = 0
        async for message in moderator.listen():
            print(f"moderator saw on {message['channel']} ({message['pattern']}): {message['data']}")
            seen += 1
            if seen == len(posts):
                break

        for pubsub in (*users.values(), moderator):
            await pubsub.aclose()
        print("still subscribed:", any(p.subscribed for p in (*users.values(), moderator)))


asyncio.run(main())
