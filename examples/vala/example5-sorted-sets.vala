/* example5-sorted-sets.vala: the seed's Example 5, a leaderboard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";

    try {
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        var client = redis_instance.get_redis_client ();

        // Leaderboard: one ZADD with every member and its score
        DtRedis.ScoredMember[] members = {
            new DtRedis.ScoredMember ("player1", 100),
            new DtRedis.ScoredMember ("player2", 250),
            new DtRedis.ScoredMember ("player3", 175),
            new DtRedis.ScoredMember ("player4", 300),
        };
        client.zadd ("leaderboard", members);

        // Get top players, with their scores
        var top_3 = client.zrevrange_withscores ("leaderboard", 0, 2);
        print ("Top 3 players:\n");
        foreach (var player in top_3) {
            print ("  %s: %d points\n", player.get_member (), (int) player.get_score ());
        }

        // Get rank; 0 is the top
        var rank = client.zrevrank ("leaderboard", "player2");
        print ("player2 rank: %s\n", (rank + 1).to_string ());

        // Increment score
        client.zincrby ("leaderboard", 50, "player1");

        // Get score: NAN when the member is not there
        var score = client.zscore ("leaderboard", "player1");
        if (score.is_nan ()) {
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
