/* dtredis-async-client.c: _async/_finish command facade over the async pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-client-private.h"
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
 * Values are binary safe: they are sent as [struct@GLib.Bytes] and come
 * back as [struct@GLib.Bytes]. A missing key is never an error.
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
 *   g_autoptr(GBytes) name = NULL;
 *
 *   name = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source),
 *                                            result, &error);
 *   if (error != NULL)
 *     g_warning ("GET failed: %s", error->message);
 *   else if (name == NULL)
 *     g_print ("no such user\n");
 *   else
 *     g_print ("%.*s\n", (int) g_bytes_get_size (name),
 *              (const char *) g_bytes_get_data (name, NULL));
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
};

enum {
  PROP_0,
  PROP_INSTANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

static void
value_free (gpointer data)
{
  DtRedisValue *value = data;

  dt_redis_value_clear (value);
  g_free (value);
}

/* What a task needs to convert its reply: the kind, and for commands that
 * return text the key an encoding error names. Commands without a key
 * point at a shared entry, so they cost no allocation. */
typedef struct
{
  DtRedisValueKind  kind;
  char             *text_key;
} TaskInfo;

#define N_KINDS (DT_REDIS_VALUE_INTEGER_LIST + 1)
static const TaskInfo shared_infos[N_KINDS] = {
#define INFO(kind) [kind] = { kind, NULL }
  INFO (DT_REDIS_VALUE_REPLY), INFO (DT_REDIS_VALUE_BYTES), INFO (DT_REDIS_VALUE_INTEGER),
  INFO (DT_REDIS_VALUE_INTEGER_OR_NIL), INFO (DT_REDIS_VALUE_BOOLEAN), INFO (DT_REDIS_VALUE_OK),
  INFO (DT_REDIS_VALUE_DOUBLE), INFO (DT_REDIS_VALUE_DOUBLE_OR_NIL), INFO (DT_REDIS_VALUE_BYTES_LIST),
  INFO (DT_REDIS_VALUE_BYTES_MAP), INFO (DT_REDIS_VALUE_SCORED_LIST), INFO (DT_REDIS_VALUE_TEXT),
  INFO (DT_REDIS_VALUE_TEXT_LIST), INFO (DT_REDIS_VALUE_TEXT_LIST_NULLABLE),
  INFO (DT_REDIS_VALUE_TEXT_MAP), INFO (DT_REDIS_VALUE_BYTES_TEXT_MAP),
  INFO (DT_REDIS_VALUE_SCORED_MEMBERS), INFO (DT_REDIS_VALUE_INTEGER_LIST),
#undef INFO
};

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
command_done (DtRedisReply **replies,
              const GError  *error,
              gpointer       user_data)
{
  g_autoptr(GTask) task = user_data;
  const TaskInfo *info = g_task_get_task_data (task);
  DtRedisValueKind kind = info->kind;
  g_autoptr(DtRedisReply) reply = NULL;
  GError *conversion_error = NULL;
  DtRedisValue *value;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  /* Every builder makes one command, with one reply. */
  reply = replies[0];
  value = g_new (DtRedisValue, 1);
  if (!dt_redis_value_from_reply (kind, reply, value, &conversion_error))
    {
      g_free (value);
      g_task_return_error (task, conversion_error);
      return;
    }

  g_task_return_pointer (task, value, value_free);
}

/* The one path every command takes: a task in the caller's context, the
 * command (taken) to the pool. */
