/* dtredis-sync-pool-private.h: the thread-safe, lazy, capped blocking pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-command-private.h"
#include "dtredis-pool-stats.h"

G_BEGIN_DECLS

typedef struct _DtRedisSyncPool DtRedisSyncPool;

/* Opens nothing: connections are made by the first commands. */
DtRedisSyncPool *dt_redis_sync_pool_new       (DtRedisEndpoint      *endpoint);
DtRedisSyncPool *dt_redis_sync_pool_ref       (DtRedisSyncPool      *self);
void             dt_redis_sync_pool_unref     (DtRedisSyncPool      *self);
/* Runs @cmd on a pooled connection (waiting for one when all are in use,
 * up to socket-timeout), filling @replies with cmd->n_replies replies. */
gboolean         dt_redis_sync_pool_run       (DtRedisSyncPool      *self,
                                               const DtRedisCommand *cmd,
                                               DtRedisReply        **replies,
                                               GCancellable         *cancellable,
                                               GError              **error);
/* The same; *@unsent says whether it failed before anything was sent
 * (no connection could be had), when it is safe to try elsewhere. */
gboolean         dt_redis_sync_pool_run_full  (DtRedisSyncPool      *self,
                                               const DtRedisCommand *cmd,
                                               DtRedisReply        **replies,
                                               gboolean             *unsent,
                                               GCancellable         *cancellable,
                                               GError              **error);
/* A connection of its own for the caller (a watched transaction), live at
 * the time of the lease; give it back with dt_redis_sync_pool_give_back(),
 * RETIRED (or worse) when it must not be reused (WATCH may still be
 * active): the pool closes it then. */
DtRedisConnection *dt_redis_sync_pool_lease   (DtRedisSyncPool      *self,
                                               GCancellable         *cancellable,
                                               GError              **error);
void             dt_redis_sync_pool_give_back (DtRedisSyncPool      *self,
                                               DtRedisConnection    *conn);
/* Closes idle connections now and leased ones when they come back; later
 * runs fail with CLOSED. Waiters wake with CLOSED. */
void             dt_redis_sync_pool_close     (DtRedisSyncPool      *self);
void             dt_redis_sync_pool_get_stats (DtRedisSyncPool      *self,
                                               DtRedisPoolStats     *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisSyncPool, dt_redis_sync_pool_unref)

G_END_DECLS
