/* dtredis-i18n.c: binding the library's gettext domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-i18n-private.h"

/* A library must not call textdomain(): that belongs to the program.  It
 * binds its own domain, and asks for UTF-8 whatever the locale's charset,
 * since GError messages are UTF-8.
 *
 * Called from DtRedisConfig's class_init, which runs before any message can
 * be produced (every instance, client and URL parse starts from a config),
 * and from the error quark as a second line. */
void
dt_redis_i18n_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      g_once_init_leave (&initialized, 1);
    }
}
