// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Basic Usage" of get_redis(): set a key and read it back.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m basic-sync.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

// Where the server is: REDIS_URL, else the seed's localhost:6379, db 0.
const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);

const config = new DtRedis.Config()
    .set_redis_host(redisUrl.get_host())
    .set_redis_port(redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379)
    .set_redis_db(redisUrl.get_path().replace(/^\//, '') || '0');

const redisInstance = DtRedis.Instance.new(config);

// Simple key-value operations; try/finally is JavaScript's `with`.
const client = redisInstance.get_redis_client();
try {
    // Text in, text out: SET's options (EX, PX, EXAT, PXAT: -1 when absent;
    // NX, XX, KEEPTTL: DtRedis.SetFlags) come before the cancellable.
    client.set('user:1:name', 'John Doe', null);
    const name = client.get('user:1:name', null);
    print(name); // John Doe
} finally {
    client.close();
}
