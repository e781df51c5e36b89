// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Keyspace notifications through a DtRedis.PubSub: with
// `notify-keyspace-events KEA`, a SET of `user:1` in database 0 publishes
// "set" on the channel `__keyspace@0__:user:1`.  This program turns that
// on, psubscribes to `__keyspace@0__:*`, changes a few keys with an async
// pipeline and prints each notification as the 'message' signal brings it,
// in the order the server sent them.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m keyspace-watcher.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.PubSub.prototype, 'psubscribe_async', 'psubscribe_finish');
Gio._promisify(DtRedis.Pipeline.prototype, 'execute_async', 'execute_finish');

// What the changes below make the server publish, one event each.
const N_EVENTS = 5;

// A safeguard: a lost event must not leave the program hanging.
function timeout(seconds) {
    return new Promise((resolve, reject) => GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, seconds, () => {
        reject(new Error('Timed out waiting for notifications'));
        return GLib.SOURCE_REMOVE;
    }));
}

async function main() {
    const config = new DtRedis.Config()
        .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
    const redisInstance = DtRedis.Instance.new(config);

    // K: keyspace channels, E: keyevent channels, A: every kind of event.
    redisInstance.get_redis_client().execute(['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], null);

    // The events of the database the client writes to.
    const pattern = `__keyspace@${config.get_redis_db()}__:*`;
    print(`Watching ${pattern}`);

    const pubsub = redisInstance.get_pubsub();
    const allSeen = new Promise(resolve => {
        let seen = 0;
        // The channel names the key; the payload is the event.
        pubsub.connect('message', (_pubsub, message) => {
            print(`${message.get_channel().padEnd(28)} ${message.get_text()}`);
            if (++seen === N_EVENTS)
                resolve();
        });
    });

    try {
        await pubsub.psubscribe_async([pattern], null);

        // The subscription is confirmed: nothing published from now on is missed.
        const pipe = redisInstance.get_async_redis_client().pipeline(false);
        pipe.append(['SET', 'user:1', 'Ann'])
            .append(['EXPIRE', 'user:1', '60'])
            .append(['HSET', 'profile:1', 'city', 'Paris'])
            .append(['DEL', 'user:1', 'profile:1']);
        await pipe.execute_async(null);

        await Promise.race([allSeen, timeout(10)]);
    } finally {
        // Closes the subscribed connection.
        pubsub.close();
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
