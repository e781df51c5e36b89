/* example5-sorted-sets.vala: the seed's Example 5, a leaderboard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

string text (Bytes bytes) {
    return ((string) bytes.get_data ()).substring (0, (long) bytes.get_size ());
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Leaderboard
        client.zadd ("leaderboard", 100, "player1");
        client.zadd ("leaderboard", 250, "player2");
        client.zadd ("leaderboard", 175, "player3");
        client.zadd ("leaderboard", 300, "player4");

        // Get top players, with their scores
        Array<double> scores;
        var top_3 = client.zrevrange_with_scores ("leaderboard", 0, 2, out scores);
        print ("Top 3 players:\n");
        for (var i = 0; i < top_3.length; i++) {
            print ("  %s: %d points\n", text (top_3[i]), (int) scores.index (i));
        }

        // Get rank; 0 is the top
        var rank = client.zrevrank ("leaderboard", "player2");
        print ("player2 rank: %s\n", (rank + 1).to_string ());

        // Increment score
        client.zincrby ("leaderboard", 50, "player1");

        // Get score
        double score;
        if (!client.zscore ("leaderboard", "player1", out score)) {
            printerr ("player1 has no score\n");
            return 1;
        }
        print ("player1 score: %d\n", (int) score);
    } catch (GLib.Error e) {
        printerr ("Redis error: %s\n", e.message);
        return 1;
    }

    return 0;
}
