/* dtredis-pipeline.c: a batch of commands sent as one unit
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dtredis-client-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-command-private.h"
#include "dtredis-error.h"
#include "dtredis-value-private.h"
#include "dtredis-pipeline-private.h"

/**
 * DtRedisPipeline:
 *
 * A batch of commands sent to the server in one write and answered in one
 * read, optionally as a `MULTI`/`EXEC` transaction.
 *
 * Get one with [method@DtRedis.Client.pipeline] or
 * [method@DtRedis.AsyncClient.pipeline]. Queue commands with
 * [method@DtRedis.Pipeline.append] (they are chainable), then run them all
 * with [method@DtRedis.Pipeline.execute] (on the sync pool) or
 * [method@DtRedis.Pipeline.execute_async] (on the async pool). Nothing is
 * sent before that, and the whole batch runs on one connection.
 *
 * The result has one [struct@DtRedis.Reply] per queued command, in order.
 * A command the server refuses does not fail the batch: its reply is of
 * type %DT_REDIS_REPLY_ERROR and the others are still there. The array
 * owns its replies (g_ptr_array_unref() frees them all). Executing
 * empties the pipeline, so it can be filled and executed again.
 *
 * ```c
 * g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, FALSE);
 * g_autoptr(GPtrArray) replies = NULL;
 *
 * for (guint i = 0; i < 100; i++)
 *   {
 *     g_autofree char *key = g_strdup_printf ("key:%u", i);
 *     g_autofree char *value = g_strdup_printf ("value:%u", i);
 *
 *     dt_redis_pipeline_append (pipe, (const char *[]) { "SET", key, value, NULL });
 *   }
 * replies = dt_redis_pipeline_execute (pipe, NULL, &error);
 * ```
 *
 * ## Transactions
 *
 * With `transaction` set, the batch is wrapped in `MULTI` … `EXEC`: the
 * server runs all the commands with nothing in between, and the replies
 * are the elements of the `EXEC` reply. A command refused while queueing
 * (an unknown command, a wrong number of arguments) makes the server
 * discard the whole transaction: execution then fails with
 * %DT_REDIS_ERROR_SERVER, whose message is the server's `EXECABORT` text
 * followed by the refused command's error. An error while running (such
 * as `WRONGTYPE`) is an error reply in the result, as in a plain pipeline;
 * Redis does not roll back the other commands.
 *
 * ## Optimistic locking
 *
 * [method@DtRedis.Pipeline.watch] takes one connection of the sync pool
 * for the pipeline and sends `WATCH` on it at once. While the pipeline
 * watches, [method@DtRedis.Pipeline.execute_immediate] runs commands at
 * once over that same connection (read the values the transaction depends
 * on), and execution always sends `MULTI`, the queued commands and `EXEC`
 * over it. When a watched key changed in between (from any client), the
 * server runs nothing and execution fails with
 * %DT_REDIS_ERROR_TRANSACTION_ABORTED: read again and retry.
 *
 * ```c
 * for (;;)
 *   {
 *     g_autoptr(DtRedisReply) balance = NULL;
 *     g_autoptr(GPtrArray) replies = NULL;
 *     g_autofree char *next = NULL;
 *
 *     if (!dt_redis_pipeline_watch (pipe, (const char *[]) { "balance", NULL }, NULL, &error))
 *       break;
 *     balance = dt_redis_pipeline_execute_immediate (pipe, (const char *[]) { "GET", "balance", NULL },
 *                                                    NULL, &error);
 *     if (balance == NULL)
 *       break;
 *     next = g_strdup_printf ("%" G_GINT64_FORMAT, parse_balance (balance) - 10);
 *     dt_redis_pipeline_append (pipe, (const char *[]) { "SET", "balance", next, NULL });
 *     replies = dt_redis_pipeline_execute (pipe, NULL, &error);
 *     if (replies != NULL ||
 *         !g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED))
 *       break;
 *     g_clear_error (&error);
 *   }
 * ```
 *
 * The watched connection belongs to the pipeline alone from `WATCH` to
 * the end of `EXEC`: nothing else is sent on it, so nothing else can end
 * or disturb the watch. Execution ends the watch (whatever its outcome),
 * and so do [method@DtRedis.Pipeline.unwatch], [method@DtRedis.Pipeline.clear],
 * any failure of the watched connection, and dropping the pipeline. A
 * connection is given back to the pool only after an `EXEC` answered,
 * which clears the server's watch; in every other case it is closed, so
 * no later borrower inherits a `WATCH`.
 *
 * The `_async` variants of watching, of immediate commands and of a
 * watched execution run the same blocking code in a GIO worker thread
 * (the watched connection is a sync-pool connection); they never block
 * the caller's main context. Run one of them at a time per pipeline.
 *
 * A pipeline is not thread-safe: fill and execute it from one thread at a
 * time. Many pipelines may run at once, each on its own connection.
 */

