/* dtredis-client-private.h: constructors used by DtRedisInstance
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-client.h"
#include "dtredis-async-client.h"
#include "dtredis-pipeline.h"
#include "dtredis-instance.h"

G_BEGIN_DECLS

DtRedisClient      *dt_redis_client_new       (DtRedisInstance *instance);
DtRedisAsyncClient *dt_redis_async_client_new (DtRedisInstance *instance);
DtRedisPipeline    *dt_redis_pipeline_new     (DtRedisInstance *instance,
                                               gboolean         transaction);

G_END_DECLS
