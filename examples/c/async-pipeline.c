/* async-pipeline.c: a pipeline executed on the async pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's bulk_insert(): queue 100 SETs, send them in one go with
 * dt_redis_pipeline_execute_async(), and wrap that in an async function
 * of our own.  At the end the async pool is reset, as an application does
 * when it shuts down.
 */

#include <dtredis.h>

/* -- bulk_insert_async: SET every key/value of a table ------------------- */

static void
pipeline_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GPtrArray) replies = NULL;
  GError *error = NULL;

  replies = dt_redis_pipeline_execute_finish (DT_REDIS_PIPELINE (source), result, &error);
  if (replies == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* A command the server refused is an ERROR reply in the array. */
  for (guint i = 0; i < replies->len; i++)
    {
      DtRedisReply *reply = g_ptr_array_index (replies, i);

      if (dt_redis_reply_is_error (reply))
        {
          g_task_return_new_error (task, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER,
                                   "%s", dt_redis_reply_get_string (reply, NULL));
          return;
        }
    }

  g_task_return_int (task, replies->len);
}

static void
bulk_insert_async (DtRedisInstance     *redis_instance,
                   GHashTable          *data,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (redis_instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_async_client_pipeline (client, FALSE);
  GTask *task;
  GHashTableIter iter;
  gpointer key, value;

  task = g_task_new (redis_instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, bulk_insert_async);

  g_hash_table_iter_init (&iter, data);
  while (g_hash_table_iter_next (&iter, &key, &value))
    dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", key, value, NULL });

  /* The pipeline keeps itself alive until its callback has run. */
  dt_redis_pipeline_execute_async (pipe, cancellable, pipeline_done, task);
}

static gssize
bulk_insert_finish (DtRedisInstance  *redis_instance,
                    GAsyncResult     *result,
                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, redis_instance), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* -- main ----------------------------------------------------------------- */

typedef struct
{
  GMainLoop          *loop;
  DtRedisInstance    *redis_instance;
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
pool_reset (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, &error))
    {
      fail (app, error);
      return;
    }
  g_print ("Async pool reset\n");
  g_main_loop_quit (app->loop);
}

static void
got_value (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (value == NULL)
    {
      if (error != NULL)
        fail (app, error);
      else
        {
          g_printerr ("key:99 is missing\n");
          app->exit_status = 1;
          g_main_loop_quit (app->loop);
        }
      return;
    }
  g_print ("key:99 = %s\n", value);

  dt_redis_instance_reset_async_pool_async (app->redis_instance, NULL, pool_reset, app);
}

static void
inserted (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  gssize n;

  n = bulk_insert_finish (DT_REDIS_INSTANCE (source), result, &error);
  if (n < 0)
    {
      fail (app, error);
      return;
    }
  g_print ("%" G_GSSIZE_FORMAT " keys inserted\n", n);

  dt_redis_async_client_get_async (app->client, "key:99", NULL, got_value, app);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GHashTable) data = NULL;
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
  app.redis_instance = redis_instance;
  app.client = client;

  data = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < 100; i++)
    g_hash_table_insert (data, g_strdup_printf ("key:%u", i), g_strdup_printf ("value:%u", i));

  bulk_insert_async (redis_instance, data, NULL, inserted, &app);
  g_main_loop_run (loop);

  return app.exit_status;
}