enum {
  PROP_0,
  PROP_INSTANCE,
  PROP_TRANSACTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * dt_redis_pipeline_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.Pipeline].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisPipeline, dt_redis_pipeline, G_TYPE_OBJECT)

static void
dt_redis_pipeline_dispose (GObject *object)
{
  DtRedisPipeline *self = (DtRedisPipeline *) object;

  dt_redis_pipeline_end_watch (self, FALSE);
  g_clear_object (&self->instance);

  G_OBJECT_CLASS (dt_redis_pipeline_parent_class)->dispose (object);
}

static void
dt_redis_pipeline_finalize (GObject *object)
{
  DtRedisPipeline *self = (DtRedisPipeline *) object;

  g_clear_pointer (&self->body, dt_redis_command_free);
  g_clear_pointer (&self->pools, dt_redis_pools_unref);

  G_OBJECT_CLASS (dt_redis_pipeline_parent_class)->finalize (object);
}

static void
dt_redis_pipeline_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DtRedisPipeline *self = DT_REDIS_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_INSTANCE:
      g_value_set_object (value, self->instance);
      break;

    case PROP_TRANSACTION:
      g_value_set_boolean (value, self->transaction);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_pipeline_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DtRedisPipeline *self = DT_REDIS_PIPELINE (object);

  switch (prop_id)
    {
    case PROP_INSTANCE:
      self->instance = g_value_dup_object (value);
      break;

    case PROP_TRANSACTION:
      self->transaction = g_value_get_boolean (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_pipeline_class_init (DtRedisPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_redis_pipeline_dispose;
  object_class->finalize = dt_redis_pipeline_finalize;
  object_class->get_property = dt_redis_pipeline_get_property;
  object_class->set_property = dt_redis_pipeline_set_property;

  /**
   * DtRedisPipeline:instance:
   *
   * The instance whose pools run the batch.
   */
  properties[PROP_INSTANCE] =
    g_param_spec_object ("instance", NULL, NULL,
                         DT_REDIS_TYPE_INSTANCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DtRedisPipeline:transaction:
   *
   * Whether the batch runs as one `MULTI`/`EXEC` transaction.
   */
  properties[PROP_TRANSACTION] =
    g_param_spec_boolean ("transaction", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dt_redis_pipeline_init (DtRedisPipeline *self)
{
}

DtRedisPipeline *
dt_redis_pipeline_new (DtRedisInstance *instance,
                       DtRedisPools    *pools,
                       gboolean         transaction)
{
  DtRedisPipeline *self;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (pools != NULL, NULL);

  self = g_object_new (DT_REDIS_TYPE_PIPELINE,
                       "instance", instance,
                       "transaction", transaction,
                       NULL);
  self->pools = dt_redis_pools_ref (pools);

  return self;
}

static DtRedisCommand *
ensure_body (DtRedisPipeline *self)
{
  if (self->body == NULL)
    self->body = dt_redis_command_new (DT_REDIS_VALUE_REPLY);

  return self->body;
}

/**
 * dt_redis_pipeline_append:
 * @self: a [class@DtRedis.Pipeline]
 * @argv: (array zero-terminated=1): the command name and its arguments
 *
 * Queues a command, such as
 * `(const char *[]) { "INCRBY", "visits", "5", NULL }`. Nothing is sent
 * until the pipeline is executed.
 *
 * Returns: (transfer none): @self, to chain calls
 */
DtRedisPipeline *
dt_redis_pipeline_append (DtRedisPipeline    *self,
                          const char * const *argv)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, self);

  dt_redis_command_append_strv (ensure_body (self), argv);
  return self;
}

/**
 * dt_redis_pipeline_append_commands:
 * @self: a [class@DtRedis.Pipeline]
 * @args: (array zero-terminated=1): the commands' names and arguments,
 *   one command after the other
 * @lengths: (array length=n_commands): how many strings of @args each
 *   command takes, its name included (at least 1)
 * @n_commands: the number of elements of @lengths
 *
 * Queues @n_commands commands at once, as many calls to
 * [method@DtRedis.Pipeline.append] would: for bindings, where each call
 * has a cost of its own. `{ "SET", "k", "v", "GET", "k", NULL }` with
 * lengths `{ 3, 2 }` queues `SET k v` and `GET k`. When the lengths do
 * not add up to the strings of @args, nothing is queued and a critical
 * warning is emitted.
 *
 * Returns: (transfer none): @self, to chain calls
 */
DtRedisPipeline *
dt_redis_pipeline_append_commands (DtRedisPipeline    *self,
                                   const char * const *args,
                                   const guint        *lengths,
                                   guint               n_commands)
{
  guint n_args;
  guint total = 0;
  DtRedisCommand *body;

  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (args != NULL, self);
  g_return_val_if_fail (lengths != NULL || n_commands == 0, self);

  n_args = g_strv_length ((char **) args);
  for (guint i = 0; i < n_commands; i++)
    {
      g_return_val_if_fail (lengths[i] > 0, self);
      total += lengths[i];
    }
  g_return_val_if_fail (total == n_args, self);

  body = ensure_body (self);
  for (guint i = 0, at = 0; i < n_commands; at += lengths[i], i++)
    {
      gsize lens_stack[16];
      g_autofree gsize *lens_heap = NULL;
      gsize *lens = lens_stack;

      if (lengths[i] > G_N_ELEMENTS (lens_stack))
        lens = lens_heap = g_new (gsize, lengths[i]);
      for (guint j = 0; j < lengths[i]; j++)
        lens[j] = strlen (args[at + j]);
      dt_redis_command_append_argv (body, lengths[i], args + at, lens);
    }
  return self;
}

/**
 * dt_redis_pipeline_append_bytes:
 * @self: a [class@DtRedis.Pipeline]
 * @argv: (array length=n_argv): the command name and its arguments
 * @n_argv: the number of elements of @argv, at least 1
 *
 * Queues a command with binary-safe arguments: each one is sent byte for
 * byte, NUL bytes included.
 *
 * Returns: (transfer none): @self, to chain calls
 */
DtRedisPipeline *
dt_redis_pipeline_append_bytes (DtRedisPipeline *self,
                                GBytes * const  *argv,
                                guint            n_argv)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (argv != NULL && n_argv > 0, self);
  for (guint i = 0; i < n_argv; i++)
    g_return_val_if_fail (argv[i] != NULL, self);

  dt_redis_command_append_bytes (ensure_body (self), argv, n_argv);
  return self;
}

/**
 * dt_redis_pipeline_get_n_commands:
 * @self: a [class@DtRedis.Pipeline]
 *
 * Gets how many commands are queued; `WATCH`, `MULTI` and `EXEC` are not
 * counted.
 *
 * Returns: the number of queued commands
 */
guint
dt_redis_pipeline_get_n_commands (DtRedisPipeline *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), 0);

  return self->body != NULL ? self->body->n_replies : 0;
}

