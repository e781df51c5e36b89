#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's "FastAPI Integration", driven by FastAPI's TestClient.

The app is the seed's; run it with any ASGI server (`uvicorn fastapi_app:app`).
Run as a script, it sends a few requests through fastapi.testclient, which
calls the app in-process, and prints the JSON answers.
"""

import os
from urllib.parse import urlsplit

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

from fastapi import FastAPI  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))

app = FastAPI()

# Global Redis instance
config = RedisConfig() \
    .set_redis_host(redis_url.hostname) \
    .set_redis_port(redis_url.port or 6379) \
    .set_redis_db(redis_url.path.lstrip("/") or "0")
redis_instance = RedisInstance(config)


@app.get("/user/{user_id}")
async def get_user(user_id: int):
    async with redis_instance.get_async_redis() as client:
        name = await client.get(f"user:{user_id}:name")
        if name:
            return {"user_id": user_id, "name": name.decode()}
        return {"error": "User not found"}


@app.post("/user/{user_id}")
async def create_user(user_id: int, name: str):
    async with redis_instance.get_async_redis() as client:
        await client.set(f"user:{user_id}:name", name)
        return {"user_id": user_id, "name": name}


def main():
    import json

    from fastapi.testclient import TestClient

    with TestClient(app) as http:
        for method, path, params in (
            ("GET", "/user/7", None),
            ("POST", "/user/7", {"name": "Ada Lovelace"}),
            ("GET", "/user/7", None),
            ("GET", "/user/8", None),
            ("GET", "/user/not-a-number", None),
        ):
            response = http.request(method, path, params=params)
            body = response.json()
            if response.status_code == 422:
                # FastAPI's validation error: keep only what it says.
                body = [error["msg"] for error in body["detail"]]
            print(f"{method} {path} -> {response.status_code} {json.dumps(body)}")


if __name__ == "__main__":
    main()
