/* dtredis-pipeline-watch.c: a pipeline's WATCH on a leased connection
 *
 * watch(), unwatch(), the commands run at once while watching, and their
 * _async variants, which run the same blocking code in a GIO worker
 * thread. The batch itself is executed by dtredis-pipeline.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-client-private.h"
#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-command-private.h"
#include "dtredis-error.h"
#include "dtredis-value-private.h"
#include "dtredis-pipeline-private.h"

/* Ends the watch: the connection goes back to the pool when @reusable
 * (an EXEC answered, so the server's watch is over), else it is closed. */
void
dt_redis_pipeline_end_watch (DtRedisPipeline *self,
                             gboolean         reusable)
{
  if (self->watch_conn == NULL)
    return;

  if (!reusable || self->watch_tainted)
    dt_redis_connection_set_state (self->watch_conn, DT_REDIS_CONNECTION_RETIRED);
  dt_redis_sync_pool_give_back (self->watch_pool, g_steal_pointer (&self->watch_conn));
  g_clear_pointer (&self->watch_pool, dt_redis_sync_pool_unref);
  self->watch_tainted = FALSE;
}

gboolean
dt_redis_pipeline_not_watching_error (GError **error)
{
  g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED,
                       _("The pipeline watches no key: call dt_redis_pipeline_watch() first"));
  return FALSE;
}

/* Runs @cmd (one command) on the watched connection: its reply, with a
 * top-level error reply as a GError. A failed connection ends the watch. */
static DtRedisReply *
run_watched (DtRedisPipeline  *self,
             DtRedisCommand   *cmd,
             GCancellable     *cancellable,
             GError          **error)
{
  DtRedisReply *reply = NULL;

  g_assert (cmd->n_replies == 1);

  if (!dt_redis_connection_run (self->watch_conn, cmd, &reply, cancellable, error))
    {
      dt_redis_pipeline_end_watch (self, FALSE);
      return NULL;
    }
  if (cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL)
    self->watch_tainted = TRUE;
  if (dt_redis_reply_is_error (reply))
    {
      g_propagate_error (error, dt_redis_value_error_from_reply (reply));
      dt_redis_reply_unref (reply);
      return NULL;
    }

  return reply;
}

gboolean
dt_redis_pipeline_check_watched_slot (DtRedisPipeline      *self,
                                      const DtRedisCommand *cmd,
                                      GError              **error)
{
  DtRedisCluster *cluster = NULL;
  gint slot;

  if (!dt_redis_pools_get_cluster (self->pools, &cluster, NULL) || cluster == NULL)
    return TRUE;

  if (dt_redis_cluster_command_slot (cmd, &slot, error) &&
      (slot == DT_REDIS_SLOT_ANY || slot == self->watch_slot))
    return TRUE;

  if (error != NULL && *error == NULL)
    g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT,
                         _("A command of the transaction has keys in another cluster hash slot "
                           "than the watched keys; nothing was sent"));
  dt_redis_pipeline_end_watch (self, TRUE);
  return FALSE;
}

/* Cluster: leases the watched connection on the node that owns the slot
 * of the keys in @cmd (WATCH), following MOVED; the map may be out of
 * date, and WATCH refused with MOVED did not run. */