/**
 * dt_redis_pipeline_get_transaction:
 * @self: a [class@DtRedis.Pipeline]
 *
 * Gets whether the batch runs as a `MULTI`/`EXEC` transaction.
 *
 * Returns: %TRUE for a transaction
 */
gboolean
dt_redis_pipeline_get_transaction (DtRedisPipeline *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), FALSE);

  return self->transaction;
}

/**
 * dt_redis_pipeline_clear:
 * @self: a [class@DtRedis.Pipeline]
 *
 * Drops the queued commands without sending anything, and ends the
 * watch as [method@DtRedis.Pipeline.unwatch] does.
 */
void
dt_redis_pipeline_clear (DtRedisPipeline *self)
{
  g_return_if_fail (DT_REDIS_IS_PIPELINE (self));

  dt_redis_pipeline_end_watch (self, FALSE);
  g_clear_pointer (&self->body, dt_redis_command_free);
}

/* Empties the pipeline into the command to send, and says where its
 * replies will be. NULL when nothing is queued and nothing is watched:
 * there is nothing to send. A watching pipeline always sends MULTI/EXEC,
 * even empty, so that its EXEC says whether a watched key changed. */
static DtRedisCommand *
take_command (DtRedisPipeline *self,
              BatchLayout     *layout)
{
  g_autoptr(DtRedisCommand) body = g_steal_pointer (&self->body);
  gboolean watching = self->watch_conn != NULL;
  DtRedisCommand *cmd;

  layout->n_commands = body != NULL ? body->n_replies : 0;
  layout->n_replies = layout->n_commands;
  layout->transaction = self->transaction || watching;

  if (layout->n_commands == 0 && !watching)
    return NULL;
  if (!layout->transaction)
    return g_steal_pointer (&body);

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, (const char * const []) { "MULTI", NULL });
  if (body != NULL)
    {
      dt_redis_command_append_raw (cmd, body->payload.data, body->payload.len);
      cmd->n_replies += body->n_replies;
    }
  dt_redis_command_append_strv (cmd, (const char * const []) { "EXEC", NULL });

  /* Inside MULTI a blocking command does not block (BLPOP answers at
   * once), so only the exclusivity of the queued commands carries over.
   * A whole MULTI...EXEC leaves the connection clean, unless a queued
   * command (SELECT) changed it. */
  cmd->flags &= ~DT_REDIS_COMMAND_FLAG_STATEFUL;
  cmd->flags |= DT_REDIS_COMMAND_FLAG_TRANSACTION;
  if (body != NULL)
    cmd->flags |= body->flags & (DT_REDIS_COMMAND_FLAG_EXCLUSIVE | DT_REDIS_COMMAND_FLAG_STATEFUL);
  layout->n_replies = cmd->n_replies;

  return cmd;
}

