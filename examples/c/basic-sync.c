/* basic-sync.c: set a key and read it back with the blocking client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's "Basic Usage" of get_redis(): one DtRedisInstance for the
 * program, a DtRedisClient from it, g_autoptr doing what Python's `with`
 * does.
 */

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
    g_autofree char *name = NULL;

    /* -1 leaves out EX, PX, EXAT and PXAT; no NX or XX. */
    if (!dt_redis_client_set (client, "user:1:name", "John Doe", NULL, &error))
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

    /* Values are UTF-8 text; dt_redis_client_get_bytes() is for binary data. */
    g_print ("%s\n", name);
  }

  return 0;
}
