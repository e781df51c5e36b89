/* test-sync-pool.c: the blocking pool: laziness, the cap, fair waiting,
 * reuse and replacement, the retry rule, reset and fork()
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

static DtTestServer *server;

static DtRedisConfig *
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

static DtRedisConfig *
server_config (DtTestServer *srv,
               const char   *client_name)
{
  DtRedisConfig *config = new_config (dt_test_server_get_host (srv), dt_test_server_get_port (srv));

  dt_redis_config_set_redis_client_name (config, client_name);
  return config;
}

static DtRedisSyncPool *
pool_new (DtRedisConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisEndpoint) endpoint = dt_redis_endpoint_new_from_config (config, &error);

  g_assert_no_error (error);
  return dt_redis_sync_pool_new (endpoint);
}

static DtRedisReply *
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

static DtRedisReply *
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
static DtRedisReply *
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

static void
assert_ping (DtRedisSyncPool *pool)
{
  g_autoptr(DtRedisReply) reply = pool_run_ok (pool, "PING", NULL);

  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, "PONG");
}

static gint64
pool_client_id (DtRedisSyncPool *pool)
{
  g_autoptr(DtRedisReply) reply = pool_run_ok (pool, "CLIENT", "ID", NULL);

  return dt_redis_reply_get_integer (reply);
}

static DtRedisPoolStats
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
static void
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

static gboolean
client_id_listed (DtTestServer *srv,
                  gint64        id)
{
  g_autofree char *list = dt_test_server_command (srv, "CLIENT", "LIST", NULL);
  g_autofree char *needle = g_strdup_printf ("id=%" G_GINT64_FORMAT " ", id);

  return strstr (list, needle) != NULL;
}

static gdouble
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
}

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

static gpointer
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

static Job *
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

static void
job_join (Job *job)
{
  g_thread_join (job->thread);
}

static void
job_free (Job *job)
{
  g_clear_pointer (&job->reply, dt_redis_reply_unref);
  g_clear_error (&job->error);
  g_free (job);
}

/* -- laziness and reuse --------------------------------------------------- */

static void
test_lazy (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-lazy");
  g_autoptr(DtRedisSyncPool) pool = pool_new (config);
  DtRedisPoolStats stats = stats_of (pool);

  g_assert_cmpuint (stats.total, ==, 0);
  g_assert_cmpuint (stats.hits + stats.misses + stats.waits, ==, 0);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-pool-lazy"), ==, 0);

  assert_ping (pool);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 1);
  g_assert_cmpuint (stats.idle, ==, 1);
  g_assert_cmpuint (stats.misses, ==, 1);
  g_assert_cmpuint (stats.hits, ==, 0);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-pool-lazy"), ==, 1);

  /* Sequential commands share one connection. */
  for (guint i = 0; i < 10; i++)
    assert_ping (pool);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 1);
  g_assert_cmpuint (stats.hits, ==, 10);
  g_assert_cmpuint (stats.misses, ==, 1);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-pool-lazy"), ==, 1);

  /* Dropping the pool closes its connections. */
  g_clear_pointer (&pool, dt_redis_sync_pool_unref);
  assert_clients_soon (server, "dt-pool-lazy", 0);
}

static void
test_lifo (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-lifo");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  DtRedisPoolStats stats;
  Job *a, *b;
  gint64 id;

  dt_redis_config_set_redis_max_connections (config, 4);
  pool = pool_new (config);

  /* Two connections at once, then both idle. */
  a = job_start (pool, "BLPOP", "pool:lifo-empty", "0.3", NULL);
  b = job_start (pool, "BLPOP", "pool:lifo-empty", "0.3", NULL);
  job_join (a);
  job_join (b);
  g_assert_no_error (a->error);
  g_assert_no_error (b->error);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 2);
  g_assert_cmpuint (stats.idle, ==, 2);

  /* The one returned last is the one reused, again and again. */
  id = pool_client_id (pool);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpint (pool_client_id (pool), ==, id);

  job_free (a);
  job_free (b);
}

/* -- the cap, under threads ------------------------------------------------ */

