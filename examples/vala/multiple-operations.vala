/* multiple-operations.vala: strings, hashes, lists and sets on one client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

string join (string[] items) {
    return string.joinv (", ", items);
}

string[] sorted (string[] items) {
    var list = new GenericArray<string> ();
    foreach (var item in items) {
        list.add (item);
    }
    list.sort (strcmp);
    var result = new string[0];
    foreach (var item in list) {
        result += item;
    }
    return result;
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // String operations
        client.set ("counter", "0");
        client.incr ("counter");
        client.incrby ("counter", 5);

        // Hash operations
        client.hset ("user:1", "name", "John");
        client.hset ("user:1", "email", "john@example.com");

        // List operations
        client.lpush ("tasks", { "task1", "task2", "task3" });

        // Set operations
        client.sadd ("tags", { "python", "redis", "cache" });

        // Get data
        var counter = client.get ("counter");
        var user = client.hgetall ("user:1");
        var tasks = client.lrange ("tasks", 0, -1);
        var tags = client.smembers ("tags");

        print ("counter: %s\n", counter);
        // A hash has no order.
        print ("user:1:\n");
        user.foreach ((field, value) => {
            print ("  %s: %s\n", field, value);
        });
        // LPUSH puts each value at the head: the list reads backwards.
        print ("tasks: %s\n", join (tasks));
        // A set has no order either: sort it to print it the same every time.
        print ("tags: %s\n", join (sorted (tags)));
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
