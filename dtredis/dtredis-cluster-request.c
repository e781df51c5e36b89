/* dtredis-cluster-request.c: one command on a Redis Cluster, asynchronous
 *
 * The async twin of dtredis-cluster-run.c, with the same rules: a
 * command goes again only when the answer says it did not run, or when
 * its bytes never reached a connection's output buffer. Each attempt is
 * a copy submitted to the async pool of the node it goes to; the pauses
 * between attempts are timeouts on the main context the pool runs on.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <gio/gio.h>

#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-error.h"

/* As in dtredis-cluster-run.c. */
#define MAX_REDIRECTS 16

typedef struct
{
  DtRedisCluster           *cluster;
  DtRedisCommand           *cmd;       /* the caller's, sent as copies */
  GCancellable             *cancellable;
  DtRedisAsyncPoolCallback  callback;
  gpointer                  user_data;
  DtRedisClusterNode       *node;      /* where the next attempt goes */
  gint                      slot;
  gboolean                  asking;
  guint                     redirects;
  char                     *unreachable; /* the last node that could not be reached */
  guint                     attempt;
  gint64                    deadline;
} Request;

static void
request_free (Request *req)
{
  dt_redis_cluster_unref (req->cluster);
  dt_redis_command_free (req->cmd);
  g_clear_object (&req->cancellable);
  g_clear_pointer (&req->node, dt_redis_cluster_node_unref);
  g_free (req->unreachable);
  g_free (req);
}

static void
finish_error (Request      *req,
              const GError *error)
{
  req->callback (req->cmd, NULL, error, req->user_data);
  request_free (req);
}

static void send_attempt (Request *req);

static gboolean
resume_cb (gpointer data)
{
  Request *req = data;
  g_autoptr(GError) error = NULL;

  if (g_cancellable_set_error_if_cancelled (req->cancellable, &error))
    finish_error (req, error);
  else
    send_attempt (req);
  return G_SOURCE_REMOVE;
}

/* Sends again after a pause, on this thread's main context (the pool's,
 * where the attempt's callback ran). */
static void
resume_later (Request *req,
              gint64   us)
{
  GSource *source = g_timeout_source_new ((guint) MAX (us / 1000, 1));

  g_source_set_callback (source, resume_cb, req, NULL);
  g_source_set_static_name (source, "[dtredis] cluster retry");
  g_source_attach (source, g_main_context_get_thread_default ());
  g_source_unref (source);
}

static gboolean
may_go_again (Request *req)
{
  return req->redirects <= MAX_REDIRECTS && g_get_monotonic_time () < req->deadline &&
         !g_cancellable_is_cancelled (req->cancellable);
}

