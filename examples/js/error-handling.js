// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Error Handling" of get_redis(): an exception inside the
// block still gives the connection back to the pool.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m error-handling.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

try {
    const client = redisInstance.get_redis_client();
    try {
        client.set('key', 'value', null);
        // Raise an error
        throw new Error('Something went wrong');
    } finally {
        client.close();
    }
} catch (e) {
    // The finally block still ran
    print('Error handled, Redis connection cleaned up');
}

// The connection went back to the pool, and the pool still works.
const stats = redisInstance.get_sync_pool_stats();
print(`Connections in use: ${stats.in_use}`);
const client = redisInstance.get_redis_client();
print(client.get('key', null)); // value
client.close();
