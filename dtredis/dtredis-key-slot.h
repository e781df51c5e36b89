/* dtredis-key-slot.h: the Redis Cluster hash slot of a key
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

/**
 * DT_REDIS_CLUSTER_SLOTS:
 *
 * How many hash slots a Redis Cluster has: a key's slot is below this.
 */
#define DT_REDIS_CLUSTER_SLOTS 16384

DT_REDIS_AVAILABLE_IN_ALL
guint dt_redis_key_slot       (const char *key);
DT_REDIS_AVAILABLE_IN_ALL
guint dt_redis_key_slot_bytes (GBytes     *key);
DT_REDIS_AVAILABLE_IN_ALL
guint dt_redis_key_slot_data  (const guint8 *data,
                               gsize         length);

G_END_DECLS
