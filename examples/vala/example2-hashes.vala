/* example2-hashes.vala: the seed's Example 2, a user profile in a hash
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Store user profile
        var profile = new HashTable<string, string> (str_hash, str_equal);
        profile["name"] = "Alice Smith";
        profile["email"] = "alice@example.com";
        profile["age"] = "30";
        profile["city"] = "New York";
        client.hset_mapping ("user:123", profile);

        // Get specific field
        print ("Name: %s\n", client.hget ("user:123", "name"));

        // Get all fields; a HashTable keeps no order.
        var user = client.hgetall ("user:123");
        user.foreach ((field, value) => {
            print ("%s: %s\n", field, value);
        });

        // Update field
        client.hset ("user:123", "age", "31");

        // Check if field exists
        var has_phone = client.hexists ("user:123", "phone");
        print ("Has phone: %s\n", has_phone.to_string ());
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
