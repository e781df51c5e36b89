/* test-vala-api.vala: what the vapi gives a Vala program
 *
 * Compiled with -Werror=incompatible-pointer-types where valac can honour
 * the metadata's C types (see tests/meson.build), and run against the
 * private redis-server of examples/run-example.py (REDIS_URL).  Uses the
 * cancellables' default, yield, string arrays, nullable returns and
 * properties, errors, pipelines, optimistic transactions, and pub/sub
 * signals.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

DtRedis.Instance redis;

string text (Bytes bytes) {
    return ((string) bytes.get_data ()).substring (0, (long) bytes.get_size ());
}

string reply_text (DtRedis.Reply reply) {
    var bytes = reply.get_bytes ();
    assert (bytes != null);
    return text (bytes);
}

/* Runs an async test function to completion on a main loop of its own. */
delegate void Starter (AsyncReadyCallback done);

AsyncResult run_async (Starter start) {
    var loop = new MainLoop ();
    AsyncResult? result = null;
    start ((obj, res) => {
        result = res;
        loop.quit ();
    });
    loop.run ();
    return result;
}

void fail (GLib.Error e) {
    error ("unexpected error: %s (%s %d)", e.message, e.domain.to_string (), e.code);
}

/* -- sync ------------------------------------------------------------------ */

