/* example2-hashes.c: the seed's Example 2, a user profile in a hash
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
  g_autoptr(GHashTable) profile = NULL;
  g_autoptr(GHashTable) user = NULL;
  g_autofree char *name = NULL;
  GHashTableIter iter;
  gpointer field, value;
  gboolean has_phone;
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

  /* Store user profile: field names and values are strings. */
  profile = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (profile, g_strdup ("name"), g_strdup ("Alice Smith"));
  g_hash_table_insert (profile, g_strdup ("email"), g_strdup ("alice@example.com"));
  g_hash_table_insert (profile, g_strdup ("age"), g_strdup ("30"));
  g_hash_table_insert (profile, g_strdup ("city"), g_strdup ("New York"));
  dt_redis_client_hset_mapping (client, "user:123", profile, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Get specific field */
  name = dt_redis_client_hget (client, "user:123", "name", NULL, &error);
  if (name == NULL)
    return fail (error);
  g_print ("Name: %s\n", name);

  /* Get all fields; a GHashTable keeps no order. */
  user = dt_redis_client_hgetall (client, "user:123", NULL, &error);
  if (user == NULL)
    return fail (error);
  g_hash_table_iter_init (&iter, user);
  while (g_hash_table_iter_next (&iter, &field, &value))
    g_print ("%s: %s\n", (const char *) field, (const char *) value);

  /* Update field */
  dt_redis_client_hset (client, "user:123", "age", "31", NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Check if field exists */
  has_phone = dt_redis_client_hexists (client, "user:123", "phone", NULL, &error);
  if (error != NULL)
    return fail (error);
  g_print ("Has phone: %s\n", has_phone ? "true" : "false");

  return 0;
}
