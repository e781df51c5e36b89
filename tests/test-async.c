/* test-async.c: DtRedisAsyncClient and the async pool against a private
 * redis-server: commands, pipelines, threads, resets
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"
#include "test-async-common.h"

/* Sends one command with execute_async and waits for its reply. */
static DtRedisReply *
run_execute (DtRedisAsyncClient  *client,
             const char * const  *argv,
             GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_redis_async_client_execute_async (client, argv, NULL, store_result_cb, &result);
  return dt_redis_async_client_execute_finish (client, wait_result (&result), error);
}

typedef struct
{
  DtRedisInstance    *instance;
  DtRedisAsyncClient *client;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  flush_server (server);
  f->instance = new_instance (server, 10, 5.0);
  f->client = dt_redis_instance_get_async_redis_client (f->instance);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_pool (f->instance);
  g_clear_object (&f->client);
  g_clear_object (&f->instance);
}

/* -- basics -------------------------------------------------------------------- */

static void
test_set_get (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *got = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_async_client_set_async (f->client, "user:1:name", "John Doe", NULL, store_result_cb, &r1);
  g_assert_true (dt_redis_async_client_set_finish (f->client, wait_result (&r1), &error));
  g_assert_no_error (error);

  dt_redis_async_client_get_async (f->client, "user:1:name", NULL, store_result_cb, &r2);
  got = dt_redis_async_client_get_finish (f->client, wait_result (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "John Doe");
  g_clear_pointer (&got, g_free);

  /* A missing key is NULL without an error. */
  dt_redis_async_client_get_async (f->client, "no-such-key", NULL, store_result_cb, &r3);
  got = dt_redis_async_client_get_finish (f->client, wait_result (&r3), &error);
  g_assert_no_error (error);
  g_assert_null (got);
}

/* A value that is not text: the text method fails, naming the key and the
 * twin (the key is read back from the command only then); the twin reads
 * it. */
static void
test_text_encoding (Fixture       *f,
                    gconstpointer  data)
{
  static const guint8 latin1[] = { 'c', 0xe9, 't', 'e' };
  g_autoptr(GBytes) value = g_bytes_new_static (latin1, sizeof latin1);
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_async_client_set_bytes_async (f->client, "enc:latin1", value, NULL, store_result_cb, &r1);
  g_assert_true (dt_redis_async_client_set_bytes_finish (f->client, wait_result (&r1), &error));
  g_assert_no_error (error);

  dt_redis_async_client_get_async (f->client, "enc:latin1", NULL, store_result_cb, &r2);
  text = dt_redis_async_client_get_finish (f->client, wait_result (&r2), &error);
  g_assert_null (text);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "enc:latin1"));
  g_assert_nonnull (strstr (error->message, "dt_redis_async_client_get_bytes_finish"));
  g_clear_error (&error);

  dt_redis_async_client_get_bytes_async (f->client, "enc:latin1", NULL, store_result_cb, &r3);
  raw = dt_redis_async_client_get_bytes_finish (f->client, wait_result (&r3), &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (raw, value));
}

