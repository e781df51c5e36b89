/* dtredis-instance-private.h: what clients and pipelines need of an instance
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-instance.h"
#include "dtredis-sync-pool-private.h"
#include "dtredis-async-pool-private.h"

G_BEGIN_DECLS

/* The current sync pool, created on first use (transfer full). Fails with
 * INVALID_CONFIG when the config snapshot does not validate. */
DtRedisSyncPool  *dt_redis_instance_dup_sync_pool  (DtRedisInstance  *self,
                                                    GError          **error);
/* The current async pool, created on first use with the thread-default
 * context as its I/O context (transfer full). */
DtRedisAsyncPool *dt_redis_instance_dup_async_pool (DtRedisInstance  *self,
                                                    GError          **error);

G_END_DECLS
