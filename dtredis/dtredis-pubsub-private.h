/* dtredis-pubsub-private.h: making a DtRedisPubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-pubsub.h"

G_BEGIN_DECLS

/* No I/O; @config is the instance's snapshot (a reference is kept). The
 * object runs on the caller's thread-default main context. */
DtRedisPubSub *dt_redis_pubsub_new (DtRedisConfig *config);

G_END_DECLS