static void
submit_full (DtRedisAsyncClient  *self,
             DtRedisCommand      *cmd,
             gpointer             source_tag,
             const char          *text_key,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(DtRedisAsyncPool) pool = NULL;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (DT_REDIS_IS_ASYNC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  /* The function, not the macro: the macro names the task after its
   * argument, at the cost of a copy per command. */
  (g_task_set_source_tag) (task, source_tag);

  /* A builder that got a bad argument has already said so; the callback
   * still runs, as GIO promises. */
  if (cmd == NULL)
    {
      g_task_return_new_error (task, DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED,
                               _("Invalid arguments for the command"));
      return;
    }

  pool = dt_redis_pools_dup_async (self->pools, &error);
  if (pool == NULL)
    {
      dt_redis_command_free (cmd);
      g_task_return_error (task, error);
      return;
    }

  g_assert (cmd->n_replies == 1);
  g_assert (cmd->kind < N_KINDS);
  if (text_key != NULL)
    {
      TaskInfo *info = g_new (TaskInfo, 1);

      info->kind = cmd->kind;
      info->text_key = g_strdup (text_key);
      g_task_set_task_data (task, info, task_info_free);
    }
  else
    {
      g_task_set_task_data (task, (gpointer) &shared_infos[cmd->kind], NULL);
    }
  dt_redis_async_pool_submit (pool, cmd, cancellable, command_done, g_steal_pointer (&task));
}

static void
submit (DtRedisAsyncClient  *self,
        DtRedisCommand      *cmd,
        gpointer             source_tag,
        GCancellable        *cancellable,
        GAsyncReadyCallback  callback,
        gpointer             user_data)
{
  submit_full (self, cmd, source_tag, NULL, cancellable, callback, user_data);
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
  DtRedisValue *taken;

  memset (value, 0, sizeof *value);

  g_return_val_if_fail (DT_REDIS_IS_ASYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  taken = g_task_propagate_pointer (G_TASK (result), error);
  if (taken == NULL)
    return FALSE;

  *value = *taken;
  g_free (taken);
  return TRUE;
}

void
dt_redis_async_client_submit_command (DtRedisAsyncClient  *self,
                                      DtRedisCommand      *cmd,
                                      gpointer             source_tag,
                                      const char          *text_key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  submit_full (self, cmd, source_tag, text_key, cancellable, callback, user_data);
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

  if (twin != NULL && g_error_matches (local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING))
    {
      const TaskInfo *info = g_task_get_task_data (G_TASK (result));

      g_clear_error (&local_error);
      local_error = dt_redis_value_new_encoding_error (info->text_key, twin);
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

/* One taker per return shape: each typed _finish is finish_<shape> (). */

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

static GBytes *
finish_bytes (DtRedisAsyncClient  *self,
              GAsyncResult        *result,
              gpointer             source_tag,
              GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return NULL;
  return g_steal_pointer (&value.bytes);
}

/* INTEGER and INTEGER_OR_NIL; @on_error keeps -1 out of the rank helpers'
 * "found" range. */
static gint64
finish_integer (DtRedisAsyncClient  *self,
                GAsyncResult        *result,
                gpointer             source_tag,
                gint64               on_error,
                GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return on_error;
  return value.integer;
}

/* OK and BOOLEAN */
static gboolean
finish_boolean (DtRedisAsyncClient  *self,
                GAsyncResult        *result,
                gpointer             source_tag,
                GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return FALSE;
  return value.integer != 0;
}

/* DOUBLE_OR_NIL: whether there is a number, and the number. */
static gboolean
finish_double (DtRedisAsyncClient  *self,
               GAsyncResult        *result,
               gpointer             source_tag,
               gdouble             *number,
               GError             **error)
{
  DtRedisValue value;

  if (number != NULL)
    *number = 0.0;
  if (!finish (self, result, source_tag, &value, error))
    return FALSE;
  if (number != NULL)
    *number = value.number;
  return value.found;
}

/* DOUBLE */
static gdouble
finish_number (DtRedisAsyncClient  *self,
               GAsyncResult        *result,
               gpointer             source_tag,
               GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return 0.0;
  return value.number;
}

static GPtrArray *
finish_list (DtRedisAsyncClient  *self,
             GAsyncResult        *result,
             gpointer             source_tag,
             GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return NULL;
  return g_steal_pointer (&value.list);
}

static GHashTable *
finish_map (DtRedisAsyncClient  *self,
            GAsyncResult        *result,
            gpointer             source_tag,
            GError             **error)
{
  DtRedisValue value;

  if (!finish (self, result, source_tag, &value, error))
    return NULL;
  return g_steal_pointer (&value.map);
}

static GPtrArray *
finish_scored_list (DtRedisAsyncClient  *self,
                    GAsyncResult        *result,
                    gpointer             source_tag,
                    GArray             **scores,
                    GError             **error)
{
  DtRedisValue value;

  if (scores != NULL)
    *scores = NULL;
  if (!finish (self, result, source_tag, &value, error))
    return NULL;
  if (scores != NULL)
    *scores = g_steal_pointer (&value.scores);
  g_clear_pointer (&value.scores, g_array_unref);
  return g_steal_pointer (&value.list);
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

/**
 * dt_redis_async_client_set_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @value: the value, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Sets @key to @value (`SET`), whatever the key held before, and removes
 * any time to live it had.
 *
 * Call [method@DtRedis.AsyncClient.set_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_set_async (DtRedisAsyncClient  *self,
                                 const char          *key,
                                 GBytes              *value,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  submit (self, dt_redis_commands_set (key, value),
          dt_redis_async_client_set_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_set_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.set_async].
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: %TRUE when the value is set, %FALSE on error
 */
gboolean
dt_redis_async_client_set_finish (DtRedisAsyncClient  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_set_async, error);
}

/**
 * dt_redis_async_client_get_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the value of @key (`GET`).
 *
 * Call [method@DtRedis.AsyncClient.get_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_get_async (DtRedisAsyncClient  *self,
                                 const char          *key,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  submit (self, dt_redis_commands_get (key),
          dt_redis_async_client_get_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_get_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.get_async].
 *
 * A missing key returns %NULL without an error. A key holding another type
 * fails with %DT_REDIS_ERROR_SERVER (`WRONGTYPE`). Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when the key does
 *   not exist or on error
 */
GBytes *
dt_redis_async_client_get_finish (DtRedisAsyncClient  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return finish_bytes (self, result, dt_redis_async_client_get_async, error);
}

/**
 * dt_redis_async_client_setex_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @seconds: the time to live, in seconds, at least 1
 * @value: the value, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Sets @key to @value with a time to live of @seconds (`SETEX`).
 *
 * Call [method@DtRedis.AsyncClient.setex_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_setex_async (DtRedisAsyncClient  *self,
                                   const char          *key,
                                   gint64               seconds,
                                   GBytes              *value,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  submit (self, dt_redis_commands_setex (key, seconds, value),
          dt_redis_async_client_setex_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_setex_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.setex_async].
 *
 * A time to live below 1 fails with %DT_REDIS_ERROR_SERVER. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the value is set, %FALSE on error
 */
gboolean
dt_redis_async_client_setex_finish (DtRedisAsyncClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_setex_async, error);
}

/**
 * dt_redis_async_client_incr_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Adds 1 to the integer stored at @key (`INCR`). A missing key counts as 0,
 * so the first increment returns 1.
 *
 * Call [method@DtRedis.AsyncClient.incr_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_incr_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_incr (key),
          dt_redis_async_client_incr_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_incr_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.incr_async].
 *
 * A value that is not an integer fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the new value, or 0 on error
 */
gint64
dt_redis_async_client_incr_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_incr_async, 0, error);
}

/**
 * dt_redis_async_client_incrby_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @amount: what to add, possibly negative
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Adds @amount to the integer stored at @key (`INCRBY`). A missing key
 * counts as 0.
 *
 * Call [method@DtRedis.AsyncClient.incrby_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_incrby_async (DtRedisAsyncClient  *self,
                                    const char          *key,
                                    gint64               amount,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_incrby (key, amount),
          dt_redis_async_client_incrby_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_incrby_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.incrby_async].
 *
 * A value that is not an integer, or an overflow, fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the new value, or 0 on error
 */
gint64
dt_redis_async_client_incrby_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_incrby_async, 0, error);
}

