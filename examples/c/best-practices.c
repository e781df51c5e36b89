/* best-practices.c: the seed's best practices that are code
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *  1. let g_autoptr release clients (the seed's context managers)
 *  2. one DtRedisInstance per configuration, shared by the whole program
 *  3. separate databases for separate purposes
 *  4. handle connection errors
 *  5. pipelines for bulk operations
 *  6. async for I/O-bound work, sync for simple scripts
 *  7. health checks
 */

#include <glib/gstdio.h>
#include <dtredis.h>

static DtRedisConfig *
config_from_environment (GError **error)
{
  const char *url = g_getenv ("REDIS_URL");

  return dt_redis_config_new_from_url (url != NULL ? url : "redis://localhost:6379/0", error);
}

/* -- 1. Scoped clients ----------------------------------------------------- */

static gboolean
practice_scoped_clients (DtRedisInstance  *redis_instance,
                         GError          **error)
{
  g_autoptr(DtRedisPoolStats) stats = NULL;

  /* Good: released at the end of the block, on every path. */
  {
    g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis_instance);

    if (!dt_redis_client_set (client, "key", "value", NULL, error))
      return FALSE;
  }

  /* Works, but easy to forget: close() and unref by hand. */
  {
    DtRedisClient *client = dt_redis_instance_get_redis_client (redis_instance);
    gboolean ok = dt_redis_client_set (client, "key", "value", NULL, error);

    dt_redis_client_close (client);
    g_object_unref (client);
    if (!ok)
      return FALSE;
  }

  stats = dt_redis_instance_get_sync_pool_stats (redis_instance);
  g_print ("1. Clients released: %u connection(s) in use\n", stats->in_use);
  return TRUE;
}

/* -- 2. Reuse one DtRedisInstance ------------------------------------------- */

/* Good: one instance for the program, so one pool of connections. */
static DtRedisInstance *shared_redis_instance;

static gboolean
func1 (GError **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (shared_redis_instance);

  return dt_redis_client_set (client, "func1", "1", NULL, error);
}

static gboolean
func2 (GError **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (shared_redis_instance);

  return dt_redis_client_set (client, "func2", "2", NULL, error);
}

static gboolean
practice_reuse_instance (GError **error)
{
  g_autoptr(DtRedisPoolStats) stats = NULL;

  if (!func1 (error) || !func2 (error))
    return FALSE;

  stats = dt_redis_instance_get_sync_pool_stats (shared_redis_instance);
  g_print ("2. func1 and func2 shared %u pooled connection(s)\n", stats->total);
  return TRUE;
}

/* -- 3. Database numbers ---------------------------------------------------- */

static DtRedisInstance *
instance_for_db (const char  *db,
                 GError     **error)
{
  g_autoptr(DtRedisConfig) config = config_from_environment (error);

  if (config == NULL)
    return NULL;
  /* The URL would win over the db: keep what it parsed into, drop it. */
  dt_redis_config_set_redis_db (dt_redis_config_set_redis_url (config, NULL), db);

  return dt_redis_instance_new (config);
}

static gboolean
practice_databases (GError **error)
{
  const char *purposes[] = { "cache", "session", "queue" };
  const char *dbs[] = { "0", "1", "2" };
  DtRedisInstance *instances[3] = { NULL, };
  gboolean ok = FALSE;

  /* The same key in three databases: three different values. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(DtRedisClient) client = NULL;

      instances[i] = instance_for_db (dbs[i], error);
      if (instances[i] == NULL)
        goto out;
      client = dt_redis_instance_get_redis_client (instances[i]);
      if (!dt_redis_client_set (client, "purpose", purposes[i], NULL, error))
        goto out;
    }

  g_print ("3.");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instances[i]);
      g_autofree char *value = dt_redis_client_get (client, "purpose", NULL, error);

      if (value == NULL)
        goto out;
      g_print ("%s db %s holds %s", i == 0 ? "" : ",", dbs[i], value);
    }
  g_print ("\n");
  ok = TRUE;

out:
  for (guint i = 0; i < 3; i++)
    g_clear_object (&instances[i]);
  return ok;
}

/* -- 4. Connection errors --------------------------------------------------- */

static gboolean
practice_connection_errors (GError **error)
{
  g_autofree char *tmpdir = NULL;
  g_autofree char *url = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) unreachable = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) local_error = NULL;

  /* Nothing listens on a socket in a directory made just now. */
  tmpdir = g_dir_make_tmp ("dtredis-example-XXXXXX", error);
  if (tmpdir == NULL)
    return FALSE;
  url = g_strdup_printf ("unix://%s/redis.sock", tmpdir);
  config = dt_redis_config_new_from_url (url, error);
  if (config == NULL)
    return FALSE;
  dt_redis_config_set_redis_socket_timeout (config, 2.0);
  unreachable = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (unreachable);

  if (!dt_redis_client_set (client, "key", "value", NULL, &local_error))
    {
      if (g_error_matches (local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION) ||
          g_error_matches (local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT))
        {
          /* Fallback logic or retry would go here. */
          g_print ("4. Redis connection failed: %s\n", local_error->message);
        }
      else
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  else
    g_print ("4. Unexpectedly connected\n");

  g_rmdir (tmpdir);
  return TRUE;
}

