/* error-handling.vala: errors in and around a client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed raises ValueError inside `with get_redis() as client`; in Vala
 * the client is released when its last reference goes, whatever is thrown.
 * Then: what errors from the server look like, as DtRedis.Error.SERVER.
 */

errordomain AppError {
    FAILED
}

void store_then_fail (DtRedis.Instance redis_instance) throws GLib.Error {
    var client = redis_instance.get_redis_client ();
    client.set ("key", "value");
    throw new AppError.FAILED ("Something went wrong");
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));

        try {
            store_then_fail (redis_instance);
        } catch (AppError e) {
            print ("Error handled, Redis connection cleaned up\n");
        }
        print ("Connections in use: %u\n", redis_instance.get_sync_pool_stats ().in_use);

        var client = redis_instance.get_redis_client ();

        var missing = client.get ("no-such-key");
        print ("Missing key: %s\n", missing == null ? "NULL" : "found");

        try {
            client.incr ("key");
            printerr ("INCR should have failed\n");
            return 1;
        } catch (DtRedis.Error.SERVER e) {
            print ("INCR failed: %s\n", e.message);
        }

        try {
            client.lpush ("key", { "x" });
            printerr ("LPUSH should have failed\n");
            return 1;
        } catch (DtRedis.Error.SERVER e) {
            print ("LPUSH failed: %s\n", e.message);
        }

        // The connection is still good after an error reply.
        client.ping ();
        print ("Still connected after the errors\n");
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
