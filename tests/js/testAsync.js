// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The clients from GJS (the async one with Gio._promisify and await), against a private
// redis-server on a free 127.0.0.1 port that each test starts and stops.

const DtRedis = imports.gi.DtRedis;
const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;
const assert = imports.assert;

for (const name of ['set', 'get', 'incr', 'ping', 'lpush', 'lrange', 'execute', 'delete',
    'hset_mapping', 'hget', 'hgetall', 'zadd', 'zrange_withscores_full', 'zscore'])
    Gio._promisify(DtRedis.AsyncClient.prototype, `${name}_async`, `${name}_finish`);
Gio._promisify(DtRedis.Pipeline.prototype, 'execute_async', 'execute_finish');
Gio._promisify(DtRedis.Instance.prototype, 'ping_async', 'ping_finish');
Gio._promisify(DtRedis.Instance.prototype, 'reset_async_pool_async', 'reset_async_pool_finish');

const {freePort, sleep} = imports.helpers;

// Runs fn(instance, client) against a fresh private server; always stops it.
async function withServer(fn, setup = config => config) {
    const port = freePort();
    const dir = GLib.dir_make_tmp('dtredis-gjs-XXXXXX');
    const server = Gio.Subprocess.new([GLib.getenv('DT_TEST_REDIS_SERVER') || 'redis-server',
        '--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', dir], Gio.SubprocessFlags.STDOUT_SILENCE);
    try {
        const config = setup(new DtRedis.Config()
            .set_redis_host('127.0.0.1').set_redis_port(port).set_redis_socket_timeout(2.0));
        const instance = DtRedis.Instance.new(config);
        let up = false;
        for (let i = 0; i < 100 && !up; i++) {
            try {
                up = await instance.ping_async(null);
            } catch (e) {
                await sleep(50);
            }
        }
        assert.ok(up, 'the private redis-server answers');
        await fn(instance, instance.get_async_redis_client());
        await instance.reset_async_pool_async(null);
    } finally {
        server.force_exit();
        server.wait(null);
        GLib.spawn_command_line_sync(`rm -rf ${GLib.shell_quote(dir)}`);
    }
}

function testSetGetAwait() {
    return withServer(async (instance, client) => {
        assert.equal(await client.set_async('user:1:name', 'Jane Doe', null), true);
        assert.equal(await client.get_async('user:1:name', null), 'Jane Doe');
        assert.equal(await client.get_async('missing', null), null);
        assert.equal(await client.incr_async('counter', null), 1);
        assert.equal(await client.incr_async('counter', null), 2);
    });
}

function testConcurrentGetsMatchTheirKeys() {
    return withServer(async (instance, client) => {
        const n = 1000;
        const writes = [];
        for (let i = 0; i < n; i++)
            writes.push(client.set_async(`key:${i}`, `value:${i}`, null));
        await Promise.all(writes);
        const values = await Promise.all(
            Array.from({length: n}, (_, i) => client.get_async(`key:${i}`, null)));
        values.forEach((value, i) => assert.equal(value, `value:${i}`));
        const stats = instance.get_async_pool_stats();
        assert.ok(stats.total >= 1 && stats.total <= 10, `connections: ${stats.total}`);
    });
}

function testLists() {
    return withServer(async (instance, client) => {
        assert.equal(await client.lpush_async('tasks', ['task1', 'task2', 'task3'], null), 3);
        const tasks = await client.lrange_async('tasks', 0, -1, null);
        assert.deepEqual(tasks, ['task3', 'task2', 'task1']);
    });
}

// A GHashTable<utf8,utf8> comes to GJS as a plain object, and goes in as one.
function testHashes() {
    return withServer(async (instance, client) => {
        assert.equal(await client.hset_mapping_async('user:1', {name: 'Jane', city: 'Paris'}, null), 2);
        assert.equal(await client.hget_async('user:1', 'name', null), 'Jane');
        assert.equal(await client.hget_async('user:1', 'phone', null), null);
        const user = await client.hgetall_async('user:1', null);
        assert.equal(Object.getPrototypeOf(user), Object.prototype);
        assert.deepEqual(Object.keys(user).sort(), ['city', 'name']);
        assert.equal(user.name, 'Jane');
        assert.equal(user.city, 'Paris');
        assert.deepEqual(await client.hgetall_async('missing', null), {});
    });
}

