/* test-thread-stress.c: one DtRedisClient shared by 16 threads over a pool
 * of 4 connections, checked against what the server counted
 *
 * Each thread mixes INCR on shared counters, SET/GET of keys only it
 * writes, LPUSH on shared lists, HINCRBY on its own hash field through
 * execute(), plain pipelines and MULTI/EXEC transactions, and keeps its own
 * tally. At the end the server's counters, list lengths and hash fields
 * must equal the sums of the tallies, and the server must never have seen
 * more than 4 of our connections at once. It is also the test that
 * scripts/run-sanitizers runs under ThreadSanitizer.
 *
 * DT_TEST_STRESS_ITERATIONS sets the commands per thread (default 300).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dtredis.h"
#include "dtredis-test-server.h"

#define N_THREADS        16
#define MAX_CONNECTIONS  4
#define N_COUNTERS       4
#define N_LISTS          4
#define N_OWN_KEYS       8
#define CLIENT_NAME      "dtredis-stress"
/* Far more than the work needs, even under valgrind or TSan. */
#define DEADLINE_SECONDS 150

typedef struct
{
  guint          id;
  DtRedisClient *client;
  guint          iterations;

  /* What this thread saw succeed. */
  guint64        incr[N_COUNTERS];
  guint64        lpush[N_LISTS];
  guint64        hincr;            /* its own field of stress:hash */
  guint64        tx;               /* transactions, each one INCR of stress:tx */
  char          *last_value[N_OWN_KEYS];

  guint          n_errors;
  char          *first_error;

  gint          *n_finished;       /* shared, atomic */
} Worker;

static char *
counter_key (guint i)
{
  return g_strdup_printf ("stress:counter:%u", i);
}

static char *
list_key (guint i)
{
  return g_strdup_printf ("stress:list:%u", i);
}

static char *
own_key (const Worker *w,
         guint         i)
{
  return g_strdup_printf ("stress:t%u:k%u", w->id, i);
}

static char *
hash_field (const Worker *w)
{
  return g_strdup_printf ("t%u", w->id);
}

/* Records a failure; the thread goes on, the main thread asserts. */
static void
worker_fail (Worker     *w,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static void
worker_fail (Worker     *w,
             const char *format,
             ...)
{
  va_list args;

  w->n_errors++;
  if (w->first_error != NULL)
    return;

  va_start (args, format);
  w->first_error = g_strdup_vprintf (format, args);
  va_end (args);
}

static gboolean
check_integer (Worker       *w,
               DtRedisReply *reply,
               const char   *what,
               gint64        expected)
{
  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_INTEGER)
    {
      g_autofree char *text = dt_redis_reply_to_string (reply);

      worker_fail (w, "%s: expected an integer, got %s", what, text);
      return FALSE;
    }
  if (expected >= 0 && dt_redis_reply_get_integer (reply) != expected)
    {
      worker_fail (w, "%s: expected %" G_GINT64_FORMAT ", got %" G_GINT64_FORMAT,
                   what, expected, dt_redis_reply_get_integer (reply));
      return FALSE;
    }

  return TRUE;
}

static void
op_incr (Worker *w,
         guint   i)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = counter_key (i % N_COUNTERS);
  gint64 n;

  n = dt_redis_client_incr (w->client, key, NULL, &error);
  if (error != NULL)
    worker_fail (w, "INCR: %s", error->message);
  else if (n < 1)
    worker_fail (w, "INCR gave %" G_GINT64_FORMAT, n);
  else
    w->incr[i % N_COUNTERS]++;
}

static void
op_set_get (Worker *w,
            guint   i)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = own_key (w, i % N_OWN_KEYS);
  g_autofree char *text = g_strdup_printf ("t%u-v%u", w->id, i);
  g_autofree char *got = NULL;

  if (!dt_redis_client_set (w->client, key, text, NULL, &error))
    {
      worker_fail (w, "SET: %s", error->message);
      return;
    }
  g_free (w->last_value[i % N_OWN_KEYS]);
  w->last_value[i % N_OWN_KEYS] = g_strdup (text);

  /* Nobody else writes this key: another thread's value here would mean
   * replies crossed between threads. */
  got = dt_redis_client_get (w->client, key, NULL, &error);
  if (error != NULL)
    worker_fail (w, "GET: %s", error->message);
  else if (got == NULL || strcmp (got, text) != 0)
    worker_fail (w, "GET %s did not give back %s", key, text);
}