static void
test_typed_helpers (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) binary = g_bytes_new ("a\0b\r\n", 5);
  g_autoptr(GHashTable) map = NULL;
  g_auto(GStrv) strv = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GBytes) got = NULL;
  const char * const values[] = { "a", "b", "c", NULL };
  const char * const keys[] = { "counter", "list", "missing", NULL };

  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_incrby_async (f->client, "counter", 41, NULL, store_result_cb, &r);
    g_assert_cmpint (dt_redis_async_client_incrby_finish (f->client, wait_result (&r), &error), ==, 41);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_incr_async (f->client, "counter", NULL, store_result_cb, &r);
    g_assert_cmpint (dt_redis_async_client_incr_finish (f->client, wait_result (&r), &error), ==, 42);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_hset_async (f->client, "hash", "f1", "v1", NULL, store_result_cb, &r);
    g_assert_cmpint (dt_redis_async_client_hset_finish (f->client, wait_result (&r), &error), ==, 1);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_hgetall_async (f->client, "hash", NULL, store_result_cb, &r);
    map = dt_redis_async_client_hgetall_finish (f->client, wait_result (&r), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_hash_table_size (map), ==, 1);
    g_assert_cmpstr (g_hash_table_lookup (map, "f1"), ==, "v1");
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_rpush_async (f->client, "list", values, NULL, store_result_cb, &r);
    g_assert_cmpint (dt_redis_async_client_rpush_finish (f->client, wait_result (&r), &error), ==, 3);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_lrange_async (f->client, "list", 0, -1, NULL, store_result_cb, &r);
    strv = dt_redis_async_client_lrange_finish (f->client, wait_result (&r), &error);
    g_assert_no_error (error);
    g_assert_nonnull (strv);
    g_assert_cmpuint (g_strv_length (strv), ==, 3);
    g_assert_cmpstr (strv[2], ==, "c");
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_exists_async (f->client, keys, NULL, store_result_cb, &r);
    g_assert_cmpint (dt_redis_async_client_exists_finish (f->client, wait_result (&r), &error), ==, 2);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r1 = NULL;
    g_autoptr(GAsyncResult) r2 = NULL;
    g_autoptr(GAsyncResult) r3 = NULL;
    g_autoptr(DtRedisScoredMember) alice = dt_redis_scored_member_new ("alice", 1.5);
    g_autoptr(DtRedisScoredMember) bob = dt_redis_scored_member_new ("bob", 3.0);

    dt_redis_async_client_zadd_async (f->client, "board", &alice, 1, NULL, store_result_cb, &r1);
    dt_redis_async_client_zadd_async (f->client, "board", &bob, 1, NULL, store_result_cb, &r2);
    dt_redis_async_client_zincrby_async (f->client, "board", 0.25, "alice", NULL, store_result_cb, &r3);
    g_assert_cmpint (dt_redis_async_client_zadd_finish (f->client, wait_result (&r1), &error), ==, 1);
    g_assert_cmpint (dt_redis_async_client_zadd_finish (f->client, wait_result (&r2), &error), ==, 1);
    g_assert_cmpfloat (dt_redis_async_client_zincrby_finish (f->client, wait_result (&r3), &error), ==, 1.75);
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r1 = NULL;
    g_autoptr(GAsyncResult) r2 = NULL;

    dt_redis_async_client_zscore_async (f->client, "board", "bob", NULL, store_result_cb, &r1);
    g_assert_cmpfloat (dt_redis_async_client_zscore_finish (f->client, wait_result (&r1), &error), ==, 3.0);
    g_assert_no_error (error);

    /* A missing member is NAN without an error. */
    dt_redis_async_client_zscore_async (f->client, "board", "nobody", NULL, store_result_cb, &r2);
    g_assert_true (isnan (dt_redis_async_client_zscore_finish (f->client, wait_result (&r2), &error)));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GAsyncResult) r = NULL;

    dt_redis_async_client_zrevrange_withscores_async (f->client, "board", 0, -1, NULL, store_result_cb, &r);
    list = dt_redis_async_client_zrevrange_withscores_finish (f->client, wait_result (&r), &error);
    g_assert_no_error (error);
    g_assert_nonnull (list);
    g_assert_cmpuint (list->len, ==, 2);
    g_assert_cmpstr (dt_redis_scored_member_get_member (list->pdata[0]), ==, "bob");
    g_assert_cmpfloat (dt_redis_scored_member_get_score (list->pdata[0]), ==, 3.0);
    g_assert_cmpstr (dt_redis_scored_member_get_member (list->pdata[1]), ==, "alice");
    g_assert_cmpfloat (dt_redis_scored_member_get_score (list->pdata[1]), ==, 1.75);
    g_clear_pointer (&list, g_ptr_array_unref);
  }
  {
    g_autoptr(GAsyncResult) r1 = NULL;
    g_autoptr(GAsyncResult) r2 = NULL;
    GBytes *argv[3];

    /* Binary-safe both ways. */
    argv[0] = g_bytes_new_static ("SET", 3);
    argv[1] = g_bytes_new_static ("bin", 3);
    argv[2] = g_bytes_ref (binary);
    dt_redis_async_client_execute_bytes_async (f->client, argv, 3, NULL, store_result_cb, &r1);
    for (guint i = 0; i < 3; i++)
      g_bytes_unref (argv[i]);
    dt_redis_reply_unref (dt_redis_async_client_execute_bytes_finish (f->client, wait_result (&r1), &error));
    g_assert_no_error (error);

    dt_redis_async_client_get_bytes_async (f->client, "bin", NULL, store_result_cb, &r2);
    got = dt_redis_async_client_get_bytes_finish (f->client, wait_result (&r2), &error);
    g_assert_no_error (error);
    g_assert_nonnull (got);
    g_assert_true (g_bytes_equal (got, binary));
  }
  {
    g_autoptr(GAsyncResult) r1 = NULL;
    g_autoptr(GAsyncResult) r2 = NULL;
    g_autofree char *pong = NULL;

    dt_redis_async_client_ping_async (f->client, NULL, store_result_cb, &r1);
    pong = dt_redis_async_client_ping_finish (f->client, wait_result (&r1), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (pong, ==, "PONG");

    dt_redis_async_client_dbsize_async (f->client, NULL, store_result_cb, &r2);
    g_assert_cmpint (dt_redis_async_client_dbsize_finish (f->client, wait_result (&r2), &error), ==, 5);
    g_assert_no_error (error);
  }
}