/**
 * dt_redis_async_client_decr_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Subtracts 1 from the integer stored at @key (`DECR`). A missing key
 * counts as 0, so the first decrement returns -1.
 *
 * Call [method@DtRedis.AsyncClient.decr_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_decr_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_decr (key),
          dt_redis_async_client_decr_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_decr_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.decr_async].
 *
 * A value that is not an integer fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the new value, or 0 on error
 */
gint64
dt_redis_async_client_decr_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_decr_async, 0, error);
}

/**
 * dt_redis_async_client_ttl_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the remaining time to live of @key, in seconds (`TTL`).
 *
 * Call [method@DtRedis.AsyncClient.ttl_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_ttl_async (DtRedisAsyncClient  *self,
                                 const char          *key,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  submit (self, dt_redis_commands_ttl (key),
          dt_redis_async_client_ttl_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_ttl_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.ttl_async].
 *
 * As the server answers, -2 means that the key does not exist and -1 that it
 * exists with no time to live; neither is an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the seconds left, -1 or -2 as above, or 0 on error
 */
gint64
dt_redis_async_client_ttl_finish (DtRedisAsyncClient  *self,
                                  GAsyncResult        *result,
                                  GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_ttl_async, 0, error);
}

/**
 * dt_redis_async_client_expire_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key
 * @seconds: the time to live, in seconds; 0 or less deletes the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Sets the time to live of @key (`EXPIRE`).
 *
 * Call [method@DtRedis.AsyncClient.expire_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_expire_async (DtRedisAsyncClient  *self,
                                    const char          *key,
                                    gint64               seconds,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_expire (key, seconds),
          dt_redis_async_client_expire_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_expire_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.expire_async].
 *
 * A missing key returns %FALSE without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the time to live was set, %FALSE when the key does not
 *   exist or on error
 */
gboolean
dt_redis_async_client_expire_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_expire_async, error);
}

/**
 * dt_redis_async_client_delete_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @keys: (array zero-terminated=1): the keys, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Deletes @keys, of any type (`DEL`).
 *
 * Call [method@DtRedis.AsyncClient.delete_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_delete_async (DtRedisAsyncClient  *self,
                                    const char * const  *keys,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_delete (keys),
          dt_redis_async_client_delete_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_delete_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.delete_async].
 *
 * Missing keys are skipped, not an error. An empty list of keys fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many of the keys existed and were deleted, or 0 on error
 */
