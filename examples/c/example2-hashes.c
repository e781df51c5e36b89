/* example2-hashes.c: the seed's Example 2, a user profile in a hash
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

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GHashTable) profile = NULL;
  g_autoptr(GHashTable) user = NULL;
  g_autoptr(GBytes) name = NULL;
  g_autoptr(GBytes) age = bytes_from_string ("31");
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

  /* Store user profile: field names are strings, values GBytes. */
  profile = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_bytes_unref);
  g_hash_table_insert (profile, g_strdup ("name"), bytes_from_string ("Alice Smith"));
  g_hash_table_insert (profile, g_strdup ("email"), bytes_from_string ("alice@example.com"));
  g_hash_table_insert (profile, g_strdup ("age"), bytes_from_string ("30"));
  g_hash_table_insert (profile, g_strdup ("city"), bytes_from_string ("New York"));
  dt_redis_client_hset_mapping (client, "user:123", profile, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Get specific field */
  name = dt_redis_client_hget (client, "user:123", "name", NULL, &error);
  if (name == NULL)
    return fail (error);
  g_print ("Name: %.*s\n", (int) g_bytes_get_size (name),
           (const char *) g_bytes_get_data (name, NULL));

  /* Get all fields; a GHashTable keeps no order. */
  user = dt_redis_client_hgetall (client, "user:123", NULL, &error);
  if (user == NULL)
    return fail (error);
  g_hash_table_iter_init (&iter, user);
  while (g_hash_table_iter_next (&iter, &field, &value))
    g_print ("%.*s: %.*s\n",
             (int) g_bytes_get_size (field), (const char *) g_bytes_get_data (field, NULL),
             (int) g_bytes_get_size (value), (const char *) g_bytes_get_data (value, NULL));

  /* Update field */
  dt_redis_client_hset (client, "user:123", "age", age, NULL, &error);
  if (error != NULL)
    return fail (error);

  /* Check if field exists */
  has_phone = dt_redis_client_hexists (client, "user:123", "phone", NULL, &error);
  if (error != NULL)
    return fail (error);
  g_print ("Has phone: %s\n", has_phone ? "true" : "false");

  return 0;
}