static void
test_server_error (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autofree char *got = NULL;
  const char * const values[] = { "x", NULL };

  sync_set (server, "string", "v");

  /* The server's own text, and the connection stays in step. */
  dt_redis_async_client_lpush_async (f->client, "string", values, NULL, store_result_cb, &r1);
  dt_redis_async_client_get_async (f->client, "string", NULL, store_result_cb, &r2);

  g_assert_cmpint (dt_redis_async_client_lpush_finish (f->client, wait_result (&r1), &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "WRONGTYPE"));
  g_clear_error (&error);

  got = dt_redis_async_client_get_finish (f->client, wait_result (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "v");
}

static void
blpop_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gint64 *done_at = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = NULL;

  reply = dt_redis_async_client_execute_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  g_assert_no_error (error);
  /* Nothing was pushed: it timed out on the server. */
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_NIL);
  *done_at = g_get_monotonic_time ();
}

static void
test_blocking_does_not_stall (Fixture       *f,
                              gconstpointer  data)
{
  const char * const blpop[] = { "BLPOP", "empty-list", "2", NULL };
  g_autofree Call *calls = g_new0 (Call, 100);
  Batch gets = { 0, };
  gint64 start, blpop_done_at = 0, gets_done_at;
  g_autoptr(GAsyncResult) ping = NULL;

  /* Connected first, so the GETs' time is theirs alone. */
  dt_redis_async_client_ping_async (f->client, NULL, store_result_cb, &ping);
  g_assert_true (ping_finish_ok (f->client, wait_result (&ping), NULL));

  for (guint i = 0; i < 100; i++)
    {
      char key[32], value[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      g_snprintf (value, sizeof value, "value-%u", i);
      sync_set (server, key, value);
    }

  start = g_get_monotonic_time ();
  dt_redis_async_client_execute_async (f->client, blpop, NULL, blpop_done_cb, &blpop_done_at);
  for (guint i = 0; i < 100; i++)
    {
      char key[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      calls[i].batch = &gets;
      calls[i].index = i;
      dt_redis_async_client_get_async (f->client, key, NULL, get_done_cb, &calls[i]);
    }

  wait_batch (&gets, 100);
  gets_done_at = g_get_monotonic_time ();
  g_assert_no_error (gets.first_error);
  g_assert_cmpint (gets_done_at - start, <, G_USEC_PER_SEC / 2);
  g_assert_cmpint (blpop_done_at, ==, 0);

  while (blpop_done_at == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (blpop_done_at - start, >=, 2 * G_USEC_PER_SEC - G_USEC_PER_SEC / 10);

  {
    g_autoptr(DtRedisPoolStats) stats = async_stats (f->instance);

    /* The blocking command gave its connection back. */
    g_assert_cmpuint (stats->in_flight, ==, 0);
    g_assert_cmpuint (stats->idle, ==, stats->total);
  }
}

static void
test_state_change_not_reused (Fixture       *f,
                              gconstpointer  data)
{
  const char * const select1[] = { "SELECT", "1", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GAsyncResult) r = NULL;
  g_autofree char *got = NULL;

  sync_set (server, "db0-key", "in db 0");

  reply = run_execute (f->client, select1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_STATUS);

  /* Had that connection gone back to the pool, this would read db 1. */
  for (guint i = 0; i < 3; i++)
    {
      g_clear_object (&r);
      g_clear_pointer (&got, g_free);
      dt_redis_async_client_get_async (f->client, "db0-key", NULL, store_result_cb, &r);
      got = dt_redis_async_client_get_finish (f->client, wait_result (&r), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, "in db 0");
    }
}

static void
pipeline_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = dt_redis_pipeline_execute_finish (DT_REDIS_PIPELINE (source), result, &error);
  g_assert_no_error (error);
}

static void
test_pipeline (Fixture       *f,
               gconstpointer  data)
{
  for (guint transaction = 0; transaction < 2; transaction++)
    {
      g_autoptr(DtRedisPipeline) pipeline = dt_redis_async_client_pipeline (f->client, transaction);
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GAsyncResult) r = NULL;
      g_autofree char *got = NULL;
      g_autoptr(GError) error = NULL;

      dt_redis_pipeline_append (pipeline, (const char * const []) { "SET", "p", "1", NULL });
      dt_redis_pipeline_append (pipeline, (const char * const []) { "INCR", "p", NULL });
      dt_redis_pipeline_append (pipeline, (const char * const []) { "GET", "p", NULL });
      dt_redis_pipeline_execute_async (pipeline, NULL, pipeline_cb, &replies);
      /* A plain command sent meanwhile gets its own reply. */
      dt_redis_async_client_get_async (f->client, "other", NULL, store_result_cb, &r);

      while (replies == NULL)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (replies->len, ==, 3);
      g_assert_cmpint (dt_redis_reply_get_integer (replies->pdata[1]), ==, 2);
      g_assert_cmpstr (dt_redis_reply_get_string (replies->pdata[2], NULL), ==, "2");

      got = dt_redis_async_client_get_finish (f->client, wait_result (&r), &error);
      g_assert_no_error (error);
      g_assert_null (got);
    }

  {
    g_autoptr(DtRedisPoolStats) stats = async_stats (f->instance);

    /* MULTI/EXEC leave the connection as they found it. */
    g_assert_cmpuint (stats->idle, ==, stats->total);
    g_assert_cmpuint (stats->in_flight, ==, 0);
  }
}

/* -- a nested main loop in a callback ---------------------------------------- */

typedef struct
{
  DtRedisAsyncClient *client;
  guint               n_done;
  guint               n_nested;   /* completions inside the nested loop */
  gboolean            in_nested;
  gint64              seen[201];  /* how often each INCR value came back */
  GAsyncResult       *inner;
} NestState;

static void
nest_incr_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  NestState *st = user_data;
  g_autoptr(GError) error = NULL;
  gint64 value = dt_redis_async_client_incr_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpint (value, >=, 1);
  g_assert_cmpint (value, <=, 200);
  st->seen[value]++;
  st->n_done++;
  if (st->in_nested)
    st->n_nested++;

  if (st->n_done == 1)
    {
      g_autoptr(GError) inner_error = NULL;
      g_autofree char *got = NULL;

      /* Waits in a nested loop for a command sent now, on the same (only)
       * connection as the 199 INCRs still in flight: it can only come
       * back if the connection's read source runs inside this callback. */
      st->in_nested = TRUE;
      dt_redis_async_client_get_async (st->client, "nest-other", NULL, store_result_cb, &st->inner);
      while (st->inner == NULL)
        g_main_context_iteration (NULL, TRUE);
      st->in_nested = FALSE;
      got = dt_redis_async_client_get_finish (st->client, st->inner, &inner_error);
      g_assert_no_error (inner_error);
      g_assert_cmpstr (got, ==, "x");
      g_clear_object (&st->inner);
    }
}