#define N_THREADS 8
#define N_ROUNDS 150
G_STATIC_ASSERT (N_THREADS * N_ROUNDS == 1200);

typedef struct
{
  DtRedisSyncPool *pool;
  guint            id;
  gint            *n_done;
  guint            failures;
} Worker;

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autofree char *key = g_strdup_printf ("pool:t%u:%u", w->id, i);
      g_autofree char *value = g_strdup_printf ("value %u/%u \x01\x02", w->id, i);
      g_autoptr(DtRedisReply) incr = NULL;
      g_autoptr(DtRedisReply) set = NULL;
      g_autoptr(DtRedisReply) get = NULL;
      g_autoptr(GError) error = NULL;

      incr = pool_run (w->pool, &error, "INCR", "pool:counter", NULL);
      if (incr == NULL || dt_redis_reply_get_reply_type (incr) != DT_REDIS_REPLY_INTEGER)
        w->failures++;
      g_clear_error (&error);
      set = pool_run (w->pool, &error, "SET", key, value, NULL);
      if (set == NULL || g_strcmp0 (dt_redis_reply_get_string (set, NULL), "OK") != 0)
        w->failures++;
      g_clear_error (&error);
      get = pool_run (w->pool, &error, "GET", key, NULL);
      if (get == NULL || g_strcmp0 (dt_redis_reply_get_string (get, NULL), value) != 0)
        w->failures++;
    }

  g_atomic_int_inc (w->n_done);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-threads");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) counter = NULL;
  g_autofree char *cleared = dt_test_server_command (server, "DEL", "pool:counter", NULL);
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  DtRedisPoolStats stats;
  gint n_done = 0;
  guint max_seen = 0;
  guint max_total = 0;
  guint polls = 0;

  dt_redis_config_set_redis_max_connections (config, 3);
  pool = pool_new (config);

  for (guint i = 0; i < N_THREADS; i++)
    {
      workers[i] = (Worker) { .pool = pool, .id = i, .n_done = &n_done };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }

  /* Watch both sides for the whole run. */
  while (g_atomic_int_get (&n_done) < N_THREADS)
    {
      guint seen = dt_test_server_count_clients (server, "dt-pool-threads");

      stats = stats_of (pool);
      max_seen = MAX (max_seen, seen);
      max_total = MAX (max_total, stats.total);
      g_assert_cmpuint (stats.in_use, <=, 3);
      polls++;
      g_usleep (2000);
    }
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (workers[i].failures, ==, 0);
    }

  g_test_message ("%u polls; at most %u connections on the server, %u in the pool",
                  polls, max_seen, max_total);
  g_assert_cmpuint (polls, >, 0);
  g_assert_cmpuint (max_seen, <=, 3);
  g_assert_cmpuint (max_total, <=, 3);

  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, <=, 3);
  g_assert_cmpuint (stats.in_use, ==, 0);
  g_assert_cmpuint (stats.hits + stats.misses, ==, N_THREADS * N_ROUNDS * 3);
  g_assert_cmpuint (stats.misses, <=, 3);
  g_assert_cmpuint (stats.timeouts, ==, 0);
  g_assert_cmpuint (stats.stale_closed, ==, 0);

  counter = pool_run_ok (pool, "GET", "pool:counter", NULL);
  g_assert_cmpstr (dt_redis_reply_get_string (counter, NULL), ==, G_STRINGIFY (1200));
}

/* -- waiting --------------------------------------------------------------- */

