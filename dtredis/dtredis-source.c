/* dtredis-source.c: GSource helpers of the main-loop code
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-source-private.h"

void
dt_redis_source_clear (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return callback (user_data);
}

static GSourceFuncs timer_source_funcs = {
  NULL, NULL, timer_source_dispatch, NULL, NULL, NULL,
};

GSource *
dt_redis_timer_source_new (GSourceFunc   func,
                           gpointer      data,
                           GMainContext *context,
                           const char   *name)
{
  GSource *source = g_source_new (&timer_source_funcs, sizeof (GSource));

  g_source_set_callback (source, func, data, NULL);
  g_source_set_ready_time (source, -1);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);

  return source;
}
