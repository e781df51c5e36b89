/* test-at-most-once.c: no command runs twice when connections die under it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The scenarios of issue 9 where commands are lost in flight, through the
 * sync path (DtRedisClient, dt_redis_pipeline_execute) and the async path
 * (DtRedisAsyncClient, *_async on the thread-default main context):
 *
 *   /integrity/at-most-once/...   CLIENT KILL storms and output-buffer kills:
 *                                 no command runs twice, a success ran once
 *   /integrity/stray/...          bytes on an idle connection are never a reply
 *   /integrity/sigstop            a frozen server: TIMEOUT, "may have been
 *                                 executed", nothing twice after SIGCONT
 *
 * Executions are counted on the server: every INCR goes to a fresh key, so
 * after the storm the key's value is the number of times the server ran it.
 * A success must have run exactly once (and have returned 1); a failure at
 * most once, and if it ran, its message must say it may have been executed.
 * Upper time bounds are multiplied by dt_test_time_scale().  The other
 * scenarios of issue 9 are in test-integrity-guards.c.
 */

#include <dtredis.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>

#include "dtredis-fake-server.h"
#include "dtredis-integrity-helpers.h"
#include "dtredis-test-server.h"

/* -- 1a. sync single INCRs and pipelines under CLIENT KILL -------------------- */

#define STORM_SECONDS 1.5
#define N_WORKERS 4

typedef struct
{
  DtRedisClient *client;
  gint          *stop;
  guint          id;
  gboolean       pipelines;
  GArray        *outcomes;
} Worker;

static void
run_single (Worker *w,
            guint   i)
{
  Outcome o = { .group = -1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = NULL;

  g_snprintf (o.key, sizeof o.key, "s:%u:%u", w->id, i);
  reply = dt_redis_client_execute (w->client, STRV ("INCR", o.key), NULL, &error);
  if (reply != NULL)
    {
      o.ok = TRUE;
      o.value = dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_INTEGER
        ? dt_redis_reply_get_integer (reply) : -100;
    }
  else
    outcome_set_error (&o, error);
  g_array_append_val (w->outcomes, o);
}

#define BATCH 20

static void
run_batch (Worker *w,
           guint   batch)
{
  gboolean transaction = batch % 2 == 1;
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (w->client, transaction);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  Outcome o[BATCH];

  for (guint j = 0; j < BATCH; j++)
    {
      o[j] = (Outcome) { .group = transaction ? (gint) (w->id * 1000000 + batch) : -1 };
      g_snprintf (o[j].key, sizeof o[j].key, "p:%u:%u:%u", w->id, batch, j);
      dt_redis_pipeline_append (pipe, STRV ("INCR", o[j].key));
    }
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  for (guint j = 0; j < BATCH; j++)
    {
      if (replies != NULL)
        {
          DtRedisReply *r = j < replies->len ? g_ptr_array_index (replies, j) : NULL;

          o[j].ok = TRUE;
          o[j].value = r != NULL && dt_redis_reply_get_reply_type (r) == DT_REDIS_REPLY_INTEGER
            ? dt_redis_reply_get_integer (r) : -100;
        }
      else
        outcome_set_error (&o[j], error);
    }
  g_array_append_vals (w->outcomes, o, BATCH);
}

static gpointer
worker_thread (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; !g_atomic_int_get (w->stop); i++)
    {
      if (w->pipelines)
        run_batch (w, i);
      else
        run_single (w, i);
    }
  return NULL;
}

