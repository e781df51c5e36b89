/* multiple-operations.c: strings, hashes, lists and sets on one client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <dtredis.h>

static int
fail (const GError *error)
{
  g_printerr ("Redis error: %s\n", error->message);
  return 1;
}

static GBytes *
bytes_from_string (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static int
compare_bytes (gconstpointer a,
               gconstpointer b)
{
  return g_bytes_compare (*(GBytes * const *) a, *(GBytes * const *) b);
}

static void
print_list (const char *label,
            GPtrArray  *items)
{
  g_print ("%s:", label);
  for (guint i = 0; i < items->len; i++)
    {
      GBytes *item = g_ptr_array_index (items, i);

      g_print ("%s %.*s", i == 0 ? "" : ",", (int) g_bytes_get_size (item),
               (const char *) g_bytes_get_data (item, NULL));
    }
  g_print ("\n");
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GBytes) zero = bytes_from_string ("0");
  g_autoptr(GBytes) john = bytes_from_string ("John");
  g_autoptr(GBytes) email = bytes_from_string ("john@example.com");
  g_autoptr(GBytes) counter = NULL;
  g_autoptr(GHashTable) user = NULL;
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GPtrArray) tags = NULL;
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
  if (!dt_redis_client_set (client, "counter", zero, NULL, &error))
    return fail (error);
  dt_redis_client_incr (client, "counter", NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_incrby (client, "counter", 5, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Hash operations */
  dt_redis_client_hset (client, "user:1", "name", john, NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_hset (client, "user:1", "email", email, NULL, &error);
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

  g_print ("counter: %.*s\n", (int) g_bytes_get_size (counter),
           (const char *) g_bytes_get_data (counter, NULL));

  /* A hash has no order. */
  g_print ("user:1:\n");
  g_hash_table_iter_init (&iter, user);
  while (g_hash_table_iter_next (&iter, &field, &value))
    g_print ("  %.*s: %.*s\n",
             (int) g_bytes_get_size (field), (const char *) g_bytes_get_data (field, NULL),
             (int) g_bytes_get_size (value), (const char *) g_bytes_get_data (value, NULL));

  /* LPUSH puts each value at the head: the list reads backwards. */
  print_list ("tasks", tasks);

  /* A set has no order either: sort it to print it the same every time. */
  g_ptr_array_sort (tags, compare_bytes);
  print_list ("tags", tags);

  return 0;
}
