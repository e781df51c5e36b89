/* test-client-common.c: helpers the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-test-server.h"
#include "test-client-common.h"

/* One server for the whole program; each test starts from an empty one. */
DtTestServer *server;

DtRedisConfig *
new_config (DtTestServer *srv)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, dt_test_server_get_host (srv));
  dt_redis_config_set_redis_port (config, dt_test_server_get_port (srv));
  return config;
}

void
flush_server (DtTestServer *srv)
{
  g_autofree char *reply = dt_test_server_command (srv, "FLUSHALL", NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
}

void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DtRedisConfig) config = new_config (server);

  flush_server (server);
  f->instance = dt_redis_instance_new (config);
  f->client = dt_redis_instance_get_redis_client (f->instance);
}

void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->instance);
}

/* ZADD key score member: one member, no flags. */
gint64
zadd_one (DtRedisClient  *client,
          const char     *key,
          gdouble         score,
          const char     *member,
          GError        **error)
{
  g_autoptr(DtRedisScoredMember) one = dt_redis_scored_member_new (member, score);

  return dt_redis_client_zadd (client, key, &one, 1, NULL, error);
}