static DtRedisReply *
watch_on_cluster (DtRedisPipeline  *self,
                  DtRedisCluster   *cluster,
                  DtRedisCommand   *cmd,
                  GCancellable     *cancellable,
                  GError          **error)
{
  g_autoptr(DtRedisClusterNode) node = NULL;
  gint slot;

  if (!dt_redis_cluster_command_slot (cmd, &slot, error))
    return NULL;

  if (self->watch_conn != NULL)
    {
      if (slot != self->watch_slot)
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT,
                               _("The keys to watch are in another cluster hash slot than "
                                 "those already watched; nothing was sent"));
          return NULL;
        }
      return run_watched (self, cmd, cancellable, error);
    }

  node = dt_redis_cluster_pick (cluster, slot);
  for (guint redirects = 0;; redirects++)
    {
      g_autoptr(DtRedisClusterNode) target = NULL;
      DtRedisReply *reply = NULL;
      guint moved_slot;

      self->watch_conn = dt_redis_pools_lease_sync (node->pools, &self->watch_pool, cancellable, error);
      if (self->watch_conn == NULL)
        return NULL;
      self->watch_slot = slot;
      if (!dt_redis_connection_run (self->watch_conn, cmd, &reply, cancellable, error))
        {
          dt_redis_pipeline_end_watch (self, FALSE);
          return NULL;
        }
      if (redirects < 5 &&
          dt_redis_cluster_classify (cluster, reply, node, &moved_slot, &target) == DT_REDIS_CLUSTER_REPLY_MOVED)
        {
          /* Not watched: the connection holds no state. */
          dt_redis_reply_unref (reply);
          dt_redis_pipeline_end_watch (self, TRUE);
          dt_redis_cluster_note_moved (cluster, moved_slot, target);
          g_clear_pointer (&node, dt_redis_cluster_node_unref);
          node = g_steal_pointer (&target);
          continue;
        }
      if (dt_redis_reply_is_error (reply))
        {
          g_propagate_error (error, dt_redis_value_error_from_reply (reply));
          dt_redis_reply_unref (reply);
          dt_redis_pipeline_end_watch (self, FALSE);
          return NULL;
        }
      return reply;
    }
}

/**
 * dt_redis_pipeline_watch:
 * @self: a [class@DtRedis.Pipeline]
 * @keys: (array zero-terminated=1): the keys to watch, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Watches @keys for the transaction this pipeline will execute: takes one
 * connection of the sync pool for the pipeline (the first call) and sends
 * `WATCH` on it now. When any watched key changes before the `EXEC` of
 * [method@DtRedis.Pipeline.execute], the server runs none of the queued
 * commands and execution fails with %DT_REDIS_ERROR_TRANSACTION_ABORTED.
 * Calls add up. Watch before queueing commands.
 *
 * While the pipeline watches, use
 * [method@DtRedis.Pipeline.execute_immediate] for the reads the
 * transaction depends on; execution always runs as `MULTI`/`EXEC`,
 * whatever the pipeline's [property@DtRedis.Pipeline:transaction]. See
 * the class description.
 *
 * On failure the pipeline no longer watches any key. Errors are those of
 * [method@DtRedis.Client.execute], %DT_REDIS_ERROR_FAILED when commands
 * are already queued, and %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE when the keys are watched
 */
gboolean
dt_redis_pipeline_watch (DtRedisPipeline     *self,
                         const char * const  *keys,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_autoptr(DtRedisCommand) cmd = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  DtRedisCluster *cluster;

  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (keys != NULL && keys[0] != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->body != NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED,
                           _("Commands are already queued: watch keys before queueing commands"));
      return FALSE;
    }

  if (!dt_redis_pools_get_cluster (self->pools, &cluster, error))
    return FALSE;
  if (self->watch_conn == NULL && cluster == NULL)
    {
      self->watch_conn = dt_redis_pools_lease_sync (self->pools, &self->watch_pool,
                                                    cancellable, error);
      if (self->watch_conn == NULL)
        return FALSE;
    }

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (gpointer) "WATCH");
  for (guint i = 0; keys[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) keys[i]);
  g_ptr_array_add (argv, NULL);
  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, (const char * const *) argv->pdata);
  /* WATCH is the state this connection is leased for. */
  cmd->flags &= ~DT_REDIS_COMMAND_FLAG_STATEFUL;

  reply = cluster != NULL ? watch_on_cluster (self, cluster, cmd, cancellable, error)
                          : run_watched (self, cmd, cancellable, error);
  if (reply == NULL)
    {
      dt_redis_pipeline_end_watch (self, FALSE);
      return FALSE;
    }

  return TRUE;
}

/**
 * dt_redis_pipeline_get_watching:
 * @self: a [class@DtRedis.Pipeline]
 *
 * Whether the pipeline watches keys on a connection of its own, from a
 * successful [method@DtRedis.Pipeline.watch] to the end of the next
 * execution, [method@DtRedis.Pipeline.unwatch] or a failure.
 *
 * Returns: %TRUE while watching
 */
gboolean
dt_redis_pipeline_get_watching (DtRedisPipeline *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), FALSE);

  return self->watch_conn != NULL;
}

/**
 * dt_redis_pipeline_unwatch:
 * @self: a [class@DtRedis.Pipeline]
 *
 * Stops watching, without any I/O: the watched connection is closed (its
 * server-side `WATCH` dies with it, and no other caller ever gets it), and
 * the queued commands are dropped. Does nothing when the pipeline does
 * not watch.
 */