static void
test_nested_iteration (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(DtRedisInstance) instance = new_instance (server, 1, 5.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  NestState st = { client, 0, };
  g_autofree char *count = NULL;

  sync_set (server, "nest-other", "x");
  for (guint i = 0; i < 200; i++)
    dt_redis_async_client_incr_async (client, "nest-counter", NULL, nest_incr_cb, &st);
  while (st.n_done < 200)
    g_main_context_iteration (NULL, TRUE);

  /* Every INCR completed once, each value once: nothing lost, nothing
   * twice, whichever loop level read it. */
  for (guint v = 1; v <= 200; v++)
    g_assert_cmpint (st.seen[v], ==, 1);
  g_assert_cmpuint (st.n_done, ==, 200);
  g_test_message ("%u of 200 INCRs completed inside the nested loop", st.n_nested);
  count = dt_test_server_command (server, "GET", "nest-counter", NULL);
  g_assert_cmpstr (count, ==, "$3\r\n200\r\n");
  close_pool (instance);
}

/* -- reset, threads, liveness --------------------------------------------- */

typedef struct
{
  guint    n_done;
  guint    n_closed;
  guint    n_ok;
  gboolean reset_done;
  guint    done_at_reset;
} ResetState;

static void
reset_get_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ResetState *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error == NULL)
    state->n_ok++;
  else
    {
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
      state->n_closed++;
    }
  g_assert_false (state->reset_done);
  state->n_done++;
}

