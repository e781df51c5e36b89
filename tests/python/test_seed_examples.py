# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python examples of the seed (dtpyfw-redis-connection.md), run on DtRedis.

Each test is the seed's code with only its imports changed to

    from gi.repository import DtRedis
    RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

and "localhost"/6379 pointed at the private redis-server.  The assertions
are the values (and printed lines) redis-py gives for the same code.
"""

import asyncio
import json
import socket
import uuid

import gi
import pytest

gi.require_version('DtRedis', '1.0')
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance
is_redis_connected = DtRedis.is_redis_connected


@pytest.fixture
def config(server):
    """The seed's config, pointed at the private server."""
    return RedisConfig() \
        .set_redis_host(server.host) \
        .set_redis_port(server.port) \
        .set_redis_db("0")


def _closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


# -- constructor and URL ----------------------------------------------------------

def test_constructor_example(capsys):
    # Create configuration
    config = RedisConfig() \
        .set_redis_host("localhost") \
        .set_redis_port(6379) \
        .set_redis_db("0") \
        .set_redis_password("secret") \
        .set_redis_max_connections(20)

    # Create Redis instance
    redis_instance = RedisInstance(config)

    # Connection pools not yet created
    print(redis_instance.redis_url)  # redis://:secret@localhost:6379/0

    assert capsys.readouterr().out == 'redis://:secret@localhost:6379/0\n'
    assert redis_instance.get_sync_pool_stats().total == 0


@pytest.mark.parametrize('setup, url', [
    (lambda c: c.set_redis_password("secret"), "redis://:secret@localhost:6379/0"),
    (lambda c: c.set_redis_host("redis.example.com").set_redis_username("admin")
     .set_redis_password("pass"), "redis://admin:pass@redis.example.com:6379/0"),
    (lambda c: c.set_redis_host("secure.redis.com").set_redis_port(6380)
     .set_redis_ssl(True), "rediss://secure.redis.com:6380/0"),
    (lambda c: c.set_redis_password("p@ss:w0rd!"),
     "redis://:p%40ss%3Aw0rd%21@localhost:6379/0"),
])
def test_url_construction_examples(setup, url):
    config = setup(RedisConfig().set_redis_host("localhost").set_redis_port(6379)
                   .set_redis_db("0"))
    assert RedisInstance(config).redis_url == url


def test_get_redis_url_example(capsys):
    config = RedisConfig()
    redis_instance = RedisInstance(config)
    print(f"Connecting to: {redis_instance.get_redis_url()}")
    # Output: Connecting to: redis://localhost:6379/0

    assert capsys.readouterr().out == 'Connecting to: redis://localhost:6379/0\n'


# -- pool management --------------------------------------------------------------

def test_reset_sync_pool_example(config):
    redis_instance = RedisInstance(config)

    # Use Redis
    with redis_instance.get_redis() as client:
        client.set("key", "value")

    # Reset pool (disconnect all connections)
    redis_instance.reset_sync_pool()

    # Next access will create a new pool
    with redis_instance.get_redis() as client:
        value = client.get("key")

    assert value == b'value'


def test_reset_async_pool_example(config):
    async def example():
        redis_instance = RedisInstance(config)

        # Use async Redis
        async with redis_instance.get_async_redis() as client:
            await client.set("key", "value")

        # Reset pool (disconnect all connections)
        await redis_instance.reset_async_pool()

        # Next access will create a new pool
        async with redis_instance.get_async_redis() as client:
            value = await client.get("key")
        return value

    assert asyncio.run(example()) == b'value'


# -- client creation ---------------------------------------------------------------

def test_get_redis_client_example(config, capsys):
    redis_instance = RedisInstance(config)

    # Direct client creation
    client = redis_instance.get_redis_client()
    try:
        client.set("key", "value")
        value = client.get("key")
        print(value)
    finally:
        client.close()  # Must close manually

    # Better: Use context manager instead
    with redis_instance.get_redis() as client:
        client.set("key", "value")
        value = client.get("key")
    # Automatic cleanup

    assert capsys.readouterr().out == "b'value'\n"
    assert value == b'value'


