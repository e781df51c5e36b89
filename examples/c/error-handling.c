/* error-handling.c: errors in and around a client, and what gets cleaned up
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed raises ValueError inside `with get_redis() as client` and shows
 * that the connection is still cleaned up.  In C the error is a GError
 * propagated out of a function, and g_autoptr releases the client on every
 * return path.  Then: what errors from the server itself look like.
 */

#include <dtredis.h>

static gboolean
store_then_fail (DtRedisInstance  *redis_instance,
                 GError          **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis_instance);

  if (!dt_redis_client_set (client, "key", "value", NULL, error))
    return FALSE;

  /* Something unrelated to Redis goes wrong: the client is still released
   * when this function returns. */
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Something went wrong");
  return FALSE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *pong = NULL;
  const char *url;
  const char * const values[] = { "x", NULL };

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

  if (!store_then_fail (redis_instance, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED))
        {
          g_printerr ("Redis error: %s\n", error->message);
          return 1;
        }
      g_print ("Error handled, Redis connection cleaned up\n");
      g_clear_error (&error);
    }

  stats = dt_redis_instance_get_sync_pool_stats (redis_instance);
  g_print ("Connections in use: %u\n", stats->in_use);

  client = dt_redis_instance_get_redis_client (redis_instance);

  /* A missing key is not an error: NULL, and error stays unset. */
  missing = dt_redis_client_get (client, "no-such-key", NULL, &error);
  if (error != NULL)
    {
      g_printerr ("GET failed: %s\n", error->message);
      return 1;
    }
  g_print ("Missing key: %s\n", missing == NULL ? "NULL" : "found");

  /* Error replies become DT_REDIS_ERROR_SERVER, with the server's text. */
  dt_redis_client_incr (client, "key", NULL, &error);
  if (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER))
    g_print ("INCR failed: %s\n", error->message);
  else
    {
      g_printerr ("INCR should have failed\n");
      return 1;
    }
  g_clear_error (&error);

  dt_redis_client_lpush (client, "key", values, NULL, &error);
  if (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER))
    g_print ("LPUSH failed: %s\n", error->message);
  else
    {
      g_printerr ("LPUSH should have failed\n");
      return 1;
    }
  g_clear_error (&error);

  /* The connection is still good after an error reply. */
  pong = dt_redis_client_ping (client, NULL, &error);
  if (pong == NULL)
    {
      g_printerr ("PING failed: %s\n", error->message);
      return 1;
    }
  g_print ("Still connected after the errors\n");

  return 0;
}
