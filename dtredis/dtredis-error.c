/* dtredis-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-error.h"

/**
 * dt_redis_error_quark:
 *
 * The quark behind `DT_REDIS_ERROR`.
 *
 * Returns: the error domain of dtredis
 */
G_DEFINE_QUARK (dt-redis-error-quark, dt_redis_error)
