/* example1-strings.vala: the seed's Example 1, string operations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Set and get
        client.set ("greeting", "Hello, Redis!");
        print ("%s\n", client.get ("greeting"));

        // Increment counter
        client.set ("visitors", "0");
        client.incr ("visitors");
        client.incrby ("visitors", 10);
        print ("Visitors: %s\n", client.get ("visitors"));

        // Expiration
        client.setex ("session:abc", 3600, "user_data");
        var ttl = client.ttl ("session:abc");
        print ("Session expires in %s seconds\n", ttl.to_string ());
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