static GPtrArray *
new_result (guint size)
{
  return g_ptr_array_new_full (size, (GDestroyNotify) dt_redis_reply_unref);
}

/* The EXEC of a transaction failed (EXECABORT): name the command the
 * server refused while queueing, which is what the user has to fix. */
static void
set_exec_error (DtRedisReply  *exec,
                DtRedisReply **queued,
                guint          n_queued,
                GError       **error)
{
  g_autoptr(GError) exec_error = dt_redis_value_error_from_reply (exec);

  for (guint i = 0; i < n_queued; i++)
    {
      if (dt_redis_reply_is_error (queued[i]))
        {
          g_set_error (error, exec_error->domain, exec_error->code,
                       /* Translators: the first %s is the server's EXECABORT
                        * message, the second the error of command %u */
                       _("%s (command %u of the transaction: %s)"),
                       exec_error->message, i + 1,
                       dt_redis_reply_get_string (queued[i], NULL));
          return;
        }
    }

  g_propagate_error (error, g_steal_pointer (&exec_error));
}

/* Shows the pools every error reply (READONLY starts a Sentinel
 * rediscovery). */
static void
note_error_replies (DtRedisPools  *pools,
                    DtRedisReply **replies,
                    guint          n_replies)
{
  for (guint i = 0; i < n_replies; i++)
    if (G_UNLIKELY (dt_redis_reply_get_reply_type (replies[i]) == DT_REDIS_REPLY_ERROR))
      dt_redis_pools_note_error_reply (pools, replies[i]);
}

/* Turns the replies of one execution into the user's result, one reply per
 * queued command. @replies is not consumed. */
