/* basic-sync.vala: set a key and read it back with the blocking client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Values are binary-safe GLib.Bytes, not NUL-terminated strings. */
string text (Bytes bytes) {
    return ((string) bytes.get_data ()).substring (0, (long) bytes.get_size ());
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var config = new DtRedis.Config.from_url (url);
        // No connection yet: the pool opens one on first use.
        var redis_instance = new DtRedis.Instance (config);
        var client = redis_instance.get_redis_client ();

        client.set ("user:1:name", new Bytes ("John Doe".data));
        var name = client.get ("user:1:name");
        // A missing key is null, not an error.
        print ("%s\n", name != null ? text (name) : "(no such key)");
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
