// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 5: Sorted Sets (a leaderboard).
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example5-sorted-sets.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Leaderboard
    const scores = {player1: 100, player2: 250, player3: 175, player4: 300};
    const members = Object.entries(scores).map(
        ([player, score]) => DtRedis.ScoredMember.new(player, score));
    client.zadd('leaderboard', members, null);

    // Get top players: DtRedis.ScoredMember, each a member and its score
    const top3 = client.zrevrange_withscores('leaderboard', 0, 2, null);
    print('Top 3 players:');
    for (const player of top3)
        print(`  ${player.get_member()}: ${Math.trunc(player.get_score())} points`);

    // Get rank
    const rank = client.zrevrank('leaderboard', 'player2', null);
    print(`player2 rank: ${rank + 1}`);

    // Increment score
    client.zincrby('leaderboard', 50, 'player1', null);

    // Get score: NaN for a missing member
    const score = client.zscore('leaderboard', 'player1', null);
    print(`player1 score: ${Math.trunc(score)}`);
} finally {
    client.close();
}