gint64
dt_redis_async_client_delete_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_delete_async, 0, error);
}

/**
 * dt_redis_async_client_exists_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @keys: (array zero-terminated=1): the keys, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Counts how many of @keys exist (`EXISTS`); a key named twice counts
 * twice.
 *
 * Call [method@DtRedis.AsyncClient.exists_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_exists_async (DtRedisAsyncClient  *self,
                                    const char * const  *keys,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_exists (keys),
          dt_redis_async_client_exists_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_exists_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.exists_async].
 *
 * Missing keys count as 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the number of existing keys, or 0 on error
 */
gint64
dt_redis_async_client_exists_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_exists_async, 0, error);
}

/**
 * dt_redis_async_client_keys_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @pattern: a glob-style pattern, such as `user:*`
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Lists the keys of the database that match @pattern (`KEYS`), in no
 * particular order. This walks the whole keyspace on the server: keep it
 * for scripts and debugging.
 *
 * Call [method@DtRedis.AsyncClient.keys_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_keys_async (DtRedisAsyncClient  *self,
                                  const char          *pattern,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_keys (pattern),
          dt_redis_async_client_keys_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_keys_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.keys_async].
 *
 * No match gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the key names, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_async_client_keys_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_keys_async, error);
}

/**
 * dt_redis_async_client_hset_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the hash
 * @field: the field
 * @value: the value, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Sets @field of the hash at @key to @value (`HSET`), creating the hash
 * when @key does not exist.
 *
 * Call [method@DtRedis.AsyncClient.hset_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_hset_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  const char          *field,
                                  GBytes              *value,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_hset (key, field, value),
          dt_redis_async_client_hset_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_hset_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.hset_async].
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: 1 when the field is new, 0 when it was updated (or on error)
 */
gint64
dt_redis_async_client_hset_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_hset_async, 0, error);
}

/**
 * dt_redis_async_client_hset_mapping_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the hash
 * @mapping: (element-type utf8 GBytes): the fields and their values
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Sets every field of @mapping in the hash at @key in one command (`HSET
 * key field value ...`), creating the hash when @key does not exist.
 *
 * Call [method@DtRedis.AsyncClient.hset_mapping_finish] from @callback,
 * which runs in the thread-default main context of the caller, to get the
 * result.
 */
void
dt_redis_async_client_hset_mapping_async (DtRedisAsyncClient  *self,
                                          const char          *key,
                                          GHashTable          *mapping,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  submit (self, dt_redis_commands_hset_mapping (key, mapping),
          dt_redis_async_client_hset_mapping_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_hset_mapping_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.hset_mapping_async].
 *
 * An empty mapping, or a key holding another type, fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many fields were new, or 0 on error
 */
gint64
dt_redis_async_client_hset_mapping_finish (DtRedisAsyncClient  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_hset_mapping_async, 0, error);
}

/**
 * dt_redis_async_client_hget_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the hash
 * @field: the field
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets @field of the hash at @key (`HGET`).
 *
 * Call [method@DtRedis.AsyncClient.hget_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_hget_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  const char          *field,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_hget (key, field),
          dt_redis_async_client_hget_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_hget_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.hget_async].
 *
 * A missing key or field returns %NULL without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when there is
 *   none or on error
 */
GBytes *
dt_redis_async_client_hget_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_bytes (self, result, dt_redis_async_client_hget_async, error);
}

/**
 * dt_redis_async_client_hgetall_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the hash
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets every field and value of the hash at @key (`HGETALL`). The table
 * hashes its keys with g_bytes_hash().
 *
 * Call [method@DtRedis.AsyncClient.hgetall_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_hgetall_async (DtRedisAsyncClient  *self,
                                     const char          *key,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  submit (self, dt_redis_commands_hgetall (key),
          dt_redis_async_client_hgetall_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_hgetall_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.hgetall_async].
 *
 * A missing key gives an empty table, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes GBytes): the fields and
 *   their values, or %NULL on error
 */
GHashTable *
dt_redis_async_client_hgetall_finish (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_map (self, result, dt_redis_async_client_hgetall_async, error);
}

/**
 * dt_redis_async_client_hexists_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the hash
 * @field: the field
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Checks whether the hash at @key has @field (`HEXISTS`).
 *
 * Call [method@DtRedis.AsyncClient.hexists_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_hexists_async (DtRedisAsyncClient  *self,
                                     const char          *key,
                                     const char          *field,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  submit (self, dt_redis_commands_hexists (key, field),
          dt_redis_async_client_hexists_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_hexists_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.hexists_async].
 *
 * A missing key returns %FALSE without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the field exists, %FALSE when it does not or on error
 */
gboolean
dt_redis_async_client_hexists_finish (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_hexists_async, error);
}