// A C array of boxed ScoredMember goes in; a GPtrArray of them comes back.
function testSortedSets() {
    return withServer(async (instance, client) => {
        const members = [DtRedis.ScoredMember.new('alice', 2.5), DtRedis.ScoredMember.new('bob', 1)];
        assert.equal(await client.zadd_async('board', members, null), 2);
        const ranked = await client.zrange_withscores_full_async('board', 0, -1, DtRedis.ZrangeFlags.REV, null);
        assert.deepEqual(ranked.map(m => [m.get_member(), m.get_score()]), [['alice', 2.5], ['bob', 1]]);
        assert.ok(Number.isNaN(await client.zscore_async('board', 'nobody', null)));
    });
}

function testServerErrorIsAGLibError() {
    return withServer(async (instance, client) => {
        await client.lpush_async('a-list', ['x'], null);
        let caught = null;
        try {
            await client.incr_async('a-list', null);
        } catch (e) {
            caught = e;
        }
        assert.ok(caught !== null, 'INCR on a list throws');
        assert.ok(caught.matches(DtRedis.error_quark(), DtRedis.Error.SERVER), `${caught}`);
        assert.ok(caught.message.startsWith('WRONGTYPE'), caught.message);
    });
}

function testExecuteAndPipeline() {
    return withServer(async (instance, client) => {
        const reply = await client.execute_async(['ECHO', 'hi'], null);
        assert.equal(reply.get_reply_type(), DtRedis.ReplyType.STRING);
        assert.equal(reply.to_string(), '"hi"');

        const pipe = client.pipeline(true);
        pipe.append(['SET', 'p', '1']).append(['INCR', 'p']).append(['GET', 'p']);
        const results = await pipe.execute_async(null);
        assert.deepEqual(results.map(r => r.to_string()), ['OK', '(integer) 2', '"2"']);
    });
}

function testCancellation() {
    return withServer(async (instance, client) => {
        const cancellable = new Gio.Cancellable();
        const blocked = client.execute_async(['BLPOP', 'never', '5'], cancellable);
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 100, () => {
            cancellable.cancel();
            return GLib.SOURCE_REMOVE;
        });
        const start = GLib.get_monotonic_time();
        let caught = null;
        try {
            await blocked;
        } catch (e) {
            caught = e;
        }
        assert.ok(caught !== null && caught.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `${caught}`);
        assert.ok(GLib.get_monotonic_time() - start < 2000000, 'cancelled at once, not after the 5 s block');
        // Other commands are not disturbed.
        assert.equal(await client.ping_async(null), 'PONG');
    });
}

function testResetAsyncPool() {
    return withServer(async (instance, client) => {
        assert.equal(await client.ping_async(null), 'PONG');
        assert.equal(instance.get_async_pool_stats().total, 1);
        assert.ok(await instance.reset_async_pool_async(null));
        assert.equal(instance.get_async_pool_stats().total, 0);
        assert.equal(await client.ping_async(null), 'PONG', 'the next command builds a new pool');
    });
}

// The objects that keep a connection, from GJS (blocking calls): a
// single-connection client keeps SELECT; a monitor reports its commands.
function testSingleConnectionClientAndMonitor() {
    return withServer(async (instance, client) => {
        const single = instance.get_single_connection_client();
        assert.ok(single.single_connection);
        single.execute(['SELECT', '3'], null);
        assert.ok(single.set('gjs:key', 'three', null));
        assert.equal(single.get('gjs:key', null), 'three');
        const pooled = instance.get_redis_client();
        assert.equal(pooled.get('gjs:key', null), null, 'db 0 has no such key');

        const monitor = instance.get_monitor();
        assert.ok(monitor.start(null));
        assert.ok(monitor.active);
        assert.equal(monitor.next_command(0, null), null, 'nothing yet');
        single.incr('gjs:counter', null);
        const line = monitor.next_command(5000, null);
        assert.ok(/^\d+\.\d+ \[3 127\.0\.0\.1:\d+\] "INCR" "gjs:counter"$/.test(line), line);
        monitor.close();
        assert.ok(!monitor.active);

        single.close();
        assert.equal(single.get('gjs:key', null), null, 'a new connection, in db 0');
        single.close();
        assert.equal(await client.ping_async(null), 'PONG');
    });
}
