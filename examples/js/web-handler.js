// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "FastAPI Integration" as a libsoup 3 server: GET and POST
// /user/{user_id} answered from Redis without blocking the main loop.
// The script starts the server on 127.0.0.1, sends it a few requests with a
// Soup.Session and prints the JSON answers.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m web-handler.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Soup from 'gi://Soup?version=3.0';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.AsyncClient.prototype, 'set_async', 'set_finish');
Gio._promisify(DtRedis.AsyncClient.prototype, 'get_async', 'get_finish');
Gio._promisify(Soup.Session.prototype, 'send_and_read_async', 'send_and_read_finish');

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = str => encoder.encode(str);
const text = value => value === null ? null : decoder.decode(value.toArray());

const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);

// Global Redis instance
const config = new DtRedis.Config()
    .set_redis_host(redisUrl.get_host())
    .set_redis_port(redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379)
    .set_redis_db(redisUrl.get_path().replace(/^\//, '') || '0');
const redisInstance = DtRedis.Instance.new(config);

// GET /user/{user_id}
async function getUser(userId) {
    const client = redisInstance.get_async_redis_client();
    try {
        const name = await client.get_async(`user:${userId}:name`, null);
        if (name !== null)
            return [200, {user_id: userId, name}];
        return [200, {error: 'User not found'}];
    } finally {
        client.close();
    }
}

// POST /user/{user_id}?name=...
async function createUser(userId, name) {
    const client = redisInstance.get_async_redis_client();
    try {
        await client.set_async(`user:${userId}:name`, name, null);
        return [200, {user_id: userId, name}];
    } finally {
        client.close();
    }
}

function route(msg, path, query) {
    const match = /^\/user\/([^/]+)$/.exec(path);
    if (match === null)
        return Promise.resolve([404, {error: 'Not found'}]);
    if (!/^-?\d+$/.test(match[1]))
        return Promise.resolve([422, {error: 'user_id is not a valid integer'}]);
    const userId = Number(match[1]);

    switch (msg.get_method()) {
    case 'GET':
        return getUser(userId);
    case 'POST':
        if (!query?.name)
            return Promise.resolve([422, {error: 'name is required'}]);
        return createUser(userId, query.name);
    default:
        return Promise.resolve([405, {error: 'Method not allowed'}]);
    }
}

function handler(server, msg, path, query) {
    // Answer later: the message waits while Redis works.
    msg.pause();
    route(msg, path, query).catch(e => {
        logError(e);
        return [500, {error: e.message}];
    }).then(([status, body]) => {
        msg.set_status(status, null);
        msg.set_response('application/json', Soup.MemoryUse.COPY, bytes(JSON.stringify(body)));
        msg.unpause();
    });
}

async function main() {
    const server = new Soup.Server();
    server.add_handler('/user', handler);
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    const port = server.get_uris()[0].get_port();
    const base = `http://127.0.0.1:${port}`;

    const session = new Soup.Session();
    try {
        for (const [method, path] of [
            ['GET', '/user/7'],
            ['POST', '/user/7?name=Ada%20Lovelace'],
            ['GET', '/user/7'],
            ['GET', '/user/8'],
            ['GET', '/user/not-a-number'],
        ]) {
            const msg = Soup.Message.new(method, base + path);
            const body = await session.send_and_read_async(msg, GLib.PRIORITY_DEFAULT, null);
            print(`${method} ${path} -> ${msg.get_status()} ${text(body)}`);
        }
    } finally {
        session.abort();
        server.disconnect();
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
