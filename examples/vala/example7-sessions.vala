/* example7-sessions.vala: the seed's Example 7, sessions with a TTL in db 1
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

class SessionManager : Object {
    public DtRedis.Instance redis { get; construct; }
    public int64 session_ttl { get; set; default = 3600; } // 1 hour

    public SessionManager (DtRedis.Instance redis_instance) {
        Object (redis: redis_instance);
    }

    /* Creates a new session; returns its id. */
    public string create_session (int64 user_id) throws GLib.Error {
        var session_id = Uuid.string_random ();
        var now = new DateTime.now_local ().format ("%Y-%m-%dT%H:%M:%S.%f");
        var session_data = "{\"user_id\": %s, \"created_at\": \"%s\", \"last_accessed\": \"%s\"}"
            .printf (user_id.to_string (), now, now);

        var client = redis.get_redis_client ();
        client.setex (@"session:$session_id", session_ttl, session_data);

        return session_id;
    }

    /* Gets the session data, refreshing its TTL; null when there is none. */
    public string? get_session (string session_id) throws GLib.Error {
        var client = redis.get_redis_client ();
        var data = client.get (@"session:$session_id");
        if (data == null) {
            return null;
        }
        // Refresh TTL
        client.expire (@"session:$session_id", session_ttl);
        return data;
    }

    public void delete_session (string session_id) throws GLib.Error {
        var client = redis.get_redis_client ();
        client.delete ({ @"session:$session_id" });
    }
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var config = new DtRedis.Config.from_url (url);
        // Keep the host, port and credentials the URL gave, without the URL
        // itself (it would win over the db), and use a separate DB for sessions.
        config.set_redis_url (null).set_redis_db ("1");

        var redis_instance = new DtRedis.Instance (config);
        print ("Connecting to: %s\n", redis_instance.get_redis_url ());
        var session_mgr = new SessionManager (redis_instance);

        // Create session
        var session_id = session_mgr.create_session (123);
        print ("Created session: %s\n", session_id);

        // Get session
        var session = session_mgr.get_session (session_id);
        if (session == null) {
            printerr ("The session is gone\n");
            return 1;
        }
        print ("Session data: %s\n", session);

        // Delete session
        session_mgr.delete_session (session_id);
        var deleted = session_mgr.get_session (session_id);
        print ("Session after delete: %s\n", deleted == null ? "none" : "still there");
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
