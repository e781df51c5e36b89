#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 6: Async Web Scraper with Caching.

The pages come from a small HTTP server that this script starts on
127.0.0.1 in a thread, never from the internet.  The URLs are fetched
twice: the first round fills the cache, the second is served from it.
"""

import asyncio
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import httpx

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


async def fetch_url_cached(
    redis_instance: RedisInstance,
    url: str,
    ttl: int = 3600
) -> str:
    """Fetch URL with Redis caching."""
    cache_key = f"cache:url:{url}"

    # Try cache first
    async with redis_instance.get_async_redis() as client:
        cached = await client.get(cache_key)
        if cached:
            print(f"Cache hit: {url}")
            return cached.decode()

    # Fetch from web
    print(f"Fetching: {url}")
    async with httpx.AsyncClient() as http_client:
        response = await http_client.get(url)
        content = response.text

    # Cache result
    async with redis_instance.get_async_redis() as client:
        await client.setex(cache_key, ttl, content)

    return content


# -- the local web site ------------------------------------------------------

class PageHandler(BaseHTTPRequestHandler):
    requests_served = 0

    def do_GET(self):
        PageHandler.requests_served += 1
        body = f"<html><body>Page {self.path}</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # keep stdout for the example's own lines


async def main():
    config = RedisConfig() \
        .set_redis_host(redis_url.hostname) \
        .set_redis_port(redis_url.port or 6379) \
        .set_redis_db(redis_url.path.lstrip("/") or "0")

    redis_instance = RedisInstance(config)

    server = ThreadingHTTPServer(("127.0.0.1", 0), PageHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    try:
        urls = [
            f"{base}/example.com",
            f"{base}/example.org",
            f"{base}/example.net"
        ]

        for _ in range(2):
            # Fetch concurrently
            results = await asyncio.gather(*[
                fetch_url_cached(redis_instance, url) for url in urls
            ])

            print(f"Fetched {len(results)} pages")

        print(results[0])
        print(f"The web server answered {PageHandler.requests_served} requests")
    finally:
        server.shutdown()
        server.server_close()

asyncio.run(main())
