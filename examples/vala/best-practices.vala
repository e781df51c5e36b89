/* best-practices.vala: the seed's best practices that are code
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  1. let references release clients (the seed's context managers)
 *  2. one DtRedis.Instance per configuration, shared by the whole program
 *  3. separate databases for separate purposes
 *  4. handle connection errors
 *  5. pipelines for bulk operations
 *  6. async for I/O-bound work, sync for simple scripts
 *  7. health checks
 */

DtRedis.Config config_from_environment () throws GLib.Error {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";
    return new DtRedis.Config.from_url (url);
}

/* Good: one instance for the program, so one pool of connections. */
DtRedis.Instance redis_instance;

// -- 1. Scoped clients --------------------------------------------------------

void practice_scoped_clients () throws GLib.Error {
    {
        // Good: released when the block ends, on every path.
        var client = redis_instance.get_redis_client ();
        client.set ("key", "value");
    }
    {
        // Works, but close() adds nothing: the reference does the work.
        var client = redis_instance.get_redis_client ();
        client.set ("key", "value");
        client.close ();
    }
    var stats = redis_instance.get_sync_pool_stats ();
    print ("1. Clients released: %u connection(s) in use\n", stats.in_use);
}

// -- 2. Reuse one DtRedis.Instance ----------------------------------------------

void func1 () throws GLib.Error {
    redis_instance.get_redis_client ().set ("func1", "1");
}

void func2 () throws GLib.Error {
    redis_instance.get_redis_client ().set ("func2", "2");
}

void practice_reuse_instance () throws GLib.Error {
    func1 ();
    func2 ();
    var stats = redis_instance.get_sync_pool_stats ();
    print ("2. func1 and func2 shared %u pooled connection(s)\n", stats.total);
}

// -- 3. Database numbers ----------------------------------------------------------

DtRedis.Instance instance_for_db (string db) throws GLib.Error {
    var config = config_from_environment ();
    // The URL would win over the db: keep what it parsed into, drop it.
    config.set_redis_url (null).set_redis_db (db);
    return new DtRedis.Instance (config);
}

void practice_databases () throws GLib.Error {
    string[] purposes = { "cache", "session", "queue" };
    string[] dbs = { "0", "1", "2" };
    var instances = new DtRedis.Instance[3];

    // The same key in three databases: three different values.
    for (var i = 0; i < 3; i++) {
        instances[i] = instance_for_db (dbs[i]);
        instances[i].get_redis_client ().set ("purpose", purposes[i]);
    }

    var parts = new string[0];
    for (var i = 0; i < 3; i++) {
        var value = instances[i].get_redis_client ().get ("purpose");
        parts += "db %s holds %s".printf (dbs[i], value);
    }
    print ("3. %s\n", string.joinv (", ", parts));
}

// -- 4. Connection errors -----------------------------------------------------------

void practice_connection_errors () throws GLib.Error {
    // Nothing listens on a socket in a directory made just now.
    var tmpdir = DirUtils.make_tmp ("dtredis-example-XXXXXX");
    var config = new DtRedis.Config.from_url (@"unix://$tmpdir/redis.sock");
    config.set_redis_socket_timeout (2.0);
    var unreachable = new DtRedis.Instance (config);

    try {
        unreachable.get_redis_client ().set ("key", "value");
        print ("4. Unexpectedly connected\n");
    } catch (DtRedis.Error e) {
        if (!(e is DtRedis.Error.CONNECTION || e is DtRedis.Error.TIMEOUT)) {
            throw e;
        }
        // Fallback logic or retry would go here.
        print ("4. Redis connection failed: %s\n", e.message);
    }
    DirUtils.remove (tmpdir);
}

// -- 5. Pipelines for bulk operations --------------------------------------------------

void practice_pipelines () throws GLib.Error {
    var pipe = redis_instance.get_redis_client ().pipeline (false);

    // Good: one round trip for 1000 commands.  Bad: 1000 round trips.
    for (var i = 0; i < 1000; i++) {
        pipe.append ({ "SET", @"key:$i", @"value:$i" });
    }
    var replies = pipe.execute ();
    print ("5. %u keys set with one pipeline\n", replies.length);
}

// -- 6. Async for I/O-bound operations ---------------------------------------------------

/* Good for a service: the main loop keeps running while Redis answers. */
async HashTable<unowned string, unowned string> fetch_user_data (int64 user_id) throws GLib.Error {
    var client = redis_instance.get_async_redis_client ();
    return yield client.hgetall_async (@"user:$user_id");
}

/* Good for a script: a backup of every key name, blocking. */
string[] backup_data () throws GLib.Error {
    return redis_instance.get_redis_client ().keys ("*");
}

async void practice_async_and_sync () throws GLib.Error {
    var fields = new HashTable<string, string> (str_hash, str_equal);
    fields["name"] = "John";
    fields["email"] = "john@example.com";
    yield redis_instance.get_async_redis_client ().hset_mapping_async ("user:1", fields);

    var user = yield fetch_user_data (1);
    print ("6. async: user:1 has %u fields\n", user.size ());

    var keys = backup_data ();
    print ("6. sync: backup of %u keys\n", keys.length);
}

// -- 7. Health checks --------------------------------------------------------------------

void practice_health_check () {
    try {
        redis_instance.ping ();
        print ("7. Redis is healthy\n");
    } catch (GLib.Error e) {
        print ("7. Redis health check failed: %s\n", e.message);
    }
}

async void run () throws GLib.Error {
    practice_scoped_clients ();
    practice_reuse_instance ();
    practice_databases ();
    practice_connection_errors ();
    practice_pipelines ();
    yield practice_async_and_sync ();
    practice_health_check ();
}

int main () {
    try {
        redis_instance = new DtRedis.Instance (config_from_environment ());
    } catch (GLib.Error e) {
        printerr ("Bad REDIS_URL: %s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    var status = 0;
    run.begin ((obj, res) => {
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
