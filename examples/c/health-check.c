/* health-check.c: the seed's is_redis_connected(), blocking and async
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * dt_redis_instance_ping() is the health check: TRUE, or FALSE with the
 * reason in a GError.  A second instance points at a Unix socket where no
 * server listens, to show what a failed check looks like.
 */

#include <glib/gstdio.h>
#include <dtredis.h>

typedef struct
{
  GMainLoop *loop;
  gboolean   healthy;
  GError    *error;
} PingResult;

static void
pinged (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  PingResult *ping = user_data;

  ping->healthy = dt_redis_instance_ping_finish (DT_REDIS_INSTANCE (source), result,
                                                 &ping->error);
  g_main_loop_quit (ping->loop);
}

static void
check_health (DtRedisInstance *redis_instance,
              const char      *label)
{
  g_autoptr(GError) error = NULL;

  if (dt_redis_instance_ping (redis_instance, NULL, &error))
    g_print ("%s: Redis is healthy\n", label);
  else
    g_print ("%s: Redis health check failed: %s\n", label, error->message);
}

/* What a service's /health handler does: never block the main loop. */
static void
check_health_async (DtRedisInstance *redis_instance,
                    const char      *label)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  PingResult ping = { loop, FALSE, NULL };

  dt_redis_instance_ping_async (redis_instance, NULL, pinged, &ping);
  g_main_loop_run (loop);

  if (ping.healthy)
    g_print ("%s (async): Redis is healthy\n", label);
  else
    g_print ("%s (async): Redis health check failed: %s\n", label, ping.error->message);
  g_clear_error (&ping.error);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisConfig) dead_config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisInstance) dead_instance = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *dead_url = NULL;
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

  check_health (redis_instance, "server");
  check_health_async (redis_instance, "server");

  /* A socket path in a fresh directory: nothing can be listening there. */
  tmpdir = g_dir_make_tmp ("dtredis-health-XXXXXX", &error);
  if (tmpdir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  dead_url = g_strdup_printf ("unix://%s/redis.sock", tmpdir);
  dead_config = dt_redis_config_new_from_url (dead_url, &error);
  if (dead_config == NULL)
    {
      g_printerr ("Bad URL: %s\n", error->message);
      return 1;
    }
  dt_redis_config_set_redis_socket_timeout (dead_config, 2.0);
  dead_instance = dt_redis_instance_new (dead_config);

  check_health (dead_instance, "nothing");
  check_health_async (dead_instance, "nothing");

  g_rmdir (tmpdir);

  return 0;
}