/**
 * dt_redis_async_client_hdel_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the hash
 * @fields: (array zero-terminated=1): the fields, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Removes @fields from the hash at @key (`HDEL`).
 *
 * Call [method@DtRedis.AsyncClient.hdel_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_hdel_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  const char * const  *fields,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_hdel (key, fields),
          dt_redis_async_client_hdel_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_hdel_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.hdel_async].
 *
 * A missing key or field counts as 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many fields were removed, or 0 on error
 */
gint64
dt_redis_async_client_hdel_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_hdel_async, 0, error);
}

/**
 * dt_redis_async_client_lpush_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the list
 * @values: (array zero-terminated=1): the values, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Inserts @values at the head of the list at @key, one after the other
 * (`LPUSH`), so the last of @values ends up first. A missing key starts an
 * empty list.
 *
 * Call [method@DtRedis.AsyncClient.lpush_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_lpush_async (DtRedisAsyncClient  *self,
                                   const char          *key,
                                   const char * const  *values,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  submit (self, dt_redis_commands_lpush (key, values),
          dt_redis_async_client_lpush_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_lpush_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.lpush_async].
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the length of the list afterwards, or 0 on error
 */
gint64
dt_redis_async_client_lpush_finish (DtRedisAsyncClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_lpush_async, 0, error);
}

/**
 * dt_redis_async_client_rpush_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the list
 * @values: (array zero-terminated=1): the values, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Appends @values at the tail of the list at @key (`RPUSH`), in order. A
 * missing key starts an empty list.
 *
 * Call [method@DtRedis.AsyncClient.rpush_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_rpush_async (DtRedisAsyncClient  *self,
                                   const char          *key,
                                   const char * const  *values,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  submit (self, dt_redis_commands_rpush (key, values),
          dt_redis_async_client_rpush_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_rpush_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.rpush_async].
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the length of the list afterwards, or 0 on error
 */
gint64
dt_redis_async_client_rpush_finish (DtRedisAsyncClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_rpush_async, 0, error);
}

/**
 * dt_redis_async_client_lpop_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the list
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Removes and returns the first element of the list at @key (`LPOP`).
 *
 * Call [method@DtRedis.AsyncClient.lpop_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_lpop_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_lpop (key),
          dt_redis_async_client_lpop_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_lpop_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.lpop_async].
 *
 * A missing key (or empty list) returns %NULL without an error. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the element, or %NULL when the list
 *   is empty or on error
 */
GBytes *
dt_redis_async_client_lpop_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_bytes (self, result, dt_redis_async_client_lpop_async, error);
}

/**
 * dt_redis_async_client_rpop_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the list
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Removes and returns the last element of the list at @key (`RPOP`).
 *
 * Call [method@DtRedis.AsyncClient.rpop_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_rpop_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_rpop (key),
          dt_redis_async_client_rpop_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_rpop_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.rpop_async].
 *
 * A missing key (or empty list) returns %NULL without an error. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the element, or %NULL when the list
 *   is empty or on error
 */
GBytes *
dt_redis_async_client_rpop_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_bytes (self, result, dt_redis_async_client_rpop_async, error);
}

/**
 * dt_redis_async_client_llen_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the list
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the length of the list at @key (`LLEN`).
 *
 * Call [method@DtRedis.AsyncClient.llen_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_llen_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_llen (key),
          dt_redis_async_client_llen_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_llen_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.llen_async].
 *
 * A missing key has length 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the length, or 0 on error
 */
gint64
dt_redis_async_client_llen_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_llen_async, 0, error);
}

/**
 * dt_redis_async_client_lrange_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the list
 * @start: index of the first element; negative counts from the end
 * @stop: index of the last element, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the elements of the list at @key from @start to @stop (`LRANGE`).
 *
 * Call [method@DtRedis.AsyncClient.lrange_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_lrange_async (DtRedisAsyncClient  *self,
                                    const char          *key,
                                    gint64               start,
                                    gint64               stop,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_lrange (key, start, stop),
          dt_redis_async_client_lrange_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_lrange_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.lrange_async].
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the elements, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_lrange_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_lrange_async, error);
}

/**
 * dt_redis_async_client_sadd_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the set
 * @members: (array zero-terminated=1): the members, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Adds @members to the set at @key (`SADD`), creating it when @key does not
 * exist.
 *
 * Call [method@DtRedis.AsyncClient.sadd_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_sadd_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  const char * const  *members,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_sadd (key, members),
          dt_redis_async_client_sadd_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_sadd_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.sadd_async].
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many members were not already in the set, or 0 on error
 */
gint64
dt_redis_async_client_sadd_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_sadd_async, 0, error);
}

