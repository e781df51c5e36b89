// SPDX-License-Identifier: LGPL-2.1-or-later
//
// DtRedis.PubSub from GJS: signals, patterns, shard channels, unsubscribe
// and a server restart, against a private redis-server on a free
// 127.0.0.1 port that each test starts and stops (even when it fails).

const DtRedis = imports.gi.DtRedis;
const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;
const assert = imports.assert;

for (const name of ['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe',
    'sunsubscribe', 'ping'])
    Gio._promisify(DtRedis.PubSub.prototype, `${name}_async`, `${name}_finish`);
Gio._promisify(DtRedis.AsyncClient.prototype, 'execute_async', 'execute_finish');
Gio._promisify(DtRedis.Pipeline.prototype, 'execute_async', 'execute_finish');
Gio._promisify(DtRedis.Instance.prototype, 'ping_async', 'ping_finish');
Gio._promisify(DtRedis.Instance.prototype, 'reset_async_pool_async', 'reset_async_pool_finish');

const {freePort, sleep} = imports.helpers;

// Resolves once check() is true, polling the main loop; fails after @ms.
async function waitFor(check, what, ms = 10000) {
    const deadline = GLib.get_monotonic_time() + ms * 1000;
    while (!check()) {
        assert.ok(GLib.get_monotonic_time() < deadline, `timed out waiting for ${what}`);
        await sleep(5);
    }
}

// A redis-server on one port that can be stopped and started again there.
class Server {
    constructor() {
        this.port = freePort();
        this.dir = GLib.dir_make_tmp('dtredis-gjs-pubsub-XXXXXX');
        this.process = null;
    }