static GPtrArray *
result_from_replies (const BatchLayout  *layout,
                     DtRedisReply      **replies,
                     GError            **error)
{
  g_autoptr(GPtrArray) result = new_result (layout->n_commands);
  DtRedisReply **queued;
  DtRedisReply *exec;
  guint i = 0;

  if (!layout->transaction)
    {
      for (i = 0; i < layout->n_commands; i++)
        g_ptr_array_add (result, dt_redis_reply_ref (replies[i]));
      return g_steal_pointer (&result);
    }

  /* MULTI answers OK; an error there (NOAUTH, say) is about the whole
   * batch. */
  if (dt_redis_reply_is_error (replies[0]))
    {
      g_propagate_error (error, dt_redis_value_error_from_reply (replies[0]));
      return NULL;
    }

  queued = replies + 1;
  exec = replies[layout->n_replies - 1];

  switch (dt_redis_reply_get_reply_type (exec))
    {
    case DT_REDIS_REPLY_ARRAY:
      break;

    case DT_REDIS_REPLY_NIL:
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED,
                           _("The transaction was aborted because a watched key changed"));
      return NULL;

    case DT_REDIS_REPLY_ERROR:
      set_exec_error (exec, queued, layout->n_commands, error);
      return NULL;

    case DT_REDIS_REPLY_STATUS:
    case DT_REDIS_REPLY_INTEGER:
    case DT_REDIS_REPLY_STRING:
    default:
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                           _("The server answered EXEC with something other than an array"));
      return NULL;
    }

  if (dt_redis_reply_get_n_elements (exec) != layout->n_commands)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("The server answered EXEC with %u replies for %u commands"),
                   dt_redis_reply_get_n_elements (exec), layout->n_commands);
      return NULL;
    }

  for (i = 0; i < layout->n_commands; i++)
    g_ptr_array_add (result, dt_redis_reply_ref (dt_redis_reply_get_element (exec, i)));

  return g_steal_pointer (&result);
}

