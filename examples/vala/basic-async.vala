/* basic-async.vala: the async client with yield
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

async void run (DtRedis.Instance redis_instance) throws GLib.Error {
    var client = redis_instance.get_async_redis_client ();

    yield client.set_async ("user:1:name", "Jane Doe");
    string? name = yield client.get_async ("user:1:name");
    print ("%s\n", name ?? "(no such key)");
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";
    DtRedis.Instance redis_instance;

    try {
        redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
    } catch (GLib.Error e) {
        printerr ("Bad REDIS_URL: %s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    var status = 0;
    run.begin (redis_instance, (obj, res) => {
        try {
            run.end (res);
        } catch (GLib.Error e) {
            printerr ("Redis error: %s\n", e.message);
            status = 1;
        }
        loop.quit ();
    });
    loop.run ();

    return status;
}
