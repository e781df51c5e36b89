/* health-check.vala: the seed's is_redis_connected(), blocking and async
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

void check_health (DtRedis.Instance redis_instance, string label) {
    try {
        redis_instance.ping ();
        print ("%s: Redis is healthy\n", label);
    } catch (GLib.Error e) {
        print ("%s: Redis health check failed: %s\n", label, e.message);
    }
}

/* What a service's /health handler does: never block the main loop. */
async void check_health_async (DtRedis.Instance redis_instance, string label) {
    try {
        yield redis_instance.ping_async ();
        print ("%s (async): Redis is healthy\n", label);
    } catch (GLib.Error e) {
        print ("%s (async): Redis health check failed: %s\n", label, e.message);
    }
}

async void run (DtRedis.Instance redis_instance, DtRedis.Instance dead_instance) {
    check_health (redis_instance, "server");
    yield check_health_async (redis_instance, "server");
    check_health (dead_instance, "nothing");
    yield check_health_async (dead_instance, "nothing");
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";
    DtRedis.Instance redis_instance, dead_instance;
    string tmpdir;

    try {
        redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));

        // A socket path in a fresh directory: nothing can be listening there.
        tmpdir = DirUtils.make_tmp ("dtredis-health-XXXXXX");
        var dead_config = new DtRedis.Config.from_url (@"unix://$tmpdir/redis.sock");
        dead_config.set_redis_socket_timeout (2.0);
        dead_instance = new DtRedis.Instance (dead_config);
    } catch (GLib.Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    run.begin (redis_instance, dead_instance, () => loop.quit ());
    loop.run ();

    DirUtils.remove (tmpdir);
    return 0;
}
