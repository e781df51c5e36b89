/* dtredis-async-client.c: _async/_finish command facade over the async pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-async-result-private.h"
#include "dtredis-client-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-commands-private.h"
#include "dtredis-error.h"
#include "dtredis-value-private.h"

/**
 * DtRedisAsyncClient:
 *
 * An asynchronous Redis client over the async pool of a
 * [class@DtRedis.Instance].
 *
 * Get one with [method@DtRedis.Instance.get_async_redis_client]. Every
 * command is a pair of functions in the GIO style: `foo_async()` sends it
 * and returns at once, and `foo_finish()`, called from the callback, gives
 * the result. Nothing ever blocks the calling thread: connecting, the TLS
 * handshake and authentication happen in the background.
 *
 * The client holds no connection of its own. Commands from every async
 * client of an instance share the connections of its pool, which runs on
 * the thread-default [struct@GLib.MainContext] of the thread that sent the
 * instance's first asynchronous command: that context must be running for
 * any command to make progress. Commands are pipelined: those sent during
 * one main loop iteration leave together, and many may be in flight on one
 * connection. Blocking commands (`BLPOP`...), transactions and commands
 * that change the connection's state (`SELECT`, `SUBSCRIBE`...) get a
 * connection of their own for their duration, so they never hold up the
 * others.
 *
 * Commands may be sent from any thread. The callback runs in the
 * thread-default main context of the thread that sent the command, as
 * [class@Gio.Task] does it.
 *
 * Its typed methods are those of [class@DtRedis.Client] as `_async` and
 * `_finish` pairs, generated from the same command table: text first,
 * with binary-safe `_bytes` twins. A missing key is never an error.
 *
 * Every command can fail with an error of the [error@DtRedis.Error]
 * domain: %DT_REDIS_ERROR_SERVER when the server answers with an error
 * reply (the message is the server's text), %DT_REDIS_ERROR_AUTH when it
 * refuses the credentials, %DT_REDIS_ERROR_LOADING while the server
 * loads its dataset, %DT_REDIS_ERROR_CONNECTION,
 * %DT_REDIS_ERROR_TIMEOUT (no reply within the socket timeout),
 * %DT_REDIS_ERROR_POOL_TIMEOUT, %DT_REDIS_ERROR_PROTOCOL,
 * %DT_REDIS_ERROR_TLS, %DT_REDIS_ERROR_CLOSED (the pool was reset while
 * the command was queued or in flight) and %DT_REDIS_ERROR_INVALID_CONFIG.
 * A command is never sent twice: when its connection fails after it was
 * sent, the error message says that it may have been executed.
 *
 * A cancelled command fails with %G_IO_ERROR_CANCELLED without waiting
 * for the server; if it was already sent, the server still runs it. A
 * blocking command (`BLPOP`...) has its connection closed before the
 * cancellation is reported, so it cannot take a value pushed after that.
 *
 * ```c
 * static void
 * got_name (GObject      *source,
 *           GAsyncResult *result,
 *           gpointer      user_data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   g_autofree char *name = NULL;
 *
 *   name = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source),
 *                                            result, &error);
 *   if (error != NULL)
 *     g_warning ("GET failed: %s", error->message);
 *   else if (name == NULL)
 *     g_print ("no such user\n");
 *   else
 *     g_print ("%s\n", name);
 * }
 *
 * client = dt_redis_instance_get_async_redis_client (redis);
 * dt_redis_async_client_get_async (client, "user:1:name", NULL, got_name, NULL);
 * ```
 */

struct _DtRedisAsyncClient
{
  GObject          parent_instance;

  DtRedisInstance *instance; /* for the property only */
  DtRedisPools    *pools;
  DtRedisAsyncResultCache *results; /* emptied results, used again */
};

enum {
  PROP_0,
  PROP_INSTANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * dt_redis_async_client_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.AsyncClient].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisAsyncClient, dt_redis_async_client, G_TYPE_OBJECT)

static void
dt_redis_async_client_dispose (GObject *object)
{
  DtRedisAsyncClient *self = (DtRedisAsyncClient *) object;

  g_clear_object (&self->instance);

  G_OBJECT_CLASS (dt_redis_async_client_parent_class)->dispose (object);
}