static void
op_lpush (Worker *w,
          guint   i)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *key = list_key (i % N_LISTS);
  g_autofree char *text = g_strdup_printf ("t%u-%u", w->id, i);
  const char * const values[] = { text, NULL };
  gint64 n;

  n = dt_redis_client_lpush (w->client, key, values, NULL, &error);
  if (error != NULL)
    worker_fail (w, "LPUSH: %s", error->message);
  else if (n < 1)
    worker_fail (w, "LPUSH gave %" G_GINT64_FORMAT, n);
  else
    w->lpush[i % N_LISTS]++;
}

static void
op_hincrby (Worker *w)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = hash_field (w);
  const char * const argv[] = { "HINCRBY", "stress:hash", field, "1", NULL };
  g_autoptr(DtRedisReply) reply = NULL;

  reply = dt_redis_client_execute (w->client, argv, NULL, &error);
  if (reply == NULL)
    worker_fail (w, "HINCRBY: %s", error->message);
  else if (check_integer (w, reply, "HINCRBY", (gint64) w->hincr + 1))
    w->hincr++;
}

static void
op_pipeline (Worker *w,
             guint   i)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (w->client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autofree char *counter = counter_key (i % N_COUNTERS);
  g_autofree char *list = list_key (i % N_LISTS);
  g_autofree char *key = own_key (w, i % N_OWN_KEYS);
  g_autofree char *field = hash_field (w);
  g_autofree char *text = g_strdup_printf ("p%u-%u", w->id, i);
  DtRedisReply *got;

  dt_redis_pipeline_append (pipe, (const char * const[]) { "INCR", counter, NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "LPUSH", list, text, NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "GET", key, NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "HINCRBY", "stress:hash", field, "1", NULL });

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  if (replies == NULL)
    {
      worker_fail (w, "pipeline: %s", error->message);
      return;
    }
  if (replies->len != 4)
    {
      worker_fail (w, "pipeline: %u replies for 4 commands", replies->len);
      return;
    }

  if (check_integer (w, replies->pdata[0], "pipelined INCR", -1))
    w->incr[i % N_COUNTERS]++;
  if (check_integer (w, replies->pdata[1], "pipelined LPUSH", -1))
    w->lpush[i % N_LISTS]++;

  got = replies->pdata[2];
  if (w->last_value[i % N_OWN_KEYS] == NULL)
    {
      if (!dt_redis_reply_is_nil (got))
        worker_fail (w, "pipelined GET of a key never set is not nil");
    }
  else if (g_strcmp0 (dt_redis_reply_get_string (got, NULL), w->last_value[i % N_OWN_KEYS]) != 0)
    worker_fail (w, "pipelined GET %s did not give back %s", key, w->last_value[i % N_OWN_KEYS]);

  if (check_integer (w, replies->pdata[3], "pipelined HINCRBY", (gint64) w->hincr + 1))
    w->hincr++;
}

static void
op_transaction (Worker *w,
                guint   i)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (w->client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autofree char *list = list_key (i % N_LISTS);
  g_autofree char *field = hash_field (w);
  g_autofree char *text = g_strdup_printf ("x%u-%u", w->id, i);

  dt_redis_pipeline_append (pipe, (const char * const[]) { "INCR", "stress:tx", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "HINCRBY", "stress:hash", field, "1", NULL });
  dt_redis_pipeline_append (pipe, (const char * const[]) { "LPUSH", list, text, NULL });

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  if (replies == NULL)
    {
      worker_fail (w, "transaction: %s", error->message);
      return;
    }
  if (replies->len != 3)
    {
      worker_fail (w, "transaction: %u replies for 3 commands", replies->len);
      return;
    }

  if (check_integer (w, replies->pdata[0], "INCR in MULTI", -1))
    w->tx++;
  if (check_integer (w, replies->pdata[1], "HINCRBY in MULTI", (gint64) w->hincr + 1))
    w->hincr++;
  if (check_integer (w, replies->pdata[2], "LPUSH in MULTI", -1))
    w->lpush[i % N_LISTS]++;
}