    start() {
        this.process = Gio.Subprocess.new([GLib.getenv('DT_TEST_REDIS_SERVER') || 'redis-server',
            '--port', `${this.port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
            '--dir', this.dir], Gio.SubprocessFlags.STDOUT_SILENCE);
    }

    // SIGKILL: the subscriber sees its connection drop, as in a crash.
    stop() {
        if (this.process !== null) {
            this.process.force_exit();
            this.process.wait(null);
            this.process = null;
        }
    }

    close() {
        this.stop();
        GLib.spawn_command_line_sync(`rm -rf ${GLib.shell_quote(this.dir)}`);
    }
}

// Shorter than the runner's 30 s, so that a call that never answers fails
// the test here and the server is still stopped.
const TEST_TIMEOUT_MS = 25000;

// Runs fn({instance, client, server, newPubSub}) against a fresh private
// server; always closes the PubSubs newPubSub() made and stops the server.
async function withServer(fn) {
    const server = new Server();
    const pubsubs = [];
    let timer = 0;
    try {
        server.start();
        const instance = DtRedis.Instance.new(new DtRedis.Config()
            .set_redis_host('127.0.0.1').set_redis_port(server.port)
            .set_redis_socket_timeout(2.0));
        let up = false;
        for (let i = 0; i < 100 && !up; i++) {
            try {
                up = await instance.ping_async(null);
            } catch (e) {
                await sleep(50);
            }
        }
        assert.ok(up, 'the private redis-server answers');
        const newPubSub = () => {
            const pubsub = instance.get_pubsub();
            pubsubs.push(pubsub);
            return pubsub;
        };
        await Promise.race([
            fn({instance, client: instance.get_async_redis_client(), server, newPubSub}),
            new Promise((resolve, reject) => {
                timer = GLib.timeout_add(GLib.PRIORITY_DEFAULT, TEST_TIMEOUT_MS, () => {
                    timer = 0;
                    reject(new Error(`the test did not finish within ${TEST_TIMEOUT_MS} ms`));
                    return GLib.SOURCE_REMOVE;
                });
            }),
        ]);
        await instance.reset_async_pool_async(null);
    } finally {
        if (timer)
            GLib.source_remove(timer);
        for (const pubsub of pubsubs)
            pubsub.close();
        server.close();
    }
}

// "kind channel [pattern] text", as the 'message' signal brings them.
function describe(message) {
    const pattern = message.get_pattern();
    return `${message.get_kind_name()} ${message.get_channel()}${pattern ? ` ${pattern}` : ''} ${message.get_text()}`;
}

async function publish(client, command, channel, text) {
    const reply = await client.execute_async([command, channel, text], null);
    return reply.get_integer();
}

function testOrderedDeliveryOfManyMessages() {
    return withServer(async ({client, newPubSub}) => {
        const N = 100000;
        const BATCH = 1000;
        const pubsub = newPubSub();
        const received = [];
        pubsub.connect('message', (_pubsub, message) => {
            received.push(Number(message.get_text()));
        });
        assert.ok(await pubsub.subscribe_async(['seq'], null));

        // One pipeline after the other: the server publishes in index order.
        for (let start = 0; start < N; start += BATCH) {
            const pipe = client.pipeline(false);
            for (let i = start; i < start + BATCH; i++)
                pipe.append(['PUBLISH', 'seq', `${i}`]);
            const replies = await pipe.execute_async(null);
            assert.equal(replies.length, BATCH);
            assert.ok(replies.every(r => r.get_integer() === 1), 'each PUBLISH reached the subscriber');
        }
        await waitFor(() => received.length >= N, `${N} messages (have ${received.length})`, 15000);

        // The pong comes after every message sent before it: nothing more.
        const pong = await pubsub.ping_async('end', null);
        assert.equal(pong.get_kind(), DtRedis.MessageKind.PONG);
        assert.equal(received.length, N, 'no message twice');
        const misplaced = received.findIndex((value, i) => value !== i);
        assert.equal(misplaced, -1, `in order, none missing (first wrong at ${misplaced}: ${received[misplaced]})`);
        // No 'subscribed' handler: the confirmation went to the pull queue,
        // and no message did.
        assert.equal(pubsub.get_queue_length(), 1, 'only the confirmation is queued');
        const confirmation = pubsub.pop_message();
        assert.equal(confirmation.get_kind(), DtRedis.MessageKind.SUBSCRIBE);
        assert.equal(confirmation.get_channel(), 'seq');
        assert.equal(pubsub.pop_message(), null);
    });
}

function testChannelsPatternsAndShards() {
    return withServer(async ({client, newPubSub}) => {
        const pubsub = newPubSub();
        const events = [];
        pubsub.connect('message', (_pubsub, message) => events.push(describe(message)));
        pubsub.connect('subscribed', (_pubsub, c) =>
            events.push(`${c.get_kind_name()} ${c.get_channel()} ${c.get_count()}`));

        assert.ok(await pubsub.subscribe_async(['news', 'sport'], null));
        assert.ok(await pubsub.psubscribe_async(['log.*'], null));
        assert.ok(await pubsub.ssubscribe_async(['orders{1}'], null));
        assert.deepEqual(pubsub.get_channels(), ['news', 'sport']);
        assert.deepEqual(pubsub.get_patterns(), ['log.*']);
        assert.deepEqual(pubsub.get_shard_channels(), ['orders{1}']);

        assert.equal(await publish(client, 'PUBLISH', 'news', 'hello'), 1);
        assert.equal(await publish(client, 'PUBLISH', 'log.disk', 'full'), 1);
        assert.equal(await publish(client, 'SPUBLISH', 'orders{1}', 'o-1'), 1);
        assert.equal(await publish(client, 'PUBLISH', 'weather', 'nobody listens'), 0);
        assert.equal(await publish(client, 'PUBLISH', 'sport', 'goal'), 1);
        await pubsub.ping_async(null, null);

        assert.deepEqual(events, [
            'subscribe news 1', 'subscribe sport 2', 'psubscribe log.* 3', 'ssubscribe orders{1} 1',
            'message news hello', 'pmessage log.disk log.* full', 'smessage orders{1} o-1',
            'message sport goal',
        ]);

        // A message's kind is the enum too, and the payload is bytes as well.
        const seen = [];
        pubsub.connect('message', (_pubsub, message) =>
            seen.push([message.get_kind(), new TextDecoder().decode(message.get_bytes().toArray())]));
        await publish(client, 'SPUBLISH', 'orders{1}', 'caf\u00e9');
        await publish(client, 'PUBLISH', 'log.cpu', 'hot');
        await pubsub.ping_async(null, null);
        assert.deepEqual(seen, [[DtRedis.MessageKind.SMESSAGE, 'caf\u00e9'], [DtRedis.MessageKind.PMESSAGE, 'hot']]);
    });
}

function testThrowingHandlerDoesNotStopDelivery() {
    return withServer(async ({client, newPubSub}) => {
        const pubsub = newPubSub();
        const first = [];
        const second = [];
        // GJS logs an exception thrown in a signal handler (a "JS ERROR"
        // critical on stderr) and goes on.
        pubsub.connect('message', (_pubsub, message) => {
            first.push(message.get_text());
            if (message.get_text().startsWith('boom'))
                throw new Error(`a handler failed on ${message.get_text()} (expected by the test)`);
        });
        pubsub.connect('message', (_pubsub, message) => second.push(message.get_text()));
        await pubsub.subscribe_async(['jobs'], null);

        const texts = ['one', 'boom-1', 'two', 'boom-2', 'three'];
        for (const text of texts)
            await publish(client, 'PUBLISH', 'jobs', text);
        await waitFor(() => second.length >= texts.length, 'the five messages');
        await pubsub.ping_async(null, null);

        assert.deepEqual(first, texts, 'the throwing handler saw every message');
        assert.deepEqual(second, texts, 'the handler after it too');
        assert.ok(pubsub.connected, 'still connected');
    });
}

function testUnsubscribe() {
    return withServer(async ({client, newPubSub}) => {
        const pubsub = newPubSub();
        const messages = [];
        const unsubscribed = [];
        const connectedChanges = [];
        pubsub.connect('message', (_pubsub, message) => messages.push(describe(message)));
        pubsub.connect('unsubscribed', (_pubsub, c) =>
            unsubscribed.push(`${c.get_kind_name()} ${c.get_channel()} ${c.get_count()}`));
        pubsub.connect('notify::connected', () => connectedChanges.push(pubsub.connected));

        assert.equal(pubsub.connected, false, 'not connected before the first subscribe');
        await pubsub.subscribe_async(['a', 'b'], null);
        await pubsub.psubscribe_async(['p.*'], null);
        assert.equal(pubsub.connected, true);

        assert.ok(await pubsub.unsubscribe_async(['a'], null));
        assert.deepEqual(unsubscribed, ['unsubscribe a 2']);
        assert.deepEqual(pubsub.get_channels(), ['b']);
        assert.equal(pubsub.connected, true, 'still subscribed to b and p.*: still connected');
        assert.equal(await publish(client, 'PUBLISH', 'a', 'lost'), 0, 'the server dropped a');
        assert.equal(await publish(client, 'PUBLISH', 'b', 'kept'), 1);
        await pubsub.ping_async(null, null);
        assert.deepEqual(messages, ['message b kept']);

        // No names: every channel; then every pattern.
        assert.ok(await pubsub.unsubscribe_async(null, null));
        assert.ok(await pubsub.punsubscribe_async(null, null));
        assert.deepEqual(unsubscribed, ['unsubscribe a 2', 'unsubscribe b 1', 'punsubscribe p.* 0']);
        assert.deepEqual(pubsub.get_channels(), []);
        assert.deepEqual(pubsub.get_patterns(), []);
        await waitFor(() => !pubsub.connected, 'connected to turn false', 5000);
        assert.deepEqual(connectedChanges, [true, false]);

        // The server has no subscriber left.
        const numsub = await client.execute_async(['PUBSUB', 'NUMSUB', 'a', 'b'], null);
        assert.equal(numsub.get_n_elements(), 4);
        assert.equal(numsub.get_element(1).get_integer(), 0, 'no subscriber to a');
        assert.equal(numsub.get_element(3).get_integer(), 0, 'no subscriber to b');
        const numpat = await client.execute_async(['PUBSUB', 'NUMPAT'], null);
        assert.equal(numpat.get_integer(), 0);
    });
}

function testReconnectAfterServerRestart() {
    return withServer(async ({instance, client, server, newPubSub}) => {
        const pubsub = newPubSub();
        const received = [];
        const gaps = [];
        pubsub.connect('message', (_pubsub, message) => received.push(describe(message)));
        pubsub.connect('reconnected', (_pubsub, gap) => {
            // Emitted before anything received on the new connection.
            gaps.push({gap, before: received.length});
        });
        await pubsub.subscribe_async(['events'], null);
        await pubsub.psubscribe_async(['ev*'], null);
        assert.equal(await publish(client, 'PUBLISH', 'events', 'before'), 2);
        await waitFor(() => received.length === 2, 'the first message');

        server.stop();
        await waitFor(() => !pubsub.connected, 'the loss to be noticed');
        await sleep(200);
        server.start();

        await waitFor(() => gaps.length > 0, 'the reconnected signal', 15000);
        assert.ok(pubsub.connected, 'connected again');
        assert.equal(gaps.length, 1, 'reconnected once');
        assert.ok(gaps[0].gap >= 200000, `the gap covers the downtime: ${gaps[0].gap} us`);
        assert.equal(gaps[0].before, 2, 'nothing new was delivered before the signal');
        assert.deepEqual(pubsub.get_channels(), ['events']);
        assert.deepEqual(pubsub.get_patterns(), ['ev*']);

        // The client's pool still holds the dead connections.
        await instance.reset_async_pool_async(null);
        const N = 200;
        for (let i = 0; i < N; i++)
            assert.equal(await publish(client, 'PUBLISH', 'events', `after-${i}`), 2, 'both subscriptions are back');
        await waitFor(() => received.length >= 2 + 2 * N, 'the messages published after the restart');
        await pubsub.ping_async(null, null);

        // Each PUBLISH matches the channel and the pattern: two messages.
        const expected = [];
        for (const text of ['before', ...Array.from({length: N}, (_, i) => `after-${i}`)])
            expected.push(`message events ${text}`, `pmessage events ev* ${text}`);
        assert.equal(received.length, expected.length, 'none twice');
        assert.deepEqual(received, expected);
        assert.equal(gaps.length, 1, 'still reconnected once');
    });
}

// No handler: events wait in the pull queue, which keeps the newest
// queue-limit of them and counts what it dropped; or, with the
// PAUSE_READING overflow, stops reading and loses nothing.
function testSlowConsumerStaysBounded() {
    return withServer(async ({client, newPubSub}) => {
        const publishAll = async channel => {
            const pipe = client.pipeline(false);
            for (let i = 0; i < 1000; i++)
                pipe.append(['PUBLISH', channel, `${i}`]);
            await pipe.execute_async(null);
        };

        const dropping = newPubSub();
        dropping.queue_limit = 100;
        assert.ok(await dropping.subscribe_async(['slow'], null));
        await publishAll('slow');
        await dropping.ping_async(null, null);  // every message is in by its pong
        assert.equal(dropping.get_queue_length(), 100);
        assert.equal(dropping.get_dropped(), 901, 'the confirmation and 900 messages');
        const kept = [];
        for (let m; (m = dropping.pop_message()) !== null;)
            kept.push(Number(m.get_text()));
        assert.deepEqual(kept, Array.from({length: 100}, (_, i) => 900 + i));

        const pausing = newPubSub();
        pausing.queue_limit = 100;
        pausing.overflow = DtRedis.PubSubOverflow.PAUSE_READING;
        assert.ok(await pausing.subscribe_async(['paused'], null));
        assert.equal(pausing.pop_message().get_kind(), DtRedis.MessageKind.SUBSCRIBE);
        await publishAll('paused');
        await sleep(300);
        // At its limit, plus what the last read of 16 KiB brought in
        // (messages of about 40 bytes here).
        const queued = pausing.get_queue_length();
        assert.ok(queued >= 100 && queued <= 100 + 16384 / 36, `the queue stopped at its limit: ${queued}`);
        const all = [];
        while (all.length < 1000) {
            const m = pausing.pop_message();
            if (m === null)
                await sleep(1);
            else
                all.push(Number(m.get_text()));
        }
        assert.deepEqual(all, Array.from({length: 1000}, (_, i) => i));
        assert.equal(pausing.get_dropped(), 0);
    });
}
