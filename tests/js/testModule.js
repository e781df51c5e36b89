// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The installed helper module, bindings/js/dtredis.js: importing it is the
// only set-up, and then every `_async` method of the namespace returns a
// Promise.  The module is the one $DTREDIS_JS_DIR names (meson devenv sets
// it to the build tree's copy), else the source tree's.  Each test starts a
// private redis-server on a free 127.0.0.1 port and stops it.

const DtRedis = imports.gi.DtRedis;
const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;
const assert = imports.assert;

// This file's folder: the runner puts it on the search path to load us.
const testsDir = imports.searchPath.find(dir =>
    GLib.file_test(GLib.build_filenamev([dir, 'testModule.js']), GLib.FileTest.EXISTS));

const moduleFile = GLib.build_filenamev([
    GLib.getenv('DTREDIS_JS_DIR') ||
        GLib.canonicalize_filename(GLib.build_filenamev([testsDir, '..', '..', 'bindings', 'js']), null),
    'dtredis.js']);

let _module = null;
// The ES module, imported the way a program does (file:// URI).
function loadModule() {
    if (_module === null)
        _module = import(GLib.filename_to_uri(moduleFile, null));
    return _module;
}

const {freePort, sleep} = imports.helpers;

function bytes(text) {
    return new GLib.Bytes(new TextEncoder().encode(text));
}

// The `_finish` that ends @target[@name], by the rule the module documents:
// `X_async` ends with `X_finish`; a `X_bytes_async` with no `X_bytes_finish`
// ends with `X_finish`.  Written here again so that the test does not trust
// the module's own search.
function finishOf(target, name) {
    if (!name.endsWith('_async') || name.startsWith('_') || name.startsWith('vfunc_') ||
        typeof target[name] !== 'function')
        return null;
    const base = name.slice(0, -6);
    for (const finish of [`${base}_finish`, base.endsWith('_bytes') ? `${base.slice(0, -6)}_finish` : null]) {
        if (finish !== null && typeof target[finish] === 'function')
            return finish;
    }
    return null;
}

// Every [target, label, name] with an `_async`/`_finish` pair in the
// namespace: its functions, each class's static and instance methods.
function asyncMethods(namespace) {
    const found = [];
    const visit = (target, label) => {
        for (const name of Object.getOwnPropertyNames(target)) {
            if (finishOf(target, name) !== null)
                found.push([target, `${label}${name}`, name]);
        }
    };
    visit(namespace, '');
    for (const key of Object.getOwnPropertyNames(namespace)) {
        const value = namespace[key];
        if (typeof value === 'function' && value.prototype) {
            visit(value, `${key}.`);
            visit(value.prototype, `${key}.prototype.`);
        }
    }
    return found;
}

