/* example5-sorted-sets.c: the seed's Example 5, a leaderboard
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

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
  g_autoptr(GPtrArray) top_3 = NULL;
  g_autoptr(GArray) scores = NULL;
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

  /* Leaderboard */
  for (gsize i = 0; i < G_N_ELEMENTS (initial_scores); i++)
    {
      dt_redis_client_zadd (client, "leaderboard", initial_scores[i].score,
                            initial_scores[i].player, NULL, &error);
      if (error != NULL)
        return fail (error);
    }

  /* Get top players, with their scores */
  top_3 = dt_redis_client_zrevrange_with_scores (client, "leaderboard", 0, 2,
                                                 &scores, NULL, &error);
  if (top_3 == NULL)
    return fail (error);
  g_print ("Top 3 players:\n");
  for (guint i = 0; i < top_3->len; i++)
    {
      GBytes *player = g_ptr_array_index (top_3, i);

      g_print ("  %.*s: %d points\n", (int) g_bytes_get_size (player),
               (const char *) g_bytes_get_data (player, NULL),
               (int) g_array_index (scores, double, i));
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

  /* Get score */
  if (!dt_redis_client_zscore (client, "leaderboard", "player1", &score, NULL, &error))
    {
      if (error != NULL)
        return fail (error);
      g_printerr ("player1 has no score\n");
      return 1;
    }
  g_print ("player1 score: %d\n", (int) score);

  return 0;
}
