/* dtredis-cluster-batch.c: a pipeline (not a transaction) on a Redis
 * Cluster, split by node
 *
 * The commands are grouped by the node that owns each one's slot, and
 * each group goes to its node as one batch; the replies are put back in
 * the caller's order. A command its node refused for where it was sent
 * (MOVED, ASK, TRYAGAIN...) did not run, and goes again on its own through
 * the single-command path. A command whose keys span slots is not sent:
 * its reply is a CROSSSLOT error, as the server's would be; nor is one
 * meant for every primary (DBSIZE, FLUSHDB...): its error reply says to
 * send it alone. When no
 * connection to a node could be had, nothing of its group was sent, and
 * each of its commands goes on its own too.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>


#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-error.h"

typedef struct
{
  DtRedisClusterNode *node;
  DtRedisCommand     *cmd;      /* the group's commands, as one batch */
  GArray             *indices;  /* guint: each command's place in the pipeline */
} Group;

typedef struct
{
  guint           n;
  DtRedisCommand **singles;     /* each command alone, to send again */
  DtRedisReply  **replies;      /* the result, filled as replies come */
  GPtrArray      *groups;       /* Group */
} Split;

static void
group_free (gpointer data)
{
  Group *group = data;

  dt_redis_cluster_node_unref (group->node);
  dt_redis_command_free (group->cmd);
  g_array_unref (group->indices);
  g_free (group);
}

static void
split_free (Split *split)
{
  for (guint i = 0; i < split->n; i++)
    {
      g_clear_pointer (&split->singles[i], dt_redis_command_free);
      g_clear_pointer (&split->replies[i], dt_redis_reply_unref);
    }
  g_free (split->singles);
  g_free (split->replies);
  g_ptr_array_unref (split->groups);
  g_free (split);
}

static DtRedisReply *
cross_slot_reply (void)
{
  return dt_redis_reply_new_error ("CROSSSLOT Keys in request don't hash to the same slot "
                                   "(not sent by dtredis)");
}

static Group *
group_for (Split              *split,
           DtRedisClusterNode *node)
{
  Group *group;

  for (guint i = 0; i < split->groups->len; i++)
    {
      group = g_ptr_array_index (split->groups, i);
      if (strcmp (group->node->address, node->address) == 0)
        return group;
    }

  group = g_new0 (Group, 1);
  group->node = dt_redis_cluster_node_ref (node);
  group->cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  group->indices = g_array_new (FALSE, FALSE, sizeof (guint));
  g_ptr_array_add (split->groups, group);
  return group;
}

static Split *
split_batch (DtRedisCluster       *self,
             const DtRedisCommand *batch)
{
  Split *split = g_new0 (Split, 1);
  DtRedisRequestArgs args;
  gsize offset = 0;

  split->n = batch->n_replies;
  split->singles = g_new0 (DtRedisCommand *, split->n);
  split->replies = g_new0 (DtRedisReply *, split->n);
  split->groups = g_ptr_array_new_with_free_func (group_free);

  dt_redis_request_args_init (&args);
  for (guint i = 0; i < split->n && dt_redis_request_args_next (&args, &batch->payload, &offset); i++)
    {
      g_autoptr(DtRedisClusterNode) node = NULL;
      Group *group;
      gint slot;

      split->singles[i] = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
      dt_redis_command_append_argv (split->singles[i], args.argc, (const char * const *) args.argv, args.lens);
      if (!dt_redis_cluster_args_slot (&args, &slot, NULL))
        {
          split->replies[i] = cross_slot_reply ();
          continue;
        }
      /* DBSIZE, FLUSHDB...: alone they go to every primary; among other
       * commands, where would they go in the pipeline's order? */
      if (slot == DT_REDIS_SLOT_ANY && dt_redis_cluster_is_fanout (split->singles[i]))
        {
          g_autofree char *name = g_strndup (args.argv[0], args.lens[0]);
          g_autofree char *text = g_strdup_printf ("ERR %s runs on every primary of the cluster: "
                                                   "send it on its own, not in a pipeline "
                                                   "(not sent by dtredis)", name);

          split->replies[i] = dt_redis_reply_new_error (text);
          continue;
        }
      node = dt_redis_cluster_pick (self, slot);
      group = group_for (split, node);
      dt_redis_command_append_argv (group->cmd, args.argc, (const char * const *) args.argv, args.lens);
      g_array_append_val (group->indices, i);
    }
  dt_redis_request_args_clear (&args);

  return split;
}