static void
sync_storm (gboolean pipelines)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), N_WORKERS,
                                                      2.0, "dt-integrity", NULL);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Outcome));
  g_autoptr(DtRedisPoolStats) stats = NULL;
  Worker workers[N_WORKERS];
  GThread *threads[N_WORKERS];
  Killer killer;
  gint stop = 0;
  gint64 start;
  Tally tally;

  g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
  for (guint i = 0; i < N_WORKERS; i++)
    {
      workers[i] = (Worker) { client, &stop, i, pipelines, g_array_new (FALSE, FALSE, sizeof (Outcome)) };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }
  start = g_get_monotonic_time ();
  killer_start (&killer, server);
  g_usleep (STORM_SECONDS * G_USEC_PER_SEC);
  killer_stop (&killer);
  g_atomic_int_set (&stop, 1);
  for (guint i = 0; i < N_WORKERS; i++)
    {
      g_thread_join (threads[i]);
      g_array_append_vals (all, workers[i].outcomes->data, workers[i].outcomes->len);
      g_array_unref (workers[i].outcomes);
    }
  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_test_message ("sync %s: %u threads for %.2f s, %u CLIENT KILLs closed %u connections; "
                  "pool: %" G_GUINT64_FORMAT " misses, %" G_GUINT64_FORMAT " stale closed",
                  pipelines ? "pipelines of 20 INCRs (every other one MULTI/EXEC)" : "single INCRs",
                  N_WORKERS, seconds_since (start), killer.kills, killer.killed,
                  stats->misses, stats->stale_closed);

  tally = check_outcomes (server, all, pipelines ? "sync pipelines" : "sync INCR");
  /* The storm hit: kills closed our connections and some commands failed. */
  g_assert_cmpuint (killer.killed, >, 0);
  g_assert_cmpuint (tally.ok, >, 0);
  g_assert_cmpuint (tally.failed, >, 0);

  /* And the pool still works. */
  g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
  close_pools (instance);
}

static void
test_kill_sync_single (void)
{
  sync_storm (FALSE);
}

static void
test_kill_sync_pipelines (void)
{
  sync_storm (TRUE);
}

/* -- 1b. output-buffer kill: executed, then closed with no reply byte --------- */

#define BIG_SIZE (2 * 1024 * 1024)

static DtTestServer *
obuf_server (void)
{
  DtTestServer *server = dt_test_server_start (NULL);
  g_autofree char *big = g_malloc (BIG_SIZE + 1);
  g_autofree char *raw = NULL;

  memset (big, 'x', BIG_SIZE);
  big[BIG_SIZE] = '\0';
  server_ok (server, "SET", "big", big, NULL);
  /* A client whose replies pass 1 MiB is closed at once, before anything
   * of them is written. */
  server_ok (server, "CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 1mb 0", NULL);
  return server;
}

/* The pipeline: INCR ob:<tag>:0..9, then GET big three times. */
static DtRedisPipeline *
obuf_pipeline (DtRedisInstance *instance,
               gboolean         transaction,
               const char      *tag)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  DtRedisPipeline *pipe = dt_redis_client_pipeline (client, transaction);

  for (guint j = 0; j < 10; j++)
    {
      g_autofree char *key = g_strdup_printf ("ob:%s:%u", tag, j);

      dt_redis_pipeline_append (pipe, STRV ("INCR", key));
    }
  for (guint j = 0; j < 3; j++)
    dt_redis_pipeline_append (pipe, STRV ("GET", "big"));
  return pipe;
}

static void
check_obuf_counters (DtTestServer *server,
                     const char   *tag,
                     guint         n)
{
  for (guint j = 0; j < n; j++)
    {
      g_autofree char *key = n == 1 ? g_strdup_printf ("ob:%s", tag) : g_strdup_printf ("ob:%s:%u", tag, j);
      gint64 count = server_integer (server, "GET", key, NULL);

      if (count != 1)
        g_test_message ("%s ran %" G_GINT64_FORMAT " times", key, count);
      /* The server ran it before it killed the connection: once. */
      g_assert_cmpint (count, ==, 1);
    }
}

static void
check_obuf_error (const GError *error,
                  const char   *what)
{
  g_assert_nonnull (error);
  g_test_message ("%s: %s", what, error->message);
  g_assert_true (error->domain == DT_REDIS_ERROR);
  g_assert_cmpint (error->code, ==, DT_REDIS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, MAYBE_EXECUTED));
}

#define OBUF_SCRIPT "redis.call('INCR', KEYS[1]); return redis.call('GET', KEYS[2])"