static gpointer
worker_thread (gpointer user_data)
{
  Worker *w = user_data;

  for (guint i = 0; i < w->iterations; i++)
    {
      /* Threads start at different points of the cycle. */
      switch ((i + w->id) % 6)
        {
        case 0:
          op_incr (w, i);
          break;
        case 1:
          op_set_get (w, i);
          break;
        case 2:
          op_lpush (w, i);
          break;
        case 3:
          op_hincrby (w);
          break;
        case 4:
          op_pipeline (w, i);
          break;
        case 5:
        default:
          op_transaction (w, i);
          break;
        }
    }

  /* Workers write only their own struct; the join publishes it. */
  g_atomic_int_inc (w->n_finished);

  return NULL;
}

static void
worker_clear (Worker *w)
{
  g_clear_object (&w->client);
  for (guint k = 0; k < N_OWN_KEYS; k++)
    g_clear_pointer (&w->last_value[k], g_free);
  g_clear_pointer (&w->first_error, g_free);
}

static guint
get_iterations (void)
{
  const char *env = g_getenv ("DT_TEST_STRESS_ITERATIONS");
  guint64 n;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 1, 100000, &n, NULL))
    return (guint) n;

  return 300;
}

/* The integer in a raw RESP reply: ":N\r\n", or "$len\r\nN\r\n" (GET,
 * HGET); nil counts as 0. */
static gint64
raw_integer (const char *raw)
{
  const char *p;

  g_assert_nonnull (raw);
  if (raw[0] == ':')
    return g_ascii_strtoll (raw + 1, NULL, 10);
  if (g_str_has_prefix (raw, "$-1"))
    return 0;
  g_assert_true (raw[0] == '$');
  p = strstr (raw, "\r\n");
  g_assert_nonnull (p);
  return g_ascii_strtoll (p + 2, NULL, 10);
}

static gint64
server_integer (DtTestServer *server,
                const char   *first_arg,
                ...) G_GNUC_NULL_TERMINATED;

static gint64
server_integer (DtTestServer *server,
                const char   *first_arg,
                ...)
{
  g_autofree char *raw = NULL;
  va_list args;

  va_start (args, first_arg);
  raw = dt_test_server_command_valist (server, first_arg, args);
  va_end (args);
  return raw_integer (raw);
}

/* GObject publishes a class initialised in one thread to the others with
 * atomics inside libgobject, which ThreadSanitizer does not see; a class
 * first used by two worker threads at once would show up as a race on
 * the class structure. So every class involved is initialised here, on
 * the main thread, with an instance of its own: the instance under test
 * still creates its pool lazily, from the workers. */
static void
warm_up_classes (DtTestServer *server)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (dt_test_server_get_url (server), &error);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPipeline) pipe = NULL;
  g_autoptr(GPtrArray) replies = NULL;

  g_assert_no_error (error);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  pipe = dt_redis_client_pipeline (client, TRUE);
  dt_redis_pipeline_append (pipe, (const char * const[]) { "PING", NULL });
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
}

