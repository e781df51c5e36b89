/* basic-sync.vala: set a key and read it back with the blocking client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var config = new DtRedis.Config.from_url (url);
        // No connection yet: the pool opens one on first use.
        var redis_instance = new DtRedis.Instance (config);
        var client = redis_instance.get_redis_client ();

        // -1 leaves out EX, PX, EXAT and PXAT; no NX or XX.
        client.set ("user:1:name", "John Doe");
        // Values are UTF-8 text; get_bytes () is for binary data.
        string? name = client.get ("user:1:name");
        // A missing key is null, not an error.
        print ("%s\n", name ?? "(no such key)");
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
