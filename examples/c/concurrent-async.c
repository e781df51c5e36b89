/* concurrent-async.c: several async operations in flight at once
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The seed's fetch_user_data() under asyncio.gather(): here an async
 * function of our own, fetch_user_data_async()/_finish(), built on GTask
 * the way GIO's are.  Each fetch sends its two GETs at once, and the three
 * fetches run at the same time on the instance's async pool.
 */

#include <dtredis.h>

/* -- fetch_user_data_async: a user's name and email ------------------------ */

typedef struct
{
  gint64  user_id;
  char   *name;   /* NULL when the key does not exist */
  char   *email;
} User;

static void
user_free (User *user)
{
  g_free (user->name);
  g_free (user->email);
  g_free (user);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (User, user_free)

typedef struct
{
  User   *user;
  guint   pending;
  GError *error;   /* the first error, if any */
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_pointer (&data->user, user_free);
  g_clear_error (&data->error);
  g_free (data);
}

static void
fetch_field_done (GTask   *task,
                  char    *value,
                  GError  *error,
                  char   **field)
{
  FetchData *data = g_task_get_task_data (task);

  if (error != NULL && data->error == NULL)
    data->error = g_error_copy (error);
  *field = value;

  if (--data->pending > 0)
    return;

  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_pointer (task, g_steal_pointer (&data->user), (GDestroyNotify) user_free);
}

static void
got_name (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *name;

  name = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  fetch_field_done (task, name, error, &data->user->name);
}

static void
got_email (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *email;

  email = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  fetch_field_done (task, email, error, &data->user->email);
}

static void
fetch_user_data_async (DtRedisInstance     *redis_instance,
                       gint64               user_id,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (redis_instance);
  g_autoptr(GTask) task = NULL;
  g_autofree char *name_key = g_strdup_printf ("user:%" G_GINT64_FORMAT ":name", user_id);
  g_autofree char *email_key = g_strdup_printf ("user:%" G_GINT64_FORMAT ":email", user_id);
  FetchData *data;

  task = g_task_new (redis_instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, fetch_user_data_async);

  data = g_new0 (FetchData, 1);
  data->user = g_new0 (User, 1);
  data->user->user_id = user_id;
  data->pending = 2;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  /* Both GETs go out now; each callback holds a ref on the task. */
  dt_redis_async_client_get_async (client, name_key, cancellable, got_name,
                                   g_object_ref (task));
  dt_redis_async_client_get_async (client, email_key, cancellable, got_email,
                                   g_object_ref (task));
}

static User *
fetch_user_data_finish (DtRedisInstance  *redis_instance,
                        GAsyncResult     *result,
                        GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, redis_instance), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- main ----------------------------------------------------------------- */

#define N_USERS 3

typedef struct
{
  GMainLoop *loop;
  User      *users[N_USERS];
  char      *values[3];
  guint      pending;
  int        exit_status;
} App;

static void
append_json_value (GString    *json,
                   const char *value)
{
  if (value == NULL)
    {
      g_string_append (json, "null");
      return;
    }

  g_string_append_c (json, '"');
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (json, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (json, "\\u%04x", (guint) *p);
      else
        g_string_append_c (json, *p);
    }
  g_string_append_c (json, '"');
}

static void
one_done (App *app)
{
  if (--app->pending == 0)
    g_main_loop_quit (app->loop);
}

static void
user_fetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(User) user = NULL;

  user = fetch_user_data_finish (DT_REDIS_INSTANCE (source), result, &error);
  if (user == NULL)
    {
      g_printerr ("Redis error: %s\n", error->message);
      app->exit_status = 1;
    }
  else
    {
      /* They finish in any order: keep each in its place. */
      app->users[user->user_id - 1] = g_steal_pointer (&user);
    }
  one_done (app);
}

typedef struct
{
  App   *app;
  guint  index;
} GetRequest;

static void
got_value (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autofree GetRequest *request = user_data;
  g_autoptr(GError) error = NULL;

  request->app->values[request->index] =
    dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error != NULL)
    {
      g_printerr ("Redis error: %s\n", error->message);
      request->app->exit_status = 1;
    }
  one_done (request->app);
}

static gboolean
add_sample_users (DtRedisInstance  *redis_instance,
                  GError          **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis_instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;

  dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", "user:1:name", "John Doe", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", "user:1:email", "john@example.com", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", "user:2:name", "Jane Doe", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", "user:2:email", "jane@example.com", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "MSET", "key1", "value1", "key2", "value2", "key3", "value3", NULL });
  replies = dt_redis_pipeline_execute (pipe, NULL, error);

  return replies != NULL;
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

  /* Users 1 and 2 exist; user 3 does not. */
  if (!add_sample_users (redis_instance, &error))
    {
      g_printerr ("Redis error: %s\n", error->message);
      return 1;
    }

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;

  /* Fetch multiple users concurrently */
  app.pending = N_USERS;
  for (gint64 user_id = 1; user_id <= N_USERS; user_id++)
    fetch_user_data_async (redis_instance, user_id, NULL, user_fetched, &app);
  g_main_loop_run (loop);
  if (app.exit_status != 0)
    return app.exit_status;

  for (guint i = 0; i < N_USERS; i++)
    {
      g_autoptr(GString) json = g_string_new (NULL);

      g_string_append_printf (json, "{\"user_id\":%" G_GINT64_FORMAT ",\"name\":",
                              app.users[i]->user_id);
      append_json_value (json, app.users[i]->name);
      g_string_append (json, ",\"email\":");
      append_json_value (json, app.users[i]->email);
      g_string_append_c (json, '}');
      g_print ("%s\n", json->str);
      user_free (app.users[i]);
    }

  /* Several commands in flight on one client: they share the pool's
   * connections and come back in any order. */
  client = dt_redis_instance_get_async_redis_client (redis_instance);
  app.pending = 3;
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *key = g_strdup_printf ("key%u", i + 1);
      GetRequest *request = g_new0 (GetRequest, 1);

      request->app = &app;
      request->index = i;
      dt_redis_async_client_get_async (client, key, NULL, got_value, request);
    }
  g_main_loop_run (loop);
  if (app.exit_status != 0)
    return app.exit_status;

  g_print ("key1, key2, key3:");
  for (guint i = 0; i < 3; i++)
    {
      g_print (" %s", app.values[i]);
      g_free (app.values[i]);
    }
  g_print ("\n");

  return 0;
}
