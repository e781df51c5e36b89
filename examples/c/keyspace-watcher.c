/* keyspace-watcher.c: keyspace notifications through a DtRedisPubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Redis can publish an event each time a key changes: with
 * `notify-keyspace-events KEA`, a SET of `user:1` in database 0 publishes
 * "set" on the channel `__keyspace@0__:user:1`.  This program turns that
 * on, psubscribes to `__keyspace@0__:*`, changes a few keys with an async
 * pipeline and prints each notification as the ::message signal brings
 * it, in the order the server sent them.
 */

#include <dtredis.h>

/* What the changes below make the server publish, one event each. */
#define N_EVENTS 5

typedef struct
{
  GMainLoop          *loop;
  DtRedisAsyncClient *client;
  guint               n_events;
  int                 exit_status;
} App;

static void
fail (App        *app,
      const char *message)
{
  g_printerr ("%s\n", message);
  app->exit_status = 1;
  g_main_loop_quit (app->loop);
}

static void
on_message (DtRedisPubSub  *pubsub,
            DtRedisMessage *message,
            App            *app)
{
  /* The channel names the key; the payload is the event. */
  g_print ("%-28s %s\n", dt_redis_message_get_channel (message),
           dt_redis_message_get_text (message));

  if (++app->n_events == N_EVENTS)
    g_main_loop_quit (app->loop);
}

static void
changes_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = NULL;

  replies = dt_redis_pipeline_execute_finish (DT_REDIS_PIPELINE (source), result, &error);
  if (replies == NULL)
    fail (app, error->message);
}

static void
watching (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisPipeline) pipe = NULL;

  if (!dt_redis_pubsub_psubscribe_finish (DT_REDIS_PUBSUB (source), result, &error))
    {
      fail (app, error->message);
      return;
    }

  /* The subscription is confirmed: nothing published from now on is missed. */
  pipe = dt_redis_async_client_pipeline (app->client, FALSE);
  dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", "user:1", "Ann", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "EXPIRE", "user:1", "60", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "HSET", "profile:1", "city", "Paris", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "DEL", "user:1", "profile:1", NULL });
  dt_redis_pipeline_execute_async (pipe, NULL, changes_done, app);
}

static gboolean
timed_out (gpointer user_data)
{
  fail (user_data, "Timed out waiting for notifications");
  return G_SOURCE_REMOVE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(DtRedisAsyncClient) async_client = NULL;
  g_autoptr(DtRedisPubSub) pubsub = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *pattern = NULL;
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

  /* K: keyspace channels, E: keyevent channels, A: every kind of event. */
  client = dt_redis_instance_get_redis_client (redis_instance);
  reply = dt_redis_client_execute (client,
                                   (const char * const[]) { "CONFIG", "SET", "notify-keyspace-events", "KEA", NULL },
                                   NULL, &error);
  if (reply == NULL)
    {
      g_printerr ("CONFIG SET failed: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  async_client = dt_redis_instance_get_async_redis_client (redis_instance);
  app.loop = loop;
  app.client = async_client;

  /* The events of the database the client writes to. */
  pattern = g_strdup_printf ("__keyspace@%s__:*", dt_redis_config_get_redis_db (config));
  g_print ("Watching %s\n", pattern);

  pubsub = dt_redis_instance_get_pubsub (redis_instance);
  g_signal_connect (pubsub, "message", G_CALLBACK (on_message), &app);
  dt_redis_pubsub_psubscribe_async (pubsub, (const char * const[]) { pattern, NULL }, NULL,
                                    watching, &app);

  /* A safeguard: a lost event must not leave the program hanging. */
  g_timeout_add_seconds (10, timed_out, &app);
  g_main_loop_run (loop);

  /* Closes the subscribed connection. */
  dt_redis_pubsub_close (pubsub);

  return app.exit_status;
}