static void
test_pool_timeout (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-full");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  DtRedisPoolStats stats;
  Job *a, *b;
  gint64 start;
  gdouble waited;

  dt_redis_config_set_redis_max_connections (config, 2);
  dt_redis_config_set_redis_socket_timeout (config, 0.5);
  pool = pool_new (config);

  a = job_start (pool, "BLPOP", "pool:full-empty", "1.5", NULL);
  b = job_start (pool, "BLPOP", "pool:full-empty", "1.5", NULL);
  WAIT_FOR_STATS (pool, stats, stats.in_use == 2);

  start = g_get_monotonic_time ();
  reply = pool_run (pool, &error, "PING", NULL);
  waited = seconds_since (start);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_POOL_TIMEOUT);
  g_test_message ("%s (%.3f s)", error->message, waited);
  g_assert_true (g_str_has_prefix (error->message, "All 2 connections are in use; waited 0."));
  g_assert_cmpfloat (waited, >=, 0.5);
  g_assert_cmpfloat (waited, <, 1.2);

  stats = stats_of (pool);
  g_assert_cmpuint (stats.waits, ==, 1);
  g_assert_cmpuint (stats.timeouts, ==, 1);
  g_assert_cmpuint (stats.total, ==, 2);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-pool-full"), ==, 2);

  /* The holders were not disturbed, and the pool works afterwards. */
  job_join (a);
  job_join (b);
  g_assert_no_error (a->error);
  g_assert_no_error (b->error);
  g_assert_true (dt_redis_reply_is_nil (a->reply));
  assert_ping (pool);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 2);
  g_assert_cmpuint (stats.timeouts, ==, 1);

  /* With one connection, the message says so. */
  {
    g_autoptr(DtRedisConfig) one_config = server_config (server, "dt-pool-one");
    g_autoptr(DtRedisSyncPool) one = NULL;
    Job *holder;

    dt_redis_config_set_redis_max_connections (one_config, 1);
    dt_redis_config_set_redis_socket_timeout (one_config, 0.3);
    one = pool_new (one_config);
    holder = job_start (one, "BLPOP", "pool:full-empty", "1", NULL);
    WAIT_FOR_STATS (one, stats, stats.in_use == 1);
    g_clear_error (&error);
    reply = pool_run (one, &error, "PING", NULL);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_POOL_TIMEOUT);
    g_test_message ("%s", error->message);
    g_assert_true (g_str_has_prefix (error->message, "The pool's 1 connection is in use; waited 0."));
    job_join (holder);
    job_free (holder);
  }

  job_free (a);
  job_free (b);
}

