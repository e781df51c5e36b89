/* async-pipeline.vala: a pipeline executed on the async pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

async uint bulk_insert (DtRedis.Instance redis_instance, HashTable<string, string> data) throws GLib.Error {
    var client = redis_instance.get_async_redis_client ();
    var pipe = client.pipeline (false);

    data.foreach ((key, value) => {
        pipe.append ({ "SET", key, value });
    });
    var replies = yield pipe.execute_async (null);

    // A command the server refused is an ERROR reply in the array.
    foreach (var reply in replies) {
        if (reply.is_error ()) {
            size_t length;
            throw new DtRedis.Error.SERVER ("%s", reply.get_string (out length));
        }
    }
    return replies.length;
}

async void run (DtRedis.Instance redis_instance) throws GLib.Error {
    var data = new HashTable<string, string> (str_hash, str_equal);
    for (var i = 0; i < 100; i++) {
        data[@"key:$i"] = @"value:$i";
    }

    var n = yield bulk_insert (redis_instance, data);
    print ("%u keys inserted\n", n);

    var client = redis_instance.get_async_redis_client ();
    var value = yield client.get_async ("key:99");
    if (value == null) {
        throw new DtRedis.Error.FAILED ("key:99 is missing");
    }
    print ("key:99 = %s\n", value);

    // What an application does when it shuts down.
    yield redis_instance.reset_async_pool_async (null);
    print ("Async pool reset\n");
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
