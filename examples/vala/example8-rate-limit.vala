/* example8-rate-limit.vala: the seed's Example 8, a fixed-window rate limiter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

class RateLimiter : Object {
    private DtRedis.Instance redis;

    public RateLimiter (DtRedis.Instance redis_instance) {
        redis = redis_instance;
    }

    /* Checks whether a request is allowed under the rate limit. */
    public bool is_allowed (string key, int64 max_requests, int64 window_seconds) throws GLib.Error {
        var client = redis.get_redis_client ();
        var current = client.get (key);

        if (current == null) {
            // First request in window
            client.pipeline (false)
                .append ({ "SET", key, "1" })
                .append ({ "EXPIRE", key, window_seconds.to_string () })
                .execute ();
            return true;
        }

        var count = int64.parse (current);
        if (count < max_requests) {
            client.incr (key);
            return true;
        }

        return false;
    }
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var limiter = new RateLimiter (redis_instance);

        // Allow 10 requests per minute per IP: the 11th and 12th are refused.
        var ip_address = "192.168.1.1";
        for (var i = 1; i <= 12; i++) {
            var allowed = limiter.is_allowed (@"rate_limit:$ip_address", 10, 60);
            if (allowed) {
                print ("Request %d: Request allowed\n", i);
            } else {
                print ("Request %d: Rate limit exceeded\n", i);
            }
        }

        var ttl = redis_instance.get_redis_client ().ttl (@"rate_limit:$ip_address");
        print ("Window resets in %s seconds\n", ttl.to_string ());
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
