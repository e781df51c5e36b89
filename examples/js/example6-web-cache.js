// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 6: Async Web Scraper with Caching.
//
// The pages come from a libsoup 3 server that this script starts on
// 127.0.0.1, never from the internet.  The URLs are fetched twice: the
// first round fills the cache, the second is served from it.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example6-web-cache.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import Soup from 'gi://Soup?version=3.0';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

Gio._promisify(DtRedis.AsyncClient.prototype, 'get_async', 'get_finish');
Gio._promisify(DtRedis.AsyncClient.prototype, 'setex_async', 'setex_finish');
Gio._promisify(Soup.Session.prototype, 'send_and_read_async', 'send_and_read_finish');

// libsoup's bodies are GLib.Bytes; the cache holds text.
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = str => encoder.encode(str);
const text = value => value === null ? null : decoder.decode(value.toArray());

const redisUrl = GLib.Uri.parse(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0',
    GLib.UriFlags.NONE);

const httpSession = new Soup.Session();

// Fetch URL with Redis caching.
async function fetchUrlCached(redisInstance, url, ttl = 3600) {
    const cacheKey = `cache:url:${url}`;

    // Try cache first
    let client = redisInstance.get_async_redis_client();
    try {
        const cached = await client.get_async(cacheKey, null);
        if (cached !== null) {
            print(`Cache hit: ${url}`);
            return cached;
        }
    } finally {
        client.close();
    }

    // Fetch from web
    print(`Fetching: ${url}`);
    const message = Soup.Message.new('GET', url);
    const content = text(await httpSession.send_and_read_async(message,
        GLib.PRIORITY_DEFAULT, null));

    // Cache result
    client = redisInstance.get_async_redis_client();
    try {
        await client.setex_async(cacheKey, ttl, content, null);
    } finally {
        client.close();
    }

    return content;
}

// -- the local web site ------------------------------------------------------

let requestsServed = 0;

function startWebSite() {
    const server = new Soup.Server();
    server.add_handler(null, (_server, msg, path) => {
        requestsServed++;
        msg.set_status(200, null);
        msg.set_response('text/html; charset=utf-8', Soup.MemoryUse.COPY,
            bytes(`<html><body>Page ${path}</body></html>`));
    });
    server.listen_local(0, Soup.ServerListenOptions.IPV4_ONLY);
    return server;
}

async function main() {
    const config = new DtRedis.Config()
        .set_redis_host(redisUrl.get_host())
        .set_redis_port(redisUrl.get_port() > 0 ? redisUrl.get_port() : 6379)
        .set_redis_db(redisUrl.get_path().replace(/^\//, '') || '0');

    const redisInstance = DtRedis.Instance.new(config);

    const server = startWebSite();
    const base = `http://127.0.0.1:${server.get_uris()[0].get_port()}`;

    try {
        const urls = [
            `${base}/example.com`,
            `${base}/example.org`,
            `${base}/example.net`,
        ];

        let results;
        for (let round = 0; round < 2; round++) {
            // Fetch concurrently
            results = await Promise.all(urls.map(url => fetchUrlCached(redisInstance, url)));

            print(`Fetched ${results.length} pages`);
        }

        print(results[0]);
        print(`The web server answered ${requestsServed} requests`);
    } finally {
        httpSession.abort();
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