/**
 * dt_redis_async_client_srem_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the set
 * @members: (array zero-terminated=1): the members, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Removes @members from the set at @key (`SREM`).
 *
 * Call [method@DtRedis.AsyncClient.srem_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_srem_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  const char * const  *members,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_srem (key, members),
          dt_redis_async_client_srem_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_srem_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.srem_async].
 *
 * A missing key or member counts as 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many members were removed, or 0 on error
 */
gint64
dt_redis_async_client_srem_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_srem_async, 0, error);
}

/**
 * dt_redis_async_client_smembers_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the set
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the members of the set at @key (`SMEMBERS`), in no particular order.
 *
 * Call [method@DtRedis.AsyncClient.smembers_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_smembers_async (DtRedisAsyncClient  *self,
                                      const char          *key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  submit (self, dt_redis_commands_smembers (key),
          dt_redis_async_client_smembers_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_smembers_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.smembers_async].
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_smembers_finish (DtRedisAsyncClient  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_smembers_async, error);
}

/**
 * dt_redis_async_client_sismember_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Checks whether @member is in the set at @key (`SISMEMBER`).
 *
 * Call [method@DtRedis.AsyncClient.sismember_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_sismember_async (DtRedisAsyncClient  *self,
                                       const char          *key,
                                       const char          *member,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  submit (self, dt_redis_commands_sismember (key, member),
          dt_redis_async_client_sismember_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_sismember_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.sismember_async].
 *
 * A missing key returns %FALSE without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the member is in the set, %FALSE when it is not or on
 *   error
 */
gboolean
dt_redis_async_client_sismember_finish (DtRedisAsyncClient  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_sismember_async, error);
}

/**
 * dt_redis_async_client_sunion_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @keys: (array zero-terminated=1): the keys of the sets, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the members of the union of the sets at @keys (`SUNION`), in no
 * particular order.
 *
 * Call [method@DtRedis.AsyncClient.sunion_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_sunion_async (DtRedisAsyncClient  *self,
                                    const char * const  *keys,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_sunion (keys),
          dt_redis_async_client_sunion_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_sunion_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.sunion_async].
 *
 * Missing keys count as empty sets, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_sunion_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_sunion_async, error);
}

/**
 * dt_redis_async_client_sinter_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @keys: (array zero-terminated=1): the keys of the sets, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the members common to all the sets at @keys (`SINTER`), in no
 * particular order.
 *
 * Call [method@DtRedis.AsyncClient.sinter_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_sinter_async (DtRedisAsyncClient  *self,
                                    const char * const  *keys,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_sinter (keys),
          dt_redis_async_client_sinter_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_sinter_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.sinter_async].
 *
 * Missing keys count as empty sets, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_sinter_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_sinter_async, error);
}

/**
 * dt_redis_async_client_sdiff_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @keys: (array zero-terminated=1): the keys of the sets, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the members of the first set at @keys that are in none of the others
 * (`SDIFF`), in no particular order.
 *
 * Call [method@DtRedis.AsyncClient.sdiff_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_sdiff_async (DtRedisAsyncClient  *self,
                                   const char * const  *keys,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  submit (self, dt_redis_commands_sdiff (keys),
          dt_redis_async_client_sdiff_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_sdiff_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.sdiff_async].
 *
 * Missing keys count as empty sets, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_sdiff_finish (DtRedisAsyncClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_sdiff_async, error);
}

/**
 * dt_redis_async_client_zadd_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @score: the score; infinities are allowed, NaN is not
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Adds @member to the sorted set at @key with @score, or updates its score
 * (`ZADD`). The score is sent so that the server stores exactly this
 * double.
 *
 * Call [method@DtRedis.AsyncClient.zadd_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zadd_async (DtRedisAsyncClient  *self,
                                  const char          *key,
                                  gdouble              score,
                                  const char          *member,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_zadd (key, score, member),
          dt_redis_async_client_zadd_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zadd_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zadd_async].
 *
 * A NaN score, or a key holding another type, fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: 1 when the member is new, 0 when only its score changed (or on
 *   error)
 */
gint64
dt_redis_async_client_zadd_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_zadd_async, 0, error);
}

/**
 * dt_redis_async_client_zincrby_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @increment: what to add to the score, possibly negative
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Adds @increment to the score of @member in the sorted set at @key
 * (`ZINCRBY`). A missing key or member starts from a score of 0.
 *
 * Call [method@DtRedis.AsyncClient.zincrby_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zincrby_async (DtRedisAsyncClient  *self,
                                     const char          *key,
                                     gdouble              increment,
                                     const char          *member,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  submit (self, dt_redis_commands_zincrby (key, increment, member),
          dt_redis_async_client_zincrby_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zincrby_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zincrby_async].
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors are
 * in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the new score, or 0 on error
 */
