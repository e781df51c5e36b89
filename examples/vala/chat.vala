/* chat.vala: a chat room on pub/sub, one DtRedis.PubSub per user
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Alice and Bob subscribe to the channel `room:lobby`; Carol psubscribes
 * to the pattern `room:*` and so hears every room.  They post with
 * PUBLISH through an async client, whose reply says how many subscribers
 * got the message: the program waits for that many message signals before
 * printing who received what, so the output does not depend on which
 * subscriber the server serves first.  At the end each user unsubscribes
 * from everything, which closes their connection: the connected property
 * turns false (notify["connected"]).
 */

class User : Object {
    public string name { get; construct; }
    public string room { get; construct; }
    public bool is_pattern { get; construct; }
    public DtRedis.PubSub pubsub { get; construct; }
    /* What the current post brought this user. */
    public string? received = null;

    public signal void delivered ();

    public User (DtRedis.Instance redis_instance, string name, string room, bool is_pattern = false) {
        Object (name: name, room: room, is_pattern: is_pattern, pubsub: redis_instance.get_pubsub ());
    }

    construct {
        pubsub.message.connect ((message) => {
            // A pattern subscriber also learns which pattern matched.
            var pattern = message.get_pattern ();
            if (received != null) {
                critical ("%s got the same post twice", name);
            }
            received = "[%s%s] %s".printf (message.get_channel (),
                                           pattern != null ? " via " + pattern : "",
                                           message.get_text ());
            delivered ();
        });
        pubsub.subscribed.connect (confirmed);
        pubsub.unsubscribed.connect (confirmed);
        pubsub.notify["connected"].connect (() => {
            print ("%s connected: %s\n", name, pubsub.connected.to_string ());
        });
    }

    void confirmed (DtRedis.Message confirmation) {
        print ("%s %s %s\n", name, confirmation.get_kind_name (), confirmation.get_channel ());
    }

    public async void join () throws GLib.Error {
        if (is_pattern) {
            yield pubsub.psubscribe_async ({ room });
        } else {
            yield pubsub.subscribe_async ({ room });
        }
    }

    /* No names: unsubscribe from everything.  Subscribed to nothing, the
     * connection is closed: done when connected turns false. */
    public async void leave () throws GLib.Error {
        var closed = false;
        var waiting = false;
        var handler = pubsub.notify["connected"].connect (() => {
            closed = !pubsub.connected;
            if (closed && waiting) {
                Idle.add (leave.callback);
            }
        });
        if (is_pattern) {
            yield pubsub.punsubscribe_async (null);
        } else {
            yield pubsub.unsubscribe_async (null);
        }
        if (!closed) {
            waiting = true;
            yield;
        }
        pubsub.disconnect (handler);
    }
}

class Chat : Object {
    DtRedis.AsyncClient client;
    User alice;
    User bob;
    User carol;
    User[] users;
    int64 expected;
    SourceFunc? resume = null;

    public Chat (DtRedis.Instance redis_instance) {
        client = redis_instance.get_async_redis_client ();
        alice = new User (redis_instance, "alice", "room:lobby");
        bob = new User (redis_instance, "bob", "room:lobby");
        carol = new User (redis_instance, "carol", "room:*", true);
        users = { alice, bob, carol };
        foreach (var user in users) {
            user.delivered.connect (on_delivered);
        }
    }

    int n_received () {
        var n = 0;
        foreach (var user in users) {
            n += user.received != null ? 1 : 0;
        }
        return n;
    }

    void on_delivered () {
        if (resume != null && n_received () == expected) {
            Idle.add ((owned) resume);
        }
    }

    async void post (User user, string channel, string text) throws GLib.Error {
        print ("%s posts to %s: %s\n", user.name, channel, text);
        expected = -1;
        var reply = yield client.execute_async ({ "PUBLISH", channel, @"$(user.name): $text" });
        // The messages may have come in before this answer.
        expected = reply.get_integer ();
        if (n_received () != expected) {
            resume = post.callback;
            yield;
        }

        // Every subscriber has the post: print in a fixed order.
        print ("  (delivered to %" + int64.FORMAT + ")\n", expected);
        foreach (var u in users) {
            if (u.received != null) {
                print ("  %s got %s\n", u.name, u.received);
                u.received = null;
            }
        }
    }

    public async void run () throws GLib.Error {
        foreach (var user in users) {
            yield user.join ();
        }
        yield post (alice, "room:lobby", "Hello, everyone!");
        yield post (bob, "room:lobby", "Hi Alice!");
        yield post (carol, "room:games", "Anyone up for chess?");
        yield bob.leave ();
        yield post (alice, "room:lobby", "Bob has left.");
        yield alice.leave ();
        yield carol.leave ();
    }
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
    var chat = new Chat (redis_instance);
    chat.run.begin ((obj, res) => {
        try {
            chat.run.end (res);
        } catch (GLib.Error e) {
            printerr ("Redis error: %s\n", e.message);
            status = 1;
        }
        loop.quit ();
    });

    // A safeguard: a lost message must not leave the program hanging.
    Timeout.add_seconds (10, () => {
        printerr ("Timed out\n");
        status = 1;
        loop.quit ();
        return Source.REMOVE;
    });
    loop.run ();

    return status;
}
