/* concurrent-async.vala: several async operations in flight at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's fetch_user_data() under asyncio.gather(): three async calls
 * started with .begin(), and a counter that resumes the caller when the
 * last one has finished.
 */

string json_value (string? value) {
    if (value == null) {
        return "null";
    }
    return "\"%s\"".printf (value.replace ("\\", "\\\\").replace ("\"", "\\\""));
}

class User : Object {
    public int64 user_id;
    public string? name;
    public string? email;

    public string to_json () {
        return "{\"user_id\":%s,\"name\":%s,\"email\":%s}".printf (
            user_id.to_string (), json_value (name), json_value (email));
    }
}

async User fetch_user_data (DtRedis.Instance redis_instance, int64 user_id) throws GLib.Error {
    var client = redis_instance.get_async_redis_client ();
    var user = new User ();

    user.user_id = user_id;
    user.name = yield client.get_async (@"user:$user_id:name");
    user.email = yield client.get_async (@"user:$user_id:email");
    return user;
}

/* Like asyncio.gather(): all three at once, results in call order. */
async User[] fetch_users (DtRedis.Instance redis_instance, int n_users) throws GLib.Error {
    var users = new User[n_users];
    var pending = n_users;
    GLib.Error? first_error = null;

    for (var i = 0; i < n_users; i++) {
        var index = i;
        fetch_user_data.begin (redis_instance, index + 1, (obj, res) => {
            try {
                users[index] = fetch_user_data.end (res);
            } catch (GLib.Error e) {
                first_error = first_error ?? e;
            }
            if (--pending == 0) {
                fetch_users.callback ();
            }
        });
    }
    yield;

    if (first_error != null) {
        throw first_error;
    }
    return users;
}

/* Several commands in flight on one client. */
async string?[] get_many (DtRedis.AsyncClient client, string[] keys) throws GLib.Error {
    var values = new string?[keys.length];
    var pending = keys.length;
    GLib.Error? first_error = null;

    for (var i = 0; i < keys.length; i++) {
        var index = i;
        client.get_async.begin (keys[index], null, (obj, res) => {
            try {
                values[index] = client.get_async.end (res);
            } catch (GLib.Error e) {
                first_error = first_error ?? e;
            }
            if (--pending == 0) {
                get_many.callback ();
            }
        });
    }
    yield;

    if (first_error != null) {
        throw first_error;
    }
    return values;
}

async void run (DtRedis.Instance redis_instance) throws GLib.Error {
    // Users 1 and 2 exist; user 3 does not.
    var pipe = redis_instance.get_async_redis_client ().pipeline (false);
    pipe.append ({ "SET", "user:1:name", "John Doe" })
        .append ({ "SET", "user:1:email", "john@example.com" })
        .append ({ "SET", "user:2:name", "Jane Doe" })
        .append ({ "SET", "user:2:email", "jane@example.com" })
        .append ({ "MSET", "key1", "value1", "key2", "value2", "key3", "value3" });
    yield pipe.execute_async (null);

    // Fetch multiple users concurrently
    var users = yield fetch_users (redis_instance, 3);
    foreach (var user in users) {
        print ("%s\n", user.to_json ());
    }

    var values = yield get_many (redis_instance.get_async_redis_client (),
                                 { "key1", "key2", "key3" });
    var line = new StringBuilder ("key1, key2, key3:");
    foreach (var value in values) {
        line.append (" ").append (value);
    }
    print ("%s\n", line.str);
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
