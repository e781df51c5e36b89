/* dtredis-cluster-fanout.c: the keyless commands that mean "every
 * primary" on a Redis Cluster
 *
 * DBSIZE is summed over the primaries, KEYS gives every primary's keys,
 * FLUSHDB, FLUSHALL, SCRIPT FLUSH and SCRIPT LOAD run on each primary (so
 * that EVALSHA finds the script wherever its keys are), as redis-py's
 * RedisCluster does. Other keyless commands run on one primary.
 *
 * The command goes to each primary once, never again; a failure on one
 * node fails the whole call, saying which node (the others may have run
 * it).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-error.h"

typedef enum
{
  FANOUT_NONE,
  FANOUT_SUM,      /* integers added up */
  FANOUT_CONCAT,   /* arrays joined */
  FANOUT_SAME,     /* the same reply from each (OK, a script's SHA1) */
} FanoutKind;

static FanoutKind
fanout_kind (const DtRedisCommand *cmd)
{
  DtRedisRequestArgs args;
  gsize offset = 0;
  FanoutKind kind = FANOUT_NONE;

  if (cmd->n_replies != 1 || (cmd->flags & DT_REDIS_COMMAND_FLAG_TRANSACTION))
    return FANOUT_NONE;

  dt_redis_request_args_init (&args);
  if (dt_redis_request_args_next (&args, &cmd->payload, &offset))
    {
      const char *name = args.argv[0];
      gsize len = args.lens[0];

#define IS(word) (len == strlen (word) && g_ascii_strncasecmp (name, word, len) == 0)
#define SUB_IS(word) (args.argc >= 2 && args.lens[1] == strlen (word) && \
                      g_ascii_strncasecmp (args.argv[1], word, args.lens[1]) == 0)
      if (IS ("DBSIZE"))
        kind = FANOUT_SUM;
      else if (IS ("KEYS"))
        kind = FANOUT_CONCAT;
      else if (IS ("FLUSHDB") || IS ("FLUSHALL"))
        kind = FANOUT_SAME;
      else if (IS ("SCRIPT") && (SUB_IS ("FLUSH") || SUB_IS ("LOAD")))
        kind = FANOUT_SAME;
#undef SUB_IS
#undef IS
    }
  dt_redis_request_args_clear (&args);

  return kind;
}

gboolean
dt_redis_cluster_is_fanout (const DtRedisCommand *cmd)
{
  return fanout_kind (cmd) != FANOUT_NONE;
}

/* Combines the primaries' replies (not consumed) into one; an error reply
 * from any of them is the answer, naming the node. */
static DtRedisReply *
combine (FanoutKind          kind,
         DtRedisReply      **replies,
         GPtrArray          *nodes)
{
  g_autoptr(GPtrArray) joined = NULL;
  gint64 sum = 0;

  for (guint i = 0; i < nodes->len; i++)
    if (dt_redis_reply_is_error (replies[i]))
      {
        g_autofree char *text = g_strdup_printf ("%s (from %s)", dt_redis_reply_get_string (replies[i], NULL),
                                                 ((DtRedisClusterNode *) g_ptr_array_index (nodes, i))->address);

        return dt_redis_reply_new_error (text);
      }

  switch (kind)
    {
    case FANOUT_SUM:
      for (guint i = 0; i < nodes->len; i++)
        sum += dt_redis_reply_get_integer (replies[i]);
      return dt_redis_reply_new_integer (sum);

    case FANOUT_CONCAT:
      joined = g_ptr_array_new ();
      for (guint i = 0; i < nodes->len; i++)
        for (guint e = 0; e < dt_redis_reply_get_n_elements (replies[i]); e++)
          g_ptr_array_add (joined, (gpointer) dt_redis_reply_get_element (replies[i], e));
      return dt_redis_reply_new_array ((DtRedisReply * const *) joined->pdata, joined->len);

    case FANOUT_SAME:
      for (guint i = 1; i < nodes->len; i++)
        if (!dt_redis_reply_equal (replies[0], replies[i]))
          return dt_redis_reply_new_error ("ERR the primaries of the cluster answered differently");
      return dt_redis_reply_ref (replies[0]);

    case FANOUT_NONE:
    default:
      g_assert_not_reached ();
    }
}

static GPtrArray *
dup_primaries (const DtRedisClusterMap *map)
{
  GPtrArray *nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_cluster_node_unref);

  for (guint i = 0; i < map->n_primaries; i++)
    g_ptr_array_add (nodes, dt_redis_cluster_node_ref (g_ptr_array_index (map->nodes, i)));
  return nodes;
}

static void
free_replies (DtRedisReply **replies,
              guint          n)
{
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
  g_free (replies);
}

static GError *
node_failed (const DtRedisClusterNode *node,
             const GError             *error)
{
  return g_error_new (error->domain, error->code,
                      /* Translators: the first %s is a node's host:port, the second why it failed */
                      _("%s: %s (the other primaries may have run the command)"),
                      node->address, error->message);
}