static void
test_fifo (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-fifo");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) order = NULL;
  g_autofree char *cleared = dt_test_server_command (server, "DEL", "pool:order", NULL);
  static const char *names[] = { "0", "1", "2", "3", "4", "5" };
  Job *waiters[G_N_ELEMENTS (names)];
  DtRedisPoolStats stats;
  Job *holder;

  dt_redis_config_set_redis_max_connections (config, 1);
  pool = pool_new (config);

  holder = job_start (pool, "BLPOP", "pool:fifo-empty", "0.5", NULL);
  WAIT_FOR_STATS (pool, stats, stats.in_use == 1);

  /* Queue them one by one, each sure to be behind the previous one. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      waiters[i] = job_start (pool, "RPUSH", "pool:order", names[i], NULL);
      WAIT_FOR_STATS (pool, stats, stats.waits == i + 1);
    }

  job_join (holder);
  g_assert_no_error (holder->error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      job_join (waiters[i]);
      g_assert_no_error (waiters[i]->error);
      g_assert_cmpint (dt_redis_reply_get_integer (waiters[i]->reply), ==, i + 1);
    }

  /* Served in the order they came, each on the one connection. */
  order = pool_run_ok (pool, "LRANGE", "pool:order", "0", "-1", NULL);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (order), ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (order, i), NULL), ==, names[i]);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 1);
  g_assert_cmpuint (stats.misses, ==, 1);
  g_assert_cmpuint (stats.timeouts, ==, 0);

  job_free (holder);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    job_free (waiters[i]);
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_wait_cancelled (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-cancel");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "PING", NULL);
  g_autoptr(GError) error = NULL;
  DtRedisReply *reply = NULL;
  DtRedisPoolStats stats;
  GThread *thread;
  gint64 start;
  Job *holder;

  dt_redis_config_set_redis_max_connections (config, 1);
  pool = pool_new (config);
  holder = job_start (pool, "BLPOP", "pool:cancel-empty", "1", NULL);
  WAIT_FOR_STATS (pool, stats, stats.in_use == 1);

  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (dt_redis_sync_pool_run (pool, cmd, &reply, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (seconds_since (start), <, 0.9);
  g_clear_error (&error);

  /* Already cancelled: no wait at all. */
  start = g_get_monotonic_time ();
  g_assert_false (dt_redis_sync_pool_run (pool, cmd, &reply, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (seconds_since (start), <, 0.5);

  job_join (holder);
  g_assert_no_error (holder->error);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 1);
  g_assert_cmpuint (stats.idle, ==, 1);
  assert_ping (pool);
  job_free (holder);
}

/* -- replacement and retry ------------------------------------------------- */

static void
test_restart (void)
{
  g_autoptr(DtTestServer) own = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = server_config (own, "dt-pool-restart");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) set = NULL;
  DtRedisPoolStats stats;
  Job *a, *b, *c;

  dt_redis_config_set_redis_max_connections (config, 3);
  pool = pool_new (config);

  /* Three idle connections. */
  a = job_start (pool, "BLPOP", "pool:restart-empty", "0.2", NULL);
  b = job_start (pool, "BLPOP", "pool:restart-empty", "0.2", NULL);
  c = job_start (pool, "BLPOP", "pool:restart-empty", "0.2", NULL);
  job_join (a);
  job_join (b);
  job_join (c);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.idle, ==, 3);

  dt_test_server_restart (own);

  /* Every command works, each dead connection replaced as it comes up. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *value = g_strdup_printf ("%u", i);
      g_autoptr(DtRedisReply) get = NULL;

      g_clear_pointer (&set, dt_redis_reply_unref);
      set = pool_run_ok (pool, "SET", "pool:restart", value, NULL);
      get = pool_run_ok (pool, "GET", "pool:restart", NULL);
      g_assert_cmpstr (dt_redis_reply_get_string (get, NULL), ==, value);
    }

  stats = stats_of (pool);
  g_test_message ("after a restart: %" G_GUINT64_FORMAT " stale closed, %" G_GUINT64_FORMAT " misses",
                  stats.stale_closed, stats.misses);
  g_assert_cmpuint (stats.stale_closed, >=, 1);
  g_assert_cmpuint (stats.total, <=, 3);
  g_assert_cmpuint (stats.timeouts, ==, 0);

  job_free (a);
  job_free (b);
  job_free (c);
}

/* A connection killed by the server while idle for @idle_us, long or
 * short: the liveness check looks at the socket on every lease, so the
 * command goes to a new connection and the dead one is counted. */
static void
check_killed_while_idle (gint64 idle_us)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-stale");
  g_autoptr(DtRedisSyncPool) pool = pool_new (config);
  g_autofree char *id_text = NULL;
  g_autofree char *killed = NULL;
  DtRedisPoolStats stats;
  gint64 id;

  id = pool_client_id (pool);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  killed = dt_test_server_command (server, "CLIENT", "KILL", "ID", id_text, NULL);
  g_assert_cmpstr (killed, ==, ":1\r\n");
  g_usleep (idle_us);

  g_assert_cmpint (pool_client_id (pool), !=, id);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.stale_closed, ==, 1);
  g_assert_cmpuint (stats.misses, ==, 2);
  g_assert_cmpuint (stats.hits, ==, 0);
  g_assert_cmpuint (stats.total, ==, 1);
  assert_clients_soon (server, "dt-pool-stale", 1);
}

static void
test_stale_closed (void)
{
  check_killed_while_idle (1200 * 1000);
  check_killed_while_idle (50 * 1000);
}

/* A server whose first connection answers its first command, then does
 * @action at the second; later connections answer every command. What
 * the stale check cannot see: the connection dies only once it is used. */
typedef enum
{
  FLAKY_CLOSE,
  FLAKY_TRUNCATE,
  FLAKY_SILENT,
} FlakyAction;

typedef struct
{
  GSocket      *listener;
  guint16       port;
  FlakyAction   action;
  GCancellable *cancellable;
  GThread      *thread;
  gint          n_accepted;
} Flaky;

static void
flaky_send (Flaky      *flaky,
            GSocket    *socket,
            const char *text)
{
  g_socket_send (socket, text, strlen (text), flaky->cancellable, NULL);
}

