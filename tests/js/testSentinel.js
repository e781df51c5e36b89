// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A Sentinel config from GJS: a private master, replica and sentinel
// (quorum 1) on free 127.0.0.1 ports, a SENTINEL FAILOVER, and the
// instance's master-changed signal.

const DtRedis = imports.gi.DtRedis;
const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;
const assert = imports.assert;

for (const name of ['set', 'get', 'execute'])
    Gio._promisify(DtRedis.AsyncClient.prototype, `${name}_async`, `${name}_finish`);
Gio._promisify(DtRedis.Instance.prototype, 'ping_async', 'ping_finish');

const {freePort, sleep} = imports.helpers;

function standalone(port) {
    return DtRedis.Instance.new(new DtRedis.Config()
        .set_redis_host('127.0.0.1').set_redis_port(port).set_redis_socket_timeout(2.0));
}

async function waitUp(port) {
    const instance = standalone(port);
    for (let i = 0; i < 100; i++) {
        try {
            if (await instance.ping_async(null))
                return;
        } catch (e) {
            await sleep(50);
        }
    }
    throw new Error(`nothing answers on port ${port}`);
}

function testFailoverFollowsTheMaster() {
    const server = GLib.getenv('DT_TEST_REDIS_SERVER') || 'redis-server';
    const dir = GLib.dir_make_tmp('dtredis-gjs-XXXXXX');
    const [masterPort, replicaPort, sentinelPort] = [freePort(), freePort(), freePort()];
    const common = ['--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const sentinelConf = GLib.build_filenamev([dir, 'sentinel.conf']);
    GLib.file_set_contents(sentinelConf, [
        `port ${sentinelPort}`, 'bind 127.0.0.1', `dir ${dir}`,
        `sentinel monitor mymaster 127.0.0.1 ${masterPort} 1`,
        'sentinel down-after-milliseconds mymaster 1000',
        'sentinel failover-timeout mymaster 5000', ''].join('\n'));
    const processes = [
        Gio.Subprocess.new([server, '--port', `${masterPort}`, ...common], Gio.SubprocessFlags.STDOUT_SILENCE),
        Gio.Subprocess.new([server, '--port', `${replicaPort}`, '--replicaof', '127.0.0.1', `${masterPort}`,
            ...common], Gio.SubprocessFlags.STDOUT_SILENCE),
        Gio.Subprocess.new([server, sentinelConf, '--sentinel'], Gio.SubprocessFlags.STDOUT_SILENCE),
    ];

    return (async () => {
        try {
            await waitUp(masterPort);
            await waitUp(replicaPort);
            await waitUp(sentinelPort);

            const config = new DtRedis.Config()
                .set_redis_sentinels([`127.0.0.1:${sentinelPort}`])
                .set_redis_master_name('mymaster')
                .set_redis_socket_timeout(2.0);
            assert.equal(config.sentinels.length, 1);
            const instance = DtRedis.Instance.new(config);
            const client = instance.get_async_redis_client();
            assert.equal(await client.set_async('gjs:sentinel', 'before', null), true);

            const switched = new Promise(resolve => {
                const id = instance.connect('master-changed', (_instance, address) => {
                    instance.disconnect(id);
                    resolve(address);
                });
            });

            const sentinel = standalone(sentinelPort).get_async_redis_client();
            for (let attempt = 0; ; attempt++) {
                try {
                    await sentinel.execute_async(['SENTINEL', 'FAILOVER', 'mymaster'], null);
                    break;
                } catch (e) {
                    // NOGOODSLAVE until the sentinel has seen the replica.
                    assert.ok(attempt < 100, `SENTINEL FAILOVER: ${e.message}`);
                    await sleep(200);
                }
            }

            assert.equal(await switched, `127.0.0.1:${replicaPort}`);
            assert.equal(await client.set_async('gjs:sentinel', 'after', null), true);
            const role = await standalone(replicaPort).get_async_redis_client()
                .execute_async(['ROLE'], null);
            assert.equal(role.get_element(0).get_text(), 'master');
            assert.equal(await standalone(replicaPort).get_async_redis_client()
                .get_async('gjs:sentinel', null), 'after');
        } finally {
            for (const process of processes) {
                process.force_exit();
                process.wait(null);
            }
            GLib.spawn_command_line_sync(`rm -rf ${GLib.shell_quote(dir)}`);
        }
    })();
}
