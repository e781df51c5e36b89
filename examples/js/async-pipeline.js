// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Async Pipeline": 100 SETs queued, then sent at once without
// blocking the main loop.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m async-pipeline.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.Pipeline.prototype, 'execute_async', 'execute_finish');
Gio._promisify(DtRedis.AsyncClient.prototype, 'get_async', 'get_finish');
Gio._promisify(DtRedis.Instance.prototype, 'reset_async_pool_async', 'reset_async_pool_finish');

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');

async function bulkInsert(redisInstance, data) {
    const client = redisInstance.get_async_redis_client();
    try {
        const pipe = client.pipeline(true);
        for (const [key, value] of Object.entries(data))
            pipe.append(['SET', key, value]);
        await pipe.execute_async(null);
    } finally {
        client.close();
    }
}

async function main() {
    const redisInstance = DtRedis.Instance.new(config);

    const data = {};
    for (let i = 0; i < 100; i++)
        data[`key:${i}`] = `value:${i}`;
    await bulkInsert(redisInstance, data);
    print('100 keys inserted');

    // Read two of them back.
    const client = redisInstance.get_async_redis_client();
    try {
        print(await client.get_async('key:0', null), await client.get_async('key:99', null));
    } finally {
        client.close();
    }

    await redisInstance.reset_async_pool_async(null);
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(e => {
    logError(e);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
