/* multiple-operations.c: strings, hashes, lists and sets on one client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdlib.h>
#include <string.h>
#include <dtredis.h>

static int
fail (const GError *error)
{
  g_printerr ("Redis error: %s\n", error->message);
  return 1;
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static void
print_list (const char         *label,
            const char * const *items)
{
  g_print ("%s:", label);
  for (guint i = 0; items[i] != NULL; i++)
    g_print ("%s %s", i == 0 ? "" : ",", items[i]);
  g_print ("\n");
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autofree char *counter = NULL;
  g_autoptr(GHashTable) user = NULL;
  g_auto(GStrv) tasks = NULL;
  g_auto(GStrv) tags = NULL;
  const char * const task_names[] = { "task1", "task2", "task3", NULL };
  const char * const tag_names[] = { "python", "redis", "cache", NULL };
  GHashTableIter iter;
  gpointer field, value;
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

  /* String operations */
  if (!dt_redis_client_set (client, "counter", "0", NULL, &error))
    return fail (error);
  dt_redis_client_incr (client, "counter", NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_incrby (client, "counter", 5, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Hash operations */
  dt_redis_client_hset (client, "user:1", "name", "John", NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_hset (client, "user:1", "email", "john@example.com", NULL, &error);
  if (error != NULL)
    return fail (error);

  /* List operations */
  dt_redis_client_lpush (client, "tasks", task_names, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Set operations */
  dt_redis_client_sadd (client, "tags", tag_names, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Get data */
  counter = dt_redis_client_get (client, "counter", NULL, &error);
  if (counter == NULL)
    return fail (error);
  user = dt_redis_client_hgetall (client, "user:1", NULL, &error);
  if (user == NULL)
    return fail (error);
  tasks = dt_redis_client_lrange (client, "tasks", 0, -1, NULL, &error);
  if (tasks == NULL)
    return fail (error);
  tags = dt_redis_client_smembers (client, "tags", NULL, &error);
  if (tags == NULL)
    return fail (error);

  g_print ("counter: %s\n", counter);

  /* A hash has no order. */
  g_print ("user:1:\n");
  g_hash_table_iter_init (&iter, user);
  while (g_hash_table_iter_next (&iter, &field, &value))
    g_print ("  %s: %s\n", (const char *) field, (const char *) value);

  /* LPUSH puts each value at the head: the list reads backwards. */
  print_list ("tasks", (const char * const *) tasks);

  /* A set has no order either: sort it to print it the same every time. */
  qsort (tags, g_strv_length (tags), sizeof (char *), compare_strings);
  print_list ("tags", (const char * const *) tags);

  return 0;
}