static void
test_obuf_kill_sync (void)
{
  g_autoptr(DtTestServer) server = obuf_server ();
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 1, 5.0, NULL, NULL);
  gboolean tx[2] = { FALSE, TRUE };
  const char *tags[2] = { "sync-plain", "sync-multi" };

  for (guint t = 0; t < 2; t++)
    {
      g_autoptr(DtRedisPipeline) pipe = NULL;
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GError) error = NULL;

      /* A reused connection, as in production. */
      g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
      pipe = obuf_pipeline (instance, tx[t], tags[t]);
      replies = dt_redis_pipeline_execute (pipe, NULL, &error);
      g_assert_null (replies);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", tags[t], error->message);
      check_obuf_counters (server, tags[t], 10);
      check_obuf_error (error, tags[t]);
    }

  /* One command that writes and then has a reply too big to send. */
  {
    g_autoptr(DtRedisReply) reply = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
    reply = sync_execute (instance, STRV ("EVAL", OBUF_SCRIPT, "2", "ob:sync-eval", "big"), &error);
    g_assert_null (reply);
    g_assert_nonnull (error);
    check_obuf_counters (server, "sync-eval", 1);
    check_obuf_error (error, "sync EVAL");
  }
  g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
  close_pools (instance);
}

static void
test_obuf_kill_async (void)
{
  g_autoptr(DtTestServer) server = obuf_server ();
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 1, 5.0, NULL, NULL);
  gboolean tx[2] = { FALSE, TRUE };
  const char *tags[2] = { "async-plain", "async-multi" };

  for (guint t = 0; t < 2; t++)
    {
      g_autoptr(DtRedisPipeline) pipe = NULL;
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(DtRedisReply) pong = async_execute (instance, STRV ("PING"), NULL);

      g_assert_nonnull (pong);
      pipe = obuf_pipeline (instance, tx[t], tags[t]);
      replies = async_pipeline_execute (pipe, &error);
      g_assert_null (replies);
      g_assert_nonnull (error);
      g_test_message ("%s: %s", tags[t], error->message);
      check_obuf_counters (server, tags[t], 10);
      check_obuf_error (error, tags[t]);
    }

  {
    g_autoptr(DtRedisReply) pong = async_execute (instance, STRV ("PING"), NULL);
    g_autoptr(DtRedisReply) reply = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (pong);
    reply = async_execute (instance, STRV ("EVAL", OBUF_SCRIPT, "2", "ob:async-eval", "big"), &error);
    g_assert_null (reply);
    g_assert_nonnull (error);
    check_obuf_counters (server, "async-eval", 1);
    check_obuf_error (error, "async EVAL");
  }
  close_pools (instance);
}

/* -- 1c. 20,000-command async gathers under CLIENT KILL ----------------------- */

#define GATHER 20000
#define GATHER_PIPES 100
#define ROUNDS 3

typedef struct
{
  GArray *outcomes;
  guint   done;
  char   *first_error;  /* the message of the first failure */
} Gather;

typedef struct
{
  Gather *gather;
  guint   index;
  guint   n;        /* outcomes it fills (1, or BATCH for a pipeline) */
} GatherCall;

static void
gather_incr_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GatherCall *call = user_data;
  Outcome *o = &g_array_index (call->gather->outcomes, Outcome, call->index);
  g_autoptr(GError) error = NULL;
  gint64 value = dt_redis_async_client_incr_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);

  if (error == NULL)
    {
      o->ok = TRUE;
      o->value = value;
    }
  else
    {
      outcome_set_error (o, error);
      if (call->gather->first_error == NULL)
        call->gather->first_error = g_strdup (error->message);
    }
  call->gather->done++;
  g_free (call);
}

static void
gather_pipe_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GatherCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = dt_redis_pipeline_execute_finish (DT_REDIS_PIPELINE (source),
                                                                   result, &error);

  for (guint j = 0; j < call->n; j++)
    {
      Outcome *o = &g_array_index (call->gather->outcomes, Outcome, call->index + j);

      if (replies != NULL)
        {
          DtRedisReply *r = j < replies->len ? g_ptr_array_index (replies, j) : NULL;

          o->ok = TRUE;
          o->value = r != NULL && dt_redis_reply_get_reply_type (r) == DT_REDIS_REPLY_INTEGER
            ? dt_redis_reply_get_integer (r) : -100;
        }
      else
        outcome_set_error (o, error);
    }
  call->gather->done += call->n;
  g_free (call);
}