static void
test_shared_client (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  Worker workers[N_THREADS] = { { 0, }, };
  GThread *threads[N_THREADS];
  guint iterations = get_iterations ();
  guint max_seen = 0, n_polls = 0;
  guint64 total_incr = 0;
  gint64 deadline;
  gint n_finished = 0;
  gboolean all_done = FALSE;

  warm_up_classes (server);
  config = dt_redis_config_new_from_url (dt_test_server_get_url (server), &error);
  g_assert_no_error (error);
  dt_redis_config_set_redis_max_connections (config, MAX_CONNECTIONS);
  dt_redis_config_set_redis_client_name (config, CLIENT_NAME);
  /* Waiting for a free connection is part of the test, not a failure. */
  dt_redis_config_set_redis_socket_timeout (config, 30.0);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  for (guint t = 0; t < N_THREADS; t++)
    {
      workers[t].id = t;
      workers[t].client = g_object_ref (client);
      workers[t].iterations = iterations;
      workers[t].n_finished = &n_finished;
    }
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_autofree char *name = g_strdup_printf ("stress-%u", t);

      threads[t] = g_thread_new (name, worker_thread, &workers[t]);
    }

  /* Watch the cap from the server's side while the threads run. */
  deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (!all_done)
    {
      g_autoptr(DtRedisPoolStats) now = dt_redis_instance_get_sync_pool_stats (instance);
      guint seen = dt_test_server_count_clients (server, CLIENT_NAME);

      max_seen = MAX (max_seen, seen);
      n_polls++;
      g_assert_cmpuint (now->total, <=, MAX_CONNECTIONS);
      g_assert_cmpuint (now->in_use, <=, now->total);

      if (g_get_monotonic_time () > deadline)
        g_error ("the threads did not finish within %d s", DEADLINE_SECONDS);

      g_usleep (2000);
      all_done = g_atomic_int_get (&n_finished) == N_THREADS;
    }

  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);

  /* Every thread, then the server. */
  for (guint t = 0; t < N_THREADS; t++)
    {
      if (workers[t].n_errors > 0)
        g_test_message ("thread %u: %u errors, the first: %s",
                        t, workers[t].n_errors, workers[t].first_error);
      g_assert_cmpuint (workers[t].n_errors, ==, 0);
    }

  for (guint c = 0; c < N_COUNTERS; c++)
    {
      g_autofree char *key = counter_key (c);
      guint64 expected = 0;

      for (guint t = 0; t < N_THREADS; t++)
        expected += workers[t].incr[c];
      total_incr += expected;
      g_assert_cmpint (server_integer (server, "GET", key, NULL), ==, (gint64) expected);
    }

  for (guint l = 0; l < N_LISTS; l++)
    {
      g_autofree char *key = list_key (l);
      guint64 expected = 0;

      for (guint t = 0; t < N_THREADS; t++)
        expected += workers[t].lpush[l];
      g_assert_cmpint (server_integer (server, "LLEN", key, NULL), ==, (gint64) expected);
    }

  {
    guint64 expected_tx = 0;

    for (guint t = 0; t < N_THREADS; t++)
      {
        g_autofree char *field = hash_field (&workers[t]);

        expected_tx += workers[t].tx;
        g_assert_cmpint (server_integer (server, "HGET", "stress:hash", field, NULL), ==,
                         (gint64) workers[t].hincr);
        for (guint k = 0; k < N_OWN_KEYS; k++)
          {
            g_autofree char *key = own_key (&workers[t], k);
            g_autofree char *raw = dt_test_server_command (server, "GET", key, NULL);
            g_autofree char *expected = NULL;

            if (workers[t].last_value[k] == NULL)
              expected = g_strdup ("$-1\r\n");
            else
              expected = g_strdup_printf ("$%zu\r\n%s\r\n", strlen (workers[t].last_value[k]),
                                          workers[t].last_value[k]);
            g_assert_cmpstr (raw, ==, expected);
          }
      }
    g_assert_cmpint (server_integer (server, "GET", "stress:tx", NULL), ==, (gint64) expected_tx);
    g_assert_cmpuint (expected_tx, >, 0);
  }

  g_assert_cmpuint (total_incr, >, 0);
  max_seen = MAX (max_seen, dt_test_server_count_clients (server, CLIENT_NAME));
  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_test_message ("%u threads x %u commands: %" G_GUINT64_FORMAT " INCRs counted; "
                  "at most %u connections seen in %u polls; pool: total %u, hits %"
                  G_GUINT64_FORMAT ", misses %" G_GUINT64_FORMAT ", waits %" G_GUINT64_FORMAT
                  ", timeouts %" G_GUINT64_FORMAT,
                  N_THREADS, iterations, total_incr, max_seen, n_polls, stats->total,
                  stats->hits, stats->misses, stats->waits, stats->timeouts);
  g_assert_cmpuint (max_seen, >=, 1);
  g_assert_cmpuint (max_seen, <=, MAX_CONNECTIONS);
  g_assert_cmpuint (stats->total, <=, MAX_CONNECTIONS);
  g_assert_cmpuint (stats->timeouts, ==, 0);

  for (guint t = 0; t < N_THREADS; t++)
    worker_clear (&workers[t]);
}

