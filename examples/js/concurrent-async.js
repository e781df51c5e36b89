// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Concurrent Operations": three users fetched at once with
// Promise.all(), the way asyncio.gather() does it in Python.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m concurrent-async.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.AsyncClient.prototype, 'set_async', 'set_finish');
Gio._promisify(DtRedis.AsyncClient.prototype, 'get_async', 'get_finish');

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');

async function fetchUserData(redisInstance, userId) {
    const client = redisInstance.get_async_redis_client();
    try {
        const name = await client.get_async(`user:${userId}:name`, null);
        const email = await client.get_async(`user:${userId}:email`, null);
        return {name, email};
    } finally {
        client.close();
    }
}

// Something to fetch (the seed assumes the users exist).
async function storeUsers(redisInstance) {
    const client = redisInstance.get_async_redis_client();
    try {
        for (const [userId, name] of [[1, 'Alice'], [2, 'Bob'], [3, 'Carol']]) {
            await client.set_async(`user:${userId}:name`, name, null);
            await client.set_async(`user:${userId}:email`, `${name.toLowerCase()}@example.com`, null);
        }
    } finally {
        client.close();
    }
}

async function main() {
    const redisInstance = DtRedis.Instance.new(config);
    await storeUsers(redisInstance);

    // Fetch multiple users concurrently
    const users = await Promise.all([
        fetchUserData(redisInstance, 1),
        fetchUserData(redisInstance, 2),
        fetchUserData(redisInstance, 3),
    ]);

    print(JSON.stringify(users));
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(e => {
    logError(e);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
