// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's health check (best practice 7): is the server in REDIS_URL
// answering?  Then the same check against a port nobody listens on.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m health-check.js

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';

// The seed's is_redis_connected(): [healthy, error or null].
function isRedisConnected(redisInstance) {
    try {
        redisInstance.ping(null);
        return [true, null];
    } catch (e) {
        return [false, e];
    }
}

function check(redisInstance) {
    // Check connection health
    const [isHealthy, error] = isRedisConnected(redisInstance);
    if (!isHealthy) {
        print(`Redis health check failed: ${error.message}`);
        // Alert or failover
    } else {
        print('Redis is healthy');
    }
}

// A port that was free a moment ago: the connection is refused.
function closedPort() {
    const socket = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM,
        Gio.SocketProtocol.TCP);
    socket.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), false);
    const port = socket.get_local_address().get_port();
    socket.close();
    return port;
}

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
check(DtRedis.Instance.new(config));

const downConfig = new DtRedis.Config()
    .set_redis_host('127.0.0.1')
    .set_redis_port(closedPort())
    .set_redis_socket_timeout(2.0);
check(DtRedis.Instance.new(downConfig));