def test_get_async_redis_client_example(config, capsys):
    async def example():
        redis_instance = RedisInstance(config)

        # Direct client creation
        client = await redis_instance.get_async_redis_client()
        try:
            await client.set("key", "value")
            value = await client.get("key")
            print(value)
        finally:
            await client.close()  # Must close manually

        # Better: Use async context manager instead
        async with redis_instance.get_async_redis() as client:
            await client.set("key", "value")
            value = await client.get("key")
        # Automatic cleanup
        return value

    assert asyncio.run(example()) == b'value'
    assert capsys.readouterr().out == "b'value'\n"


# -- get_redis() -------------------------------------------------------------------

def test_basic_usage(server, capsys):
    config = RedisConfig() \
        .set_redis_host(server.host) \
        .set_redis_port(server.port) \
        .set_redis_db("0")

    redis_instance = RedisInstance(config)

    # Simple key-value operations
    with redis_instance.get_redis() as client:
        client.set("user:1:name", "John Doe")
        name = client.get("user:1:name")
        print(name)  # b'John Doe'

    assert capsys.readouterr().out == "b'John Doe'\n"


def test_error_handling(config, capsys):
    redis_instance = RedisInstance(config)

    try:
        with redis_instance.get_redis() as client:
            client.set("key", "value")
            # Raise an error
            raise ValueError("Something went wrong")
    except ValueError:
        # Context manager still ensures proper cleanup
        print("Error handled, Redis connection cleaned up")

    assert capsys.readouterr().out == "Error handled, Redis connection cleaned up\n"
    assert redis_instance.get_sync_pool_stats().in_use == 0


def test_multiple_operations(config):
    redis_instance = RedisInstance(config)

    with redis_instance.get_redis() as client:
        # String operations
        client.set("counter", 0)
        client.incr("counter")
        client.incrby("counter", 5)

        # Hash operations
        client.hset("user:1", "name", "John")
        client.hset("user:1", "email", "john@example.com")

        # List operations
        client.lpush("tasks", "task1", "task2", "task3")

        # Set operations
        client.sadd("tags", "python", "redis", "cache")

        # Get data
        counter = client.get("counter")
        user = client.hgetall("user:1")
        tasks = client.lrange("tasks", 0, -1)
        tags = client.smembers("tags")

    assert counter == b'6'
    assert user == {b'name': b'John', b'email': b'john@example.com'}
    assert list(user) == [b'name', b'email']
    assert tasks == [b'task3', b'task2', b'task1']
    assert tags == {b'python', b'redis', b'cache'}


def test_pipeline_for_bulk_operations(config, capsys):
    redis_instance = RedisInstance(config)

    with redis_instance.get_redis() as client:
        # Use pipeline for multiple operations
        pipe = client.pipeline()
        for i in range(100):
            pipe.set(f"key:{i}", f"value:{i}")
        pipe.execute()

        print("100 keys set efficiently")

    assert capsys.readouterr().out == "100 keys set efficiently\n"
    with redis_instance.get_redis() as client:
        assert client.get("key:99") == b'value:99'
        assert client.dbsize() == 100


# -- get_async_redis() ------------------------------------------------------------

def test_basic_async_usage(server, capsys):
    async def main():
        config = RedisConfig() \
            .set_redis_host(server.host) \
            .set_redis_port(server.port) \
            .set_redis_db("0")

        redis_instance = RedisInstance(config)

        async with redis_instance.get_async_redis() as client:
            await client.set("user:1:name", "Jane Doe")
            name = await client.get("user:1:name")
            print(name)  # b'Jane Doe'

    asyncio.run(main())

    assert capsys.readouterr().out == "b'Jane Doe'\n"


