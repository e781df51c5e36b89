/* dtredis-i18n-private.h: binding the library's gettext domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void dt_redis_i18n_init (void);

G_END_DECLS
