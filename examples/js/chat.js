// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A chat room on pub/sub, one DtRedis.PubSub per user.  Alice and Bob
// subscribe to the channel `room:lobby`; Carol psubscribes to the pattern
// `room:*` and so hears every room.  They post with PUBLISH through an
// async client, whose reply says how many subscribers got the message: the
// program waits for that many 'message' signals before printing who
// received what, so the output does not depend on which subscriber the
// server serves first.  At the end each user unsubscribes from everything,
// which closes their connection: the `connected` property turns false
// ('notify::connected').
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m chat.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

for (const name of ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'])
    Gio._promisify(DtRedis.PubSub.prototype, `${name}_async`, `${name}_finish`);
Gio._promisify(DtRedis.AsyncClient.prototype, 'execute_async', 'execute_finish');

// Called after each delivery; see post().
let onDelivery = () => {};

class User {
    constructor(redisInstance, name, room, isPattern = false) {
        this.name = name;
        this.room = room;
        this.isPattern = isPattern;
        this.received = null; // what the current post brought
        this.pubsub = redisInstance.get_pubsub();
        this.pubsub.connect('message', (_pubsub, message) => {
            // A pattern subscriber also learns which pattern matched.
            const via = message.get_pattern() ? ` via ${message.get_pattern()}` : '';
            if (this.received !== null)
                throw new Error(`${this.name} got the same post twice`);
            this.received = `[${message.get_channel()}${via}] ${message.get_text()}`;
            onDelivery();
        });
        const confirmed = (_pubsub, confirmation) =>
            print(`${this.name} ${confirmation.get_kind_name()} ${confirmation.get_channel()}`);
        this.pubsub.connect('subscribed', confirmed);
        this.pubsub.connect('unsubscribed', confirmed);
        this.pubsub.connect('notify::connected', () =>
            print(`${this.name} connected: ${this.pubsub.connected}`));
    }

    join() {
        return this.isPattern
            ? this.pubsub.psubscribe_async([this.room], null)
            : this.pubsub.subscribe_async([this.room], null);
    }

    // No names: unsubscribe from everything.  Subscribed to nothing, the
    // connection is closed: done when 'connected' turns false.
    async leave() {
        const closed = new Promise(resolve => {
            const id = this.pubsub.connect('notify::connected', () => {
                if (!this.pubsub.connected) {
                    this.pubsub.disconnect(id);
                    resolve();
                }
            });
        });
        if (this.isPattern)
            await this.pubsub.punsubscribe_async(null, null);
        else
            await this.pubsub.unsubscribe_async(null, null);
        await closed;
    }
}

// A safeguard: a lost message must not leave the program hanging.
function timeout(seconds) {
    return new Promise((resolve, reject) => GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, seconds, () => {
        reject(new Error('Timed out'));
        return GLib.SOURCE_REMOVE;
    }));
}

async function main() {
    const redisInstance = DtRedis.Instance.new(new DtRedis.Config()
        .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0'));
    const client = redisInstance.get_async_redis_client();
    const alice = new User(redisInstance, 'alice', 'room:lobby');
    const bob = new User(redisInstance, 'bob', 'room:lobby');
    const carol = new User(redisInstance, 'carol', 'room:*', true);
    const users = [alice, bob, carol];

    async function post(user, channel, text) {
        print(`${user.name} posts to ${channel}: ${text}`);
        // The messages may come in before PUBLISH's answer.
        let expected = -1;
        const delivered = new Promise(resolve => {
            onDelivery = () => {
                if (users.filter(u => u.received !== null).length === expected)
                    resolve();
            };
        });
        const reply = await client.execute_async(['PUBLISH', channel, `${user.name}: ${text}`], null);
        expected = reply.get_integer();
        onDelivery();
        await delivered;

        // Every subscriber has the post: print in a fixed order.
        print(`  (delivered to ${expected})`);
        for (const u of users.filter(u => u.received !== null)) {
            print(`  ${u.name} got ${u.received}`);
            u.received = null;
        }
    }

    for (const user of users)
        await user.join();
    await post(alice, 'room:lobby', 'Hello, everyone!');
    await post(bob, 'room:lobby', 'Hi Alice!');
    await post(carol, 'room:games', 'Anyone up for chess?');
    await bob.leave();
    await post(alice, 'room:lobby', 'Bob has left.');
    await alice.leave();
    await carol.leave();
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
Promise.race([main(), timeout(10)]).catch(e => {
    logError(e);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
