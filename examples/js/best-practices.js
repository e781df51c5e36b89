// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's best practices that are code, each run once.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m best-practices.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.AsyncClient.prototype, 'hgetall_async', 'hgetall_finish');

const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);
const host = redisUrl.get_host();
const port = redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379;

const config = new DtRedis.Config()
    .set_redis_host(host)
    .set_redis_port(port)
    .set_redis_db('0');

// The seed's is_redis_connected(): [healthy, error or null].
function isRedisConnected(instance) {
    try {
        instance.ping(null);
        return [true, null];
    } catch (e) {
        return [false, e];
    }
}

// A port that was free a moment ago: nothing answers there.
function closedPort() {
    const socket = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP);
    socket.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), false);
    const freePort = socket.get_local_address().get_port();
    socket.close();
    return freePort;
}

async function main() {
    print('1. Use Context Managers (try/finally in JavaScript)');

    // Good: the client is closed however the block ends
    const redisInstance = DtRedis.Instance.new(config);
    let client = redisInstance.get_redis_client();
    try {
        client.set('key', 'value', null);
    } finally {
        client.close();
    }

    // Bad: Manual cleanup required
    client = redisInstance.get_redis_client();
    client.set('key', 'value', null);
    client.close(); // Easy to forget

    client = redisInstance.get_redis_client();
    try {
        print(`   key = ${client.get('key', null)}`);
    } finally {
        client.close();
    }

    print('2. Reuse RedisInstance');

    // Good: Single instance (the one above)
    function func1() {
        const c = redisInstance.get_redis_client();
        try {
            return c.incr('calls', null);
        } finally {
            c.close();
        }
    }

    function func2() {
        const c = redisInstance.get_redis_client();
        try {
            return c.incr('calls', null);
        } finally {
            c.close();
        }
    }

    func1();
    print(`   calls = ${func2()}, connections opened = ${redisInstance.get_sync_pool_stats().total}`);

    print('3. Use Appropriate Database Numbers');

    // Cache database
    const cacheConfig = new DtRedis.Config().set_redis_host(host).set_redis_port(port).set_redis_db('0');
    const cacheRedis = DtRedis.Instance.new(cacheConfig);

    // Session database
    const sessionConfig = new DtRedis.Config().set_redis_host(host).set_redis_port(port).set_redis_db('1');
    const sessionRedis = DtRedis.Instance.new(sessionConfig);

    // Queue database
    const queueConfig = new DtRedis.Config().set_redis_host(host).set_redis_port(port).set_redis_db('2');
    const queueRedis = DtRedis.Instance.new(queueConfig);

    const purposes = [['cache', cacheRedis], ['session', sessionRedis], ['queue', queueRedis]];
    for (const [name, instance] of purposes) {
        const c = instance.get_redis_client();
        c.set('purpose', name, null);
        c.close();
    }
    for (const [, instance] of purposes) {
        const c = instance.get_redis_client();
        const db = instance.get_redis_url().split('/').pop();
        print(`   ${db}: purpose = ${c.get('purpose', null)}`);
        c.close();
    }

    print('4. Handle Connection Errors');

    const redisInstanceDown = DtRedis.Instance.new(
        new DtRedis.Config().set_redis_host('127.0.0.1').set_redis_port(closedPort()));
    client = redisInstanceDown.get_redis_client();
    try {
        client.set('key', 'value', null);
    } catch (e) {
        if (!e.matches(DtRedis.Error, DtRedis.Error.CONNECTION) &&
            !e.matches(DtRedis.Error, DtRedis.Error.TIMEOUT))
            throw e;
        print(`   Redis connection failed: ${e.message}`);
        // Fallback logic or retry
    } finally {
        client.close();
    }

    print('5. Use Pipelines for Bulk Operations');

    // Good: Pipeline for bulk operations
    client = redisInstance.get_redis_client();
    try {
        const pipe = client.pipeline(true);
        for (let i = 0; i < 1000; i++)
            pipe.append(['SET', `key:${i}`, `value:${i}`]);
        pipe.execute(null);
    } finally {
        client.close();
    }

    // Bad: Individual operations (slow)
    client = redisInstance.get_redis_client();
    try {
        for (let i = 0; i < 1000; i++)
            client.set(`key:${i}`, `value:${i}`, null);
        print(`   key:999 = ${client.get('key:999', null)}`);
    } finally {
        client.close();
    }

    print('6. Async for I/O-Bound Operations');

    // Good: Async for web services.  HGETALL gives a plain object of
    // strings.
    async function fetchUserData(userId) {
        const c = redisInstance.get_async_redis_client();
        try {
            return await c.hgetall_async(`user:${userId}`, null);
        } finally {
            c.close();
        }
    }

    // Good: Sync for simple scripts
    function backupData() {
        const c = redisInstance.get_redis_client();
        try {
            return c.keys('*', null);
        } finally {
            c.close();
        }
    }

    client = redisInstance.get_redis_client();
    client.hset('user:1', 'name', 'Ada', null);
    client.hset('user:1', 'lang', 'en', null);
    client.close();
    // The hash's fields come in no particular order: printed in this one.
    const {name, lang} = await fetchUserData(1);
    print(`   user 1 = ${JSON.stringify({name, lang})}`);
    print(`   keys in db 0 = ${backupData().length}`);

    print('7. Implement Health Checks');

    // Check connection health
    const [isHealthy, error] = isRedisConnected(redisInstance);
    if (!isHealthy) {
        print(`Redis health check failed: ${error.message}`);
        // Alert or failover
    }
    print(`   healthy = ${isHealthy}, error = ${error}`);
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
main().catch(e => {
    logError(e);
    status = 1;
}).finally(() => loop.quit());
loop.run();
System.exit(status);