static void
reset_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ResetState *state = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, &error));
  g_assert_no_error (error);
  state->reset_done = TRUE;
  state->done_at_reset = state->n_done;
}

static void
test_reset_under_load (Fixture       *f,
                       gconstpointer  data)
{
  ResetState state = { 0, };
  g_autoptr(GAsyncResult) ping = NULL;
  g_autoptr(GAsyncResult) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;

  dt_redis_async_client_ping_async (f->client, NULL, store_result_cb, &ping);
  g_assert_true (ping_finish_ok (f->client, wait_result (&ping), NULL));

  for (guint i = 0; i < 1000; i++)
    dt_redis_async_client_get_async (f->client, "k", NULL, reset_get_cb, &state);
  /* Written, some perhaps answered. */
  g_main_context_iteration (NULL, FALSE);

  dt_redis_instance_reset_async_pool_async (f->instance, NULL, reset_done_cb, &state);
  while (!state.reset_done)
    g_main_context_iteration (NULL, TRUE);

  /* Everything completed before the reset did, most with CLOSED. */
  g_assert_cmpuint (state.done_at_reset, ==, 1000);
  g_assert_cmpuint (state.n_ok + state.n_closed, ==, 1000);
  g_assert_cmpuint (state.n_closed, >, 0);
  wait_other_clients (server, 0);

  /* The next command makes a new pool. */
  stats = async_stats (f->instance);
  g_assert_cmpuint (stats->total, ==, 0);
  dt_redis_async_client_ping_async (f->client, NULL, store_result_cb, &after);
  g_assert_true (ping_finish_ok (f->client, wait_result (&after), &error));
  g_assert_no_error (error);
}

typedef struct
{
  DtRedisAsyncClient *client;
  GMainLoop          *main_loop;
  GThread            *thread;
  GMainContext       *context;
  gboolean            ran_in_thread;
  gboolean            ok;
} ThreadState;

static void
thread_get_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  ThreadState *state = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "from main");
  state->ran_in_thread = g_thread_self () == state->thread &&
                         g_main_context_get_thread_default () == state->context;
  state->ok = TRUE;
}

static gpointer
thread_func (gpointer data)
{
  ThreadState *state = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  state->context = context;
  g_main_context_push_thread_default (context);

  dt_redis_async_client_get_async (state->client, "shared-key", NULL, thread_get_cb, state);
  while (!state->ok)
    g_main_context_iteration (context, TRUE);

  g_main_context_pop_thread_default (context);
  g_main_loop_quit (state->main_loop);
  return NULL;
}

