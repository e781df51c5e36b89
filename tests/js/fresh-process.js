// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run by testModule.js in a gjs of its own: with only the namespace and the
// helper module imported (no Gio._promisify anywhere), every async method
// returns a Promise and `await client.ping_async()` works.
//
//   REDIS_URL=redis://127.0.0.1:PORT/0 DTREDIS_JS_MODULE=file:///.../dtredis.js gjs -m fresh-process.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';
import System from 'system';

const {default: Redis, promisified} = await import(GLib.getenv('DTREDIS_JS_MODULE'));

function check(good, what) {
    print(`${good ? 'ok' : 'not ok'} - ${what}`);
    if (!good)
        System.exit(1);
}

check(Redis === DtRedis, 'the module exports the namespace');
check(promisified.length >= 50, `${promisified.length} methods promisified`);
// Each is a wrapper on its prototype now, not the GI method.
const unwrapped = promisified.filter(label => {
    const [klass, proto, name] = label.split('.');
    return proto !== 'prototype' || DtRedis[klass].prototype[name].toString().includes('[native code]');
});
check(unwrapped.length === 0, `every one is wrapped; not: ${unwrapped.join(', ')}`);

// Top-level await: gjs -m runs the main context until the module settles.
const url = GLib.Uri.parse(GLib.getenv('REDIS_URL'), GLib.UriFlags.NONE);
const instance = DtRedis.Instance.new(new DtRedis.Config()
    .set_redis_host(url.get_host()).set_redis_port(url.get_port()));
const client = instance.get_async_redis_client();
try {
    const promise = client.ping_async();
    check(promise instanceof Promise, 'client.ping_async() returns a Promise');
    check(await promise === 'PONG', 'await client.ping_async()');
    check(await instance.ping_async() === true, 'await instance.ping_async()');
    await client.set_async('fresh', 'yes');
    check(await client.get_async('fresh') === 'yes', "await client.get_async('fresh')");
    check(await instance.reset_async_pool_async() === true, 'await instance.reset_async_pool_async()');
} catch (e) {
    check(false, `${e}\n${e.stack}`);
}
