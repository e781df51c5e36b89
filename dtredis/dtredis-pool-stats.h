/* dtredis-pool-stats.h: a snapshot of one pool's counters
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib-object.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_POOL_STATS (dt_redis_pool_stats_get_type ())

typedef struct _DtRedisPoolStats DtRedisPoolStats;

/**
 * DtRedisPoolStats:
 * @total: connections open now, idle and in use together
 * @idle: open connections that no command holds
 * @in_use: connections a caller holds (sync) or that carry commands (async)
 * @hits: commands that got an already open connection
 * @misses: commands that had to open a new connection
 * @waits: callers that found the pool full and waited
 * @timeouts: waits that ended in %DT_REDIS_ERROR_POOL_TIMEOUT
 * @stale_closed: idle connections found dead or expired and closed
 * @in_flight: commands sent and not yet answered (async pool; 0 for sync)
 *
 * A copy of a pool's counters at one moment; it does not change afterwards.
 * Counters count since the pool was created: a reset starts them again.
 */
struct _DtRedisPoolStats
{
  guint   total;
  guint   idle;
  guint   in_use;
  guint64 hits;
  guint64 misses;
  guint64 waits;
  guint64 timeouts;
  guint64 stale_closed;
  guint   in_flight;
};

DT_REDIS_AVAILABLE_IN_ALL
GType             dt_redis_pool_stats_get_type (void) G_GNUC_CONST;
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPoolStats *dt_redis_pool_stats_copy     (const DtRedisPoolStats *self);
DT_REDIS_AVAILABLE_IN_ALL
void              dt_redis_pool_stats_free     (DtRedisPoolStats       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisPoolStats, dt_redis_pool_stats_free)

G_END_DECLS