def test_concurrent_operations(config, server, capsys):
    server.command('SET', 'user:1:name', 'Ann')
    server.command('SET', 'user:1:email', 'ann@example.com')
    server.command('SET', 'user:3:name', 'Cy')

    async def fetch_user_data(redis_instance: RedisInstance, user_id: int):
        async with redis_instance.get_async_redis() as client:
            name = await client.get(f"user:{user_id}:name")
            email = await client.get(f"user:{user_id}:email")
            return {"name": name, "email": email}

    async def main():
        redis_instance = RedisInstance(config)

        # Fetch multiple users concurrently
        users = await asyncio.gather(
            fetch_user_data(redis_instance, 1),
            fetch_user_data(redis_instance, 2),
            fetch_user_data(redis_instance, 3)
        )

        print(users)

    asyncio.run(main())

    expected = [{"name": b'Ann', "email": b'ann@example.com'},
                {"name": None, "email": None},
                {"name": b'Cy', "email": None}]
    assert capsys.readouterr().out == repr(expected) + '\n'


def test_async_pipeline(config, capsys):
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

    asyncio.run(main())

    assert capsys.readouterr().out == "100 keys inserted\n"
    instance = RedisInstance(config)
    with instance.get_redis() as client:
        assert client.mget([f"key:{i}" for i in range(100)]) == \
            [f"value:{i}".encode() for i in range(100)]


def test_fastapi_integration(server):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    app = FastAPI()

    # Global Redis instance
    config = RedisConfig() \
        .set_redis_host(server.host) \
        .set_redis_port(server.port) \
        .set_redis_db("0")
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

    with TestClient(app) as http:
        assert http.post("/user/7", params={"name": "Ann"}).json() == \
            {"user_id": 7, "name": "Ann"}
        assert http.get("/user/7").json() == {"user_id": 7, "name": "Ann"}
        assert http.get("/user/8").json() == {"error": "User not found"}


# -- complete usage examples ---------------------------------------------------------

def test_example_1_basic_synchronous_operations(server, capsys):
    # Setup
    config = RedisConfig() \
        .set_redis_host(server.host) \
        .set_redis_port(server.port) \
        .set_redis_db("0")

    redis_instance = RedisInstance(config)

    # String operations
    with redis_instance.get_redis() as client:
        # Set and get
        client.set("greeting", "Hello, Redis!")
        greeting = client.get("greeting")
        print(greeting.decode())  # Hello, Redis!

        # Increment counter
        client.set("visitors", 0)
        client.incr("visitors")
        client.incrby("visitors", 10)
        visitors = client.get("visitors")
        print(f"Visitors: {visitors.decode()}")  # Visitors: 11

        # Expiration
        client.setex("session:abc", 3600, "user_data")
        ttl = client.ttl("session:abc")
        print(f"Session expires in {ttl} seconds")

    assert capsys.readouterr().out.splitlines() == [
        'Hello, Redis!', 'Visitors: 11', 'Session expires in 3600 seconds']


def test_example_2_hash_operations(config, capsys):
    redis_instance = RedisInstance(config)

    with redis_instance.get_redis() as client:
        # Store user profile
        client.hset("user:123", mapping={
            "name": "Alice Smith",
            "email": "alice@example.com",
            "age": "30",
            "city": "New York"
        })

        # Get specific field
        name = client.hget("user:123", "name")
        print(f"Name: {name.decode()}")

        # Get all fields
        user = client.hgetall("user:123")
        for key, value in user.items():
            print(f"{key.decode()}: {value.decode()}")

        # Update field
        client.hset("user:123", "age", "31")

        # Check if field exists
        has_phone = client.hexists("user:123", "phone")
        print(f"Has phone: {has_phone}")  # False

    assert capsys.readouterr().out.splitlines() == [
        'Name: Alice Smith', 'name: Alice Smith', 'email: alice@example.com',
        'age: 30', 'city: New York', 'Has phone: False']


