/* pipeline.c: many commands in one round trip, and a MULTI/EXEC transaction
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

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPipeline) pipe = NULL;
  g_autoptr(DtRedisPipeline) transaction = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GPtrArray) counts = NULL;
  g_autofree char *value = NULL;
  const char *url;
  guint n_ok = 0;
  gint64 n_keys;

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

  /* Nothing is sent until execute(). */
  pipe = dt_redis_client_pipeline (client, FALSE);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("key:%u", i);
      g_autofree char *val = g_strdup_printf ("value:%u", i);

      dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", key, val, NULL });
    }

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  if (replies == NULL)
    return fail (error);

  /* One reply per command; a refused command is an ERROR reply, not a GError. */
  for (guint i = 0; i < replies->len; i++)
    if (dt_redis_reply_get_reply_type (g_ptr_array_index (replies, i)) == DT_REDIS_REPLY_STATUS)
      n_ok++;
  g_print ("%u replies, %u OK\n", replies->len, n_ok);
  g_print ("100 keys set efficiently\n");

  value = dt_redis_client_get (client, "key:42", NULL, &error);
  if (value == NULL)
    return fail (error);
  g_print ("key:42 = %s\n", value);

  n_keys = dt_redis_client_dbsize (client, NULL, &error);
  if (error != NULL)
    return fail (error);
  g_print ("Keys in the database: %" G_GINT64_FORMAT "\n", n_keys);

  /* With TRUE the batch runs as MULTI ... EXEC: all or nothing. */
  transaction = dt_redis_client_pipeline (client, TRUE);
  dt_redis_pipeline_append (transaction, (const char * const[]) { "INCR", "hits", NULL });
  dt_redis_pipeline_append (transaction, (const char * const[]) { "INCRBY", "hits", "10", NULL });
  counts = dt_redis_pipeline_execute (transaction, NULL, &error);
  if (counts == NULL)
    return fail (error);
  g_print ("Transaction replies: %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "\n",
           dt_redis_reply_get_integer (g_ptr_array_index (counts, 0)),
           dt_redis_reply_get_integer (g_ptr_array_index (counts, 1)));

  return 0;
}
