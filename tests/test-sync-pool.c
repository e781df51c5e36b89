/* test-sync-pool.c: the blocking pool: laziness, the cap, fair waiting,
 * reuse, close
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

static gboolean
client_id_listed (DtTestServer *srv,
                  gint64        id)
{
  g_autofree char *list = dt_test_server_command (srv, "CLIENT", "LIST", NULL);
  g_autofree char *needle = g_strdup_printf ("id=%" G_GINT64_FORMAT " ", id);

  return strstr (list, needle) != NULL;
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
  g_test_add_func ("/sync-pool/close", test_close);
  g_test_add_func ("/sync-pool/close-wakes-waiters", test_close_wakes_waiters);
  g_test_add_func ("/sync-pool/idle-timeout", test_idle_timeout);

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}