void test_sync_defaults () {
    try {
        var client = redis.get_redis_client ();
        // No cancellable argument anywhere (PING's message is optional: null).
        assert (client.ping () == "PONG");
        client.execute ({ "SET", "vala:sync", "one" });
        var reply = client.execute ({ "GET", "vala:sync" });
        assert (reply_text (reply) == "one");

        string[] keys = { "vala:sync", "vala:absent" };
        assert (client.delete (keys) == 1);
        assert (client.exists (keys) == 0);

        // A missing key is null, with no error.
        var missing = client.get ("vala:absent");
        assert (missing == null);
        var nil = client.execute ({ "GET", "vala:absent" });
        assert (nil.is_nil ());
        assert (nil.get_bytes () == null);

        // A _full method's trailing options have Vala defaults (-1, 0,
        // null: absent): here only SET's EX is given.
        assert (client.set_full ("vala:full", "v", 100));
        var ttl = client.ttl ("vala:full");
        assert (ttl > 90 && ttl <= 100);
        assert (client.lpos_full ("vala:absent-list", "x") == -1);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_sync_errors () {
    var client = redis.get_redis_client ();
    try {
        client.execute ({ "SET", "vala:text", "not a number" });
    } catch (GLib.Error e) {
        fail (e);
    }
    try {
        client.execute ({ "INCR", "vala:text" });
        assert_not_reached ();
    } catch (DtRedis.Error.SERVER e) {
        assert (e.message.has_prefix ("ERR"));
    } catch (GLib.Error e) {
        fail (e);
    }

    var cancellable = new Cancellable ();
    cancellable.cancel ();
    try {
        client.ping (cancellable);
        assert_not_reached ();
    } catch (IOError.CANCELLED e) {
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_nullable_properties () {
    var config = new DtRedis.Config ();
    string? url = config.url;
    string? username = config.username;
    string? password = config.password;
    string? client_name = config.client_name;
    string? ca = config.tls_ca_file;
    assert (url == null && username == null && password == null);
    assert (client_name == null && ca == null);
    assert (config.tls_cert_file == null && config.tls_key_file == null);

    config.client_name = "vala-test";
    assert (config.client_name == "vala-test");
    config.client_name = null;
    assert (config.client_name == null);
    assert (config.get_redis_client_name () == null);
}

/* A Sentinel config from Vala: string arrays, properties, the URL form and
 * the error for a master no sentinel can name (nothing listens on port 1). */
void test_cluster_config () {
    var config = new DtRedis.Config ()
        .set_redis_cluster_nodes ({ "127.0.0.1:1", "[::1]:7001" })
        .set_redis_password ("s3cret")
        .set_redis_socket_timeout (0.3);
    assert (config.cluster_nodes.length == 2);
    assert (config.cluster_nodes[1] == "[::1]:7001");
    var redacted = config.build_redacted_url ();
    assert (redacted.has_prefix ("redis+cluster://:***@127.0.0.1:1,"));
    assert (!("s3cret" in redacted));

    var instance = new DtRedis.Instance (config);
    ulong handler = instance.topology_changed.connect (() => {
        assert_not_reached ();
    });
    var client = instance.get_redis_client ();
    /* Keys in two slots: refused before any I/O, no server needed. */
    try {
        client.mget ({ "cross:a", "cross:b" });
        assert_not_reached ();
    } catch (DtRedis.Error.CROSS_SLOT e) {
        assert ("MGET" in e.message);
    } catch (GLib.Error e) {
        fail (e);
    }
    /* No node answers: the nodes tried are named, never the password. */
    try {
        instance.list_cluster_nodes (false);
        assert_not_reached ();
    } catch (DtRedis.Error.CONNECTION e) {
        assert ("127.0.0.1:1" in e.message);
        assert (!("s3cret" in e.message));
    } catch (GLib.Error e) {
        fail (e);
    }
    instance.disconnect (handler);
}

void test_sentinel_config () {
    var config = new DtRedis.Config ()
        .set_redis_sentinels ({ "127.0.0.1:1", "[::1]:26380" })
        .set_redis_master_name ("mymaster")
        .set_redis_sentinel_password ("s3cret")
        .set_redis_connect_timeout (0.5);
    assert (config.sentinels.length == 2);
    assert (config.sentinels[1] == "[::1]:26380");
    assert (config.master_name == "mymaster");
    assert (!config.read_from_replicas);
    assert (config.refresh_interval == 10.0);
    var redacted = config.build_redacted_url ();
    assert (redacted.has_prefix ("redis+sentinel://127.0.0.1:1,"));
    assert (!("s3cret" in redacted));

    var instance = new DtRedis.Instance (config);
    ulong handler = instance.master_changed.connect ((address) => {
        assert_not_reached ();
    });
    try {
        instance.get_redis_client ().ping ();
        assert_not_reached ();
    } catch (DtRedis.Error.CONNECTION e) {
        assert ("mymaster" in e.message);
        assert (!("s3cret" in e.message));
    } catch (GLib.Error e) {
        fail (e);
    }
    instance.disconnect (handler);
}

void test_sync_pipeline () {
    try {
        var client = redis.get_redis_client ();
        var pipe = client.pipeline (false);
        for (var i = 0; i < 10; i++) {
            pipe.append ({ "SET", @"vala:pipe:$i", @"value:$i" });
        }
        pipe.append ({ "INCR", "vala:text" })  // refused: an ERROR reply
            .append ({ "GET", "vala:pipe:7" });
        assert (pipe.get_n_commands () == 12);
        var replies = pipe.execute ();
        assert (replies.length == 12);
        assert (replies[0].get_reply_type () == DtRedis.ReplyType.STATUS);
        assert (replies[10].is_error ());
        assert (reply_text (replies[11]) == "value:7");
        assert (pipe.get_n_commands () == 0);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_sync_watch () {
    try {
        var client = redis.get_redis_client ();
        client.execute ({ "SET", "vala:balance", "100" });

        var pipe = client.pipeline (true);
        assert (pipe.watch ({ "vala:balance" }));
        assert (pipe.get_watching ());
        var balance = int.parse (reply_text (pipe.execute_immediate ({ "GET", "vala:balance" })));
        pipe.append ({ "SET", "vala:balance", (balance - 10).to_string () });
        var replies = pipe.execute ();
        assert (replies.length == 1);
        assert (!pipe.get_watching ());
        assert (reply_text (client.execute ({ "GET", "vala:balance" })) == "90");

        // Another client changes the key in between: nothing runs.
        assert (pipe.watch ({ "vala:balance" }));
        client.execute ({ "SET", "vala:balance", "500" });
        pipe.append ({ "SET", "vala:balance", "0" });
        try {
            pipe.execute ();
            assert_not_reached ();
        } catch (DtRedis.Error.TRANSACTION_ABORTED e) {
        }
        assert (reply_text (client.execute ({ "GET", "vala:balance" })) == "500");
    } catch (GLib.Error e) {
        fail (e);
    }
}

/* A single-connection client keeps SELECT; a monitor reports commands
 * (timeout_ms and the cancellable have defaults: -1 and null). */
void test_kept_connections () {
    try {
        var single = redis.get_single_connection_client ();
        assert (single.single_connection);
        single.execute ({ "SELECT", "4" });
        assert (single.set ("vala:kept", "four"));
        assert (redis.get_redis_client ().get ("vala:kept") == null);

        var monitor = redis.get_monitor ();
        assert (monitor.start ());
        assert (monitor.next_command (0) == null);
        single.incr ("vala:kept-counter");
        var line = monitor.next_command (5000);
        assert (line != null && line.has_suffix ("\"INCR\" \"vala:kept-counter\""));
        assert (" [4 " in line);
        monitor.close ();
        assert (!monitor.active);

        single.close ();
        assert (single.get ("vala:kept") == null);
        single.close ();
    } catch (GLib.Error e) {
        fail (e);
    }
}

/* -- async ----------------------------------------------------------------- */

async void async_defaults () throws GLib.Error {
    var client = redis.get_async_redis_client ();
    assert ((yield client.ping_async ()) == "PONG");
    assert (yield redis.ping_async ());
    yield client.execute_async ({ "SET", "vala:async", "two" });
    var reply = yield client.execute_async ({ "GET", "vala:async" });
    assert (reply_text (reply) == "two");

    string[] keys = { "vala:async", "vala:absent" };
    assert ((yield client.exists_async (keys)) == 1);
    assert ((yield client.delete_async (keys)) == 1);

    // The async pair has the same defaults.
    assert (yield client.set_full_async ("vala:full-async", "w", -1, 50000));
    var pttl = yield client.pttl_async ("vala:full-async");
    assert (pttl > 40000 && pttl <= 50000);
    var missing = yield client.get_async ("vala:absent");
    assert (missing == null);
}

async void async_errors () throws GLib.Error {
    var client = redis.get_async_redis_client ();
    yield client.execute_async ({ "SET", "vala:text", "not a number" });
    try {
        yield client.execute_async ({ "INCR", "vala:text" });
        assert_not_reached ();
    } catch (DtRedis.Error.SERVER e) {
        assert (e.message.has_prefix ("ERR"));
    }

    var cancellable = new Cancellable ();
    cancellable.cancel ();
    try {
        yield client.get_async ("vala:text", cancellable);
        assert_not_reached ();
    } catch (IOError.CANCELLED e) {
    }
}

async void async_pipeline () throws GLib.Error {
    var client = redis.get_async_redis_client ();
    var pipe = client.pipeline (true);
    pipe.append ({ "SET", "vala:counter", "1" })
        .append ({ "INCRBY", "vala:counter", "41" });
    var replies = yield pipe.execute_async ();
    assert (replies.length == 2);
    assert (replies[1].get_integer () == 42);
}

async void async_watch () throws GLib.Error {
    var client = redis.get_async_redis_client ();
    yield client.execute_async ({ "SET", "vala:stock", "5" });

    var pipe = client.pipeline (true);
    assert (yield pipe.watch_async ({ "vala:stock" }));
    var stock = yield pipe.execute_immediate_async ({ "GET", "vala:stock" });
    assert (reply_text (stock) == "5");
    // The binary-safe variant shares execute_immediate_finish.
    Bytes[] argv = { new Bytes ("EXISTS".data), new Bytes ("vala:stock".data) };
    DtRedis.Reply exists = yield pipe.execute_immediate_bytes_async (argv);
    assert (exists.get_integer () == 1);
    pipe.append ({ "DECR", "vala:stock" });
    var replies = yield pipe.execute_async ();
    assert (replies[0].get_integer () == 4);

    assert (yield pipe.watch_async ({ "vala:stock" }));
    yield client.execute_async ({ "SET", "vala:stock", "0" });
    pipe.append ({ "DECR", "vala:stock" });
    try {
        yield pipe.execute_async ();
        assert_not_reached ();
    } catch (DtRedis.Error.TRANSACTION_ABORTED e) {
    }
}

/* Resumes once @pubsub's connected property is false, or fails after 5 s. */
async void wait_disconnected (DtRedis.PubSub pubsub) {
    if (!pubsub.connected) {
        return;
    }
    var timed_out = false;
    var handler = pubsub.notify["connected"].connect (() => {
        if (!pubsub.connected) {
            Idle.add (wait_disconnected.callback);
        }
    });
    var timer = Timeout.add_seconds (5, () => {
        timed_out = true;
        Idle.add (wait_disconnected.callback);
        return Source.REMOVE;
    });
    yield;
    pubsub.disconnect (handler);
    if (!timed_out) {
        Source.remove (timer);
    }
    assert (!timed_out);
}

async void async_pubsub () throws GLib.Error {
    var client = redis.get_async_redis_client ();
    var pubsub = redis.get_pubsub ();
    string[] events = {};
    pubsub.message.connect ((message) => {
        var pattern = message.get_pattern ();
        events += "%s %s%s %s".printf (message.get_kind_name (), message.get_channel (),
                                       pattern != null ? " " + pattern : "", message.get_text ());
    });
    pubsub.subscribed.connect ((confirmation) => {
        events += "%s %s %lld".printf (confirmation.get_kind_name (), confirmation.get_channel (),
                                       confirmation.get_count ());
    });
    pubsub.unsubscribed.connect ((confirmation) => {
        events += "%s %s %lld".printf (confirmation.get_kind_name (), confirmation.get_channel (),
                                       confirmation.get_count ());
    });

    assert (!pubsub.connected);
    assert (yield pubsub.subscribe_async ({ "vala:news", "vala:sport" }));
    assert (yield pubsub.psubscribe_async ({ "vala:log.*" }));
    assert (yield pubsub.ssubscribe_async ({ "vala:shard{1}" }));
    assert (pubsub.connected);
    assert (strv_equal (pubsub.get_channels (), { "vala:news", "vala:sport" }));
    assert (strv_equal (pubsub.get_patterns (), { "vala:log.*" }));
    assert (strv_equal (pubsub.get_shard_channels (), { "vala:shard{1}" }));

    var reply = yield client.execute_async ({ "PUBLISH", "vala:news", "hello" });
    assert (reply.get_integer () == 1);
    reply = yield client.execute_async ({ "PUBLISH", "vala:log.disk", "full" });
    assert (reply.get_integer () == 1);
    reply = yield client.execute_async ({ "SPUBLISH", "vala:shard{1}", "s1" });
    assert (reply.get_integer () == 1);
    reply = yield client.execute_async ({ "PUBLISH", "vala:weather", "nobody" });
    assert (reply.get_integer () == 0);

    // The pong is answered after the messages sent before it.
    var pong = yield pubsub.ping_async ("vala");
    assert (pong.get_kind () == DtRedis.MessageKind.PONG);
    assert (pong.get_text () == "vala");
    assert (strv_equal (events, {
        "subscribe vala:news 1", "subscribe vala:sport 2", "psubscribe vala:log.* 3",
        "ssubscribe vala:shard{1} 1",
        "message vala:news hello", "pmessage vala:log.disk vala:log.* full",
        "smessage vala:shard{1} s1"
    }));
    assert (pubsub.get_queue_length () == 0);

    // No names: everything of that kind.
    events = {};
    assert (yield pubsub.unsubscribe_async ({ "vala:sport" }));
    assert (pubsub.connected);
    assert (yield pubsub.unsubscribe_async (null));
    assert (yield pubsub.punsubscribe_async (null));
    assert (yield pubsub.sunsubscribe_async (null));
    assert (strv_equal (events, {
        "unsubscribe vala:sport 2", "unsubscribe vala:news 1", "punsubscribe vala:log.* 0",
        "sunsubscribe vala:shard{1} 0"
    }));
    assert (pubsub.get_channels ().length == 0);
    yield wait_disconnected (pubsub);
}

/* With no handler connected, events wait in the pull queue. */
async void async_pubsub_queue () throws GLib.Error {
    var client = redis.get_async_redis_client ();
    var pubsub = redis.get_pubsub ();

    assert (pubsub.pop_message () == null);
    assert (yield pubsub.subscribe_async ({ "vala:queue" }));
    yield client.execute_async ({ "PUBLISH", "vala:queue", "first" });
    yield client.execute_async ({ "PUBLISH", "vala:queue", "second" });

    var confirmation = yield pubsub.next_message_async ();
    assert (confirmation.get_kind () == DtRedis.MessageKind.SUBSCRIBE);
    var first = yield pubsub.next_message_async ();
    assert (first.get_kind () == DtRedis.MessageKind.MESSAGE);
    assert (first.get_text () == "first");
    var second = pubsub.next_message (5000);
    assert (second != null && second.get_text () == "second");
    var bytes = second.get_bytes ();
    assert (bytes != null && text (bytes) == "second");
    assert (pubsub.pop_message () == null);
    pubsub.close ();
    assert (!pubsub.connected);
}

void test_async_defaults () {
    var res = run_async ((done) => async_defaults.begin (done));
    try {
        async_defaults.end (res);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_async_errors () {
    var res = run_async ((done) => async_errors.begin (done));
    try {
        async_errors.end (res);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_async_pipeline () {
    var res = run_async ((done) => async_pipeline.begin (done));
    try {
        async_pipeline.end (res);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_async_watch () {
    var res = run_async ((done) => async_watch.begin (done));
    try {
        async_watch.end (res);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_async_pubsub () {
    var res = run_async ((done) => async_pubsub.begin (done));
    try {
        async_pubsub.end (res);
    } catch (GLib.Error e) {
        fail (e);
    }
}

void test_async_pubsub_queue () {
    var res = run_async ((done) => async_pubsub_queue.begin (done));
    try {
        async_pubsub_queue.end (res);
    } catch (GLib.Error e) {
        fail (e);
    }
}

int main (string[] args) {
    Test.init (ref args);

    var url = Environment.get_variable ("REDIS_URL");
    if (url == null) {
        printerr ("REDIS_URL is not set: run through examples/run-example.py\n");
        return 1;
    }
    try {
        redis = new DtRedis.Instance (new DtRedis.Config.from_url (url));
    } catch (GLib.Error e) {
        printerr ("Bad REDIS_URL: %s\n", e.message);
        return 1;
    }

    Test.add_func ("/vala/sync/defaults", test_sync_defaults);
    Test.add_func ("/vala/sync/errors", test_sync_errors);
    Test.add_func ("/vala/config/nullable-properties", test_nullable_properties);
    Test.add_func ("/vala/config/sentinel", test_sentinel_config);
    Test.add_func ("/vala/config/cluster", test_cluster_config);
    Test.add_func ("/vala/sync/pipeline", test_sync_pipeline);
    Test.add_func ("/vala/sync/watch", test_sync_watch);
    Test.add_func ("/vala/sync/kept-connections", test_kept_connections);
    Test.add_func ("/vala/async/defaults", test_async_defaults);
    Test.add_func ("/vala/async/errors", test_async_errors);
    Test.add_func ("/vala/async/pipeline", test_async_pipeline);
    Test.add_func ("/vala/async/watch", test_async_watch);
    Test.add_func ("/vala/pubsub/signals", test_async_pubsub);
    Test.add_func ("/vala/pubsub/queue", test_async_pubsub_queue);
    return Test.run ();
}
