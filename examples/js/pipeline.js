// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Pipeline for Bulk Operations": 100 SETs in one round trip.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m pipeline.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Use pipeline for multiple operations (MULTI/EXEC, like redis-py's
    // default pipeline)
    const pipe = client.pipeline(true);
    for (let i = 0; i < 100; i++)
        pipe.append(['SET', `key:${i}`, `value:${i}`]);
    const replies = pipe.execute(null);

    print('100 keys set efficiently');

    // One reply per command, in order.
    const allOk = replies.every(reply => reply.get_reply_type() === DtRedis.ReplyType.STATUS);
    print(`${replies.length} replies, all OK: ${allOk}`);
    print(client.get('key:0', null), client.get('key:99', null));
} finally {
    client.close();
}