static gpointer
flaky_thread (gpointer data)
{
  Flaky *flaky = data;

  for (guint n = 0; ; n++)
    {
      g_autoptr(GSocket) socket = g_socket_accept (flaky->listener, flaky->cancellable, NULL);

      if (socket == NULL)
        break;
      g_atomic_int_inc (&flaky->n_accepted);

      /* Commands come one per read: the client waits for each reply. */
      for (guint nth = 0; ; nth++)
        {
          char buf[4096];
          gssize got = g_socket_receive (socket, buf, sizeof buf, flaky->cancellable, NULL);

          if (got <= 0)
            break;
          if (n == 0 && nth == 1)
            {
              if (flaky->action == FLAKY_SILENT)
                continue;
              if (flaky->action == FLAKY_TRUNCATE)
                flaky_send (flaky, socket, "$10\r\nab");
              g_socket_close (socket, NULL);
              break;
            }
          flaky_send (flaky, socket, "+PONG\r\n");
        }
    }

  return NULL;
}

static Flaky *
flaky_new (FlakyAction action)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  Flaky *flaky = g_new0 (Flaky, 1);

  flaky->action = action;
  flaky->cancellable = g_cancellable_new ();
  flaky->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (flaky->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (flaky->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (flaky->listener, &error);
  g_assert_no_error (error);
  flaky->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  flaky->thread = g_thread_new ("flaky", flaky_thread, flaky);
  return flaky;
}

static void
flaky_free (Flaky *flaky)
{
  g_cancellable_cancel (flaky->cancellable);
  g_thread_join (flaky->thread);
  g_socket_close (flaky->listener, NULL);
  g_object_unref (flaky->listener);
  g_object_unref (flaky->cancellable);
  g_free (flaky);
}

static DtRedisSyncPool *
flaky_pool (Flaky *flaky)
{
  g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", flaky->port);

  dt_redis_config_set_redis_socket_timeout (config, 0.5);
  return pool_new (config);
}

static void
test_no_resend_reused (void)
{
  Flaky *flaky = flaky_new (FLAKY_CLOSE);
  g_autoptr(DtRedisSyncPool) pool = flaky_pool (flaky);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  DtRedisPoolStats stats;

  assert_ping (pool);
  /* The liveness check passes (nothing happened yet); the server hangs
   * up when the command arrives. It may have run it before it went, so
   * the command fails, saying so, and is not sent again. */
  reply = pool_run (pool, &error, "PING", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "it may have been executed"));
  g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 1);

  /* The next command gets a new connection. */
  assert_ping (pool);
  stats = stats_of (pool);
  g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 2);
  g_assert_cmpuint (stats.misses, ==, 2);
  g_assert_cmpuint (stats.hits, ==, 1);
  g_assert_cmpuint (stats.total, ==, 1);

  g_clear_pointer (&pool, dt_redis_sync_pool_unref);
  flaky_free (flaky);
}

