/* pipeline.vala: many commands in one round trip, and a MULTI/EXEC transaction
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Nothing is sent until execute().
        var pipe = client.pipeline (false);
        for (var i = 0; i < 100; i++) {
            pipe.append ({ "SET", @"key:$i", @"value:$i" });
        }
        var replies = pipe.execute ();

        // One reply per command; a refused command is an ERROR reply.
        var n_ok = 0;
        foreach (var reply in replies) {
            if (reply.get_reply_type () == DtRedis.ReplyType.STATUS) {
                n_ok++;
            }
        }
        print ("%u replies, %d OK\n", replies.length, n_ok);
        print ("100 keys set efficiently\n");

        print ("key:42 = %s\n", client.get ("key:42"));
        print ("Keys in the database: %" + int64.FORMAT + "\n", client.dbsize ());

        // With true the batch runs as MULTI ... EXEC: all or nothing.
        var transaction = client.pipeline (true);
        transaction.append ({ "INCR", "hits" })
                   .append ({ "INCRBY", "hits", "10" });
        var counts = transaction.execute ();
        print ("Transaction replies: %" + int64.FORMAT + ", %" + int64.FORMAT + "\n",
               counts[0].get_integer (), counts[1].get_integer ());
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