static void
dt_redis_async_client_finalize (GObject *object)
{
  DtRedisAsyncClient *self = (DtRedisAsyncClient *) object;

  g_clear_pointer (&self->pools, dt_redis_pools_unref);
  /* Every result in flight holds a reference: none is. */
  dt_redis_async_result_cache_close (self->results);

  G_OBJECT_CLASS (dt_redis_async_client_parent_class)->finalize (object);
}

static void
dt_redis_async_client_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  DtRedisAsyncClient *self = DT_REDIS_ASYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_INSTANCE:
      g_value_set_object (value, self->instance);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_async_client_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  DtRedisAsyncClient *self = DT_REDIS_ASYNC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_INSTANCE:
      self->instance = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_async_client_class_init (DtRedisAsyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_redis_async_client_dispose;
  object_class->finalize = dt_redis_async_client_finalize;
  object_class->get_property = dt_redis_async_client_get_property;
  object_class->set_property = dt_redis_async_client_set_property;

  /**
   * DtRedisAsyncClient:instance:
   *
   * The instance whose async pool the client's commands run on.
   */
  properties[PROP_INSTANCE] =
    g_param_spec_object ("instance", NULL, NULL,
                         DT_REDIS_TYPE_INSTANCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dt_redis_async_client_init (DtRedisAsyncClient *self)
{
  self->results = dt_redis_async_result_cache_new ();
}

DtRedisAsyncClient *
dt_redis_async_client_new (DtRedisInstance *instance,
                           DtRedisPools    *pools)
{
  DtRedisAsyncClient *self;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (pools != NULL, NULL);

  self = g_object_new (DT_REDIS_TYPE_ASYNC_CLIENT, "instance", instance, NULL);
  self->pools = dt_redis_pools_ref (pools);

  return self;
}

/* What a result needs to convert its reply: the kind and, for commands
 * that return text, where the key an encoding error names sits in the
 * command. Shared entries, one per (kind, position): no allocation per
 * command; an encoding error puts a TaskInfo with the key in their place. */
#define N_KINDS (DT_REDIS_VALUE_INTEGER_LIST + 1)
#define MAX_KEY_INDEX 7

typedef struct
{
  DtRedisValueKind  kind;
  gint              key_index;  /* -1: none */
  char             *text_key;   /* after an encoding error */
} TaskInfo;

static const TaskInfo *
shared_info (DtRedisValueKind kind,
             gint             key_index)
{
  static TaskInfo infos[N_KINDS][MAX_KEY_INDEX + 2];
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint k = 0; k < N_KINDS; k++)
        for (gint i = -1; i <= MAX_KEY_INDEX; i++)
          infos[k][i + 1] = (TaskInfo) { (DtRedisValueKind) k, i, NULL };
      g_once_init_leave (&initialized, 1);
    }

  g_assert (kind < N_KINDS);
  return &infos[kind][CLAMP (key_index, -1, MAX_KEY_INDEX) + 1];
}

static void
task_info_free (gpointer data)
{
  TaskInfo *info = data;

  g_free (info->text_key);
  g_free (info);
}

/* In the pool context: convert the reply there, so the caller's context
 * only gets the finished value. */
static void
command_done (const DtRedisCommand  *cmd,
              DtRedisReply         **replies,
              const GError          *error,
              gpointer               user_data)
{
  DtRedisAsyncResult *result = user_data;
  const TaskInfo *info = dt_redis_async_result_get_data (result);
  DtRedisValueKind kind = info->kind;
  g_autoptr(DtRedisReply) reply = NULL;
  GError *conversion_error = NULL;
  DtRedisValue value;

  if (error != NULL)
    {
      dt_redis_async_result_return_error (result, g_error_copy (error));
      return;
    }

  /* Every builder makes one command, with one reply. */
  reply = replies[0];
  if (G_UNLIKELY (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_ERROR))
    {
      g_autoptr(GObject) source = g_async_result_get_source_object (G_ASYNC_RESULT (result));

      dt_redis_pools_note_error_reply (DT_REDIS_ASYNC_CLIENT (source)->pools, reply);
    }
  if (!dt_redis_value_from_reply (kind, reply, &value, &conversion_error))
    {
      if (info->key_index >= 0 &&
          g_error_matches (conversion_error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING))
        {
          TaskInfo *named = g_new (TaskInfo, 1);

          /* The one place the key is copied: for the message. */
          *named = *info;
          named->text_key = dt_redis_command_dup_arg (cmd, (guint) info->key_index);
          dt_redis_async_result_set_data (result, named, task_info_free);
        }
      dt_redis_async_result_return_error (result, conversion_error);
      return;
    }

  dt_redis_async_result_return_value (result, &value);
}