static void
test_no_retry (void)
{
  g_autoptr(GError) error = NULL;

  /* After part of a reply. */
  {
    Flaky *flaky = flaky_new (FLAKY_TRUNCATE);
    g_autoptr(DtRedisSyncPool) pool = flaky_pool (flaky);
    g_autoptr(DtRedisReply) reply = NULL;
    DtRedisPoolStats stats;

    assert_ping (pool);
    reply = pool_run (pool, &error, "PING", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_clear_error (&error);
    g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 1);
    /* The broken connection was closed, not returned. */
    stats = stats_of (pool);
    g_assert_cmpuint (stats.total, ==, 0);
    assert_ping (pool);
    g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 2);

    g_clear_pointer (&pool, dt_redis_sync_pool_unref);
    flaky_free (flaky);
  }

  /* After a timeout. */
  {
    Flaky *flaky = flaky_new (FLAKY_SILENT);
    g_autoptr(DtRedisSyncPool) pool = flaky_pool (flaky);
    g_autoptr(DtRedisReply) reply = NULL;
    gint64 start;

    assert_ping (pool);
    start = g_get_monotonic_time ();
    reply = pool_run (pool, &error, "PING", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    g_assert_cmpfloat (seconds_since (start), <, 1.5);
    g_clear_error (&error);
    g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 1);
    g_assert_cmpuint (stats_of (pool).total, ==, 0);

    g_clear_pointer (&pool, dt_redis_sync_pool_unref);
    flaky_free (flaky);
  }

  /* On a fresh connection: nothing says the server did not run it. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DROP, NULL);
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_fake_server_get_port (fake));
    g_autoptr(DtRedisSyncPool) pool = pool_new (config);
    g_autoptr(DtRedisReply) reply = pool_run (pool, &error, "INCR", "x", NULL);

    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_clear_error (&error);
    g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 1);
    g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 1);
    g_assert_cmpuint (stats_of (pool).total, ==, 0);
  }
}

static void
test_failed_connections (void)
{
  g_autoptr(GError) error = NULL;

  /* A protocol error: the connection is closed, the next command opens
   * another. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_GARBAGE, NULL);
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_fake_server_get_port (fake));
    g_autoptr(DtRedisSyncPool) pool = pool_new (config);

    for (guint i = 1; i <= 2; i++)
      {
        g_autoptr(DtRedisReply) reply = pool_run (pool, &error, "PING", NULL);

        g_assert_null (reply);
        g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
        g_clear_error (&error);
        g_assert_cmpuint (stats_of (pool).total, ==, 0);
        g_assert_cmpuint (stats_of (pool).in_use, ==, 0);
        g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, i);
      }
  }

  /* A failed connect gives its slot back: no POOL_TIMEOUT later. */
  {
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", 1);
    g_autoptr(DtRedisSyncPool) pool = NULL;

    dt_redis_config_set_redis_max_connections (config, 1);
    pool = pool_new (config);
    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(DtRedisReply) reply = pool_run (pool, &error, "PING", NULL);

        g_assert_null (reply);
        g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
        g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1:1: Connection refused");
        g_clear_error (&error);
      }
    g_assert_cmpuint (stats_of (pool).total, ==, 0);
    g_assert_cmpuint (stats_of (pool).misses, ==, 3);
  }

  /* A failed connect hands its slot to a waiter, which tries in turn. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_fake_server_get_port (fake));
    g_autoptr(DtRedisSyncPool) pool = NULL;
    DtRedisPoolStats stats;
    Job *first, *second;

    /* The handshake is never answered: each open takes socket-timeout. */
    dt_redis_config_set_redis_max_connections (config, 1);
    dt_redis_config_set_redis_client_name (config, "never-answered");
    dt_redis_config_set_redis_socket_timeout (config, 0.6);
    pool = pool_new (config);
    first = job_start (pool, "PING", NULL);
    WAIT_FOR_STATS (pool, stats, stats.in_use == 1);
    /* Its wait must outlast the first open's. */
    g_usleep (100 * 1000);
    second = job_start (pool, "PING", NULL);
    WAIT_FOR_STATS (pool, stats, stats.waits == 1);
    job_join (first);
    job_join (second);
    g_assert_error (first->error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    /* Woken by the failed connect within its own wait, it then tried. */
    g_assert_error (second->error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 2);
    stats = stats_of (pool);
    g_assert_cmpuint (stats.total, ==, 0);
    g_assert_cmpuint (stats.timeouts, ==, 0);
    job_free (first);
    job_free (second);
  }
}

/* -- closing ---------------------------------------------------------------- */

