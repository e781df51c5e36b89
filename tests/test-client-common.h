/* test-client-common.h: what the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dtredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dtredis-test-server.h"

typedef struct
{
  DtRedisInstance *instance;
  DtRedisClient   *client;
} Fixture;

#define STRV(...) ((const char * const []) { __VA_ARGS__, NULL })

extern DtTestServer *server;
DtRedisConfig *new_config (DtTestServer *srv);
void flush_server (DtTestServer *srv);
void fixture_setup (Fixture       *f,
                    gconstpointer  data);
void fixture_teardown (Fixture       *f,
                       gconstpointer  data);
gint64 zadd_one (DtRedisClient  *client,
                 const char     *key,
                 gdouble         score,
                 const char     *member,
                 GError        **error);
