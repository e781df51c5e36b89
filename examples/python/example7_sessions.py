#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The seed's Example 7: Session Management, in database 1."""

import json
import os
import uuid
from datetime import datetime
from typing import Dict, Optional
from urllib.parse import urlsplit

import gi

gi.require_version("DtRedis", "1.0")
from gi.repository import DtRedis  # noqa: E402

RedisConfig, RedisInstance = DtRedis.Config, DtRedis.Instance

redis_url = urlsplit(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


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
    .set_redis_host(redis_url.hostname) \
    .set_redis_port(redis_url.port or 6379) \
    .set_redis_db("1")  # Separate DB for sessions

redis_instance = RedisInstance(config)
session_mgr = SessionManager(redis_instance)

# Create session
session_id = session_mgr.create_session(user_id=123)
print(f"Created session: {session_id}")

# Get session
session = session_mgr.get_session(session_id)
print(f"Session data: {session}")

# Delete session
session_mgr.delete_session(session_id)
print(f"After delete: {session_mgr.get_session(session_id)}")  # None