/* The one path every command takes: a result for the caller's context, the
 * command (taken) to the pool. */
static void
submit_full (DtRedisAsyncClient  *self,
             DtRedisCommand      *cmd,
             gpointer             source_tag,
             gint                 key_index,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(DtRedisAsyncPool) pool = NULL;
  DtRedisAsyncResult *result;
  DtRedisCluster *cluster;
  GError *error = NULL;

  g_return_if_fail (DT_REDIS_IS_ASYNC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  result = dt_redis_async_result_new (self->results, self, cancellable, callback, user_data, source_tag);

  /* A builder that got a bad argument has already said so; the callback
   * still runs, as GIO promises. */
  if (cmd == NULL)
    {
      dt_redis_async_result_return_error (result, g_error_new_literal (DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED,
                                                                       _("Invalid arguments for the command")));
      return;
    }

  g_assert (cmd->n_replies == 1);
  dt_redis_async_result_set_data (result, (gpointer) shared_info (cmd->kind, key_index), NULL);
  if (!dt_redis_pools_get_cluster (self->pools, &cluster, &error))
    {
      dt_redis_command_free (cmd);
      dt_redis_async_result_return_error (result, error);
      return;
    }
  if (cluster != NULL)
    {
      dt_redis_cluster_submit (cluster, cmd, cancellable, command_done, result);
      return;
    }

  pool = dt_redis_pools_dup_async (self->pools, &error);
  if (pool == NULL)
    {
      dt_redis_command_free (cmd);
      dt_redis_async_result_return_error (result, error);
      return;
    }

  dt_redis_async_pool_submit (pool, cmd, cancellable, command_done, result);
}

static void
submit (DtRedisAsyncClient  *self,
        DtRedisCommand      *cmd,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  submit_full (self, cmd, source_tag, -1, cancellable, callback, user_data);
}

/* The one way back: on success @value owns the result; on failure it
 * holds nothing. */
static gboolean
finish (DtRedisAsyncClient  *self,
        GAsyncResult        *result,
        gpointer             source_tag,
        DtRedisValue        *value,
        GError             **error)
{
  memset (value, 0, sizeof *value);

  g_return_val_if_fail (DT_REDIS_IS_ASYNC_CLIENT (self), FALSE);
  if (G_LIKELY (dt_redis_async_result_is_valid (result, self, source_tag)))
    return dt_redis_async_result_propagate ((DtRedisAsyncResult *) result, value, error);

  /* A typed method's bad argument is reported with g_task_report_error(). */
  if (G_IS_TASK (result))
    {
      gpointer unexpected;

      g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
      g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
      unexpected = g_task_propagate_pointer (G_TASK (result), error);
      g_warn_if_fail (unexpected == NULL);
      return FALSE;
    }
  g_return_val_if_reached (FALSE);
}

void
dt_redis_async_client_submit_command (DtRedisAsyncClient  *self,
                                      DtRedisCommand      *cmd,
                                      gpointer             source_tag,
                                      gint                 key_index,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  submit_full (self, cmd, source_tag, key_index, cancellable, callback, user_data);
}

gboolean
dt_redis_async_client_finish_command (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      gpointer             source_tag,
                                      const char          *twin,
                                      DtRedisValue        *value,
                                      GError             **error)
{
  GError *local_error = NULL;

  if (finish (self, result, source_tag, value, &local_error))
    return TRUE;

  if (twin != NULL && g_error_matches (local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING) &&
      DT_REDIS_IS_ASYNC_RESULT (result))
    {
      const TaskInfo *info = dt_redis_async_result_get_data (DT_REDIS_ASYNC_RESULT (result));

      g_clear_error (&local_error);
      local_error = dt_redis_value_new_encoding_error (info->text_key, twin);
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

/* The generic commands give the reply itself. */
static DtRedisReply *
finish_reply (DtRedisAsyncClient  *self,
              GAsyncResult        *result,
              gpointer             source_tag,
              GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return NULL;
  return g_steal_pointer (&value.reply);
}

/**
 * dt_redis_async_client_execute_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @argv: (array zero-terminated=1): the command name and its arguments
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Sends any command, such as
 * `(const char *[]) { "OBJECT", "ENCODING", "mykey", NULL }`; the server's
 * reply comes back as it is.
 *
 * Call [method@DtRedis.AsyncClient.execute_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the
 * result.
 */
void
dt_redis_async_client_execute_async (DtRedisAsyncClient  *self,
                                     const char * const  *argv,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  submit (self, dt_redis_commands_execute (argv),
          dt_redis_async_client_execute_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_execute_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.execute_async].
 *
 * An error reply at the top level becomes a %DT_REDIS_ERROR_SERVER (or
 * %DT_REDIS_ERROR_AUTH) error carrying the server's text; errors nested
 * in an array reply stay in the reply. A missing key gives a reply of type
 * %DT_REDIS_REPLY_NIL, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_async_client_execute_finish (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_reply (self, result, dt_redis_async_client_execute_async, error);
}

/**
 * dt_redis_async_client_execute_bytes_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @argv: (array length=n_argv): the command name and its arguments
 * @n_argv: the number of elements of @argv, at least 1
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Like [method@DtRedis.AsyncClient.execute_async] with binary-safe
 * arguments: each argument is sent byte for byte, NUL bytes included.
 *
 * Call [method@DtRedis.AsyncClient.execute_bytes_finish] from @callback,
 * which runs in the thread-default main context of the caller, to get the
 * result.
 */
void
dt_redis_async_client_execute_bytes_async (DtRedisAsyncClient  *self,
                                           GBytes * const      *argv,
                                           guint                n_argv,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  submit (self, dt_redis_commands_execute_bytes (argv, n_argv),
          dt_redis_async_client_execute_bytes_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_execute_bytes_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.execute_bytes_async].
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_async_client_execute_bytes_finish (DtRedisAsyncClient  *self,
                                            GAsyncResult        *result,
                                            GError             **error)
{
  return finish_reply (self, result, dt_redis_async_client_execute_bytes_async, error);
}

/**
 * dt_redis_async_client_pipeline:
 * @self: a [class@DtRedis.AsyncClient]
 * @transaction: whether the batch runs as one `MULTI`/`EXEC` transaction
 *
 * Creates an empty pipeline over the same instance. Nothing is sent until
 * [method@DtRedis.Pipeline.execute_async], which runs it on the async
 * pool.
 *
 * Returns: (transfer full): a new pipeline
 */
DtRedisPipeline *
dt_redis_async_client_pipeline (DtRedisAsyncClient *self,
                                gboolean            transaction)
{
  g_return_val_if_fail (DT_REDIS_IS_ASYNC_CLIENT (self), NULL);

  return dt_redis_pipeline_new (self->instance, self->pools, transaction);
}

/**
 * dt_redis_async_client_close:
 * @self: a [class@DtRedis.AsyncClient]
 *
 * Does nothing, and is there for code written against redis-py, whose
 * clients have a `close()`.
 *
 * A client owns no connection (the async pool of its instance does), so
 * there is nothing of its own to release, and nothing shared may be
 * released on its behalf: commands in flight complete, other clients of
 * the same instance keep working, and so does this one. To close the
 * pool's connections, use [method@DtRedis.Instance.reset_async_pool_async].
 */
void
dt_redis_async_client_close (DtRedisAsyncClient *self)
{
  g_return_if_fail (DT_REDIS_IS_ASYNC_CLIENT (self));
}
