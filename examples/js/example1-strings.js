// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 1: Basic Synchronous Operations.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example1-strings.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);

// Setup
const config = new DtRedis.Config()
    .set_redis_host(redisUrl.get_host())
    .set_redis_port(redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379)
    .set_redis_db(redisUrl.get_path().replace(/^\//, '') || '0');

const redisInstance = DtRedis.Instance.new(config);

// String operations
const client = redisInstance.get_redis_client();
try {
    // Set and get
    client.set('greeting', 'Hello, Redis!', null);
    const greeting = client.get('greeting', null);
    print(greeting); // Hello, Redis!

    // Increment counter
    client.set('visitors', '0', null);
    client.incr('visitors', null);
    client.incrby('visitors', 10, null);
    const visitors = client.get('visitors', null);
    print(`Visitors: ${visitors}`); // Visitors: 11

    // Expiration
    client.setex('session:abc', 3600, 'user_data', null);
    const ttl = client.ttl('session:abc', null);
    print(`Session expires in ${ttl} seconds`);
} finally {
    client.close();
}
