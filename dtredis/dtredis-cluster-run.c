/* dtredis-cluster-run.c: running one command (or one MULTI/EXEC batch)
 * on a Redis Cluster, blocking
 *
 * The command goes to the node the map names for its slot. It is sent
 * again only when the answer says it did not run (MOVED, ASK, TRYAGAIN,
 * CLUSTERDOWN, LOADING, MASTERDOWN, READONLY; a transaction aborted with
 * EXECABORT for one of these) or when no connection to the node could be
 * had, so that nothing was sent. A failure after the bytes left is the
 * caller's, with "it may have been executed" in its message.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-error.h"

/* MOVED and ASK one command follows before it takes the last answer;
 * other retries are bounded by the time budget alone. */
#define MAX_REDIRECTS 16

/* Sleeps @us, or less when @cancellable is cancelled first. */
static void
pause_for (gint64        us,
           GCancellable *cancellable)
{
  gint64 until = g_get_monotonic_time () + us;

  while (!g_cancellable_is_cancelled (cancellable))
    {
      gint64 left = until - g_get_monotonic_time ();

      if (left <= 0)
        break;
      g_usleep (MIN (left, 10000));
    }
}

static void
free_replies (DtRedisReply **replies,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
}

/* What the replies of @cmd (MULTI/EXEC or a single command) say to do. */
DtRedisClusterReplyKind
dt_redis_cluster_classify_replies (DtRedisCluster       *self,
                                   const DtRedisCommand *cmd,
                                   DtRedisReply * const *replies,
                                   DtRedisClusterNode   *from,
                                   guint                *slot,
                                   DtRedisClusterNode  **target)
{
  guint n = cmd->n_replies;
  const char *exec_error;

  if (!(cmd->flags & DT_REDIS_COMMAND_FLAG_TRANSACTION) || n < 2)
    return dt_redis_cluster_classify (self, replies[0], from, slot, target);

  /* A transaction ran nothing when EXEC says EXECABORT; it can go again
   * when a queued command was refused for where it was sent. */
  exec_error = dt_redis_reply_get_reply_type (replies[n - 1]) == DT_REDIS_REPLY_ERROR
             ? dt_redis_reply_get_string (replies[n - 1], NULL) : NULL;
  if (exec_error == NULL || !g_str_has_prefix (exec_error, "EXECABORT"))
    return DT_REDIS_CLUSTER_REPLY_FINAL;

  for (guint i = 1; i + 1 < n; i++)
    {
      DtRedisClusterReplyKind kind = dt_redis_cluster_classify (self, replies[i], from, slot, target);

      /* ASKING covers one command, not a whole transaction: wait for the
       * migration to end, when the slot's owner answers MOVED. */
      if (kind == DT_REDIS_CLUSTER_REPLY_ASK)
        {
          g_clear_pointer (target, dt_redis_cluster_node_unref);
          return DT_REDIS_CLUSTER_REPLY_RETRY;
        }
      if (kind != DT_REDIS_CLUSTER_REPLY_FINAL)
        return kind;
    }

  return DT_REDIS_CLUSTER_REPLY_FINAL;
}

