/* example3-lists.c: the seed's Example 3, lists as a queue and a stack
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
  g_autofree char *last_page = NULL;
  g_auto(GStrv) recent_logs = NULL;
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

  /* Task queue (FIFO): push at the head, pop at the tail. */
  dt_redis_client_lpush (client, "tasks",
                         (const char * const[]) { "task1", "task2", "task3", NULL },
                         NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Process tasks */
  for (;;)
    {
      g_autofree char *task = NULL;
      gint64 len = dt_redis_client_llen (client, "tasks", NULL, &error);

      if (error != NULL)
        return fail (error);
      if (len == 0)
        break;

      task = dt_redis_client_rpop (client, "tasks", NULL, &error);
      if (task == NULL)
        return fail (error);
      g_print ("Processing: %s\n", task);
    }

  /* Stack (LIFO) */
  dt_redis_client_rpush (client, "history",
                         (const char * const[]) { "page1", "page2", "page3", NULL },
                         NULL, &error);
  if (error != NULL)
    return fail (error);
  last_page = dt_redis_client_rpop (client, "history", NULL, &error);
  if (last_page == NULL)
    return fail (error);
  g_print ("Last visited: %s\n", last_page);

  /* Get range */
  dt_redis_client_rpush (client, "logs",
                         (const char * const[]) { "log1", "log2", "log3", NULL },
                         NULL, &error);
  if (error != NULL)
    return fail (error);
  recent_logs = dt_redis_client_lrange (client, "logs", 0, 2, NULL, &error);
  if (recent_logs == NULL)
    return fail (error);
  for (guint i = 0; recent_logs[i] != NULL; i++)
    g_print ("%s\n", recent_logs[i]);

  return 0;
}