void
dt_redis_pipeline_unwatch (DtRedisPipeline *self)
{
  g_return_if_fail (DT_REDIS_IS_PIPELINE (self));

  dt_redis_pipeline_end_watch (self, FALSE);
  g_clear_pointer (&self->body, dt_redis_command_free);
}

static DtRedisReply *
execute_immediate_command (DtRedisPipeline  *self,
                           DtRedisCommand   *cmd,
                           GCancellable     *cancellable,
                           GError          **error)
{
  if (self->watch_conn == NULL)
    {
      dt_redis_pipeline_not_watching_error (error);
      return NULL;
    }
  if (!dt_redis_pipeline_check_watched_slot (self, cmd, error))
    return NULL;

  return run_watched (self, cmd, cancellable, error);
}

/**
 * dt_redis_pipeline_execute_immediate:
 * @self: a watching [class@DtRedis.Pipeline]
 * @argv: (array zero-terminated=1): the command and its arguments
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Runs one command now, over the watched connection, outside the queued
 * batch: the way to read the values a transaction depends on. Only while
 * the pipeline watches (%DT_REDIS_ERROR_FAILED otherwise). The errors are
 * those of [method@DtRedis.Client.execute]; a failed connection also ends
 * the watch.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_pipeline_execute_immediate (DtRedisPipeline     *self,
                                     const char * const  *argv,
                                     GCancellable        *cancellable,
                                     GError             **error)
{
  g_autoptr(DtRedisCommand) cmd = NULL;

  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, argv);

  return execute_immediate_command (self, cmd, cancellable, error);
}

/**
 * dt_redis_pipeline_execute_immediate_bytes:
 * @self: a watching [class@DtRedis.Pipeline]
 * @argv: (array length=n_argv): the command and its arguments, binary safe
 * @n_argv: the number of elements in @argv
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * [method@DtRedis.Pipeline.execute_immediate] with binary-safe arguments.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_pipeline_execute_immediate_bytes (DtRedisPipeline  *self,
                                           GBytes * const   *argv,
                                           guint             n_argv,
                                           GCancellable     *cancellable,
                                           GError          **error)
{
  g_autoptr(DtRedisCommand) cmd = NULL;

  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (argv != NULL && n_argv > 0, NULL);
  for (guint i = 0; i < n_argv; i++)
    g_return_val_if_fail (argv[i] != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_bytes (cmd, argv, n_argv);

  return execute_immediate_command (self, cmd, cancellable, error);
}

/* The _async variants of the watched calls: the sync code in a worker
 * thread, as GIO does for blocking operations. */

static void
watched_call_free (WatchedCall *call)
{
  g_strfreev (call->keys);
  g_clear_pointer (&call->cmd, dt_redis_command_free);
  g_free (call);
}

static void
watched_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  DtRedisPipeline *self = source_object;
  WatchedCall *call = task_data;
  GError *error = NULL;

  switch (call->op)
    {
    case WATCHED_WATCH:
      if (dt_redis_pipeline_watch (self, (const char * const *) call->keys, cancellable, &error))
        g_task_return_boolean (task, TRUE);
      else
        g_task_return_error (task, error);
      break;

    case WATCHED_IMMEDIATE:
      {
        DtRedisReply *reply = execute_immediate_command (self, call->cmd, cancellable, &error);

        if (reply != NULL)
          g_task_return_pointer (task, reply, (GDestroyNotify) dt_redis_reply_unref);
        else
          g_task_return_error (task, error);
      }
      break;

    case WATCHED_EXECUTE:
    default:
      {
        GPtrArray *result = dt_redis_pipeline_execute_watched (self, call->cmd, &call->layout, cancellable, &error);

        if (result != NULL)
          g_task_return_pointer (task, result, (GDestroyNotify) g_ptr_array_unref);
        else
          g_task_return_error (task, error);
      }
      break;
    }
}

