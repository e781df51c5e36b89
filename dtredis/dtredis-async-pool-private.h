/* dtredis-async-pool-private.h: the multiplexed pool on one GMainContext
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dtredis-endpoint-private.h"
#include "dtredis-command-private.h"
#include "dtredis-pool-stats.h"

G_BEGIN_DECLS

typedef struct _DtRedisAsyncPool DtRedisAsyncPool;

/* Called exactly once per submitted command, in the pool's context, with
 * the command (still the pool's), cmd->n_replies replies (owned by the
 * callee, array freed after return) or an error. */
typedef void (*DtRedisAsyncPoolCallback) (const DtRedisCommand  *cmd,
                                          DtRedisReply         **replies,
                                          const GError          *error,
                                          gpointer               user_data);

/* Its I/O runs on @context (the thread-default one when the pool is made). */
DtRedisAsyncPool *dt_redis_async_pool_new          (DtRedisEndpoint          *endpoint,
                                                    GMainContext             *context);
DtRedisAsyncPool *dt_redis_async_pool_ref          (DtRedisAsyncPool         *self);
void              dt_redis_async_pool_unref        (DtRedisAsyncPool         *self);
/* Takes @cmd. Valid from any thread; @callback runs in the pool context. */
void              dt_redis_async_pool_submit       (DtRedisAsyncPool         *self,
                                                    DtRedisCommand           *cmd,
                                                    GCancellable             *cancellable,
                                                    DtRedisAsyncPoolCallback  callback,
                                                    gpointer                  user_data);
/* Fails everything queued or in flight with CLOSED and closes every
 * connection; completes (in the caller's context) when all are closed. */
void              dt_redis_async_pool_close_async  (DtRedisAsyncPool         *self,
                                                    GCancellable             *cancellable,
                                                    GAsyncReadyCallback       callback,
                                                    gpointer                  user_data);
gboolean          dt_redis_async_pool_close_finish (DtRedisAsyncPool         *self,
                                                    GAsyncResult             *result,
                                                    GError                  **error);
void              dt_redis_async_pool_get_stats    (DtRedisAsyncPool         *self,
                                                    DtRedisPoolStats         *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisAsyncPool, dt_redis_async_pool_unref)

G_END_DECLS
