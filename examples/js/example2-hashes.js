// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 2: Hash Operations.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example2-hashes.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Store user profile
    client.hset_mapping('user:123', {
        name: 'Alice Smith',
        email: 'alice@example.com',
        age: '30',
        city: 'New York',
    }, null);

    // Get specific field
    const name = client.hget('user:123', 'name', null);
    print(`Name: ${name}`);

    // Get all fields: a plain object of strings
    const user = client.hgetall('user:123', null);
    for (const [key, value] of Object.entries(user))
        print(`${key}: ${value}`);

    // Update field
    client.hset('user:123', 'age', '31', null);

    // Check if field exists
    const hasPhone = client.hexists('user:123', 'phone', null);
    print(`Has phone: ${hasPhone}`); // false

    print(`Age now: ${client.hget('user:123', 'age', null)}`); // 31
} finally {
    client.close();
}