static void
test_close (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-close");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  DtRedisPoolStats stats;
  Job *a, *b, *leased;

  dt_redis_config_set_redis_max_connections (config, 3);
  pool = pool_new (config);

  a = job_start (pool, "BLPOP", "pool:close-empty", "0.2", NULL);
  b = job_start (pool, "BLPOP", "pool:close-empty", "0.2", NULL);
  job_join (a);
  job_join (b);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.idle, ==, 2);

  leased = job_start (pool, "BLPOP", "pool:close-empty", "0.8", NULL);
  WAIT_FOR_STATS (pool, stats, stats.in_use == 1);
  assert_clients_soon (server, "dt-pool-close", 2);

  /* Idle ones go at once, the leased one stays until it comes back. */
  dt_redis_sync_pool_close (pool);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.idle, ==, 0);
  g_assert_cmpuint (stats.in_use, ==, 1);
  g_assert_cmpuint (stats.total, ==, 1);
  assert_clients_soon (server, "dt-pool-close", 1);

  job_join (leased);
  g_assert_no_error (leased->error);
  g_assert_true (dt_redis_reply_is_nil (leased->reply));
  stats = stats_of (pool);
  g_assert_cmpuint (stats.total, ==, 0);
  assert_clients_soon (server, "dt-pool-close", 0);

  reply = pool_run (pool, &error, "PING", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
  g_assert_cmpuint (stats_of (pool).total, ==, 0);

  /* Twice is harmless. */
  dt_redis_sync_pool_close (pool);

  job_free (a);
  job_free (b);
  job_free (leased);
}

static void
test_close_wakes_waiters (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-close-wait");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  DtRedisPoolStats stats;
  Job *holder, *w1, *w2;
  gint64 closed_at;

  dt_redis_config_set_redis_max_connections (config, 1);
  pool = pool_new (config);

  holder = job_start (pool, "BLPOP", "pool:close-wait-empty", "1", NULL);
  WAIT_FOR_STATS (pool, stats, stats.in_use == 1);
  w1 = job_start (pool, "PING", NULL);
  WAIT_FOR_STATS (pool, stats, stats.waits == 1);
  w2 = job_start (pool, "PING", NULL);
  WAIT_FOR_STATS (pool, stats, stats.waits == 2);

  closed_at = g_get_monotonic_time ();
  dt_redis_sync_pool_close (pool);
  job_join (w1);
  job_join (w2);
  g_assert_error (w1->error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
  g_assert_error (w2->error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
  g_assert_cmpfloat ((w1->finished - closed_at) / (gdouble) G_USEC_PER_SEC, <, 0.5);
  g_assert_cmpfloat ((w2->finished - closed_at) / (gdouble) G_USEC_PER_SEC, <, 0.5);

  job_join (holder);
  g_assert_no_error (holder->error);
  g_assert_cmpuint (stats_of (pool).total, ==, 0);
  assert_clients_soon (server, "dt-pool-close-wait", 0);

  job_free (holder);
  job_free (w1);
  job_free (w2);
}

static void
test_idle_timeout (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-idle");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  DtRedisPoolStats stats;
  gint64 first, second;

  dt_redis_config_set_redis_idle_timeout (config, 0.3);
  pool = pool_new (config);

  first = pool_client_id (pool);
  /* Used within the idle timeout: kept. */
  g_usleep (100 * 1000);
  g_assert_cmpint (pool_client_id (pool), ==, first);
  g_assert_cmpuint (stats_of (pool).stale_closed, ==, 0);

  /* Idle longer: closed and replaced. */
  g_usleep (500 * 1000);
  second = pool_client_id (pool);
  g_assert_cmpint (second, !=, first);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.stale_closed, ==, 1);
  g_assert_cmpuint (stats.misses, ==, 2);
  g_assert_cmpuint (stats.total, ==, 1);
  for (guint i = 0; i < 200 && client_id_listed (server, first); i++)
    g_usleep (10 * 1000);
  g_assert_false (client_id_listed (server, first));
  g_assert_true (client_id_listed (server, second));
}

/* -- fork() ----------------------------------------------------------------- */

/* Forks; the child drops the pool's connections and, when @child_opens,
 * runs CLIENT ID on a connection of its own. */
static void
check_fork (DtRedisSyncPool *pool,
            gboolean         child_opens)
{
  gint64 parent_id = pool_client_id (pool);
  gint64 child_id = 0;
  int fds[2];
  int status = 0;
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child: no assertions (they would end in the parent's test
       * log), only a report through the pipe. */
      DtRedisPoolStats stats;
      gint64 id = -1;

      close (fds[0]);
      /* The parent's connection is not the child's. */
      dt_redis_sync_pool_get_stats (pool, &stats);
      if (stats.total != 0 || stats.idle != 0)
        id = -2;
      else if (child_opens)
        {
          GError *error = NULL;
          DtRedisReply *reply = pool_run (pool, &error, "CLIENT", "ID", NULL);

          if (reply != NULL && dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_INTEGER)
            id = dt_redis_reply_get_integer (reply);
          g_clear_pointer (&reply, dt_redis_reply_unref);
          g_clear_error (&error);
          dt_redis_sync_pool_get_stats (pool, &stats);
          if (stats.total != 1)
            id = -3;
        }
      else
        {
          dt_redis_sync_pool_close (pool);
          id = 0;
        }
      if (write (fds[1], &id, sizeof id) != sizeof id)
        _exit (2);
      _exit (0);
    }

  close (fds[1]);
  g_assert_cmpint (read (fds[0], &child_id, sizeof child_id), ==, sizeof child_id);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  /* Not its exit code: under valgrind, memory of the parent's threads
   * (which the child does not have) counts as leaked in the child. */
  g_assert_true (WIFEXITED (status));

  g_test_message ("parent connection %" G_GINT64_FORMAT ", child's %" G_GINT64_FORMAT,
                  parent_id, child_id);
  if (child_opens)
    {
      g_assert_cmpint (child_id, >, 0);
      g_assert_cmpint (child_id, !=, parent_id);
    }
  else
    {
      g_assert_cmpint (child_id, ==, 0);
    }

  /* The parent's connection is untouched: same one, still working. */
  g_assert_cmpint (pool_client_id (pool), ==, parent_id);
  g_assert_cmpint (pool_client_id (pool), ==, parent_id);
  g_assert_cmpuint (stats_of (pool).stale_closed, ==, 0);
  g_assert_cmpuint (stats_of (pool).total, ==, 1);
}