def test_example_3_list_operations(config, capsys):
    redis_instance = RedisInstance(config)

    with redis_instance.get_redis() as client:
        # Task queue (FIFO)
        client.lpush("tasks", "task1", "task2", "task3")

        # Process tasks
        while client.llen("tasks") > 0:
            task = client.rpop("tasks")
            print(f"Processing: {task.decode()}")

        # Stack (LIFO)
        client.rpush("history", "page1", "page2", "page3")
        last_page = client.rpop("history")
        print(f"Last visited: {last_page.decode()}")

        # Get range
        client.rpush("logs", "log1", "log2", "log3")
        recent_logs = client.lrange("logs", 0, 2)
        for log in recent_logs:
            print(log.decode())

    assert capsys.readouterr().out.splitlines() == [
        'Processing: task1', 'Processing: task2', 'Processing: task3',
        'Last visited: page3', 'log1', 'log2', 'log3']


def test_example_4_set_operations(config, capsys):
    redis_instance = RedisInstance(config)

    with redis_instance.get_redis() as client:
        # Add members
        client.sadd("languages:python", "django", "flask", "fastapi")
        client.sadd("languages:javascript", "react", "vue", "express")

        # Check membership
        has_django = client.sismember("languages:python", "django")
        print(f"Python has Django: {has_django}")  # True

        # Get all members
        python_frameworks = client.smembers("languages:python")
        print("Python frameworks:")
        for fw in python_frameworks:
            print(f"  - {fw.decode()}")

        # Set operations
        client.sadd("set1", "a", "b", "c")
        client.sadd("set2", "b", "c", "d")

        # Union
        union = client.sunion("set1", "set2")
        print(f"Union: {[x.decode() for x in union]}")

        # Intersection
        intersection = client.sinter("set1", "set2")
        print(f"Intersection: {[x.decode() for x in intersection]}")

        # Difference
        diff = client.sdiff("set1", "set2")
        print(f"Difference: {[x.decode() for x in diff]}")

    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == 'Python has Django: True'
    assert lines[1] == 'Python frameworks:'
    assert sorted(lines[2:5]) == ['  - django', '  - fastapi', '  - flask']
    assert (python_frameworks, union, intersection, diff) == (
        {b'django', b'flask', b'fastapi'}, {b'a', b'b', b'c', b'd'},
        {b'b', b'c'}, {b'a'})
    # Sets print in their own iteration order, as redis-py's sets do.
    assert lines[5:] == [f"Union: {[x.decode() for x in union]}",
                         f"Intersection: {[x.decode() for x in intersection]}",
                         "Difference: ['a']"]


def test_example_5_sorted_sets(config, capsys):
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

    assert top_3 == [(b'player4', 300.0), (b'player2', 250.0), (b'player3', 175.0)]
    assert capsys.readouterr().out.splitlines() == [
        'Top 3 players:', '  player4: 300 points', '  player2: 250 points',
        '  player3: 175 points', 'player2 rank: 2', 'player1 score: 150']


def test_example_6_async_caching(server, capsys):
    fetched = []

    class _Response:
        def __init__(self, url):
            self.text = f"<html>{url}</html>"

    class _LocalHTTP:
        """Stands in for httpx.AsyncClient: no network in tests."""

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc_info):
            return False

        async def get(self, url):
            fetched.append(url)
            await asyncio.sleep(0)
            return _Response(url)

    class httpx:  # noqa: N801 - the name the example uses
        AsyncClient = _LocalHTTP

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

    async def main():
        config = RedisConfig() \
            .set_redis_host(server.host) \
            .set_redis_port(server.port) \
            .set_redis_db("0")

        redis_instance = RedisInstance(config)

        urls = [
            "https://example.com",
            "https://example.org",
            "https://example.net"
        ]

        # Fetch concurrently
        results = await asyncio.gather(*[
            fetch_url_cached(redis_instance, url) for url in urls
        ])

        print(f"Fetched {len(results)} pages")
        return results

    urls = ["https://example.com", "https://example.org", "https://example.net"]
    expected = [f"<html>{url}</html>" for url in urls]
    assert asyncio.run(main()) == expected
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines[:3]) == sorted(f"Fetching: {url}" for url in urls)
    assert lines[3] == 'Fetched 3 pages'

    # A second run is served from the cache.
    assert asyncio.run(main()) == expected
    lines = capsys.readouterr().out.splitlines()
    assert sorted(lines[:3]) == sorted(f"Cache hit: {url}" for url in urls)
    assert sorted(fetched) == sorted(urls)
    ttl = int(server.command('TTL', 'cache:url:https://example.com')[1:-2])
    assert 3590 <= ttl <= 3600