gdouble
dt_redis_async_client_zincrby_finish (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_number (self, result, dt_redis_async_client_zincrby_async, error);
}

/**
 * dt_redis_async_client_zscore_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the score of @member in the sorted set at @key (`ZSCORE`).
 *
 * Call [method@DtRedis.AsyncClient.zscore_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zscore_async (DtRedisAsyncClient  *self,
                                    const char          *key,
                                    const char          *member,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_zscore (key, member),
          dt_redis_async_client_zscore_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zscore_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @score: (out) (optional): return location for the score
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zscore_async].
 *
 * A missing key or member returns %FALSE without an error, and sets @score
 * to 0. Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains; check @error to tell them from a missing member.
 *
 * Returns: %TRUE when the member has a score, %FALSE when it has none or on
 *   error
 */
gboolean
dt_redis_async_client_zscore_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     gdouble             *score,
                                     GError             **error)
{
  return finish_double (self, result, dt_redis_async_client_zscore_async, score, error);
}

/**
 * dt_redis_async_client_zrank_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the rank of @member in the sorted set at @key, by ascending score
 * (`ZRANK`); the lowest score has rank 0.
 *
 * Call [method@DtRedis.AsyncClient.zrank_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zrank_async (DtRedisAsyncClient  *self,
                                   const char          *key,
                                   const char          *member,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  submit (self, dt_redis_commands_zrank (key, member),
          dt_redis_async_client_zrank_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zrank_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zrank_async].
 *
 * A missing key or member returns -1 without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the rank, or -1 when the member is not in the set or on error
 */
gint64
dt_redis_async_client_zrank_finish (DtRedisAsyncClient  *self,
                                    GAsyncResult        *result,
                                    GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_zrank_async, -1, error);
}

/**
 * dt_redis_async_client_zrevrank_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the rank of @member in the sorted set at @key, by descending score
 * (`ZREVRANK`); the highest score has rank 0.
 *
 * Call [method@DtRedis.AsyncClient.zrevrank_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zrevrank_async (DtRedisAsyncClient  *self,
                                      const char          *key,
                                      const char          *member,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  submit (self, dt_redis_commands_zrevrank (key, member),
          dt_redis_async_client_zrevrank_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zrevrank_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zrevrank_async].
 *
 * A missing key or member returns -1 without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the rank, or -1 when the member is not in the set or on error
 */
gint64
dt_redis_async_client_zrevrank_finish (DtRedisAsyncClient  *self,
                                       GAsyncResult        *result,
                                       GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_zrevrank_async, -1, error);
}

/**
 * dt_redis_async_client_zrange_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the members of the sorted set at @key from rank @start to @stop, by
 * ascending score (`ZRANGE`).
 *
 * Call [method@DtRedis.AsyncClient.zrange_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zrange_async (DtRedisAsyncClient  *self,
                                    const char          *key,
                                    gint64               start,
                                    gint64               stop,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_zrange (key, start, stop),
          dt_redis_async_client_zrange_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zrange_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zrange_async].
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_zrange_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_zrange_async, error);
}

/**
 * dt_redis_async_client_zrange_with_scores_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Like [method@DtRedis.AsyncClient.zrange_async], with the scores (`ZRANGE
 * ... WITHSCORES`).
 *
 * Call [method@DtRedis.AsyncClient.zrange_with_scores_finish] from
 * @callback, which runs in the thread-default main context of the caller,
 * to get the result.
 */
