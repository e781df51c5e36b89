/* dtredis-pubsub-private.h: making a DtRedisPubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-pools-private.h"
#include "dtredis-pubsub.h"

G_BEGIN_DECLS

/* No I/O; @config is the instance's snapshot (a reference is kept). The
 * object runs on the caller's thread-default main context. @cluster: with
 * a Cluster config, its router (shard channels then live on their slots'
 * owners); NULL otherwise. */
DtRedisPubSub *dt_redis_pubsub_new (DtRedisConfig  *config,
                                    DtRedisCluster *cluster);

G_END_DECLS
