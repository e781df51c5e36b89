/* dtredis-cluster-private.h: the Redis Cluster router
 *
 * A Cluster config's pools hold one DtRedisCluster. It knows the nodes
 * (each with standalone pools of its own) and the current slot map, an
 * immutable snapshot that any thread reads without a lock. Commands ask
 * it which node to use; the replies they get tell it what changed
 * (MOVED). The full map is asked of the cluster (CLUSTER SHARDS, or
 * CLUSTER SLOTS before Redis 7) on a thread of its own: one question at a
 * time, at most one started per min(refresh-interval, 1 s) however many
 * callers ask, and once per refresh-interval as a safety net.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dtredis-cluster-map-private.h"
#include "dtredis-command-private.h"
#include "dtredis-config.h"

G_BEGIN_DECLS

/* Does no I/O; @config is a validated Cluster config. */
DtRedisCluster     *dt_redis_cluster_new              (DtRedisConfig       *config,
                                                       GError             **error);
DtRedisCluster     *dt_redis_cluster_ref              (DtRedisCluster      *self);
/* The last reference stops the refresh thread (waiting for it). */
void                dt_redis_cluster_unref            (DtRedisCluster      *self);

/* The current map, NULL before the first was learned (transfer full). */
DtRedisClusterMap  *dt_redis_cluster_dup_map          (DtRedisCluster      *self);
/* The current map; when none is known yet, asks the nodes for it in
 * this thread, blocking. CONNECTION naming the nodes tried when none
 * answered. Transfer full. */
DtRedisClusterMap  *dt_redis_cluster_ensure_map       (DtRedisCluster      *self,
                                                       GCancellable        *cancellable,
                                                       GError             **error);
/* The node a command for @slot (DT_REDIS_SLOT_ANY: keyless) goes to: the
 * slot's owner; for a keyless command the owner of slot 0, the same node
 * each time while the topology holds; the first seed when the map does
 * not know (the node will redirect). Transfer full. */
DtRedisClusterNode *dt_redis_cluster_pick             (DtRedisCluster      *self,
                                                       gint                 slot);
/* The same for @cmd: with read-from-replicas, a command that only reads
 * goes to one of the slot's replicas (in turn) when it has any. */
DtRedisClusterNode *dt_redis_cluster_pick_for         (DtRedisCluster       *self,
                                                       gint                  slot,
                                                       const DtRedisCommand *cmd);
/* Another node to try when @failed could not be reached (nothing was
 * sent): the @attempt-th of the map's other nodes and the seeds. */
DtRedisClusterNode *dt_redis_cluster_pick_other       (DtRedisCluster      *self,
                                                       DtRedisClusterNode  *failed,
                                                       guint                attempt);
/* The node at @host:@port, made on first use (transfer full). */
DtRedisClusterNode *dt_redis_cluster_ensure_node      (DtRedisCluster      *self,
                                                       const char          *host,
                                                       guint16              port);
/* A node answered MOVED: @node owns @slot now. Updates the map (a new
 * snapshot) and asks for a refresh. */
void                dt_redis_cluster_note_moved       (DtRedisCluster      *self,
                                                       guint                slot,
                                                       DtRedisClusterNode  *node);
/* Asks for a new map soon (single flight, rate-limited). */
void                dt_redis_cluster_refresh_soon     (DtRedisCluster      *self);

/* What an error reply means to the router. */
typedef enum
{
  DT_REDIS_CLUSTER_REPLY_FINAL,     /* anything else: the caller's answer */
  DT_REDIS_CLUSTER_REPLY_MOVED,     /* not run; the slot lives elsewhere */
  DT_REDIS_CLUSTER_REPLY_ASK,       /* not run; this once, ask elsewhere */
  DT_REDIS_CLUSTER_REPLY_RETRY,     /* not run; try again after a pause (TRYAGAIN,
                                     * CLUSTERDOWN, LOADING, MASTERDOWN, READONLY) */
} DtRedisClusterReplyKind;

/* Classifies @reply from @from; for MOVED and ASK, *@slot and *@target
 * (transfer full) say where to go. */
DtRedisClusterReplyKind dt_redis_cluster_classify     (DtRedisCluster       *self,
                                                       const DtRedisReply   *reply,
                                                       DtRedisClusterNode   *from,
                                                       guint                *slot,
                                                       DtRedisClusterNode  **target);
/* The same for the text of an error reply. */
DtRedisClusterReplyKind dt_redis_cluster_classify_text (DtRedisCluster       *self,
                                                        const char           *text,
                                                        DtRedisClusterNode   *from,
                                                        guint                *slot,
                                                        DtRedisClusterNode  **target);
/* The same for all the replies of @cmd: a MULTI/EXEC batch goes again
 * only when EXEC says EXECABORT because of where it was sent. */
