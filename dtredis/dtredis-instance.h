/* dtredis-instance.h: owner of the lazy sync and async pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dtredis-version-macros.h"
#include "dtredis-config.h"
#include "dtredis-client.h"
#include "dtredis-async-client.h"
#include "dtredis-pool-stats.h"
#include "dtredis-monitor.h"
#include "dtredis-pubsub.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_INSTANCE (dt_redis_instance_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisInstance, dt_redis_instance, DT_REDIS, INSTANCE, GObject)

DT_REDIS_AVAILABLE_IN_ALL
DtRedisInstance    *dt_redis_instance_new                    (DtRedisConfig        *config);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig      *dt_redis_instance_get_config             (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
const char         *dt_redis_instance_get_redis_url          (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisClient      *dt_redis_instance_get_redis_client       (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisClient      *dt_redis_instance_get_single_connection_client (DtRedisInstance *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisAsyncClient *dt_redis_instance_get_async_redis_client (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisMonitor     *dt_redis_instance_get_monitor            (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPubSub      *dt_redis_instance_get_pubsub             (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
void                dt_redis_instance_reset_sync_pool        (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
void                dt_redis_instance_reset_async_pool_async (DtRedisInstance      *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean            dt_redis_instance_reset_async_pool_finish (DtRedisInstance     *self,
                                                               GAsyncResult        *result,
                                                               GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean            dt_redis_instance_ping                   (DtRedisInstance      *self,
                                                              GCancellable         *cancellable,
                                                              GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void                dt_redis_instance_ping_async             (DtRedisInstance      *self,
                                                              GCancellable         *cancellable,
                                                              GAsyncReadyCallback   callback,
                                                              gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean            dt_redis_instance_ping_finish            (DtRedisInstance      *self,
                                                              GAsyncResult         *result,
                                                              GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPoolStats   *dt_redis_instance_get_sync_pool_stats    (DtRedisInstance      *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPoolStats   *dt_redis_instance_get_async_pool_stats   (DtRedisInstance      *self);

DT_REDIS_AVAILABLE_IN_ALL
char              **dt_redis_instance_list_cluster_nodes     (DtRedisInstance      *self,
                                                             gboolean              replicas,
                                                             GCancellable         *cancellable,
                                                             GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
char               *dt_redis_instance_get_cluster_node_for_slot (DtRedisInstance   *self,
                                                                guint              slot,
                                                                GCancellable      *cancellable,
                                                                GError           **error);

G_END_DECLS
