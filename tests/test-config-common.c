/* test-config-common.c: helpers the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dtredis.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-config-private.h"
#include "dtredis-url-private.h"
#include "test-config-common.h"

void
on_notify (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  guint *count = user_data;

  (*count)++;
}