void
dt_redis_async_client_zrange_with_scores_async (DtRedisAsyncClient  *self,
                                                const char          *key,
                                                gint64               start,
                                                gint64               stop,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  submit (self, dt_redis_commands_zrange_with_scores (key, start, stop),
          dt_redis_async_client_zrange_with_scores_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zrange_with_scores_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @scores: (out) (optional) (transfer full) (element-type gdouble): return
 *   location for the scores, one per member, in the same order
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zrange_with_scores_async].
 *
 * A missing key gives two empty arrays, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains; on error
 * @scores is set to %NULL.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_zrange_with_scores_finish (DtRedisAsyncClient  *self,
                                                 GAsyncResult        *result,
                                                 GArray             **scores,
                                                 GError             **error)
{
  return finish_scored_list (self, result, dt_redis_async_client_zrange_with_scores_async, scores, error);
}

/**
 * dt_redis_async_client_zrevrange_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Gets the members of the sorted set at @key from rank @start to @stop, by
 * descending score (`ZREVRANGE`): the top of a leaderboard.
 *
 * Call [method@DtRedis.AsyncClient.zrevrange_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_zrevrange_async (DtRedisAsyncClient  *self,
                                       const char          *key,
                                       gint64               start,
                                       gint64               stop,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  submit (self, dt_redis_commands_zrevrange (key, start, stop),
          dt_redis_async_client_zrevrange_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zrevrange_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zrevrange_async].
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_zrevrange_finish (DtRedisAsyncClient  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  return finish_list (self, result, dt_redis_async_client_zrevrange_async, error);
}

/**
 * dt_redis_async_client_zrevrange_with_scores_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Like [method@DtRedis.AsyncClient.zrevrange_async], with the scores
 * (`ZREVRANGE ... WITHSCORES`).
 *
 * Call [method@DtRedis.AsyncClient.zrevrange_with_scores_finish] from
 * @callback, which runs in the thread-default main context of the caller,
 * to get the result.
 */
void
dt_redis_async_client_zrevrange_with_scores_async (DtRedisAsyncClient  *self,
                                                   const char          *key,
                                                   gint64               start,
                                                   gint64               stop,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data)
{
  submit (self, dt_redis_commands_zrevrange_with_scores (key, start, stop),
          dt_redis_async_client_zrevrange_with_scores_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_zrevrange_with_scores_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @scores: (out) (optional) (transfer full) (element-type gdouble): return
 *   location for the scores, one per member, in the same order
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.zrevrange_with_scores_async].
 *
 * A missing key gives two empty arrays, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains; on error
 * @scores is set to %NULL.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL on
 *   error
 */
GPtrArray *
dt_redis_async_client_zrevrange_with_scores_finish (DtRedisAsyncClient  *self,
                                                    GAsyncResult        *result,
                                                    GArray             **scores,
                                                    GError             **error)
{
  return finish_scored_list (self, result, dt_redis_async_client_zrevrange_with_scores_async, scores, error);
}

/**
 * dt_redis_async_client_ping_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Checks that the server answers (`PING`). The first command of a pool also
 * opens its first connection, so this checks the address and the
 * credentials too.
 *
 * Call [method@DtRedis.AsyncClient.ping_finish] from @callback, which runs
 * in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_ping_async (DtRedisAsyncClient  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  submit (self, dt_redis_commands_ping (),
          dt_redis_async_client_ping_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_ping_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.ping_async].
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: %TRUE when the server answered, %FALSE on error
 */
gboolean
dt_redis_async_client_ping_finish (DtRedisAsyncClient  *self,
                                   GAsyncResult        *result,
                                   GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_ping_async, error);
}

/**
 * dt_redis_async_client_publish_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @channel: the channel
 * @message: the message, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Posts @message on @channel (`PUBLISH`).
 *
 * Call [method@DtRedis.AsyncClient.publish_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_publish_async (DtRedisAsyncClient  *self,
                                     const char          *channel,
                                     GBytes              *message,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  submit (self, dt_redis_commands_publish (channel, message),
          dt_redis_async_client_publish_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_publish_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.publish_async].
 *
 * No subscriber is not an error. Errors are in the [error@DtRedis.Error]
 * and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many subscribers received the message, or 0 on error
 */
gint64
dt_redis_async_client_publish_finish (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_publish_async, 0, error);
}

/**
 * dt_redis_async_client_dbsize_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Counts the keys of the configured database (`DBSIZE`).
 *
 * Call [method@DtRedis.AsyncClient.dbsize_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_dbsize_async (DtRedisAsyncClient  *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  submit (self, dt_redis_commands_dbsize (),
          dt_redis_async_client_dbsize_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_dbsize_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.dbsize_async].
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: the number of keys, or 0 on error
 */
gint64
dt_redis_async_client_dbsize_finish (DtRedisAsyncClient  *self,
                                     GAsyncResult        *result,
                                     GError             **error)
{
  return finish_integer (self, result, dt_redis_async_client_dbsize_async, 0, error);
}

/**
 * dt_redis_async_client_flushdb_async:
 * @self: a [class@DtRedis.AsyncClient]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the reply is in
 * @user_data: data for @callback
 *
 * Deletes every key of the configured database (`FLUSHDB`); other databases
 * of the server are left alone.
 *
 * Call [method@DtRedis.AsyncClient.flushdb_finish] from @callback, which
 * runs in the thread-default main context of the caller, to get the result.
 */
void
dt_redis_async_client_flushdb_async (DtRedisAsyncClient  *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  submit (self, dt_redis_commands_flushdb (),
          dt_redis_async_client_flushdb_async, cancellable, callback, user_data);
}

/**
 * dt_redis_async_client_flushdb_finish:
 * @self: a [class@DtRedis.AsyncClient]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.AsyncClient.flushdb_async].
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: %TRUE when the database was emptied, %FALSE on error
 */
gboolean
dt_redis_async_client_flushdb_finish (DtRedisAsyncClient  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  return finish_boolean (self, result, dt_redis_async_client_flushdb_async, error);
}
