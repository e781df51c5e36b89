/* example1-strings.c: the seed's Example 1, string operations
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
  g_autofree char *greeting = NULL;
  g_autofree char *visitors = NULL;
  gint64 ttl;
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

  /* Set and get */
  if (!dt_redis_client_set (client, "greeting", "Hello, Redis!", NULL, &error))
    return fail (error);
  greeting = dt_redis_client_get (client, "greeting", NULL, &error);
  if (greeting == NULL)
    return fail (error);
  g_print ("%s\n", greeting);

  /* Increment counter */
  if (!dt_redis_client_set (client, "visitors", "0", NULL, &error))
    return fail (error);
  dt_redis_client_incr (client, "visitors", NULL, &error);
  if (error != NULL)
    return fail (error);
  dt_redis_client_incrby (client, "visitors", 10, NULL, &error);
  if (error != NULL)
    return fail (error);
  visitors = dt_redis_client_get (client, "visitors", NULL, &error);
  if (visitors == NULL)
    return fail (error);
  g_print ("Visitors: %s\n", visitors);

  /* Expiration */
  if (!dt_redis_client_setex (client, "session:abc", 3600, "user_data", NULL, &error))
    return fail (error);
  ttl = dt_redis_client_ttl (client, "session:abc", NULL, &error);
  if (error != NULL)
    return fail (error);
  g_print ("Session expires in %" G_GINT64_FORMAT " seconds\n", ttl);

  return 0;
}