/* Whether @reply says the command was not run where it was sent. */
static gboolean
refused_for_place (DtRedisCluster     *self,
                   const DtRedisReply *reply,
                   DtRedisClusterNode *from)
{
  g_autoptr(DtRedisClusterNode) target = NULL;
  guint slot;
  DtRedisClusterReplyKind kind = dt_redis_cluster_classify (self, reply, from, &slot, &target);

  /* The map learns where the slot went, for the commands that follow. */
  if (kind == DT_REDIS_CLUSTER_REPLY_MOVED)
    dt_redis_cluster_note_moved (self, slot, target);
  return kind != DT_REDIS_CLUSTER_REPLY_FINAL;
}

/* Blocking */

gboolean
dt_redis_cluster_run_batch_sync (DtRedisCluster       *self,
                                 const DtRedisCommand *batch,
                                 DtRedisReply        **replies,
                                 GCancellable         *cancellable,
                                 GError              **error)
{
  Split *split = split_batch (self, batch);
  gboolean ok = TRUE;

  for (guint g = 0; ok && g < split->groups->len; g++)
    {
      Group *group = g_ptr_array_index (split->groups, g);
      g_autoptr(DtRedisSyncPool) pool = dt_redis_pools_dup_sync (group->node->pools, error);
      g_autofree DtRedisReply **got = g_new0 (DtRedisReply *, group->cmd->n_replies);
      g_autoptr(GError) local_error = NULL;
      gboolean unsent;

      if (pool == NULL)
        {
          ok = FALSE;
          break;
        }

      if (dt_redis_sync_pool_run_full (pool, group->cmd, got, &unsent, cancellable, &local_error))
        {
          for (guint j = 0; j < group->indices->len; j++)
            {
              guint i = g_array_index (group->indices, guint, j);

              if (refused_for_place (self, got[j], group->node))
                dt_redis_reply_unref (got[j]);   /* not run: sent again below */
              else
                split->replies[i] = got[j];
            }
        }
      else if (!(unsent && dt_redis_cluster_error_is_unreachable (local_error)))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          ok = FALSE;
        }
    }

  /* What was refused, or never left: one at a time, with retries. */
  for (guint i = 0; ok && i < split->n; i++)
    if (split->replies[i] == NULL &&
        !dt_redis_cluster_run_sync (self, split->singles[i], &split->replies[i], cancellable, error))
      ok = FALSE;

  if (ok)
    for (guint i = 0; i < split->n; i++)
      replies[i] = g_steal_pointer (&split->replies[i]);
  split_free (split);

  return ok;
}

/* Asynchronous */

typedef struct
{
  DtRedisCluster           *cluster;
  DtRedisCommand           *batch;     /* the caller's, for the callback */
  GCancellable             *cancellable;
  DtRedisAsyncPoolCallback  callback;
  gpointer                  user_data;
  Split                    *split;
  guint                     pending;   /* groups, then singles, not back yet */
  GError                   *error;     /* the first failure */
} BatchCall;

typedef struct
{
  BatchCall *call;
  guint      index;   /* the group, or the single command */
} Part;

static void batch_step (BatchCall *call);