void
dt_redis_pipeline_run_watched (DtRedisPipeline     *self,
                               WatchedCall         *call,
                               gpointer             source_tag,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  /* What happened is what is reported: a call that got through despite a
   * late cancellation says so, rather than hiding a held watch or an EXEC
   * that ran. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, call, (GDestroyNotify) watched_call_free);
  g_task_run_in_thread (task, watched_thread);
}

/**
 * dt_redis_pipeline_watch_async:
 * @self: a [class@DtRedis.Pipeline]
 * @keys: (array zero-terminated=1): the keys to watch, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when the keys are watched
 * @user_data: data for @callback
 *
 * [method@DtRedis.Pipeline.watch] without blocking: it runs in a GIO
 * worker thread, and @callback runs in the caller's thread-default main
 * context. Call [method@DtRedis.Pipeline.watch_finish] from it.
 */
void
dt_redis_pipeline_watch_async (DtRedisPipeline     *self,
                               const char * const  *keys,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  WatchedCall *call;

  g_return_if_fail (DT_REDIS_IS_PIPELINE (self));
  g_return_if_fail (keys != NULL && keys[0] != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (WatchedCall, 1);
  call->op = WATCHED_WATCH;
  call->keys = g_strdupv ((char **) keys);
  dt_redis_pipeline_run_watched (self, call, dt_redis_pipeline_watch_async, cancellable, callback, user_data);
}

/**
 * dt_redis_pipeline_watch_finish:
 * @self: a [class@DtRedis.Pipeline]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.Pipeline.watch_async]; the errors are those of
 * [method@DtRedis.Pipeline.watch].
 *
 * Returns: %TRUE when the keys are watched
 */
gboolean
dt_redis_pipeline_watch_finish (DtRedisPipeline  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_pipeline_watch_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_redis_pipeline_execute_immediate_async:
 * @self: a watching [class@DtRedis.Pipeline]
 * @argv: (array zero-terminated=1): the command and its arguments
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the reply
 * @user_data: data for @callback
 *
 * [method@DtRedis.Pipeline.execute_immediate] without blocking, in a GIO
 * worker thread; call [method@DtRedis.Pipeline.execute_immediate_finish]
 * from @callback.
 */
void
dt_redis_pipeline_execute_immediate_async (DtRedisPipeline     *self,
                                           const char * const  *argv,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  WatchedCall *call;

  g_return_if_fail (DT_REDIS_IS_PIPELINE (self));
  g_return_if_fail (argv != NULL && argv[0] != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (WatchedCall, 1);
  call->op = WATCHED_IMMEDIATE;
  call->cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (call->cmd, argv);
  dt_redis_pipeline_run_watched (self, call, dt_redis_pipeline_execute_immediate_async,
                         cancellable, callback, user_data);
}

/**
 * dt_redis_pipeline_execute_immediate_bytes_async:
 * @self: a watching [class@DtRedis.Pipeline]
 * @argv: (array length=n_argv): the command and its arguments, binary safe
 * @n_argv: the number of elements in @argv
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the reply
 * @user_data: data for @callback
 *
 * [method@DtRedis.Pipeline.execute_immediate_bytes] without blocking;
 * call [method@DtRedis.Pipeline.execute_immediate_finish] from @callback.
 */
void
dt_redis_pipeline_execute_immediate_bytes_async (DtRedisPipeline     *self,
                                                 GBytes * const      *argv,
                                                 guint                n_argv,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  WatchedCall *call;

  g_return_if_fail (DT_REDIS_IS_PIPELINE (self));
  g_return_if_fail (argv != NULL && n_argv > 0);
  for (guint i = 0; i < n_argv; i++)
    g_return_if_fail (argv[i] != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  call = g_new0 (WatchedCall, 1);
  call->op = WATCHED_IMMEDIATE;
  call->cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_bytes (call->cmd, argv, n_argv);
  /* Both variants finish with one function. */
  dt_redis_pipeline_run_watched (self, call, dt_redis_pipeline_execute_immediate_async,
                         cancellable, callback, user_data);
}

/**
 * dt_redis_pipeline_execute_immediate_finish:
 * @self: a [class@DtRedis.Pipeline]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.Pipeline.execute_immediate_async] and
 * [method@DtRedis.Pipeline.execute_immediate_bytes_async].
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_pipeline_execute_immediate_finish (DtRedisPipeline  *self,
                                            GAsyncResult     *result,
                                            GError          **error)
{
  g_return_val_if_fail (DT_REDIS_IS_PIPELINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        dt_redis_pipeline_execute_immediate_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

