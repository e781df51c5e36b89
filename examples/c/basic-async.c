/* basic-async.c: the async client on a GMainLoop, one callback per step
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's "Basic Async Usage": SET, then GET, without ever blocking the
 * main loop.  Each _async call takes a GAsyncReadyCallback that is called
 * in this thread's main context with the result, which the matching
 * _finish function turns into a value or a GError.
 */

#include <dtredis.h>

typedef struct
{
  GMainLoop          *loop;
  DtRedisAsyncClient *client;
  int                 exit_status;
} App;

static void
fail (App          *app,
      const GError *error)
{
  g_printerr ("Redis error: %s\n", error->message);
  app->exit_status = 1;
  g_main_loop_quit (app->loop);
}

static void
got_name (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  name = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error != NULL)
    {
      fail (app, error);
      return;
    }

  if (name != NULL)
    g_print ("%s\n", name);
  else
    g_print ("(no such key)\n");

  g_main_loop_quit (app->loop);
}

static void
name_set (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_redis_async_client_set_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error))
    {
      fail (app, error);
      return;
    }

  dt_redis_async_client_get_async (app->client, "user:1:name", NULL, got_name, app);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  App app = { 0, };
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
  client = dt_redis_instance_get_async_redis_client (redis_instance);
  loop = g_main_loop_new (NULL, FALSE);

  app.loop = loop;
  app.client = client;

  /* Nothing happens until the loop runs. */
  dt_redis_async_client_set_async (client, "user:1:name", "Jane Doe", NULL, name_set, &app);
  g_main_loop_run (loop);

  return app.exit_status;
}
