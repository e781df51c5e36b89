/* dtredis-monitor-private.h: making a DtRedisMonitor
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-monitor.h"

G_BEGIN_DECLS

/* No I/O; @config is the instance's snapshot (a reference is kept). */
DtRedisMonitor *dt_redis_monitor_new (DtRedisConfig *config);

G_END_DECLS