// Runs fn(instance, client, url) against a fresh private server; always
// stops it.
async function withServer(fn) {
    const port = freePort();
    const dir = GLib.dir_make_tmp('dtredis-gjs-XXXXXX');
    const server = Gio.Subprocess.new([GLib.getenv('DT_TEST_REDIS_SERVER') || 'redis-server',
        '--port', `${port}`, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--dir', dir], Gio.SubprocessFlags.STDOUT_SILENCE);
    try {
        const {default: Redis} = await loadModule();
        const config = new Redis.Config()
            .set_redis_host('127.0.0.1').set_redis_port(port).set_redis_socket_timeout(2.0);
        const instance = Redis.Instance.new(config);
        let up = false;
        for (let i = 0; i < 100 && !up; i++) {
            try {
                up = await instance.ping_async();
            } catch (e) {
                await sleep(50);
            }
        }
        assert.ok(up, 'the private redis-server answers');
        await fn(instance, instance.get_async_redis_client(), `redis://127.0.0.1:${port}/0`);
        await instance.reset_async_pool_async();
    } finally {
        server.force_exit();
        server.wait(null);
        GLib.spawn_command_line_sync(`rm -rf ${GLib.shell_quote(dir)}`);
    }
}

async function testModuleIsTheNamespace() {
    const module = await loadModule();
    assert.ok(module.default === DtRedis, 'the default export is the DtRedis namespace');
    assert.ok(module.DtRedis === DtRedis, 'and so is the named export DtRedis');
}

async function testItFindsEveryAsyncMethod() {
    const {promisified} = await loadModule();
    const expected = asyncMethods(DtRedis).map(([, label]) => label).sort();
    assert.deepEqual([...promisified].sort(), expected);
    for (const name of ['AsyncClient.prototype.get_async', 'AsyncClient.prototype.execute_bytes_async',
        'Instance.prototype.ping_async', 'Instance.prototype.reset_async_pool_async',
        'Pipeline.prototype.execute_async', 'Pipeline.prototype.watch_async',
        'Pipeline.prototype.execute_immediate_async', 'Pipeline.prototype.execute_immediate_bytes_async'])
        assert.ok(promisified.includes(name), `${name} is promisified`);
}

function testCommandsAwaitWithAndWithoutACancellable() {
    return withServer(async (instance, client) => {
        assert.equal(await client.set_async('k', 'v', null), true);
        assert.equal(await client.set_async('k', 'v'), true);
        assert.equal(await client.get_async('k'), 'v');
        assert.equal(await client.get_async('k', new Gio.Cancellable()), 'v');
        assert.equal(await client.get_async('missing'), null);
        assert.equal(await instance.ping_async(), true);
        assert.equal(await instance.ping_async(), true);
        assert.equal(await client.incr_async('n'), 1);
        assert.equal(await client.execute_bytes_async([bytes('INCR'), bytes('n')]).then(r => r.to_string()),
            '(integer) 2');
    });
}

function testPipelines() {
    return withServer(async (instance, client) => {
        const pipe = client.pipeline(true);
        pipe.append(['SET', 'p', '1']).append(['INCR', 'p']).append(['GET', 'p']);
        const results = await pipe.execute_async(null);
        assert.deepEqual(results.map(r => r.to_string()), ['OK', '(integer) 2', '"2"']);

        // WATCH, reads over the watched connection, then MULTI/EXEC.
        const tx = client.pipeline(true);
        assert.equal(await tx.watch_async(['p']), true);
        assert.equal((await tx.execute_immediate_async(['GET', 'p'])).to_string(), '"2"');
        assert.equal((await tx.execute_immediate_bytes_async([bytes('GET'), bytes('p')])).to_string(), '"2"');
        tx.append(['INCR', 'p']);
        assert.deepEqual((await tx.execute_async()).map(r => r.to_string()), ['(integer) 3']);
    });
}

function testRejectionCarriesTheGError() {
    return withServer(async (instance, client) => {
        await client.lpush_async('a-list', ['x']);
        let caught = null;
        try {
            await client.incr_async('a-list');
        } catch (e) {
            caught = e;
        }
        assert.ok(caught instanceof GLib.Error, `a GLib.Error: ${caught}`);
        assert.ok(caught.matches(DtRedis.error_quark(), DtRedis.Error.SERVER), `${caught}`);
        assert.ok(caught.message.startsWith('WRONGTYPE'), caught.message);
        assert.ok(caught.stack.includes('Promise created here'), 'the stack shows where it was awaited');
    });
}

function testCancellableStillWorks() {
    return withServer(async (instance, client) => {
        const cancellable = new Gio.Cancellable();
        const blocked = client.execute_async(['BLPOP', 'never', '5'], cancellable);
        GLib.timeout_add(GLib.PRIORITY_DEFAULT, 100, () => {
            cancellable.cancel();
            return GLib.SOURCE_REMOVE;
        });
        let caught = null;
        try {
            await blocked;
        } catch (e) {
            caught = e;
        }
        assert.ok(caught !== null && caught.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.CANCELLED), `${caught}`);
    });
}

function testCallbacksStillWork() {
    return withServer(async (instance, client) => {
        for (const args of [[null], []]) {
            const result = await new Promise((resolve, reject) => {
                const returned = client.ping_async(...args, (source, res) => {
                    try {
                        resolve(source.ping_finish(res));
                    } catch (e) {
                        reject(e);
                    }
                });
                assert.equal(returned, undefined, 'with a callback, nothing is returned');
            });
            assert.equal(result, 'PONG', `ping_async(${'null, '.repeat(args.length)}callback)`);
        }
    });
}

// Every async method of every class, called with no callback on an object
// whose server is not there: a Promise each time, and each one settles.
async function testEveryAsyncMethodReturnsAPromise() {
    await loadModule();
    const config = new DtRedis.Config().set_redis_host('127.0.0.1').set_redis_port(freePort())
        .set_redis_socket_timeout(1.0);
    const instance = DtRedis.Instance.new(config);
    const client = instance.get_async_redis_client();
    // An object to call each class's methods on; a new class needs one here.
    const objects = new Map([
        [DtRedis.Instance.prototype, instance],
        [DtRedis.AsyncClient.prototype, client],
        [DtRedis.Pipeline.prototype, client.pipeline(false)],
        [DtRedis.ScanIterator.prototype,
            DtRedis.ScanIterator.new_async(client, DtRedis.ScanKind.KEYS, null, null, -1, null)],
        [DtRedis.PubSub.prototype, instance.get_pubsub()],
    ]);
    const methods = asyncMethods(DtRedis);
    assert.ok(methods.length >= 50, `${methods.length} async methods found`);
    const outcomes = [];
    for (const [target, label, name] of methods) {
        // Functions of the namespace and static methods need no object.
        const isMethod = label.includes('.prototype.');
        assert.ok(!isMethod || objects.has(target), `no object to call ${label} on: add one to the test`);
        const self = isMethod ? objects.get(target) : target;
        const result = self[name]();
        assert.ok(result instanceof Promise, `${label}() returns a Promise`);
        // It waits for a message that never comes: closing ends it.
        const waits = label === 'PubSub.prototype.next_message_async';
        if (waits)
            GLib.timeout_add(GLib.PRIORITY_DEFAULT, 50, () => self.close());
        // One at a time: reset_async_pool_async() would close the others.
        const outcome = await result.then(() => null, e => e);
        if (waits)
            assert.ok(outcome instanceof GLib.Error && outcome.matches(DtRedis.error_quark(), DtRedis.Error.CLOSED),
                `${label}() ends with CLOSED: ${outcome}`);
        else
            outcomes.push(outcome);
    }
    // With no arguments most calls are refused by GJS itself (TypeError);
    // the ones that take none reach the C library and fail to connect.
    const gerrors = outcomes.filter(e => e instanceof GLib.Error);
    assert.ok(gerrors.length >= 3, `${gerrors.length} calls reached the library and rejected with a GError`);
    assert.ok(gerrors.every(e => e.matches(DtRedis.error_quark(), DtRedis.Error.CONNECTION)),
        gerrors.map(e => e.message).join('; '));
    await instance.reset_async_pool_async();
}

// The same object shape on plain JS objects: functions of the namespace
// and static methods are promisified too, and calling it again is harmless.
async function testNamespaceFunctionsAndStatics() {
    const {promisifyNamespace} = await loadModule();
    const finish = res => {
        if (res === 'bad')
            throw new Error('failed');
        return `done:${res}`;
    };
    class Thing {}
    Thing.make_async = function (what, cancellable, callback) {
        callback(null, `${what}:${cancellable}`);
    };
    Thing.make_finish = finish;
    const namespace = {
        Thing,
        fetch_async(what, cancellable, callback) {
            callback(null, what);
        },
        fetch_finish: finish,
        fetch_bytes_async(what, cancellable, callback) {
            callback(null, what);
        },
        sync_only_async() {},
    };
    assert.deepEqual(promisifyNamespace(namespace).sort(),
        ['Thing.make_async', 'fetch_async', 'fetch_bytes_async']);
    assert.deepEqual(promisifyNamespace(namespace).sort(),
        ['Thing.make_async', 'fetch_async', 'fetch_bytes_async'], 'again');
    assert.equal(await namespace.fetch_async('x'), 'done:x');
    assert.equal(await namespace.fetch_bytes_async('y', null), 'done:y');
    assert.equal(await Thing.make_async('z'), 'done:z:null');
    let caught = null;
    try {
        await namespace.fetch_async('bad');
    } catch (e) {
        caught = e;
    }
    assert.equal(caught && caught.message, 'failed');
}

// In a gjs of its own, with nothing but `import DtRedis` and the module
// (the other test files here promisify some methods themselves).
function testAFreshProcessNeedsNoSetUp() {
    return withServer(async (instance, client, url) => {
        const launcher = new Gio.SubprocessLauncher({
            flags: Gio.SubprocessFlags.STDOUT_PIPE | Gio.SubprocessFlags.STDERR_MERGE,
        });
        launcher.setenv('REDIS_URL', url, true);
        launcher.setenv('DTREDIS_JS_MODULE', GLib.filename_to_uri(moduleFile, null), true);
        const gjs = GLib.file_read_link('/proc/self/exe');
        const proc = launcher.spawnv([gjs, '-m', GLib.build_filenamev([testsDir, 'fresh-process.js'])]);
        const watchdog = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 20, () => {
            print('# fresh-process.js hangs: killed');
            proc.force_exit();
            return GLib.SOURCE_REMOVE;
        });
        const [, out] = await new Promise((resolve, reject) =>
            proc.communicate_utf8_async(null, null, (p, res) => {
                try {
                    resolve(p.communicate_utf8_finish(res));
                } catch (e) {
                    reject(e);
                }
            }));
        GLib.source_remove(watchdog);
        for (const line of (out || '').trim().split('\n'))
            print(`# ${line}`);
        assert.ok(proc.get_if_exited() && proc.get_exit_status() === 0, 'fresh-process.js succeeds');
    });
}