static void
test_kill_async_gather (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 4, 5.0,
                                                      "dt-integrity", NULL);
  g_autoptr(DtRedisAsyncClient) aclient = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Outcome));
  guint total_kills = 0, total_killed = 0;
  Tally tally;

  for (guint round = 0; round < ROUNDS; round++)
    {
      guint n = GATHER + GATHER_PIPES * BATCH;
      Gather gather = { g_array_sized_new (FALSE, TRUE, sizeof (Outcome), n), 0 };
      g_autoptr(DtRedisReply) pong = async_execute (instance, STRV ("PING"), NULL);
      guint tick;
      gint64 start, deadline;
      Killer killer;

      g_assert_nonnull (pong);
      g_array_set_size (gather.outcomes, n);
      start = g_get_monotonic_time ();
      for (guint i = 0; i < GATHER; i++)
        {
          Outcome *o = &g_array_index (gather.outcomes, Outcome, i);
          GatherCall *call = g_new0 (GatherCall, 1);

          o->group = -1;
          g_snprintf (o->key, sizeof o->key, "a:%u:%u", round, i);
          *call = (GatherCall) { &gather, i, 1 };
          dt_redis_async_client_incr_async (aclient, o->key, NULL, gather_incr_cb, call);
        }
      for (guint b = 0; b < GATHER_PIPES; b++)
        {
          gboolean transaction = b % 2 == 1;
          g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, transaction);
          GatherCall *call = g_new0 (GatherCall, 1);
          guint base = GATHER + b * BATCH;

          for (guint j = 0; j < BATCH; j++)
            {
              Outcome *o = &g_array_index (gather.outcomes, Outcome, base + j);

              o->group = transaction ? (gint) (round * 1000 + b) : -1;
              g_snprintf (o->key, sizeof o->key, "ap:%u:%u:%u", round, b, j);
              dt_redis_pipeline_append (pipe, STRV ("INCR", o->key));
            }
          *call = (GatherCall) { &gather, base, BATCH };
          dt_redis_pipeline_execute_async (pipe, NULL, gather_pipe_cb, call);
        }

      deadline = start + usec_bound (30);
      tick = g_timeout_add (5, tick_cb, NULL);
      /* The kills start once the first replies are in, however slow the
       * build (sanitizers, valgrind): a storm from the first moment kills
       * every connection in its handshake, and nothing would succeed. */
      while (gather.done < 200 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      killer_start (&killer, server);
      while (gather.done < n && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_source_remove (tick);
      killer_stop (&killer);
      g_test_message ("async round %u: %u INCRs + %u pipelines of %u, %u completed in %.3f s; "
                      "%u CLIENT KILLs closed %u connections; first INCR error: %s",
                      round, GATHER, GATHER_PIPES, BATCH, gather.done, seconds_since (start),
                      killer.kills, killer.killed, gather.first_error ? gather.first_error : "none");
      g_clear_pointer (&gather.first_error, g_free);
      g_assert_cmpuint (gather.done, ==, n);
      total_kills += killer.kills;
      total_killed += killer.killed;
      g_array_append_vals (all, gather.outcomes->data, n);
      g_array_unref (gather.outcomes);
    }

  tally = check_outcomes (server, all, "async gathers");
  g_test_message ("async: %u rounds, %u CLIENT KILLs closing %u connections", ROUNDS,
                  total_kills, total_killed);
  g_assert_cmpuint (total_killed, >, 0);
  g_assert_cmpuint (tally.ok, >, 0);
  g_assert_cmpuint (tally.failed, >, 0);
  {
    g_autoptr(DtRedisReply) pong = async_execute (instance, STRV ("PING"), NULL);

    g_assert_nonnull (pong);
  }
  close_pools (instance);
}

/* -- 2. a stray reply on an idle connection ----------------------------------- */

static void
check_get (const char *value,
           const char *key)
{
  g_assert_nonnull (value);
  if (strcmp (value, key) != 0)
    g_test_message ("GET %s returned \"%s\"", key, value);
  g_assert_cmpstr (value, ==, key);
}

#define N_STRAY 6
#define STRAY_WAIT_MS 300  /* the fake server sends its stray reply 100 ms after the answer */

static void
test_stray_sync (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_STRAY, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance (url, 1, 2.0, NULL, NULL);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPoolStats) stats = NULL;

  for (guint i = 0; i < N_STRAY; i++)
    {
      g_autofree char *key = g_strdup_printf ("key-%u", i);
      g_autoptr(GError) error = NULL;
      g_autofree char *value = dt_redis_client_get (client, key, NULL, &error);

      g_assert_no_error (error);
      check_get (value, key);
      /* The stray bytes arrive on the idle pooled connection. */
      g_usleep (STRAY_WAIT_MS * 1000);
    }
  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_test_message ("sync: %u GETs, each after a stray reply: own values; %u connections "
                  "accepted, stale_closed %" G_GUINT64_FORMAT,
                  N_STRAY, dt_fake_server_get_n_accepted (fake), stats->stale_closed);
  g_assert_cmpuint (stats->stale_closed, >=, N_STRAY - 1);
  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), >=, N_STRAY);
  close_pools (instance);
}