static void
test_other_thread (Fixture       *f,
                   gconstpointer  data)
{
  ThreadState state = { 0, };
  g_autoptr(GAsyncResult) ping = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);

  sync_set (server, "shared-key", "from main");

  /* The pool lives on the main context. */
  dt_redis_async_client_ping_async (f->client, NULL, store_result_cb, &ping);
  g_assert_true (ping_finish_ok (f->client, wait_result (&ping), NULL));

  state.client = f->client;
  state.main_loop = loop;
  state.thread = g_thread_new ("async-submitter", thread_func, &state);
  /* The main loop owns the context throughout: the thread's command must
   * be handed over. */
  g_main_loop_run (loop);
  g_thread_join (state.thread);

  g_assert_true (state.ok);
  g_assert_true (state.ran_in_thread);
}

#define N_THREADS 4
#define N_PER_THREAD 2000

typedef struct
{
  DtRedisAsyncClient *client;
  GThread            *thread;
  GMainContext       *context;
  guint               n_done;
  guint               n_ok;
  gboolean            all_in_thread;
  gint               *n_threads_left;
  GMainLoop          *main_loop;
} Submitter;

static void
submitter_get_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Submitter *sub = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "from main");
  if (g_thread_self () != sub->thread || g_main_context_get_thread_default () != sub->context)
    sub->all_in_thread = FALSE;
  sub->n_ok++;
  sub->n_done++;
}

static gpointer
submitter_func (gpointer data)
{
  Submitter *sub = data;
  g_autoptr(GMainContext) context = g_main_context_new ();

  sub->context = context;
  g_main_context_push_thread_default (context);

  /* In waves, so that submits race with the pool handing replies back. */
  for (guint wave = 0; wave < 4; wave++)
    {
      for (guint i = 0; i < N_PER_THREAD / 4; i++)
        dt_redis_async_client_get_async (sub->client, "shared-key", NULL, submitter_get_cb, sub);
      while (sub->n_done < (wave + 1) * N_PER_THREAD / 4)
        g_main_context_iteration (context, TRUE);
    }

  g_main_context_pop_thread_default (context);
  if (g_atomic_int_dec_and_test (sub->n_threads_left))
    g_main_loop_quit (sub->main_loop);
  return NULL;
}

static void
test_many_threads (Fixture       *f,
                   gconstpointer  data)
{
  Submitter subs[N_THREADS];
  gint n_threads_left = N_THREADS;
  g_autoptr(GAsyncResult) ping = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(DtRedisPoolStats) stats = NULL;

  sync_set (server, "shared-key", "from main");
  dt_redis_async_client_ping_async (f->client, NULL, store_result_cb, &ping);
  g_assert_true (ping_finish_ok (f->client, wait_result (&ping), NULL));

  memset (subs, 0, sizeof subs);
  for (guint i = 0; i < N_THREADS; i++)
    {
      subs[i].client = f->client;
      subs[i].all_in_thread = TRUE;
      subs[i].n_threads_left = &n_threads_left;
      subs[i].main_loop = loop;
    }
  for (guint i = 0; i < N_THREADS; i++)
    subs[i].thread = g_thread_new ("async-submitter", submitter_func, &subs[i]);

  g_main_loop_run (loop);

  for (guint i = 0; i < N_THREADS; i++)
    {
      g_thread_join (subs[i].thread);
      g_assert_cmpuint (subs[i].n_ok, ==, N_PER_THREAD);
      g_assert_true (subs[i].all_in_thread);
    }

  stats = async_stats (f->instance);
  g_assert_cmpuint (stats->in_flight, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  DtTestServerOptions opts = { .extra_config = server_config };
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (&opts);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/async/set-get", test_set_get);
  ADD ("/async/typed-helpers", test_typed_helpers);
  ADD ("/async/text-encoding", test_text_encoding);
  ADD ("/async/server-error", test_server_error);
  ADD ("/async/blocking-does-not-stall", test_blocking_does_not_stall);
  ADD ("/async/state-change-not-reused", test_state_change_not_reused);
  ADD ("/async/pipeline", test_pipeline);
  ADD ("/async/nested-iteration", test_nested_iteration);
  ADD ("/async/reset-under-load", test_reset_under_load);
  ADD ("/async/other-thread", test_other_thread);
  ADD ("/async/many-threads", test_many_threads);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}