static void
batch_call_finish (BatchCall *call)
{
  if (call->error != NULL)
    call->callback (call->batch, NULL, call->error, call->user_data);
  else
    {
      g_autofree DtRedisReply **replies = g_new (DtRedisReply *, call->split->n);

      /* The callee owns the replies, not the array. */
      for (guint i = 0; i < call->split->n; i++)
        replies[i] = g_steal_pointer (&call->split->replies[i]);
      call->callback (call->batch, replies, NULL, call->user_data);
    }

  g_clear_error (&call->error);
  split_free (call->split);
  dt_redis_command_free (call->batch);
  g_clear_object (&call->cancellable);
  dt_redis_cluster_unref (call->cluster);
  g_free (call);
}

static void
group_done (const DtRedisCommand  *sent,
            DtRedisReply         **got,
            const GError          *error,
            gpointer               user_data)
{
  Part *part = user_data;
  BatchCall *call = part->call;
  Group *group = g_ptr_array_index (call->split->groups, part->index);

  g_free (part);
  if (error != NULL)
    {
      /* Nothing of the group left: each command goes again on its own. */
      if (!(!sent->written && dt_redis_cluster_error_is_unreachable (error)) && call->error == NULL)
        call->error = g_error_copy (error);
    }
  else
    {
      for (guint j = 0; j < group->indices->len; j++)
        {
          guint i = g_array_index (group->indices, guint, j);

          if (refused_for_place (call->cluster, got[j], group->node))
            dt_redis_reply_unref (got[j]);
          else
            call->split->replies[i] = got[j];
        }
    }

  if (--call->pending == 0)
    batch_step (call);
}

static void
single_done (const DtRedisCommand  *sent,
             DtRedisReply         **got,
             const GError          *error,
             gpointer               user_data)
{
  Part *part = user_data;
  BatchCall *call = part->call;

  if (error != NULL)
    {
      if (call->error == NULL)
        call->error = g_error_copy (error);
    }
  else
    call->split->replies[part->index] = got[0];
  g_free (part);

  if (--call->pending == 0)
    batch_call_finish (call);
}

/* After the groups: the commands still without a reply go one by one. */
static void
batch_step (BatchCall *call)
{
  Split *split = call->split;

  if (call->error != NULL)
    {
      batch_call_finish (call);
      return;
    }

  call->pending = 1;   /* held while submitting */
  for (guint i = 0; i < split->n; i++)
    if (split->replies[i] == NULL)
      {
        Part *part = g_new (Part, 1);

        part->call = call;
        part->index = i;
        call->pending++;
        dt_redis_cluster_submit (call->cluster, g_steal_pointer (&split->singles[i]),
                                 call->cancellable, single_done, part);
      }
  if (--call->pending == 0)
    batch_call_finish (call);
}

void
dt_redis_cluster_submit_batch (DtRedisCluster           *self,
                               DtRedisCommand           *batch,
                               GCancellable             *cancellable,
                               DtRedisAsyncPoolCallback  callback,
                               gpointer                  user_data)
{
  BatchCall *call = g_new0 (BatchCall, 1);

  call->cluster = dt_redis_cluster_ref (self);
  call->batch = batch;
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  call->callback = callback;
  call->user_data = user_data;
  call->split = split_batch (self, batch);

  call->pending = 1;   /* held while submitting */
  for (guint g = 0; g < call->split->groups->len; g++)
    {
      Group *group = g_ptr_array_index (call->split->groups, g);
      g_autoptr(DtRedisAsyncPool) pool = NULL;
      GError *error = NULL;
      Part *part;

      pool = dt_redis_pools_dup_async (group->node->pools, &error);
      if (pool == NULL)
        {
          if (call->error == NULL)
            call->error = error;
          else
            g_error_free (error);
          continue;
        }
      part = g_new (Part, 1);
      part->call = call;
      part->index = g;
      call->pending++;
      dt_redis_async_pool_submit (pool, dt_redis_command_copy (group->cmd), cancellable,
                                  group_done, part);
    }
  if (--call->pending == 0)
    batch_step (call);
}
