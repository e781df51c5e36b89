/* keyspace-watcher.vala: keyspace notifications through a DtRedis.PubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * With `notify-keyspace-events KEA`, a SET of `user:1` in database 0
 * publishes "set" on the channel `__keyspace@0__:user:1`.  This program
 * turns that on, psubscribes to `__keyspace@0__:*`, changes a few keys
 * with an async pipeline and prints each notification as the message
 * signal brings it, in the order the server sent them.
 */

/* What the changes below make the server publish, one event each. */
const int N_EVENTS = 5;

async void make_changes (DtRedis.Instance redis_instance, DtRedis.PubSub pubsub,
                         string pattern) throws GLib.Error {
    yield pubsub.psubscribe_async ({ pattern });

    // The subscription is confirmed: nothing published from now on is missed.
    var pipe = redis_instance.get_async_redis_client ().pipeline (false);
    pipe.append ({ "SET", "user:1", "Ann" })
        .append ({ "EXPIRE", "user:1", "60" })
        .append ({ "HSET", "profile:1", "city", "Paris" })
        .append ({ "DEL", "user:1", "profile:1" });
    yield pipe.execute_async ();
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";
    DtRedis.Config config;
    DtRedis.Instance redis_instance;

    try {
        config = new DtRedis.Config.from_url (url);
        redis_instance = new DtRedis.Instance (config);
        // K: keyspace channels, E: keyevent channels, A: every kind of event.
        redis_instance.get_redis_client ().execute ({ "CONFIG", "SET", "notify-keyspace-events", "KEA" });
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    // The events of the database the client writes to.
    var pattern = "__keyspace@%s__:*".printf (config.get_redis_db ());
    print ("Watching %s\n", pattern);

    var loop = new MainLoop ();
    var status = 0;
    var seen = 0;
    var pubsub = redis_instance.get_pubsub ();
    // The channel names the key; the payload is the event.
    pubsub.message.connect ((message) => {
        print ("%-28s %s\n", message.get_channel (), message.get_text ());
        if (++seen == N_EVENTS) {
            loop.quit ();
        }
    });

    make_changes.begin (redis_instance, pubsub, pattern, (obj, res) => {
        try {
            make_changes.end (res);
        } catch (GLib.Error e) {
            printerr ("Redis error: %s\n", e.message);
            status = 1;
            loop.quit ();
        }
    });

    // A safeguard: a lost event must not leave the program hanging.
    Timeout.add_seconds (10, () => {
        printerr ("Timed out waiting for notifications\n");
        status = 1;
        loop.quit ();
        return Source.REMOVE;
    });
    loop.run ();

    // Closes the subscribed connection.
    pubsub.close ();
    return status;
}