gboolean
dt_redis_cluster_run_sync (DtRedisCluster       *self,
                           const DtRedisCommand *cmd,
                           DtRedisReply        **replies,
                           GCancellable         *cancellable,
                           GError              **error)
{
  g_autoptr(DtRedisClusterNode) node = NULL;
  gint64 deadline = g_get_monotonic_time () + dt_redis_cluster_budget_us (self);
  g_autofree char *unreachable = NULL;  /* the last node that could not be reached */
  gboolean asking = FALSE;
  guint attempt = 0;
  guint redirects = 0;
  gint slot;

  if (!dt_redis_cluster_command_slot (cmd, &slot, error))
    return FALSE;
  if (slot == DT_REDIS_SLOT_ANY && dt_redis_cluster_is_fanout (cmd))
    return dt_redis_cluster_run_fanout_sync (self, cmd, replies, cancellable, error);

  node = dt_redis_cluster_pick_for (self, slot, cmd);
  for (;;)
    {
      g_autoptr(DtRedisSyncPool) pool = dt_redis_pools_dup_sync (node->pools, error);
      g_autoptr(DtRedisCommand) asking_cmd = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree DtRedisReply **got = NULL;
      g_autoptr(DtRedisClusterNode) target = NULL;
      const DtRedisCommand *send = cmd;
      DtRedisClusterReplyKind kind;
      gboolean unsent;
      guint moved_slot;
      guint skip;

      if (pool == NULL)
        return FALSE;
      if (asking)
        send = asking_cmd = dt_redis_cluster_asking_command (cmd);
      skip = asking ? 1 : 0;
      got = g_new0 (DtRedisReply *, send->n_replies);

      if (!dt_redis_sync_pool_run_full (pool, send, got, &unsent, cancellable, &local_error))
        {
          /* Nothing was sent: another node may know where the slot went
           * (after a failover, the replica that took over). */
          if (unsent && dt_redis_cluster_error_is_unreachable (local_error) &&
              g_get_monotonic_time () < deadline && !g_cancellable_is_cancelled (cancellable))
            {
              DtRedisClusterNode *other;

              g_free (unreachable);
              unreachable = g_strdup (node->address);
              dt_redis_cluster_refresh_soon (self);
              pause_for (dt_redis_cluster_backoff_us (attempt), cancellable);
              other = dt_redis_cluster_pick_other (self, node, attempt++);
              g_clear_pointer (&node, dt_redis_cluster_node_unref);
              node = other;
              asking = FALSE;
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      kind = dt_redis_cluster_classify_replies (self, cmd, got + skip, node, &moved_slot, &target);
      /* Sent back to the node that could not be reached: its slots have
       * no owner until a replica takes over. Wait, as for CLUSTERDOWN. */
      if (kind == DT_REDIS_CLUSTER_REPLY_MOVED && g_strcmp0 (target->address, unreachable) == 0)
        {
          g_clear_pointer (&target, dt_redis_cluster_node_unref);
          kind = DT_REDIS_CLUSTER_REPLY_RETRY;
        }
      if (kind == DT_REDIS_CLUSTER_REPLY_MOVED || kind == DT_REDIS_CLUSTER_REPLY_ASK)
        redirects++;
      /* Refused and not to be sent again: cancelled meanwhile, the caller
       * hears that (nothing of it is left on any connection). */
      if (kind != DT_REDIS_CLUSTER_REPLY_FINAL && g_cancellable_is_cancelled (cancellable))
        {
          free_replies (got, send->n_replies);
          g_cancellable_set_error_if_cancelled (cancellable, error);
          return FALSE;
        }
      if (kind == DT_REDIS_CLUSTER_REPLY_FINAL || redirects > MAX_REDIRECTS ||
          g_get_monotonic_time () >= deadline)
        {
          free_replies (got, skip);
          for (guint i = 0; i < cmd->n_replies; i++)
            replies[i] = got[skip + i];
          return TRUE;
        }

      free_replies (got, send->n_replies);
      dt_redis_cluster_count (self, kind);
      switch (kind)
        {
        case DT_REDIS_CLUSTER_REPLY_MOVED:
          dt_redis_cluster_note_moved (self, moved_slot, target);
          g_clear_pointer (&node, dt_redis_cluster_node_unref);
          node = g_steal_pointer (&target);
          asking = FALSE;
          break;

        case DT_REDIS_CLUSTER_REPLY_ASK:
          g_clear_pointer (&node, dt_redis_cluster_node_unref);
          node = g_steal_pointer (&target);
          asking = TRUE;
          break;

        case DT_REDIS_CLUSTER_REPLY_RETRY:
        case DT_REDIS_CLUSTER_REPLY_FINAL:
        default:
          pause_for (MIN (dt_redis_cluster_backoff_us (attempt++),
                          MAX (deadline - g_get_monotonic_time (), 0)), cancellable);
          g_clear_pointer (&node, dt_redis_cluster_node_unref);
          node = dt_redis_cluster_pick_for (self, slot, cmd);
          /* Still the node that could not be reached: try another. */
          if (g_strcmp0 (node->address, unreachable) == 0)
            {
              DtRedisClusterNode *other = dt_redis_cluster_pick_other (self, node, attempt);

              g_clear_pointer (&node, dt_redis_cluster_node_unref);
              node = other;
            }
          asking = FALSE;
          break;
        }
    }
}
