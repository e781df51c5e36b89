/* example3-lists.vala: the seed's Example 3, lists as a queue and a stack
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Task queue (FIFO): push at the head, pop at the tail.
        client.lpush ("tasks", { "task1", "task2", "task3" });

        // Process tasks
        while (client.llen ("tasks") > 0) {
            var task = client.rpop ("tasks");
            print ("Processing: %s\n", task);
        }

        // Stack (LIFO)
        client.rpush ("history", { "page1", "page2", "page3" });
        var last_page = client.rpop ("history");
        print ("Last visited: %s\n", last_page);

        // Get range
        client.rpush ("logs", { "log1", "log2", "log3" });
        var recent_logs = client.lrange ("logs", 0, 2);
        foreach (var entry in recent_logs) {
            print ("%s\n", entry);
        }
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
