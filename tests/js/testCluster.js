// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A Cluster config from GJS: a private 3-primary cluster on free 127.0.0.1
// ports (each with a cluster bus port of its own), commands routed by
// slot, the node list, a cross-slot command refused, and shard channels
// on their slots' owners.

const DtRedis = imports.gi.DtRedis;
const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;
const assert = imports.assert;

for (const name of ['set', 'get', 'mget', 'execute'])
    Gio._promisify(DtRedis.AsyncClient.prototype, `${name}_async`, `${name}_finish`);
for (const name of ['ssubscribe', 'sunsubscribe'])
    Gio._promisify(DtRedis.PubSub.prototype, `${name}_async`, `${name}_finish`);

const {freePort, sleep} = imports.helpers;

function standalone(port) {
    return DtRedis.Instance.new(new DtRedis.Config()
        .set_redis_host('127.0.0.1').set_redis_port(port).set_redis_socket_timeout(2.0));
}

async function clusterInfo(port) {
    const reply = await standalone(port).get_async_redis_client()
        .execute_async(['CLUSTER', 'INFO'], null);
    return reply.get_text();
}

async function waitOk(ports) {
    for (let i = 0; i < 300; i++) {
        let ok = true;
        for (const port of ports) {
            try {
                ok = ok && (await clusterInfo(port)).includes('cluster_state:ok');
            } catch (e) {
                ok = false;
            }
        }
        if (ok)
            return;
        await sleep(50);
    }
    throw new Error('the cluster did not become ok');
}

function testRoutedBySlot() {
    const server = GLib.getenv('DT_TEST_REDIS_SERVER') || 'redis-server';
    const cli = GLib.build_filenamev([GLib.path_get_dirname(GLib.find_program_in_path(server) || server),
        'redis-cli']);
    const dir = GLib.dir_make_tmp('dtredis-gjs-XXXXXX');
    const ports = [freePort(), freePort(), freePort()];
    const processes = ports.map(port => Gio.Subprocess.new([server, '--port', `${port}`,
        '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
        '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--cluster-port', `${freePort()}`], Gio.SubprocessFlags.STDOUT_SILENCE));

    return (async () => {
        try {
            for (let i = 0; i < 100; i++) {
                try {
                    await clusterInfo(ports[2]);
                    break;
                } catch (e) {
                    await sleep(50);
                }
            }
            const create = Gio.Subprocess.new([GLib.file_test(cli, GLib.FileTest.IS_EXECUTABLE) ? cli : 'redis-cli',
                '--cluster', 'create', ...ports.map(p => `127.0.0.1:${p}`), '--cluster-yes'],
            Gio.SubprocessFlags.STDOUT_SILENCE | Gio.SubprocessFlags.STDERR_SILENCE);
            create.wait(null);
            assert.ok(create.get_successful(), 'redis-cli --cluster create');
            await waitOk(ports);

            const config = new DtRedis.Config()
                .set_redis_cluster_nodes([`127.0.0.1:${ports[0]}`])
                .set_redis_socket_timeout(5.0);
            assert.equal(config.cluster_nodes.length, 1);
            const instance = DtRedis.Instance.new(config);
            const client = instance.get_async_redis_client();

            for (let i = 0; i < 60; i++)
                assert.equal(await client.set_async(`gjs:cluster:${i}`, `v${i}`, null), true);
            for (let i = 0; i < 60; i += 7) {
                const key = `gjs:cluster:${i}`;
                assert.equal(await client.get_async(key, null), `v${i}`);
                // Where the cluster itself keeps it.
                const owner = instance.get_cluster_node_for_slot(DtRedis.key_slot(key), null);
                const port = parseInt(owner.split(':')[1]);
                assert.equal(await standalone(port).get_async_redis_client().get_async(key, null), `v${i}`);
            }

            const primaries = instance.list_cluster_nodes(false, null);
            assert.equal(primaries.length, 3);
            for (const port of ports)
                assert.ok(primaries.includes(`127.0.0.1:${port}`));

            try {
                await client.mget_async(['gjs:a', 'gjs:b'], null);
                assert.ok(false, 'a cross-slot MGET should fail');
            } catch (e) {
                assert.ok(e.matches(DtRedis.Error, DtRedis.Error.CROSS_SLOT), e.message);
            }
            const both = await client.mget_async(['{gjs}:a', '{gjs}:b'], null);
            assert.equal(both.length, 2);

            // Shard channels of two slots: each SSUBSCRIBE on its slot's
            // owner, whose SPUBLISH counts one subscriber.
            const channels = ['{gjs-a}:news', '{gjs-b}:news'];
            const pubsub = instance.get_pubsub();
            const got = [];
            pubsub.connect('message', (_p, message) => got.push(message.get_channel()));
            await pubsub.ssubscribe_async(channels, null);
            for (const channel of channels) {
                const reply = await client.execute_async(['SPUBLISH', channel, 'hi'], null);
                assert.equal(reply.get_integer(), 1);
            }
            for (let i = 0; i < 200 && got.length < 2; i++)
                await sleep(10);
            assert.deepEqual(got.sort(), channels);
            await pubsub.sunsubscribe_async(null, null);
        } finally {
            for (const process of processes) {
                process.force_exit();
                process.wait(null);
            }
            GLib.spawn_command_line_sync(`rm -rf ${GLib.shell_quote(dir)}`);
        }
    })();
}
