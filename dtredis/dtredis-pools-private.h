/* dtredis-pools-private.h: the lazy sync and async pools of one instance
 *
 * An instance owns one DtRedisPools and hands it to the clients and
 * pipelines it makes, which take their pools from it and never call back
 * into the instance. Both pools are created on first use from the
 * instance's config snapshot, and replaced after a reset.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-sync-pool-private.h"
#include "dtredis-async-pool-private.h"
#include "dtredis-pool-stats.h"

G_BEGIN_DECLS

typedef struct _DtRedisPools DtRedisPools;
typedef struct _DtRedisCluster DtRedisCluster;

/* Does no I/O; @config is the instance's snapshot (a reference is kept). */
DtRedisPools     *dt_redis_pools_new              (DtRedisConfig     *config);
DtRedisPools     *dt_redis_pools_ref              (DtRedisPools      *self);
/* A Cluster node's pools, read from as a replica's: every connection
 * sends READONLY first. Before any use. */
void              dt_redis_pools_set_cluster_readonly (DtRedisPools  *self);
void              dt_redis_pools_unref            (DtRedisPools      *self);
/* With a Cluster config, *@cluster is the router (made on first use,
 * owned by @self); otherwise NULL. FALSE with INVALID_CONFIG when the
 * config does not validate. */
gboolean          dt_redis_pools_get_cluster      (DtRedisPools      *self,
                                                   DtRedisCluster   **cluster,
                                                   GError           **error);
/* The current pool, created on first use (transfer full). Fails with
 * INVALID_CONFIG when the config does not validate. The async pool runs
 * on the thread-default context of its first caller. */
DtRedisSyncPool  *dt_redis_pools_dup_sync         (DtRedisPools      *self,
                                                   GError           **error);
DtRedisAsyncPool *dt_redis_pools_dup_async        (DtRedisPools      *self,
                                                   GError           **error);
/* A connection of the caller's own, leased from the current sync pool,
 * and in *@pool that pool, to give the connection back to (a reset may
 * have replaced the current one by then). On failure both are NULL. */
DtRedisConnection *dt_redis_pools_lease_sync      (DtRedisPools      *self,
                                                   DtRedisSyncPool  **pool,
                                                   GCancellable      *cancellable,
                                                   GError           **error);
/* Takes the current pool out (transfer full, NULL if none): the next use
 * makes a new one. For resets. */
DtRedisSyncPool  *dt_redis_pools_steal_sync       (DtRedisPools      *self);
DtRedisAsyncPool *dt_redis_pools_steal_async      (DtRedisPools      *self);
/* Called in a thread of the library's own after a Sentinel failover, once
 * the pools have been replaced, with the new master's "host:port". */
typedef void (*DtRedisPoolsMasterChangedFunc) (const char *address,
                                               gpointer    user_data);
/* Called in a thread of the library's own when a Cluster's topology
 * changed (a new full slot map differs from the one before). */
typedef void (*DtRedisPoolsTopologyChangedFunc) (gpointer user_data);
/* Set once, before any use; @destroy runs when the pools go. */
void              dt_redis_pools_set_change_funcs (DtRedisPools                    *self,
                                                   DtRedisPoolsMasterChangedFunc    master_changed,
                                                   DtRedisPoolsTopologyChangedFunc  topology_changed,
                                                   gpointer                         user_data,
                                                   GDestroyNotify                   destroy);
/* Every error reply a command got passes here: READONLY from a Sentinel
 * master means it was demoted, and the master is looked for at once. */
void              dt_redis_pools_note_error_reply (DtRedisPools  *self,
                                                   DtRedisReply  *reply);
/* Closes the current sync pool (with a Cluster config, every node's): the
 * next command makes a new one. */
void              dt_redis_pools_reset_sync       (DtRedisPools      *self);
/* Takes the current async pool out (with a Cluster config, every node's)
 * (transfer full; empty when there is none). */
GPtrArray        *dt_redis_pools_steal_all_async  (DtRedisPools      *self);
/* Counters of the current pool (with a Cluster config, summed over the
 * nodes); all zero when there is none. */
void              dt_redis_pools_get_sync_stats   (DtRedisPools      *self,
                                                   DtRedisPoolStats  *stats);
void              dt_redis_pools_get_async_stats  (DtRedisPools      *self,
                                                   DtRedisPoolStats  *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisPools, dt_redis_pools_unref)

G_END_DECLS