def test_example_7_session_management(server, capsys):
    from datetime import datetime
    from typing import Dict, Optional

    class SessionManager:
        def __init__(self, redis_instance: RedisInstance):
            self.redis = redis_instance
            self.session_ttl = 3600  # 1 hour

        def create_session(self, user_id: int) -> str:
            """Create a new session."""
            session_id = str(uuid.uuid4())
            session_data = {
                "user_id": user_id,
                "created_at": datetime.now().isoformat(),
                "last_accessed": datetime.now().isoformat()
            }

            with self.redis.get_redis() as client:
                client.setex(
                    f"session:{session_id}",
                    self.session_ttl,
                    json.dumps(session_data)
                )

            return session_id

        def get_session(self, session_id: str) -> Optional[Dict]:
            """Get session data."""
            with self.redis.get_redis() as client:
                data = client.get(f"session:{session_id}")
                if data:
                    # Refresh TTL
                    client.expire(f"session:{session_id}", self.session_ttl)
                    return json.loads(data)
            return None

        def delete_session(self, session_id: str) -> None:
            """Delete a session."""
            with self.redis.get_redis() as client:
                client.delete(f"session:{session_id}")

    # Usage
    config = RedisConfig() \
        .set_redis_host(server.host) \
        .set_redis_port(server.port) \
        .set_redis_db("1")  # Separate DB for sessions

    redis_instance = RedisInstance(config)
    session_mgr = SessionManager(redis_instance)

    # Create session
    session_id = session_mgr.create_session(user_id=123)
    print(f"Created session: {session_id}")

    # The session lives in database 1, not 0.
    assert server.command('EXISTS', f"session:{session_id}") == b':0\r\n'

    # Get session
    session = session_mgr.get_session(session_id)
    print(f"Session data: {session}")

    # Delete session
    session_mgr.delete_session(session_id)

    assert session["user_id"] == 123
    assert set(session) == {"user_id", "created_at", "last_accessed"}
    assert session_mgr.get_session(session_id) is None
    assert capsys.readouterr().out.splitlines() == [
        f"Created session: {session_id}", f"Session data: {session}"]


def test_example_8_rate_limiting(config, capsys):
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

    assert capsys.readouterr().out == "Request allowed\n"
    answers = [limiter.is_allowed(key=f"rate_limit:{ip_address}", max_requests=10,
                                  window_seconds=60) for _ in range(10)]
    assert answers == [True] * 9 + [False]
    with redis_instance.get_redis() as client:
        assert client.get(f"rate_limit:{ip_address}") == b'10'
        assert 0 < client.ttl(f"rate_limit:{ip_address}") <= 60


# -- best practices -------------------------------------------------------------------

def test_best_practice_context_managers(config):
    redis_instance = RedisInstance(config)

    # Good: Automatic cleanup
    with redis_instance.get_redis() as client:
        client.set("key", "value")

    # Bad: Manual cleanup required
    client = redis_instance.get_redis_client()
    client.set("key", "value")
    client.close()  # Easy to forget

    with redis_instance.get_redis() as client:
        assert client.get("key") == b'value'


def test_best_practice_database_numbers(server):
    # Cache database
    cache_config = RedisConfig().set_redis_db("0")
    cache_redis = RedisInstance(cache_config)

    # Session database
    session_config = RedisConfig().set_redis_db("1")
    session_redis = RedisInstance(session_config)

    # Queue database
    queue_config = RedisConfig().set_redis_db("2")
    queue_redis = RedisInstance(queue_config)

    assert [r.redis_url for r in (cache_redis, session_redis, queue_redis)] == [
        "redis://localhost:6379/0", "redis://localhost:6379/1",
        "redis://localhost:6379/2"]

    # The same, on the private server: each database is its own keyspace.
    instances = [RedisInstance(RedisConfig().set_redis_host(server.host)
                               .set_redis_port(server.port).set_redis_db(db))
                 for db in ("0", "1", "2")]
    for number, instance in enumerate(instances):
        with instance.get_redis() as client:
            client.set("which", number)
    for number, instance in enumerate(instances):
        with instance.get_redis() as client:
            assert client.get("which") == str(number).encode()


