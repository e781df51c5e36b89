/* test-sync-pool-common.c: helpers the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>

#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-sync-pool-private.h"
#include "dtredis-test-server.h"
#include "dtredis-fake-server.h"
#include "test-sync-pool-common.h"

DtTestServer *server;

DtRedisConfig *
new_config (const char *host,
            guint       port)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, host);
  dt_redis_config_set_redis_port (config, port);
  dt_redis_config_set_redis_socket_timeout (config, 5.0);
  /* Generous: the first TLS connection loads the system's CA list, which
   * takes seconds under valgrind. Tests of the timeout set their own. */
  dt_redis_config_set_redis_connect_timeout (config, 30.0);
  return config;
}

DtRedisConfig *
server_config (DtTestServer *srv,
               const char   *client_name)
{
  DtRedisConfig *config = new_config (dt_test_server_get_host (srv), dt_test_server_get_port (srv));

  dt_redis_config_set_redis_client_name (config, client_name);
  return config;
}

DtRedisSyncPool *
pool_new (DtRedisConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisEndpoint) endpoint = dt_redis_endpoint_new_from_config (config, &error);

  g_assert_no_error (error);
  return dt_redis_sync_pool_new (endpoint);
}

DtRedisReply *
pool_runv (DtRedisSyncPool  *pool,
           GCancellable     *cancellable,
           GError          **error,
           const char       *first,
           va_list           ap)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  DtRedisReply *reply = NULL;

  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);
  dt_redis_command_append_strv (cmd, (const char * const *) argv->pdata);

  if (!dt_redis_sync_pool_run (pool, cmd, &reply, cancellable, error))
    return NULL;
  return reply;
}

DtRedisReply *
pool_run (DtRedisSyncPool  *pool,
          GError          **error,
          const char       *first,
          ...)
{
  DtRedisReply *reply;
  va_list ap;

  va_start (ap, first);
  reply = pool_runv (pool, NULL, error, first, ap);
  va_end (ap);
  return reply;
}

/* Runs a command that must succeed; returns its reply. */
DtRedisReply *
pool_run_ok (DtRedisSyncPool *pool,
             const char      *first,
             ...)
{
  g_autoptr(GError) error = NULL;
  DtRedisReply *reply;
  va_list ap;

  va_start (ap, first);
  reply = pool_runv (pool, NULL, &error, first, ap);
  va_end (ap);
  g_assert_no_error (error);
  g_assert_nonnull (reply);
  g_assert_false (dt_redis_reply_is_error (reply));
  return reply;
}

void
assert_ping (DtRedisSyncPool *pool)
{
  g_autoptr(DtRedisReply) reply = pool_run_ok (pool, "PING", NULL);

  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, "PONG");
}

gint64
pool_client_id (DtRedisSyncPool *pool)
{
  g_autoptr(DtRedisReply) reply = pool_run_ok (pool, "CLIENT", "ID", NULL);

  return dt_redis_reply_get_integer (reply);
}

DtRedisPoolStats
stats_of (DtRedisSyncPool *pool)
{
  DtRedisPoolStats stats;

  memset (&stats, 0xaa, sizeof stats);
  dt_redis_sync_pool_get_stats (pool, &stats);
  g_assert_cmpuint (stats.total, ==, stats.idle + stats.in_use);
  g_assert_cmpuint (stats.in_flight, ==, 0);
  return stats;
}

/* Waits up to 2 s for CLIENT LIST to show @expected clients named @name:
 * the server notices a close a moment after we make it. */
void
assert_clients_soon (DtTestServer *srv,
                     const char   *name,
                     guint         expected)
{
  guint count = 0;

  for (guint i = 0; i < 200; i++)
    {
      count = dt_test_server_count_clients (srv, name);
      if (count == expected)
        return;
      g_usleep (10 * 1000);
    }
  g_assert_cmpuint (count, ==, expected);
}

gdouble
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
}

gpointer
job_thread (gpointer data)
{
  Job *job = data;
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);

  dt_redis_command_append_strv (cmd, job->argv);
  if (!dt_redis_sync_pool_run (job->pool, cmd, &job->reply, NULL, &job->error))
    job->reply = NULL;
  job->finished = g_get_monotonic_time ();
  return NULL;
}

Job *
job_start (DtRedisSyncPool *pool,
           const char      *first,
           ...)
{
  Job *job = g_new0 (Job, 1);
  guint n = 0;
  va_list ap;

  job->pool = pool;
  va_start (ap, first);
  for (const char *arg = first; arg != NULL && n < G_N_ELEMENTS (job->argv) - 1; arg = va_arg (ap, const char *))
    job->argv[n++] = arg;
  va_end (ap);
  job->thread = g_thread_new ("job", job_thread, job);
  return job;
}

void
job_join (Job *job)
{
  g_thread_join (job->thread);
}

void
job_free (Job *job)
{
  g_clear_pointer (&job->reply, dt_redis_reply_unref);
  g_clear_error (&job->error);
  g_free (job);
}