static void
test_fork (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-fork");
  g_autoptr(DtRedisSyncPool) pool = NULL;

  /* By name: the child resolves it without GLib's thread pool. */
  dt_redis_config_set_redis_host (config, "localhost");
  pool = pool_new (config);
  check_fork (pool, TRUE);
  check_fork (pool, FALSE);
}

static void
test_fork_tls (void)
{
  DtTestServerOptions opts = { .tls = TRUE };
  g_autoptr(DtTestServer) tls_server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_test_server_get_tls_port (tls_server));
  g_autoptr(DtRedisSyncPool) pool = NULL;

  /* Dropping the parent's TLS connection in the child must not end the
   * parent's session (no close_notify). A new TLS connection in the child
   * is not tried: glib-networking runs handshakes on GLib's thread pool,
   * which a child of a process that just used it cannot use. */
  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_ca_file (tls_server));
  pool = pool_new (config);
  check_fork (pool, FALSE);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

  g_test_add_func ("/sync-pool/lazy", test_lazy);
  g_test_add_func ("/sync-pool/lifo", test_lifo);
  g_test_add_func ("/sync-pool/threads", test_threads);
  g_test_add_func ("/sync-pool/pool-timeout", test_pool_timeout);
  g_test_add_func ("/sync-pool/fifo", test_fifo);
  g_test_add_func ("/sync-pool/wait-cancelled", test_wait_cancelled);
  g_test_add_func ("/sync-pool/restart", test_restart);
  g_test_add_func ("/sync-pool/stale-closed", test_stale_closed);
  g_test_add_func ("/sync-pool/no-resend-reused", test_no_resend_reused);
  g_test_add_func ("/sync-pool/no-retry", test_no_retry);
  g_test_add_func ("/sync-pool/failed-connections", test_failed_connections);
  g_test_add_func ("/sync-pool/close", test_close);
  g_test_add_func ("/sync-pool/close-wakes-waiters", test_close_wakes_waiters);
  g_test_add_func ("/sync-pool/idle-timeout", test_idle_timeout);
  g_test_add_func ("/sync-pool/fork", test_fork);
  g_test_add_func ("/sync-pool/fork-tls", test_fork_tls);

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