DtRedisClusterReplyKind dt_redis_cluster_classify_replies (DtRedisCluster       *self,
                                                           const DtRedisCommand *cmd,
                                                           DtRedisReply * const *replies,
                                                           DtRedisClusterNode   *from,
                                                           guint                *slot,
                                                           DtRedisClusterNode  **target);
/* Whether a failure to get a connection (nothing sent) means the node
 * could not be reached (CONNECTION, TIMEOUT, a pool CLOSED), when another
 * node may know where its slots went. */
gboolean            dt_redis_cluster_error_is_unreachable (const GError *error);
/* How long to wait before the @attempt-th retry (jittered, growing). */
gint64              dt_redis_cluster_backoff_us       (guint                attempt);
/* The time a command may spend on redirections and retries: the socket
 * timeout. */
gint64              dt_redis_cluster_budget_us        (DtRedisCluster      *self);
/* @cmd with ASKING before it: one more reply, the first. */
DtRedisCommand     *dt_redis_cluster_asking_command   (const DtRedisCommand *cmd);

typedef struct
{
  guint refreshes;      /* full maps asked for */
  guint refresh_errors; /* questions no node answered */
  guint moved;          /* MOVED replies followed */
  guint asked;          /* ASK replies followed */
  guint retried;        /* TRYAGAIN, CLUSTERDOWN... waited out */
  guint n_nodes;        /* nodes with pools */
} DtRedisClusterStats;

/* The pools of every node known now (transfer full): for resets and
 * statistics. */
GPtrArray          *dt_redis_cluster_dup_node_pools   (DtRedisCluster      *self);
void                dt_redis_cluster_get_stats        (DtRedisCluster      *self,
                                                       DtRedisClusterStats *stats);
void                dt_redis_cluster_count            (DtRedisCluster      *self,
                                                       DtRedisClusterReplyKind kind);

/* Called on the refresh thread (or the thread of ensure_map()) after a
 * new full map was published that differs from the one before. */
typedef void (*DtRedisClusterTopologyFunc) (gpointer user_data);
void                dt_redis_cluster_set_topology_func (DtRedisCluster            *self,
                                                        DtRedisClusterTopologyFunc func,
                                                        gpointer                   user_data,
                                                        GDestroyNotify             destroy);

/* The sync path (dtredis-cluster-run.c): runs @cmd (a single command or a
 * MULTI/EXEC batch, all its keys in one slot) where its slot lives,
 * following redirections, waiting out TRYAGAIN and the like, and moving to
 * another node when one cannot be reached before anything was sent. */
gboolean            dt_redis_cluster_run_sync         (DtRedisCluster       *self,
                                                       const DtRedisCommand *cmd,
                                                       DtRedisReply        **replies,
                                                       GCancellable         *cancellable,
                                                       GError              **error);

/* The async path (dtredis-cluster-request.c): the same as
 * dt_redis_async_pool_submit(), routed. Takes @cmd; @callback runs once,
 * in the thread-default main context of the caller. */
void                dt_redis_cluster_submit           (DtRedisCluster           *self,
                                                       DtRedisCommand           *cmd,
                                                       GCancellable             *cancellable,
                                                       DtRedisAsyncPoolCallback  callback,
                                                       gpointer                  user_data);

/* A pipeline that is not a transaction (dtredis-cluster-batch.c): its
 * commands grouped by node, one batch per node, the replies in the
 * caller's order. A command refused for where it went is sent again on
 * its own; one whose keys span slots gets a CROSSSLOT error reply and is
 * not sent. Fails (with the first error) when a group failed after it
 * may have been sent. */
gboolean            dt_redis_cluster_run_batch_sync   (DtRedisCluster       *self,
                                                       const DtRedisCommand *batch,
                                                       DtRedisReply        **replies,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void                dt_redis_cluster_submit_batch     (DtRedisCluster           *self,
                                                       DtRedisCommand           *batch,
                                                       GCancellable             *cancellable,
                                                       DtRedisAsyncPoolCallback  callback,
                                                       gpointer                  user_data);

/* The keyless commands that mean every primary (dtredis-cluster-fanout.c):
 * DBSIZE (summed), KEYS (joined), FLUSHDB, FLUSHALL, SCRIPT FLUSH and
 * SCRIPT LOAD (the same answer from each). The run and submit paths above
 * hand them over. */
gboolean            dt_redis_cluster_is_fanout        (const DtRedisCommand *cmd);
gboolean            dt_redis_cluster_run_fanout_sync  (DtRedisCluster       *self,
                                                       const DtRedisCommand *cmd,
                                                       DtRedisReply        **reply,
                                                       GCancellable         *cancellable,
                                                       GError              **error);
void                dt_redis_cluster_submit_fanout    (DtRedisCluster           *self,
                                                       DtRedisCommand           *cmd,
                                                       GCancellable             *cancellable,
                                                       DtRedisAsyncPoolCallback  callback,
                                                       gpointer                  user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisCluster, dt_redis_cluster_unref)

G_END_DECLS