gboolean
dt_redis_cluster_run_fanout_sync (DtRedisCluster       *self,
                                  const DtRedisCommand *cmd,
                                  DtRedisReply        **reply,
                                  GCancellable         *cancellable,
                                  GError              **error)
{
  g_autoptr(DtRedisClusterMap) map = dt_redis_cluster_ensure_map (self, cancellable, error);
  g_autoptr(GPtrArray) nodes = NULL;
  DtRedisReply **replies;

  if (map == NULL)
    return FALSE;
  nodes = dup_primaries (map);
  replies = g_new0 (DtRedisReply *, MAX (nodes->len, 1));
  for (guint i = 0; i < nodes->len; i++)
    {
      DtRedisClusterNode *node = g_ptr_array_index (nodes, i);
      g_autoptr(DtRedisSyncPool) pool = dt_redis_pools_dup_sync (node->pools, error);
      g_autoptr(GError) local_error = NULL;

      if (pool == NULL)
        {
          free_replies (replies, nodes->len);
          return FALSE;
        }
      if (!dt_redis_sync_pool_run (pool, cmd, &replies[i], cancellable, &local_error))
        {
          g_propagate_error (error, node_failed (node, local_error));
          free_replies (replies, nodes->len);
          return FALSE;
        }
    }

  *reply = combine (fanout_kind (cmd), replies, nodes);
  free_replies (replies, nodes->len);
  return TRUE;
}

/* Asynchronous */

typedef struct
{
  DtRedisCluster           *cluster;
  DtRedisCommand           *cmd;
  GCancellable             *cancellable;
  DtRedisAsyncPoolCallback  callback;
  gpointer                  user_data;
  GPtrArray                *nodes;
  DtRedisReply            **replies;
  guint                     pending;
  GError                   *error;
} Fanout;

typedef struct
{
  Fanout *fanout;
  guint   index;
} FanoutPart;

static void
fanout_finish (Fanout *f)
{
  if (f->error != NULL)
    f->callback (f->cmd, NULL, f->error, f->user_data);
  else
    {
      DtRedisReply *combined = combine (fanout_kind (f->cmd), f->replies, f->nodes);

      /* The callee owns the reply. */
      f->callback (f->cmd, &combined, NULL, f->user_data);
    }

  if (f->nodes != NULL)
    free_replies (f->replies, f->nodes->len);
  g_clear_pointer (&f->nodes, g_ptr_array_unref);
  g_clear_error (&f->error);
  dt_redis_command_free (f->cmd);
  g_clear_object (&f->cancellable);
  dt_redis_cluster_unref (f->cluster);
  g_free (f);
}

static void
part_done (const DtRedisCommand  *sent,
           DtRedisReply         **got,
           const GError          *error,
           gpointer               user_data)
{
  FanoutPart *part = user_data;
  Fanout *f = part->fanout;

  if (error != NULL)
    {
      if (f->error == NULL)
        f->error = node_failed (g_ptr_array_index (f->nodes, part->index), error);
    }
  else
    f->replies[part->index] = got[0];
  g_free (part);

  if (--f->pending == 0)
    fanout_finish (f);
}

static void
fanout_send (Fanout            *f,
             DtRedisClusterMap *map)
{
  f->nodes = dup_primaries (map);
  f->replies = g_new0 (DtRedisReply *, MAX (f->nodes->len, 1));
  f->pending = 1;   /* held while submitting */
  for (guint i = 0; i < f->nodes->len; i++)
    {
      DtRedisClusterNode *node = g_ptr_array_index (f->nodes, i);
      g_autoptr(DtRedisAsyncPool) pool = NULL;
      GError *error = NULL;
      FanoutPart *part;

      pool = dt_redis_pools_dup_async (node->pools, &error);
      if (pool == NULL)
        {
          if (f->error == NULL)
            f->error = error;
          else
            g_error_free (error);
          break;
        }
      part = g_new (FanoutPart, 1);
      part->fanout = f;
      part->index = i;
      f->pending++;
      dt_redis_async_pool_submit (pool, dt_redis_command_copy (f->cmd), f->cancellable, part_done, part);
    }
  if (--f->pending == 0)
    fanout_finish (f);
}

/* No map yet: it is learned in a thread, and the rest goes on in the
 * caller's context. */
static void
learn_map_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Fanout *f = task_data;
  GError *error = NULL;
  DtRedisClusterMap *map = dt_redis_cluster_ensure_map (f->cluster, cancellable, &error);

  if (map == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, map, (GDestroyNotify) dt_redis_cluster_map_unref);
}

static void
map_learned_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Fanout *f = user_data;
  g_autoptr(DtRedisClusterMap) map = g_task_propagate_pointer (G_TASK (result), &f->error);

  if (map == NULL)
    fanout_finish (f);
  else
    fanout_send (f, map);
}

void
dt_redis_cluster_submit_fanout (DtRedisCluster           *self,
                                DtRedisCommand           *cmd,
                                GCancellable             *cancellable,
                                DtRedisAsyncPoolCallback  callback,
                                gpointer                  user_data)
{
  Fanout *f = g_new0 (Fanout, 1);
  g_autoptr(DtRedisClusterMap) map = dt_redis_cluster_dup_map (self);

  f->cluster = dt_redis_cluster_ref (self);
  f->cmd = cmd;
  f->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  f->callback = callback;
  f->user_data = user_data;

  if (map != NULL)
    fanout_send (f, map);
  else
    {
      g_autoptr(GTask) task = g_task_new (NULL, cancellable, map_learned_cb, f);

      g_task_set_task_data (task, f, NULL);
      g_task_run_in_thread (task, learn_map_thread);
    }
}
