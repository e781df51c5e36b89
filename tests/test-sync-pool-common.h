/* test-sync-pool-common.h: what the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

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

/* Polls @pool until @cond holds, for up to 5 s. */
#define WAIT_FOR_STATS(pool, stats, cond)                  \
  G_STMT_START {                                           \
    for (guint _i = 0; _i < 500; _i++)                     \
      {                                                    \
        stats = stats_of (pool);                           \
        if (cond)                                          \
          break;                                           \
        g_usleep (10 * 1000);                              \
      }                                                    \
    g_assert_true (cond);                                  \
  } G_STMT_END

/* A command in a thread of its own, to hold a connection. */
typedef struct
{
  DtRedisSyncPool *pool;
  const char      *argv[6];
  DtRedisReply    *reply;
  GError          *error;
  gint64           finished;
  GThread         *thread;
} Job;

extern DtTestServer *server;
DtRedisConfig *new_config (const char *host,
                           guint       port);
DtRedisConfig *server_config (DtTestServer *srv,
                              const char   *client_name);
DtRedisSyncPool *pool_new (DtRedisConfig *config);
DtRedisReply *pool_runv (DtRedisSyncPool  *pool,
                         GCancellable     *cancellable,
                         GError          **error,
                         const char       *first,
                         va_list           ap);
DtRedisReply *pool_run (DtRedisSyncPool  *pool,
                        GError          **error,
                        const char       *first,
                        ...);
DtRedisReply *pool_run_ok (DtRedisSyncPool *pool,
                           const char      *first,
                           ...);
void assert_ping (DtRedisSyncPool *pool);
gint64 pool_client_id (DtRedisSyncPool *pool);
DtRedisPoolStats stats_of (DtRedisSyncPool *pool);
void assert_clients_soon (DtTestServer *srv,
                          const char   *name,
                          guint         expected);
gdouble seconds_since (gint64 start);
gpointer job_thread (gpointer data);
Job *job_start (DtRedisSyncPool *pool,
                const char      *first,
                ...);
void job_join (Job *job);
void job_free (Job *job);
