// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 7: Session Management, in database 1.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example7-sessions.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);

class SessionManager {
    constructor(redisInstance) {
        this.redis = redisInstance;
        this.sessionTtl = 3600; // 1 hour
    }

    // Create a new session.
    createSession(userId) {
        const sessionId = GLib.uuid_string_random();
        const sessionData = {
            user_id: userId,
            created_at: new Date().toISOString(),
            last_accessed: new Date().toISOString(),
        };

        const client = this.redis.get_redis_client();
        try {
            client.setex(`session:${sessionId}`, this.sessionTtl,
                JSON.stringify(sessionData), null);
        } finally {
            client.close();
        }

        return sessionId;
    }

    // Get session data.
    getSession(sessionId) {
        const client = this.redis.get_redis_client();
        try {
            const data = client.get(`session:${sessionId}`, null);
            if (data !== null) {
                // Refresh TTL
                client.expire(`session:${sessionId}`, this.sessionTtl, null);
                return JSON.parse(data);
            }
        } finally {
            client.close();
        }
        return null;
    }

    // Delete a session.
    deleteSession(sessionId) {
        const client = this.redis.get_redis_client();
        try {
            client.delete([`session:${sessionId}`], null);
        } finally {
            client.close();
        }
    }
}

// Usage
const config = new DtRedis.Config()
    .set_redis_host(redisUrl.get_host())
    .set_redis_port(redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379)
    .set_redis_db('1'); // Separate DB for sessions

const redisInstance = DtRedis.Instance.new(config);
const sessionMgr = new SessionManager(redisInstance);

// Create session
const sessionId = sessionMgr.createSession(123);
print(`Created session: ${sessionId}`);

// Get session
const session = sessionMgr.getSession(sessionId);
print(`Session data: ${JSON.stringify(session)}`);

// Delete session
sessionMgr.deleteSession(sessionId);
print(`After delete: ${JSON.stringify(sessionMgr.getSession(sessionId))}`); // null
