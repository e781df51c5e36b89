// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 2: Hash Operations.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example2-hashes.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = str => encoder.encode(str);
const text = value => value === null ? null : decoder.decode(value.toArray());

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Store user profile: the mapping's values are GLib.Bytes
    client.hset_mapping('user:123', {
        name: new GLib.Bytes(bytes('Alice Smith')),
        email: new GLib.Bytes(bytes('alice@example.com')),
        age: new GLib.Bytes(bytes('30')),
        city: new GLib.Bytes(bytes('New York')),
    }, null);

    // Get specific field
    const name = client.hget('user:123', 'name', null);
    print(`Name: ${text(name)}`);

    // Get all fields.  HGETALL through execute(): hgetall() returns a
    // GHashTable keyed by GLib.Bytes, which GJS cannot turn into property
    // names.  The reply is field, value, field, value...
    const user = client.execute(['HGETALL', 'user:123'], null);
    for (let i = 0; i + 1 < user.get_n_elements(); i += 2) {
        const key = user.get_element(i).get_bytes();
        const value = user.get_element(i + 1).get_bytes();
        print(`${text(key)}: ${text(value)}`);
    }

    // Update field
    client.hset('user:123', 'age', bytes('31'), null);

    // Check if field exists
    const hasPhone = client.hexists('user:123', 'phone', null);
    print(`Has phone: ${hasPhone}`); // false

    print(`Age now: ${text(client.hget('user:123', 'age', null))}`); // 31
} finally {
    client.close();
}
