/* basic-sync.c: set a key and read it back with the blocking client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's "Basic Usage" of get_redis(): one DtRedisInstance for the
 * program, a DtRedisClient from it, g_autoptr doing what Python's `with`
 * does.
 */

#include <string.h>
#include <dtredis.h>

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
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

  /* No connection yet: the pool opens one on first use. */
  redis_instance = dt_redis_instance_new (config);

  /* The client goes back when the block ends, like `with ... as client`. */
  {
    g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis_instance);
    g_autoptr(GBytes) value = g_bytes_new_static ("John Doe", strlen ("John Doe"));
    g_autoptr(GBytes) name = NULL;

    if (!dt_redis_client_set (client, "user:1:name", value, NULL, &error))
      {
        g_printerr ("SET failed: %s\n", error->message);
        return 1;
      }

    /* A missing key is NULL with no error. */
    name = dt_redis_client_get (client, "user:1:name", NULL, &error);
    if (name == NULL)
      {
        g_printerr ("GET failed: %s\n", error != NULL ? error->message : "no such key");
        return 1;
      }

    /* Values are binary-safe GBytes, not NUL-terminated strings. */
    g_print ("%.*s\n", (int) g_bytes_get_size (name),
             (const char *) g_bytes_get_data (name, NULL));
  }

  return 0;
}