/* -- 5. Pipelines for bulk operations ---------------------------------------- */

static gboolean
practice_pipelines (DtRedisInstance  *redis_instance,
                    GError          **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis_instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;

  /* Good: one round trip for 1000 commands.  Bad: 1000 round trips. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = g_strdup_printf ("key:%u", i);
      g_autofree char *value = g_strdup_printf ("value:%u", i);

      dt_redis_pipeline_append (pipe, (const char * const[]) { "SET", key, value, NULL });
    }
  replies = dt_redis_pipeline_execute (pipe, NULL, error);
  if (replies == NULL)
    return FALSE;

  g_print ("5. %u keys set with one pipeline\n", replies->len);
  return TRUE;
}

/* -- 6. Async for I/O-bound operations --------------------------------------- */

typedef struct
{
  GMainLoop  *loop;
  GHashTable *user;
  GError     *error;
} FetchResult;

static void
user_fetched (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  FetchResult *fetch = user_data;

  fetch->user = dt_redis_async_client_hgetall_finish (DT_REDIS_ASYNC_CLIENT (source),
                                                      result, &fetch->error);
  g_main_loop_quit (fetch->loop);
}

static gboolean
practice_async_and_sync (DtRedisInstance  *redis_instance,
                         GError          **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis_instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (redis_instance);
  g_autoptr(GHashTable) fields = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_auto(GStrv) keys = NULL;
  FetchResult fetch = { loop, NULL, NULL };
  GError *local_error = NULL;

  g_hash_table_insert (fields, (gpointer) "name", (gpointer) "John");
  g_hash_table_insert (fields, (gpointer) "email", (gpointer) "john@example.com");
  dt_redis_client_hset_mapping (client, "user:1", fields, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  /* Good for a service: the main loop keeps running while Redis answers. */
  dt_redis_async_client_hgetall_async (async_client, "user:1", NULL, user_fetched, &fetch);
  g_main_loop_run (loop);
  if (fetch.user == NULL)
    {
      g_propagate_error (error, fetch.error);
      return FALSE;
    }
  g_print ("6. async: user:1 has %u fields\n", g_hash_table_size (fetch.user));
  g_hash_table_unref (fetch.user);

  /* Good for a script: a backup of every key name, blocking. */
  keys = dt_redis_client_keys (client, "*", NULL, error);
  if (keys == NULL)
    return FALSE;
  g_print ("6. sync: backup of %u keys\n", g_strv_length (keys));

  return TRUE;
}

/* -- 7. Health checks --------------------------------------------------------- */

static void
practice_health_check (DtRedisInstance *redis_instance)
{
  g_autoptr(GError) error = NULL;

  if (!dt_redis_instance_ping (redis_instance, NULL, &error))
    g_print ("7. Redis health check failed: %s\n", error->message);
  else
    g_print ("7. Redis is healthy\n");
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;

  config = config_from_environment (&error);
  if (config == NULL)
    {
      g_printerr ("Bad REDIS_URL: %s\n", error->message);
      return 1;
    }
  shared_redis_instance = dt_redis_instance_new (config);

  if (!practice_scoped_clients (shared_redis_instance, &error) ||
      !practice_reuse_instance (&error) ||
      !practice_databases (&error) ||
      !practice_connection_errors (&error) ||
      !practice_pipelines (shared_redis_instance, &error) ||
      !practice_async_and_sync (shared_redis_instance, &error))
    {
      g_printerr ("Redis error: %s\n", error->message);
      g_clear_object (&shared_redis_instance);
      return 1;
    }
  practice_health_check (shared_redis_instance);

  g_clear_object (&shared_redis_instance);
  return 0;
}
