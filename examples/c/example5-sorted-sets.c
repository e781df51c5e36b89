/* example5-sorted-sets.c: the seed's Example 5, a leaderboard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>
#include <dtredis.h>

static int
fail (const GError *error)
{
  g_printerr ("Redis error: %s\n", error->message);
  return 1;
}

static const struct
{
  const char *player;
  double      score;
} initial_scores[] = {
  { "player1", 100 },
  { "player2", 250 },
  { "player3", 175 },
  { "player4", 300 },
};

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  DtRedisScoredMember *members[G_N_ELEMENTS (initial_scores)];
  g_autoptr(GPtrArray) top_3 = NULL;
  gint64 rank;
  double score;
  const char *url;

  url = g_getenv ("REDIS_URL");
  if (url == NULL)
    url = "redis://localhost:6379/0";

  config = dt_redis_config_new_from_url (url, &error);
  if (config == NULL)
    {
      g_printerr ("Bad REDIS_URL: %s\n", error->message);
      return 1;
    }
  redis_instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (redis_instance);

  /* Leaderboard: one ZADD with every member and its score */
  for (gsize i = 0; i < G_N_ELEMENTS (initial_scores); i++)
    members[i] = dt_redis_scored_member_new (initial_scores[i].player, initial_scores[i].score);
  dt_redis_client_zadd (client, "leaderboard",
                        members, G_N_ELEMENTS (members), NULL, &error);
  for (gsize i = 0; i < G_N_ELEMENTS (members); i++)
    dt_redis_scored_member_free (members[i]);
  if (error != NULL)
    return fail (error);

  /* Get top players, with their scores */
  top_3 = dt_redis_client_zrevrange_withscores (client, "leaderboard", 0, 2, NULL, &error);
  if (top_3 == NULL)
    return fail (error);
  g_print ("Top 3 players:\n");
  for (guint i = 0; i < top_3->len; i++)
    {
      DtRedisScoredMember *player = g_ptr_array_index (top_3, i);

      g_print ("  %s: %d points\n", dt_redis_scored_member_get_member (player),
               (int) dt_redis_scored_member_get_score (player));
    }

  /* Get rank; 0 is the top */
  rank = dt_redis_client_zrevrank (client, "leaderboard", "player2", NULL, &error);
  if (error != NULL)
    return fail (error);
  g_print ("player2 rank: %" G_GINT64_FORMAT "\n", rank + 1);

  /* Increment score */
  dt_redis_client_zincrby (client, "leaderboard", 50, "player1", NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Get score: NAN when the member is not there */
  score = dt_redis_client_zscore (client, "leaderboard", "player1", NULL, &error);
  if (error != NULL)
    return fail (error);
  if (isnan (score))
    {
      g_printerr ("player1 has no score\n");
      return 1;
    }
  g_print ("player1 score: %d\n", (int) score);

  return 0;
}