static void
check_stray_async (gboolean iterate)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_STRAY, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance (url, 1, 2.0, NULL, NULL);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(DtRedisPoolStats) stats = NULL;

  for (guint i = 0; i < N_STRAY; i++)
    {
      g_autofree char *key = g_strdup_printf ("key-%u", i);
      g_autoptr(GError) error = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *value = NULL;

      dt_redis_async_client_get_async (client, key, NULL, store_result_cb, &result);
      value = dt_redis_async_client_get_finish (client, wait_result (&result), &error);
      g_assert_no_error (error);
      check_get (value, key);
      /* Either the pool sees the bytes arrive while idle, or they wait
       * unread in the socket for the next command. */
      if (iterate)
        iterate_for (STRAY_WAIT_MS);
      else
        g_usleep (STRAY_WAIT_MS * 1000);
    }
  stats = dt_redis_instance_get_async_pool_stats (instance);
  g_test_message ("async (%s): %u GETs, each after a stray reply: own values; %u connections "
                  "accepted, stale_closed %" G_GUINT64_FORMAT,
                  iterate ? "main loop running while idle" : "main loop not running while idle",
                  N_STRAY, dt_fake_server_get_n_accepted (fake), stats->stale_closed);
  g_assert_cmpuint (stats->stale_closed, >=, 1);
  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), >=, N_STRAY);
  close_pools (instance);
}

static void
test_stray_async (void)
{
  check_stray_async (FALSE);
  check_stray_async (TRUE);
}

/* -- 7. SIGSTOP ------------------------------------------------------------------------------ */

typedef struct
{
  DtRedisClient *client;
  GArray        *outcomes;
  gint64         end;
  gint           started;
} StopWorker;

/* INCRs on fresh keys until the first failure. */
static gpointer
stop_worker_thread (gpointer data)
{
  StopWorker *w = data;

  for (guint i = 0; i < 1000000; i++)
    {
      Outcome o = { .group = -1 };
      g_autoptr(GError) error = NULL;
      gint64 value;

      g_snprintf (o.key, sizeof o.key, "st:s:%u", i);
      value = dt_redis_client_incr (w->client, o.key, NULL, &error);
      if (error == NULL)
        {
          o.ok = TRUE;
          o.value = value;
        }
      else
        outcome_set_error (&o, error);
      g_array_append_val (w->outcomes, o);
      g_atomic_int_set (&w->started, 1);
      if (error != NULL)
        break;
    }
  w->end = g_get_monotonic_time ();
  return NULL;
}

#define STOP_ASYNC 2000

static void
start_stop_incr (DtRedisAsyncClient *aclient,
                 Gather             *gather,
                 guint               i)
{
  Outcome *o = &g_array_index (gather->outcomes, Outcome, i);
  GatherCall *call = g_new0 (GatherCall, 1);

  o->group = -1;
  g_snprintf (o->key, sizeof o->key, "st:a:%u", i);
  *call = (GatherCall) { gather, i, 1 };
  dt_redis_async_client_incr_async (aclient, o->key, NULL, gather_incr_cb, call);
}

