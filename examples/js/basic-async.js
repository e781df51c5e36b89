// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Basic Async Usage" of get_async_redis(): the _async/_finish
// pairs turned into Promises with Gio._promisify(), awaited in a main loop.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m basic-async.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.AsyncClient.prototype, 'set_async', 'set_finish');
Gio._promisify(DtRedis.AsyncClient.prototype, 'get_async', 'get_finish');

const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);

async function main() {
    const config = new DtRedis.Config()
        .set_redis_host(redisUrl.get_host())
        .set_redis_port(redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379)
        .set_redis_db(redisUrl.get_path().replace(/^\//, '') || '0');

    const redisInstance = DtRedis.Instance.new(config);

    const client = redisInstance.get_async_redis_client();
    try {
        await client.set_async('user:1:name', 'Jane Doe', null);
        const name = await client.get_async('user:1:name', null);
        print(name); // Jane Doe
    } finally {
        client.close();
    }
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(e => {
    logError(e);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
