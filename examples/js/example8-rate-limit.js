// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 8: Rate Limiting with a counter that expires.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example8-rate-limit.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');

class RateLimiter {
    constructor(redisInstance) {
        this.redis = redisInstance;
    }

    // Check if request is allowed under rate limit.
    isAllowed(key, maxRequests, windowSeconds) {
        const client = this.redis.get_redis_client();
        try {
            const current = client.get(key, null);

            if (current === null) {
                // First request in window
                client.pipeline(true)
                    .append(['SET', key, '1'])
                    .append(['EXPIRE', key, String(windowSeconds)])
                    .execute(null);
                return true;
            }

            const count = Number.parseInt(current);
            if (count < maxRequests) {
                client.incr(key, null);
                return true;
            }

            return false;
        } finally {
            client.close();
        }
    }
}

// Usage
const redisInstance = DtRedis.Instance.new(config);
const limiter = new RateLimiter(redisInstance);

// Allow 10 requests per minute per IP
const ipAddress = '192.168.1.1';
const allowed = limiter.isAllowed(`rate_limit:${ipAddress}`, 10, 60);

if (allowed)
    print('Request allowed');
else
    print('Rate limit exceeded');

// Eleven more from the same address within the minute: the window holds 10.
const more = Array.from({length: 11}, () => limiter.isAllowed(`rate_limit:${ipAddress}`, 10, 60));
const allowedCount = more.filter(ok => ok).length;
print(`Next 11 requests: ${allowedCount} allowed, ${more.length - allowedCount} refused`);

const client = redisInstance.get_redis_client();
const ttl = client.ttl(`rate_limit:${ipAddress}`, null);
client.close();
print(`Window resets in at most 60 s: ${ttl > 0 && ttl <= 60}`);
