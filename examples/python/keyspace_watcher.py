#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keyspace notifications with redis-py's PubSub, from client.pubsub().

With ``notify-keyspace-events KEA`` Redis publishes an event each time a
key changes: a SET of ``user:1`` in database 0 publishes ``set`` on the
channel ``__keyspace@0__:user:1``.  This program turns that on,
psubscribes to every key of its database, changes a few keys and prints
the notifications in the order the server sent them."""

import os
from urllib.parse import urlparse

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

url = os.environ.get("REDIS_URL", "redis://localhost:6379/0")
config = DtRedis.Config().set_redis_url(url)
redis_instance = DtRedis.Instance(config)

with redis_instance.get_redis(decode_responses=True) as client:
    client.config_set("notify-keyspace-events", "KEA")
    db = urlparse(url).path.strip("/") or "0"  # the channels name the database

    # ignore_subscribe_messages: get_message() gives None for the
    # subscription's own confirmation.
    watcher = client.pubsub(ignore_subscribe_messages=True)
    watcher.psubscribe(f"__keyspace@{db}__:*")

    client.set("user:1", "Ann")
    client.expire("user:1", 60)
    client.hset("session:7", mapping={"user": "1", "theme": "dark"})
    client.delete("user:1")

    seen = 0
    for message in watcher.listen():
        key = message["channel"].split(":", 1)[1]
        print(f"{key:<12} {message['data']}")
        seen += 1
        if seen == 4:
            break
    watcher.close()
    print("dropped:", watcher.dropped)