static void
attempt_done (const DtRedisCommand  *sent,
              DtRedisReply         **replies,
              const GError          *error,
              gpointer               user_data)
{
  Request *req = user_data;
  g_autoptr(DtRedisClusterNode) target = NULL;
  DtRedisClusterReplyKind kind;
  guint skip = req->asking ? 1 : 0;
  guint moved_slot;

  if (error != NULL)
    {
      /* Its bytes never left: another node may know where the slot went. */
      if (!sent->written && dt_redis_cluster_error_is_unreachable (error) && may_go_again (req))
        {
          DtRedisClusterNode *other;

          g_free (req->unreachable);
          req->unreachable = g_strdup (req->node->address);
          dt_redis_cluster_refresh_soon (req->cluster);
          other = dt_redis_cluster_pick_other (req->cluster, req->node, req->attempt);
          g_clear_pointer (&req->node, dt_redis_cluster_node_unref);
          req->node = other;
          req->asking = FALSE;
          resume_later (req, dt_redis_cluster_backoff_us (req->attempt++));
          return;
        }
      finish_error (req, error);
      return;
    }

  kind = dt_redis_cluster_classify_replies (req->cluster, req->cmd, replies + skip, req->node,
                                            &moved_slot, &target);
  /* Sent back to the node that could not be reached: wait, as for
   * CLUSTERDOWN, until a replica takes over. */
  if (kind == DT_REDIS_CLUSTER_REPLY_MOVED && g_strcmp0 (target->address, req->unreachable) == 0)
    {
      g_clear_pointer (&target, dt_redis_cluster_node_unref);
      kind = DT_REDIS_CLUSTER_REPLY_RETRY;
    }
  if (kind == DT_REDIS_CLUSTER_REPLY_MOVED || kind == DT_REDIS_CLUSTER_REPLY_ASK)
    req->redirects++;
  /* Refused, and cancelled meanwhile: nothing of it is left anywhere. */
  if (kind != DT_REDIS_CLUSTER_REPLY_FINAL && g_cancellable_is_cancelled (req->cancellable))
    {
      g_autoptr(GError) cancelled = NULL;

      for (guint i = 0; i < sent->n_replies; i++)
        dt_redis_reply_unref (replies[i]);
      g_cancellable_set_error_if_cancelled (req->cancellable, &cancelled);
      finish_error (req, cancelled);
      return;
    }
  if (kind == DT_REDIS_CLUSTER_REPLY_FINAL || !may_go_again (req))
    {
      for (guint i = 0; i < skip; i++)
        dt_redis_reply_unref (replies[i]);
      req->callback (req->cmd, replies + skip, NULL, req->user_data);
      request_free (req);
      return;
    }

  for (guint i = 0; i < sent->n_replies; i++)
    dt_redis_reply_unref (replies[i]);
  dt_redis_cluster_count (req->cluster, kind);
  switch (kind)
    {
    case DT_REDIS_CLUSTER_REPLY_MOVED:
      dt_redis_cluster_note_moved (req->cluster, moved_slot, target);
      g_clear_pointer (&req->node, dt_redis_cluster_node_unref);
      req->node = g_steal_pointer (&target);
      req->asking = FALSE;
      send_attempt (req);
      break;

    case DT_REDIS_CLUSTER_REPLY_ASK:
      g_clear_pointer (&req->node, dt_redis_cluster_node_unref);
      req->node = g_steal_pointer (&target);
      req->asking = TRUE;
      send_attempt (req);
      break;

    case DT_REDIS_CLUSTER_REPLY_RETRY:
    case DT_REDIS_CLUSTER_REPLY_FINAL:
    default:
      g_clear_pointer (&req->node, dt_redis_cluster_node_unref);
      req->node = dt_redis_cluster_pick_for (req->cluster, req->slot, req->cmd);
      /* Still the node that could not be reached: try another. */
      if (g_strcmp0 (req->node->address, req->unreachable) == 0)
        {
          DtRedisClusterNode *other = dt_redis_cluster_pick_other (req->cluster, req->node, req->attempt);

          g_clear_pointer (&req->node, dt_redis_cluster_node_unref);
          req->node = other;
        }
      req->asking = FALSE;
      resume_later (req, MIN (dt_redis_cluster_backoff_us (req->attempt++),
                              MAX (req->deadline - g_get_monotonic_time (), 0)));
      break;
    }
}

static void
send_attempt (Request *req)
{
  g_autoptr(DtRedisAsyncPool) pool = NULL;
  GError *error = NULL;

  pool = dt_redis_pools_dup_async (req->node->pools, &error);
  if (pool == NULL)
    {
      finish_error (req, error);
      g_error_free (error);
      return;
    }

  dt_redis_async_pool_submit (pool,
                              req->asking ? dt_redis_cluster_asking_command (req->cmd)
                                          : dt_redis_command_copy (req->cmd),
                              req->cancellable, attempt_done, req);
}

void
dt_redis_cluster_submit (DtRedisCluster           *self,
                         DtRedisCommand           *cmd,
                         GCancellable             *cancellable,
                         DtRedisAsyncPoolCallback  callback,
                         gpointer                  user_data)
{
  Request *req;
  GError *error = NULL;
  gint slot;

  if (!dt_redis_cluster_command_slot (cmd, &slot, &error))
    {
      callback (cmd, NULL, error, user_data);
      g_error_free (error);
      dt_redis_command_free (cmd);
      return;
    }
  if (slot == DT_REDIS_SLOT_ANY && dt_redis_cluster_is_fanout (cmd))
    {
      dt_redis_cluster_submit_fanout (self, cmd, cancellable, callback, user_data);
      return;
    }

  req = g_new0 (Request, 1);
  req->cluster = dt_redis_cluster_ref (self);
  req->cmd = cmd;
  req->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  req->callback = callback;
  req->user_data = user_data;
  req->slot = slot;
  req->deadline = g_get_monotonic_time () + dt_redis_cluster_budget_us (self);
  req->node = dt_redis_cluster_pick_for (self, slot, cmd);
  send_attempt (req);
}