static void
free_replies (DtRedisReply **replies,
              guint          n_replies)
{
  for (guint i = 0; i < n_replies; i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
}

/**
 * dt_redis_pipeline_execute:
 * @self: a [class@DtRedis.Pipeline]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends the queued commands on one connection of the sync pool and waits
 * for all their replies. The pipeline is emptied, whatever the outcome.
 *
 * An empty pipeline gives an empty array at once, without any I/O.
 * Commands the server refuses are %DT_REDIS_REPLY_ERROR replies in the
 * result, not errors. The errors are those of the [error@DtRedis.Error]
 * domain (%DT_REDIS_ERROR_TRANSACTION_ABORTED when a watched key changed,
 * %DT_REDIS_ERROR_SERVER when the server discarded a transaction, and the
 * connection errors of [class@DtRedis.Client]) and
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer container) (element-type DtRedis.Reply): one reply per
 *   queued command, in order, or %NULL on error
 */
GPtrArray *
dt_redis_pipeline_execute (DtRedisPipeline  *self,
                           GCancellable     *cancellable,
                           GError          **error)
{
  BatchLayout layout;
  g_autoptr(DtRedisCommand) cmd = NULL;
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autofree DtRedisReply **replies = NULL;
  DtRedisCluster *cluster;
  GPtrArray *result = NULL;

  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  cmd = take_command (self, &layout);
  if (cmd == NULL)
    return new_result (0);

  if (self->watch_conn != NULL)
    return dt_redis_pipeline_execute_watched (self, cmd, &layout, cancellable, error);

  replies = g_new0 (DtRedisReply *, layout.n_replies);
  if (!dt_redis_pools_get_cluster (self->pools, &cluster, error))
    return NULL;
  if (cluster != NULL)
    {
      /* A transaction stays in one slot; a plain batch is split by node. */
      if (layout.transaction ? dt_redis_cluster_run_sync (cluster, cmd, replies, cancellable, error)
                             : dt_redis_cluster_run_batch_sync (cluster, cmd, replies, cancellable, error))
        result = result_from_replies (&layout, replies, error);
      free_replies (replies, layout.n_replies);
      return result;
    }
  pool = dt_redis_pools_dup_sync (self->pools, error);
  if (pool != NULL && dt_redis_sync_pool_run (pool, cmd, replies, cancellable, error))
    {
      note_error_replies (self->pools, replies, layout.n_replies);
      result = result_from_replies (&layout, replies, error);
    }
  free_replies (replies, layout.n_replies);

  return result;
}

/* MULTI, the queued commands and EXEC over the watched connection; the
 * watch ends whatever happens. */
GPtrArray *
dt_redis_pipeline_execute_watched (DtRedisPipeline    *self,
                                   DtRedisCommand     *cmd,
                                   const BatchLayout  *layout,
                                   GCancellable       *cancellable,
                                   GError            **error)
{
  g_autofree DtRedisReply **replies = g_new0 (DtRedisReply *, layout->n_replies);
  GPtrArray *result = NULL;
  DtRedisReplyType exec_type = DT_REDIS_REPLY_ERROR;

  if (self->watch_conn == NULL)
    {
      /* Lost between the call and this thread (a failed immediate command). */
      dt_redis_pipeline_not_watching_error (error);
      return NULL;
    }
  if (!dt_redis_pipeline_check_watched_slot (self, cmd, error))
    return NULL;

  if (dt_redis_connection_run (self->watch_conn, cmd, replies, cancellable, error))
    {
      exec_type = dt_redis_reply_get_reply_type (replies[layout->n_replies - 1]);
      result = result_from_replies (layout, replies, error);
    }
  /* An answered EXEC (array or nil) ended the server's watch; after
   * anything else (MULTI refused, the connection lost) it may live on,
   * and a queued SELECT outlives the transaction: then the connection is
   * closed. */
  dt_redis_pipeline_end_watch (self, (exec_type == DT_REDIS_REPLY_ARRAY || exec_type == DT_REDIS_REPLY_NIL) &&
                   !(cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL));
  free_replies (replies, layout->n_replies);

  return result;
}

static void
execute_cb (const DtRedisCommand  *cmd,
            DtRedisReply         **replies,
            const GError          *error,
            gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  const BatchLayout *layout = g_task_get_task_data (task);
  GError *local_error = NULL;
  GPtrArray *result;

  if (error != NULL)
    {
      g_task_return_error (task, g_error_copy (error));
      return;
    }

  note_error_replies (DT_REDIS_PIPELINE (g_task_get_source_object (task))->pools,
                      replies, layout->n_replies);
  result = result_from_replies (layout, replies, &local_error);
  /* The replies are ours, the array that holds them is the pool's. */
  free_replies (replies, layout->n_replies);

  /* We may be in the pool's context: GTask takes the result to the
   * caller's. */
  if (result == NULL)
    g_task_return_error (task, local_error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * dt_redis_pipeline_execute_async:
 * @self: a [class@DtRedis.Pipeline]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the replies
 * @user_data: data for @callback
 *
 * Sends the queued commands through the async pool, without blocking.
 * The pipeline is emptied at once, so it can be filled again while the
 * batch runs. @callback runs in the thread-default main context of the
 * caller; call [method@DtRedis.Pipeline.execute_finish] from it.
 */
void
dt_redis_pipeline_execute_async (DtRedisPipeline     *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(DtRedisCommand) cmd = NULL;
  g_autoptr(DtRedisAsyncPool) pool = NULL;
  DtRedisCluster *cluster;
  BatchLayout layout;
  GError *error = NULL;

  g_return_if_fail (DT_REDIS_IS_PIPELINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (self->watch_conn != NULL)
    {
      WatchedCall *call = g_new0 (WatchedCall, 1);

      call->op = WATCHED_EXECUTE;
      call->cmd = take_command (self, &call->layout);
      dt_redis_pipeline_run_watched (self, call, dt_redis_pipeline_execute_async, cancellable, callback, user_data);
      return;
    }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_pipeline_execute_async);

  cmd = take_command (self, &layout);
  if (cmd == NULL)
    {
      g_task_return_pointer (task, new_result (0), (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  if (!dt_redis_pools_get_cluster (self->pools, &cluster, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, g_memdup2 (&layout, sizeof layout), g_free);
  if (cluster != NULL)
    {
      if (layout.transaction)
        dt_redis_cluster_submit (cluster, g_steal_pointer (&cmd), cancellable,
                                 execute_cb, g_steal_pointer (&task));
      else
        dt_redis_cluster_submit_batch (cluster, g_steal_pointer (&cmd), cancellable,
                                       execute_cb, g_steal_pointer (&task));
      return;
    }

  pool = dt_redis_pools_dup_async (self->pools, &error);
  if (pool == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  dt_redis_async_pool_submit (pool, g_steal_pointer (&cmd), cancellable,
                              execute_cb, g_steal_pointer (&task));
}

/**
 * dt_redis_pipeline_execute_finish:
 * @self: a [class@DtRedis.Pipeline]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.Pipeline.execute_async]. The result and the
 * errors are those of [method@DtRedis.Pipeline.execute].
 *
 * Returns: (transfer container) (element-type DtRedis.Reply): one reply per
 *   queued command, in order, or %NULL on error
 */
GPtrArray *
dt_redis_pipeline_execute_finish (DtRedisPipeline  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_pipeline_execute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
