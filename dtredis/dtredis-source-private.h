/* dtredis-source-private.h: GSource helpers of the main-loop code (the
 * async pool, its connections, DtRedisPubSub)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Destroys and unrefs *@source, if any, and sets it to NULL. */
void     dt_redis_source_clear     (GSource      **source);
/* A source attached to @context that fires at its ready time and nothing
 * else, calling @func (@data); it starts unarmed (ready time -1). */
GSource *dt_redis_timer_source_new (GSourceFunc    func,
                                    gpointer       data,
                                    GMainContext  *context,
                                    const char    *name);

G_END_DECLS
