// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 4: Set Operations.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example4-sets.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Add members
    client.sadd('languages:python', ['django', 'flask', 'fastapi'], null);
    client.sadd('languages:javascript', ['react', 'vue', 'express'], null);

    // Check membership
    const hasDjango = client.sismember('languages:python', 'django', null);
    print(`Python has Django: ${hasDjango}`); // true

    // Get all members
    const pythonFrameworks = client.smembers('languages:python', null);
    print('Python frameworks:');
    for (const fw of pythonFrameworks)
        print(`  - ${fw}`);

    // Set operations
    client.sadd('set1', ['a', 'b', 'c'], null);
    client.sadd('set2', ['b', 'c', 'd'], null);

    // Union
    const union = client.sunion(['set1', 'set2'], null);
    print(`Union: ${JSON.stringify(union)}`);

    // Intersection
    const intersection = client.sinter(['set1', 'set2'], null);
    print(`Intersection: ${JSON.stringify(intersection)}`);

    // Difference
    const diff = client.sdiff(['set1', 'set2'], null);
    print(`Difference: ${JSON.stringify(diff)}`);
} finally {
    client.close();
}
