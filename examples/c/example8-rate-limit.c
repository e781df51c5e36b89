/* example8-rate-limit.c: the seed's Example 8, a fixed-window rate limiter
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>

typedef struct
{
  DtRedisInstance *redis;
} RateLimiter;

/* Checks whether a request is allowed under the rate limit. */
static gboolean
rate_limiter_is_allowed (RateLimiter  *self,
                         const char   *key,
                         gint64        max_requests,
                         gint64        window_seconds,
                         gboolean     *allowed,
                         GError      **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (self->redis);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *current = NULL;
  gint64 count;

  current = dt_redis_client_get (client, key, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (current == NULL)
    {
      /* First request in window */
      g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, FALSE);
      g_autofree char *window = g_strdup_printf ("%" G_GINT64_FORMAT, window_seconds);
      g_autoptr(GPtrArray) replies = NULL;

      dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", key, "1", NULL });
      dt_redis_pipeline_append (pipe, (const char * const[]) { "EXPIRE", key, window, NULL });
      replies = dt_redis_pipeline_execute (pipe, NULL, error);
      if (replies == NULL)
        return FALSE;
      *allowed = TRUE;
      return TRUE;
    }

  count = g_ascii_strtoll (current, NULL, 10);
  if (count < max_requests)
    {
      dt_redis_client_incr (client, key, NULL, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *allowed = TRUE;
      return TRUE;
    }

  *allowed = FALSE;
  return TRUE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  RateLimiter limiter;
  const char *ip_address = "192.168.1.1";
  g_autofree char *key = g_strdup_printf ("rate_limit:%s", ip_address);
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
  limiter.redis = redis_instance;

  /* Allow 10 requests per minute per IP: the 11th and 12th are refused. */
  for (int i = 1; i <= 12; i++)
    {
      gboolean allowed;

      if (!rate_limiter_is_allowed (&limiter, key, 10, 60, &allowed, &error))
        {
          g_printerr ("Redis error: %s\n", error->message);
          return 1;
        }

      if (allowed)
        g_print ("Request %d: Request allowed\n", i);
      else
        g_print ("Request %d: Rate limit exceeded\n", i);
    }

  client = dt_redis_instance_get_redis_client (redis_instance);
  ttl = dt_redis_client_ttl (client, key, NULL, &error);
  if (error != NULL)
    {
      g_printerr ("Redis error: %s\n", error->message);
      return 1;
    }
  g_print ("Window resets in %" G_GINT64_FORMAT " seconds\n", ttl);

  return 0;
}
