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
  static gsize quark;

  /* Errors are where translated messages show up first. Threads may
   * raise their first error at the same time. */
  if (g_once_init_enter (&quark))
    {
      dt_redis_i18n_init ();
      g_once_init_leave (&quark, g_quark_from_static_string ("dt-redis-error-quark"));
    }

  return (GQuark) quark;
}
