/* dtredis-error.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-error.h"
#include "dtredis-i18n-private.h"

/**
 * dt_redis_error_quark:
 *
 * The quark behind `DT_REDIS_ERROR`.
 *
 * Returns: the error domain of dtredis
 */
GQuark
dt_redis_error_quark (void)
{
  static GQuark quark;

  /* Errors are where translated messages show up first. */
  if (G_UNLIKELY (quark == 0))
    {
      dt_redis_i18n_init ();
      quark = g_quark_from_static_string ("dt-redis-error-quark");
    }

  return quark;
}