static void
test_sigstop (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 4, BOUND_TIMEOUT,
                                                      NULL, NULL);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) aclient = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Outcome));
  Gather gather = { g_array_sized_new (FALSE, TRUE, sizeof (Outcome), STOP_ASYNC), 0 };
  StopWorker w = { client, g_array_new (FALSE, FALSE, sizeof (Outcome)), 0, 0 };
  GPid pid = dt_test_server_get_pid (server);
  GThread *thread;
  gint64 stop_time, deadline;
  guint tick, sync_timeouts = 0, async_timeouts = 0;
  Tally tally;

  g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
  g_array_set_size (gather.outcomes, STOP_ASYNC);
  thread = g_thread_new ("incr", stop_worker_thread, &w);
  while (!g_atomic_int_get (&w.started))
    g_usleep (1000);
  for (guint i = 0; i < STOP_ASYNC / 2; i++)
    start_stop_incr (aclient, &gather, i);
  tick = g_timeout_add (2, tick_cb, NULL);
  while (gather.done == 0)
    g_main_context_iteration (NULL, TRUE);

  /* Frozen with commands in flight, both paths: the sync worker's, and
   * the async ones written to the frozen server. */
  g_assert_cmpint (kill (pid, SIGSTOP), ==, 0);
  stop_time = g_get_monotonic_time ();
  for (guint i = STOP_ASYNC / 2; i < STOP_ASYNC; i++)
    start_stop_incr (aclient, &gather, i);
  deadline = stop_time + usec_bound (BOUND_TIMEOUT + 5);
  while (gather.done < STOP_ASYNC && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  g_thread_join (thread);
  g_assert_cmpint (kill (pid, SIGCONT), ==, 0);

  g_test_message ("SIGSTOP with commands in flight: sync worker failed %.3f s later; async: "
                  "%u of %u completed %.3f s later", (w.end - stop_time) / (gdouble) G_USEC_PER_SEC,
                  gather.done, STOP_ASYNC, seconds_since (stop_time));
  g_assert_cmpuint (gather.done, ==, STOP_ASYNC);
  g_assert_cmpint (w.end - stop_time, <, usec_bound (BOUND_TIMEOUT + 1.0));
  {
    Outcome *last = &g_array_index (w.outcomes, Outcome, w.outcomes->len - 1);

    /* The sync INCR in flight: TIMEOUT, and it may have run. */
    g_assert_false (last->ok);
    g_assert_cmpint (last->code, ==, DT_REDIS_ERROR_TIMEOUT);
    g_assert_true (last->maybe);
  }
  for (guint i = 0; i < w.outcomes->len; i++)
    if (!g_array_index (w.outcomes, Outcome, i).ok
        && g_array_index (w.outcomes, Outcome, i).code == DT_REDIS_ERROR_TIMEOUT)
      sync_timeouts++;
  for (guint i = 0; i < STOP_ASYNC; i++)
    {
      Outcome *o = &g_array_index (gather.outcomes, Outcome, i);

      if (!o->ok && o->code == DT_REDIS_ERROR_TIMEOUT && o->maybe)
        async_timeouts++;
    }
  g_test_message ("TIMEOUT saying \"" MAYBE_EXECUTED "\": sync %u, async %u; first async error: %s",
                  sync_timeouts, async_timeouts, gather.first_error ? gather.first_error : "none");
  g_clear_pointer (&gather.first_error, g_free);
  g_assert_cmpuint (async_timeouts, >, 0);

  /* Thawed: what the server had buffered runs now, once. */
  g_usleep (300000);
  g_array_append_vals (all, w.outcomes->data, w.outcomes->len);
  g_array_append_vals (all, gather.outcomes->data, gather.outcomes->len);
  tally = check_outcomes (server, all, "SIGSTOP");
  g_assert_cmpuint (tally.failed, >, 0);

  /* New commands work. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    g_assert_cmpint (dt_redis_client_incr (client, "st:after", NULL, &error), ==, 1);
    g_assert_no_error (error);
    dt_redis_async_client_incr_async (aclient, "st:after", NULL, store_result_cb, &result);
    g_assert_cmpint (dt_redis_async_client_incr_finish (aclient, wait_result (&result), &error), ==, 2);
    g_assert_no_error (error);
  }
  g_array_unref (w.outcomes);
  g_array_unref (gather.outcomes);
  close_pools (instance);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integrity/at-most-once/kill-sync-single", test_kill_sync_single);
  g_test_add_func ("/integrity/at-most-once/kill-sync-pipelines", test_kill_sync_pipelines);
  g_test_add_func ("/integrity/at-most-once/output-buffer-sync", test_obuf_kill_sync);
  g_test_add_func ("/integrity/at-most-once/output-buffer-async", test_obuf_kill_async);
  g_test_add_func ("/integrity/at-most-once/kill-async-gather", test_kill_async_gather);
  g_test_add_func ("/integrity/stray/sync", test_stray_sync);
  g_test_add_func ("/integrity/stray/async", test_stray_async);
  g_test_add_func ("/integrity/sigstop", test_sigstop);

  return g_test_run ();
}