typedef struct
{
  DtRedisClient *client;
  guint          iterations;
  guint64        ok;
  guint64        closed;
  guint          n_other;
  char          *other_error;
  gint          *n_finished;
} ResetWorker;

static gpointer
reset_worker_thread (gpointer user_data)
{
  ResetWorker *w = user_data;

  for (guint i = 0; i < w->iterations; i++)
    {
      g_autoptr(GError) error = NULL;

      dt_redis_client_incr (w->client, "stress:reset", NULL, &error);
      if (error == NULL)
        w->ok++;
      else if (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED))
        w->closed++;
      else if (w->n_other++ == 0)
        w->other_error = g_strdup (error->message);
    }

  g_atomic_int_inc (w->n_finished);

  return NULL;
}

/* reset_sync_pool() while 16 threads work: commands that had a connection
 * finish, waiters fail with CLOSED before anything was sent, so the server
 * counts exactly the INCRs that succeeded. */
static void
test_reset_under_load (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) error = NULL;
  ResetWorker workers[N_THREADS] = { { 0, }, };
  GThread *threads[N_THREADS];
  guint iterations = MAX (get_iterations () / 2, 1);
  guint64 ok = 0, closed = 0;
  guint n_resets = 0;
  gint n_finished = 0;
  gint64 deadline;

  warm_up_classes (server);
  config = dt_redis_config_new_from_url (dt_test_server_get_url (server), &error);
  g_assert_no_error (error);
  dt_redis_config_set_redis_max_connections (config, MAX_CONNECTIONS);
  dt_redis_config_set_redis_socket_timeout (config, 30.0);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  for (guint t = 0; t < N_THREADS; t++)
    {
      workers[t].client = g_object_ref (client);
      workers[t].iterations = iterations;
      workers[t].n_finished = &n_finished;
      threads[t] = g_thread_new ("stress-reset", reset_worker_thread, &workers[t]);
    }

  deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  while (g_atomic_int_get (&n_finished) < N_THREADS)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("the threads did not finish within %d s", DEADLINE_SECONDS);
      if (n_resets < 50)
        {
          dt_redis_instance_reset_sync_pool (instance);
          n_resets++;
        }
      g_usleep (3000);
    }

  for (guint t = 0; t < N_THREADS; t++)
    {
      g_thread_join (threads[t]);
      if (workers[t].n_other > 0)
        g_test_message ("thread %u: %u unexpected errors, the first: %s",
                        t, workers[t].n_other, workers[t].other_error);
      g_assert_cmpuint (workers[t].n_other, ==, 0);
      ok += workers[t].ok;
      closed += workers[t].closed;
      g_clear_object (&workers[t].client);
      g_clear_pointer (&workers[t].other_error, g_free);
    }

  g_test_message ("%u resets: %" G_GUINT64_FORMAT " INCRs done, %" G_GUINT64_FORMAT
                  " refused with CLOSED", n_resets, ok, closed);
  g_assert_cmpuint (n_resets, >, 0);
  g_assert_cmpuint (ok + closed, ==, (guint64) N_THREADS * iterations);
  g_assert_cmpint (server_integer (server, "GET", "stress:reset", NULL), ==, (gint64) ok);

  /* And the instance still works afterwards. */
  g_assert_true (dt_redis_instance_ping (instance, NULL, &error));
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/thread-stress/shared-client", test_shared_client);
  g_test_add_func ("/thread-stress/reset-under-load", test_reset_under_load);

  return g_test_run ();
}