def test_best_practice_handle_connection_errors(capsys):
    ConnectionError, TimeoutError = DtRedis.ConnectionError, DtRedis.TimeoutError

    config = RedisConfig().set_redis_host("127.0.0.1").set_redis_port(_closed_port())
    redis_instance = RedisInstance(config)

    try:
        with redis_instance.get_redis() as client:
            client.set("key", "value")
    except (ConnectionError, TimeoutError) as e:
        print(f"Redis connection failed: {e}")
        # Fallback logic or retry

    out = capsys.readouterr().out
    assert out.startswith("Redis connection failed: ")
    assert len(out.strip()) > len("Redis connection failed:")


def test_best_practice_pipelines(config):
    redis_instance = RedisInstance(config)

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

    with redis_instance.get_redis() as client:
        assert client.dbsize() == 1000


def test_best_practice_async_and_sync(config, server):
    server.command('HSET', 'user:5', 'name', 'Eve', 'city', 'Oslo')
    redis_instance = RedisInstance(config)

    # Good: Async for web services
    async def fetch_user_data(user_id: int):
        async with redis_instance.get_async_redis() as client:
            return await client.hgetall(f"user:{user_id}")

    # Good: Sync for simple scripts
    def backup_data():
        with redis_instance.get_redis() as client:
            return client.keys("*")

    assert asyncio.run(fetch_user_data(5)) == {b'name': b'Eve', b'city': b'Oslo'}
    assert asyncio.run(fetch_user_data(6)) == {}
    assert backup_data() == [b'user:5']


def test_health_check_healthy(config, capsys):
    redis_instance = RedisInstance(config)

    # Check connection health
    is_healthy, error = is_redis_connected(redis_instance)
    if not is_healthy:
        print(f"Redis health check failed: {error}")
        # Alert or failover

    assert (is_healthy, error) == (True, None)
    assert capsys.readouterr().out == ''


def test_health_check_unhealthy(capsys):
    config = RedisConfig().set_redis_host("127.0.0.1").set_redis_port(_closed_port())
    redis_instance = RedisInstance(config)

    # Check connection health
    is_healthy, error = is_redis_connected(redis_instance)
    if not is_healthy:
        print(f"Redis health check failed: {error}")
        # Alert or failover

    assert is_healthy is False
    assert isinstance(error, DtRedis.ConnectionError)
    assert isinstance(error, DtRedis.RedisError)
    assert capsys.readouterr().out.startswith("Redis health check failed: ")


# -- performance considerations ------------------------------------------------------

def test_connection_pooling_and_lazy_initialization(server):
    config = RedisConfig() \
        .set_redis_host(server.host) \
        .set_redis_port(server.port) \
        .set_redis_max_connections(50)  # Adjust based on load

    redis_instance = RedisInstance(config)  # Fast: no connection yet
    assert redis_instance.get_sync_pool_stats().total == 0
    # ... application initialization ...
    with redis_instance.get_redis() as client:  # First access: creates pool
        client.set("key", "value")
    assert redis_instance.get_sync_pool_stats().total == 1


def test_async_performance_concurrent_operations(config, server):
    server.command('MSET', 'key1', 'a', 'key3', 'c')
    redis_instance = RedisInstance(config)

    # Multiple concurrent operations don't block each other
    async def concurrent_operations():
        async with redis_instance.get_async_redis() as client:
            results = await asyncio.gather(
                client.get("key1"),
                client.get("key2"),
                client.get("key3")
            )
        return results

    assert asyncio.run(concurrent_operations()) == [b'a', None, b'c']
