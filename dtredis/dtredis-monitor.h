/* dtredis-monitor.h: a connection in MONITOR mode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_MONITOR (dt_redis_monitor_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisMonitor, dt_redis_monitor, DT_REDIS, MONITOR, GObject)

DT_REDIS_AVAILABLE_IN_ALL
gboolean  dt_redis_monitor_start        (DtRedisMonitor  *self,
                                         GCancellable    *cancellable,
                                         GError         **error);
DT_REDIS_AVAILABLE_IN_ALL
char     *dt_redis_monitor_next_command (DtRedisMonitor  *self,
                                         gint             timeout_ms,
                                         GCancellable    *cancellable,
                                         GError         **error);
DT_REDIS_AVAILABLE_IN_ALL
void      dt_redis_monitor_close        (DtRedisMonitor  *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean  dt_redis_monitor_get_active   (DtRedisMonitor  *self);

G_END_DECLS
