// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 5: Sorted Sets (a leaderboard).
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example5-sorted-sets.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const decoder = new TextDecoder();
const text = value => value === null ? null : decoder.decode(value.toArray());

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Leaderboard
    const scores = {player1: 100, player2: 250, player3: 175, player4: 300};
    for (const [player, score] of Object.entries(scores))
        client.zadd('leaderboard', score, player, null);

    // Get top players: the members, and their scores alongside
    const [top3, top3Scores] = client.zrevrange_with_scores('leaderboard', 0, 2, null);
    print('Top 3 players:');
    top3.forEach((player, i) => print(`  ${text(player)}: ${Math.trunc(top3Scores[i])} points`));

    // Get rank
    const rank = client.zrevrank('leaderboard', 'player2', null);
    print(`player2 rank: ${rank + 1}`);

    // Increment score
    client.zincrby('leaderboard', 50, 'player1', null);

    // Get score: [found, score]
    const [, score] = client.zscore('leaderboard', 'player1', null);
    print(`player1 score: ${Math.trunc(score)}`);
} finally {
    client.close();
}
