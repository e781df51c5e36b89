/* dtredis-client-private.h: constructors used by DtRedisInstance and the clients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-client.h"
#include "dtredis-async-client.h"
#include "dtredis-pipeline.h"
#include "dtredis-instance.h"
#include "dtredis-pools-private.h"

G_BEGIN_DECLS

/* The instance hands its pools down; clients and pipelines never ask
 * the instance for them. @instance is only what their "instance"
 * property reports. */
DtRedisClient      *dt_redis_client_new       (DtRedisInstance *instance,
                                               DtRedisPools    *pools);
DtRedisAsyncClient *dt_redis_async_client_new (DtRedisInstance *instance,
                                               DtRedisPools    *pools);
DtRedisPipeline    *dt_redis_pipeline_new     (DtRedisInstance *instance,
                                               DtRedisPools    *pools,
                                               gboolean         transaction);

G_END_DECLS
