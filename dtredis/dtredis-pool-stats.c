/* dtredis-pool-stats.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-pool-stats.h"

/**
 * dt_redis_pool_stats_get_type:
 *
 * Gets the [alias@GObject.Type] of [struct@DtRedis.PoolStats], a boxed type.
 *
 * Returns: the type
 */
G_DEFINE_BOXED_TYPE (DtRedisPoolStats, dt_redis_pool_stats,
                     dt_redis_pool_stats_copy, dt_redis_pool_stats_free)

/**
 * dt_redis_pool_stats_copy:
 * @self: a [struct@DtRedis.PoolStats]
 *
 * Copies @self.
 *
 * Returns: (transfer full): a new copy; free it with [method@DtRedis.PoolStats.free]
 */
DtRedisPoolStats *
dt_redis_pool_stats_copy (const DtRedisPoolStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

/**
 * dt_redis_pool_stats_free:
 * @self: (transfer full): a [struct@DtRedis.PoolStats]
 *
 * Frees @self.
 */
void
dt_redis_pool_stats_free (DtRedisPoolStats *self)
{
  g_free (self);
}
