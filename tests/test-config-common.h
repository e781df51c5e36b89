/* test-config-common.h: what the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "config.h"
#include <math.h>
#include <string.h>
#include "dtredis.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-config-private.h"
#include "dtredis-url-private.h"

/* Put into every bad URL: no error message may contain it. */
#define SECRET "S3cretPw"

void on_notify (GObject    *object,
                GParamSpec *pspec,
                gpointer    user_data);
