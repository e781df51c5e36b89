/* example4-sets.vala: the seed's Example 4, membership, union, intersection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/* Sets have no order: sort them, so that the output is the same each run. */
string format_set (string[] members) {
    var sorted = new GenericArray<string> ();
    foreach (var member in members) {
        sorted.add (member);
    }
    sorted.sort (strcmp);
    var parts = new string[0];
    foreach (var member in sorted) {
        parts += "'%s'".printf (member);
    }
    return "[%s]".printf (string.joinv (", ", parts));
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Add members
        client.sadd ("languages:python", { "django", "flask", "fastapi" });
        client.sadd ("languages:javascript", { "react", "vue", "express" });

        // Check membership
        var has_django = client.sismember ("languages:python", "django");
        print ("Python has Django: %s\n", has_django.to_string ());

        // Get all members, in the server's order
        var python_frameworks = client.smembers ("languages:python");
        print ("Python frameworks:\n");
        foreach (var fw in python_frameworks) {
            print ("  - %s\n", fw);
        }

        // Set operations
        client.sadd ("set1", { "a", "b", "c" });
        client.sadd ("set2", { "b", "c", "d" });

        print ("Union: %s\n", format_set (client.sunion ({ "set1", "set2" })));
        print ("Intersection: %s\n", format_set (client.sinter ({ "set1", "set2" })));
        print ("Difference: %s\n", format_set (client.sdiff ({ "set1", "set2" })));
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
