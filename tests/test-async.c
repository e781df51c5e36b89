/* test-async.c: DtRedisAsyncClient and the async pool, against a private
 * redis-server and the fake server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

/* One server for most tests; each starts from an empty one. Tests that
 * kill or restart a server start their own. */
static DtTestServer *server;

static const char * const server_config[] = {
  /* DEBUG SLEEP holds a reply back for as long as a test needs. */
  "enable-debug-command yes",
  NULL
};

typedef struct
{
  DtRedisInstance    *instance;
  DtRedisAsyncClient *client;
} Fixture;

/* -- helpers ----------------------------------------------------------------- */

static DtRedisInstance *
new_instance_for_url (const char *url,
                      guint       max_connections,
                      gdouble     socket_timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_max_connections (config, max_connections);
  dt_redis_config_set_redis_socket_timeout (config, socket_timeout);
  return dt_redis_instance_new (config);
}

static DtRedisInstance *
new_instance (DtTestServer *srv,
              guint         max_connections,
              gdouble       socket_timeout)
{
  return new_instance_for_url (dt_test_server_get_url (srv), max_connections, socket_timeout);
}

static void
flush_server (DtTestServer *srv)
{
  g_autofree char *reply = dt_test_server_command (srv, "FLUSHALL", NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  flush_server (server);
  f->instance = new_instance (server, 10, 5.0);
  f->client = dt_redis_instance_get_async_redis_client (f->instance);
}

static void
reset_pool_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Closes the pool's sockets before the next test looks at CLIENT LIST. */
static void
close_pool (DtRedisInstance *instance)
{
  gboolean done = FALSE;

  dt_redis_instance_reset_async_pool_async (instance, NULL, reset_pool_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_pool (f->instance);
  g_clear_object (&f->client);
  g_clear_object (&f->instance);
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Runs the default context until the callback stored its result. */
static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Finishes a PING: TRUE when it had a reply, which the caller need not keep. */
static gboolean
ping_finish_ok (DtRedisAsyncClient  *client,
                GAsyncResult        *result,
                GError             **error)
{
  g_autofree char *reply = dt_redis_async_client_ping_finish (client, result, error);

  return reply != NULL;
}

static void
sync_set (DtTestServer *srv,
          const char   *key,
          const char   *value)
{
  g_autofree char *reply = dt_test_server_command (srv, "SET", key, value, NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
}

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

/* Clients of the server other than the one asking. */
static guint
count_other_clients (DtTestServer *srv)
{
  g_autofree char *reply = dt_test_server_command (srv, "CLIENT", "LIST", NULL);
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_nonnull (reply);
  lines = g_strsplit (reply, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "addr=") != NULL && strstr (lines[i], "cmd=client|list") == NULL)
        n++;
    }

  return n;
}

/* The server notices a close on its next event loop turn. */
static void
wait_other_clients (DtTestServer *srv,
                    guint         expected)
{
  for (guint i = 0; i < 100 && count_other_clients (srv) != expected; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (count_other_clients (srv), ==, expected);
}

static DtRedisPoolStats *
async_stats (DtRedisInstance *instance)
{
  return dt_redis_instance_get_async_pool_stats (instance);
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

/* -- multiplexing ---------------------------------------------------------- */

#define N_CONCURRENT 20000

typedef struct
{
  guint   n_done;
  guint   n_ok;
  guint   n_errors;
  GError *first_error;
} Batch;

typedef struct
{
  Batch *batch;
  guint  index;
} Call;

static void
batch_record_error (Batch  *batch,
                    GError *error)
{
  batch->n_errors++;
  if (batch->first_error == NULL)
    batch->first_error = g_steal_pointer (&error);
  else
    g_error_free (error);
}

static void
set_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;
  GError *error = NULL;

  if (dt_redis_async_client_set_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error))
    call->batch->n_ok++;
  else
    batch_record_error (call->batch, error);
  call->batch->n_done++;
}

static void
get_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;
  GError *error = NULL;
  g_autofree char *value = NULL;
  char expected[32];

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error != NULL)
    batch_record_error (call->batch, error);
  else
    {
      /* Each reply belongs to its own command. */
      g_snprintf (expected, sizeof expected, "value-%u", call->index);
      g_assert_cmpstr (value, ==, expected);
      call->batch->n_ok++;
    }
  call->batch->n_done++;
}

static void
wait_batch (Batch *batch,
            guint  n)
{
  while (batch->n_done < n)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_many_concurrent (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(DtRedisPoolStats) during = NULL;
  g_autoptr(DtRedisPoolStats) after = NULL;
  g_autofree Call *calls = g_new0 (Call, N_CONCURRENT);
  Batch sets = { 0, };
  Batch gets = { 0, };
  guint max_in_use = 0;

  flush_server (server);
  instance = new_instance (server, 4, 10.0);
  client = dt_redis_instance_get_async_redis_client (instance);

  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      char key[32], value[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      g_snprintf (value, sizeof value, "value-%u", i);
      calls[i].batch = &sets;
      calls[i].index = i;
      dt_redis_async_client_set_async (client, key, value,
                                       NULL, set_done_cb, &calls[i]);
    }
  wait_batch (&sets, N_CONCURRENT);
  g_assert_no_error (sets.first_error);
  g_assert_cmpuint (sets.n_ok, ==, N_CONCURRENT);

  for (guint i = 0; i < N_CONCURRENT; i++)
    {
      char key[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      calls[i].batch = &gets;
      calls[i].index = i;
      dt_redis_async_client_get_async (client, key, NULL, get_done_cb, &calls[i]);
    }

  /* All of them are counted while they wait for their replies. */
  during = async_stats (instance);
  g_assert_cmpuint (during->in_flight, >, 0);
  g_assert_cmpuint (during->in_flight, <=, N_CONCURRENT);

  while (gets.n_done < N_CONCURRENT)
    {
      g_autoptr(DtRedisPoolStats) stats = NULL;

      g_main_context_iteration (NULL, TRUE);
      stats = async_stats (instance);
      g_assert_cmpuint (stats->total, <=, 4);
      max_in_use = MAX (max_in_use, stats->in_use);
    }
  g_assert_no_error (gets.first_error);
  g_assert_cmpuint (gets.n_ok, ==, N_CONCURRENT);
  g_assert_cmpuint (max_in_use, >=, 1);

  /* The cap holds on the server's side too. */
  g_assert_cmpuint (count_other_clients (server), <=, 4);
  g_assert_cmpuint (count_other_clients (server), >=, 1);

  after = async_stats (instance);
  g_assert_cmpuint (after->in_flight, ==, 0);
  g_assert_cmpuint (after->total, <=, 4);
  g_assert_cmpuint (after->idle, ==, after->total);
  g_assert_cmpuint (after->misses, <=, 4);
  g_assert_cmpuint (after->hits + after->misses, >=, 2 * N_CONCURRENT);

  close_pool (instance);
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
test_pool_timeout (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  const char * const blpop[] = { "BLPOP", "empty-list", "1.5", NULL };
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  gint64 start;

  flush_server (server);
  /* One connection, which the blocking command holds. */
  instance = new_instance (server, 1, 0.5);
  client = dt_redis_instance_get_async_redis_client (instance);

  start = g_get_monotonic_time ();
  dt_redis_async_client_execute_async (client, blpop, NULL, store_result_cb, &r1);
  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r2);

  g_assert_false (ping_finish_ok (client, wait_result (&r2), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_POOL_TIMEOUT);
  g_clear_error (&error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC * 3 / 2);

  reply = dt_redis_async_client_execute_finish (client, wait_result (&r1), &error);
  g_assert_no_error (error);
  g_assert_true (dt_redis_reply_is_nil (reply));

  /* The connection is free again. */
  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r3);
  g_assert_true (ping_finish_ok (client, wait_result (&r3), &error));
  g_assert_no_error (error);

  stats = async_stats (instance);
  g_assert_cmpuint (stats->waits, >=, 1);
  g_assert_cmpuint (stats->timeouts, ==, 1);
  g_assert_cmpuint (stats->total, ==, 1);

  close_pool (instance);
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

/* -- cancellation ---------------------------------------------------------- */

static void
test_cancel_written (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  const char * const sleep_argv[] = { "DEBUG", "SLEEP", "0.5", NULL };
  g_autoptr(GAsyncResult) r_sleep = NULL;
  g_autoptr(GAsyncResult) r_cancelled = NULL;
  g_autoptr(GAsyncResult) r_next = NULL;
  g_autoptr(GAsyncResult) ping = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  gint64 start;

  flush_server (server);
  sync_set (server, "k1", "value one");
  sync_set (server, "k2", "value two");
  /* One connection, so the cancelled command and the next share it. */
  instance = new_instance (server, 1, 5.0);
  client = dt_redis_instance_get_async_redis_client (instance);

  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &ping);
  g_assert_true (ping_finish_ok (client, wait_result (&ping), NULL));

  /* The server sleeps, so GET k1 is written but not answered. */
  start = g_get_monotonic_time ();
  dt_redis_async_client_execute_async (client, sleep_argv, NULL, store_result_cb, &r_sleep);
  dt_redis_async_client_get_async (client, "k1", cancellable, store_result_cb, &r_cancelled);
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  stats = async_stats (instance);
  g_assert_cmpuint (stats->in_flight, ==, 2);

  g_cancellable_cancel (cancellable);
  got = dt_redis_async_client_get_finish (client, wait_result (&r_cancelled), &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (got);
  g_clear_error (&error);
  /* At once, not when the reply comes. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 4);

  /* The late reply to GET k1 is read and dropped: GET k2 gets its own. */
  dt_redis_async_client_get_async (client, "k2", NULL, store_result_cb, &r_next);
  got = dt_redis_async_client_get_finish (client, wait_result (&r_next), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "value two");

  reply = dt_redis_async_client_execute_finish (client, wait_result (&r_sleep), &error);
  g_assert_no_error (error);

  g_clear_pointer (&stats, dt_redis_pool_stats_free);
  stats = async_stats (instance);
  g_assert_cmpuint (stats->total, ==, 1);
  g_assert_cmpuint (stats->misses, ==, 1);
  g_assert_cmpuint (stats->in_flight, ==, 0);

  close_pool (instance);
}

static void
test_cancel_queued (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance_for_url (url, 2, 5.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) r_first = NULL;
  g_autoptr(GAsyncResult) r_cancelled = NULL;
  g_autoptr(GAsyncResult) r_pre = NULL;
  g_autoptr(GAsyncResult) r_last = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) already = g_cancellable_new ();
  guint n_before;

  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r_first);
  g_assert_true (ping_finish_ok (client, wait_result (&r_first), &error));
  g_assert_no_error (error);
  n_before = dt_fake_server_get_n_commands (fake);

  /* Cancelled before it left: it never does. */
  dt_redis_async_client_get_async (client, "k", cancellable, store_result_cb, &r_cancelled);
  g_cancellable_cancel (cancellable);
  g_cancellable_cancel (already);
  dt_redis_async_client_get_async (client, "k", already, store_result_cb, &r_pre);
  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r_last);

  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r_cancelled), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r_pre), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (ping_finish_ok (client, wait_result (&r_last), &error));
  g_assert_no_error (error);

  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, n_before + 1);

  close_pool (instance);
}

/* -- faults ------------------------------------------------------------------- */

static void
test_silent_server_timeout (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance_for_url (url, 1, 0.5);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GAsyncResult) r3 = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  gint64 start, elapsed;

  start = g_get_monotonic_time ();
  dt_redis_async_client_get_async (client, "a", NULL, store_result_cb, &r1);
  dt_redis_async_client_get_async (client, "b", NULL, store_result_cb, &r2);
  dt_redis_async_client_get_async (client, "c", NULL, store_result_cb, &r3);

  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r1), &error));
  elapsed = g_get_monotonic_time () - start;
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_clear_error (&error);
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC / 2);
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC * 3 / 2);

  /* Nothing hangs, and nobody gets a reply that was not theirs. */
  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r2), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r3), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_clear_error (&error);

  stats = async_stats (instance);
  g_assert_cmpuint (stats->total, ==, 0);
  g_assert_cmpuint (stats->in_flight, ==, 0);

  close_pool (instance);
}

static void
test_garbage_protocol_error (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_GARBAGE, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance_for_url (url, 1, 2.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_async_client_get_async (client, "a", NULL, store_result_cb, &r1);
  dt_redis_async_client_get_async (client, "b", NULL, store_result_cb, &r2);

  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r1), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r2), &error));
  /* The second reply may never have arrived before the close. */
  g_assert_true (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION) ||
                 g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL));

  close_pool (instance);
}

static void
test_dropped_connection (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DROP, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance_for_url (url, 1, 5.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  dt_redis_async_client_get_async (client, "a", NULL, store_result_cb, &r);
  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  close_pool (instance);
}

static void
test_server_killed (void)
{
  DtTestServerOptions opts = { .extra_config = server_config };
  g_autoptr(DtTestServer) own = dt_test_server_start (&opts);
  g_autoptr(DtRedisInstance) instance = new_instance (own, 1, 5.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  const char * const sleep_argv[] = { "DEBUG", "SLEEP", "3", NULL };
  g_autoptr(GAsyncResult) ping = NULL;
  g_autoptr(GAsyncResult) r_sleep = NULL;
  g_autoptr(GAsyncResult) r_get = NULL;
  g_autoptr(GAsyncResult) r_after = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  gint64 start;

  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &ping);
  g_assert_true (ping_finish_ok (client, wait_result (&ping), NULL));

  dt_redis_async_client_execute_async (client, sleep_argv, NULL, store_result_cb, &r_sleep);
  dt_redis_async_client_get_async (client, "k", NULL, store_result_cb, &r_get);
  for (guint i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);

  start = g_get_monotonic_time ();
  dt_test_server_kill (own);

  reply = dt_redis_async_client_execute_finish (client, wait_result (&r_sleep), &error);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_null (dt_redis_async_client_get_finish (client, wait_result (&r_get), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_clear_error (&error);
  /* Quickly: the socket closed, no timeout was needed. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);

  /* With the server gone, new commands fail to connect, and do not hang. */
  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r_after);
  g_assert_false (ping_finish_ok (client, wait_result (&r_after), &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);

  close_pool (instance);
}

static void
test_server_restart (void)
{
  DtTestServerOptions opts = { 0, };
  g_autoptr(DtTestServer) own = dt_test_server_start (&opts);
  g_autoptr(DtRedisInstance) instance = new_instance (own, 2, 5.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  const char *value = "after";
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(GAsyncResult) r1 = NULL;
      g_autoptr(GAsyncResult) r2 = NULL;
      g_autoptr(GAsyncResult) r3 = NULL;
      g_autofree char *got = NULL;

      dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r1);
      g_assert_true (ping_finish_ok (client, wait_result (&r1), &error));
      g_assert_no_error (error);

      dt_test_server_restart (own);
      /* Round 0 lets the pool see the close first; round 1 sends at once,
       * before the main loop had a chance to notice. */
      if (round == 0)
        {
          for (guint i = 0; i < 10; i++)
            g_main_context_iteration (NULL, FALSE);
        }

      dt_redis_async_client_set_async (client, "k", value,
                                       NULL, store_result_cb, &r2);
      g_assert_true (dt_redis_async_client_set_finish (client, wait_result (&r2), &error));
      g_assert_no_error (error);
      dt_redis_async_client_get_async (client, "k", NULL, store_result_cb, &r3);
      got = dt_redis_async_client_get_finish (client, wait_result (&r3), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, "after");
    }

  {
    g_autoptr(DtRedisPoolStats) stats = async_stats (instance);

    g_assert_cmpuint (stats->stale_closed, >=, 1);
  }

  close_pool (instance);
}

/* -- transports --------------------------------------------------------------- */

/* Many commands in flight over TLS: replies arrive in TLS records that the
 * pollable stream may buffer past what the socket shows. */
static void
test_tls (void)
{
  DtTestServerOptions opts = { .tls = TRUE };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtTestServer) own = dt_test_server_start_full (&opts, &error);
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autofree Call *calls = g_new0 (Call, 2000);
  Batch gets = { 0, };

  if (own == NULL)
    {
      g_test_skip (error->message);
      return;
    }

  for (guint i = 0; i < 2000; i++)
    {
      char key[32], value[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      g_snprintf (value, sizeof value, "value-%u", i);
      sync_set (own, key, value);
    }

  config = dt_redis_config_new_from_url (dt_test_server_get_tls_url (own), &error);
  g_assert_no_error (error);
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_ca_file (own));
  dt_redis_config_set_redis_max_connections (config, 2);
  /* Handshakes are slow under valgrind. */
  dt_redis_config_set_redis_socket_timeout (config, 30.0);
  dt_redis_config_set_redis_connect_timeout (config, 30.0);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_async_redis_client (instance);

  for (guint i = 0; i < 2000; i++)
    {
      char key[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      calls[i].batch = &gets;
      calls[i].index = i;
      dt_redis_async_client_get_async (client, key, NULL, get_done_cb, &calls[i]);
    }
  wait_batch (&gets, 2000);
  g_assert_no_error (gets.first_error);
  g_assert_cmpuint (gets.n_ok, ==, 2000);

  close_pool (instance);
}

static void
test_unix_socket (void)
{
  DtTestServerOptions opts = { .unix_socket = TRUE };
  g_autoptr(DtTestServer) own = dt_test_server_start (&opts);
  g_autofree char *url = g_strdup_printf ("unix://%s", dt_test_server_get_unix_path (own));
  g_autoptr(DtRedisInstance) instance = new_instance_for_url (url, 2, 5.0);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  const char *value = "over a socket file";
  g_autoptr(GAsyncResult) r1 = NULL;
  g_autoptr(GAsyncResult) r2 = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_async_client_set_async (client, "k", value,
                                       NULL, store_result_cb, &r1);
  dt_redis_async_client_get_async (client, "k", NULL, store_result_cb, &r2);
  g_assert_true (dt_redis_async_client_set_finish (client, wait_result (&r1), &error));
  g_assert_no_error (error);
  got = dt_redis_async_client_get_finish (client, wait_result (&r2), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, "over a socket file");

  close_pool (instance);
}

/* -- cancellation under load ------------------------------------------------ */

#define N_CANCEL_STRESS 10000

typedef struct
{
  Batch        *batch;
  guint         index;
  GCancellable *cancellable;
  guint         n_cancelled;
} CancelCall;

static void
cancel_get_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  CancelCall *call = user_data;
  GError *error = NULL;
  g_autofree char *value = NULL;
  char expected[32];

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_assert_true (g_cancellable_is_cancelled (call->cancellable));
      call->n_cancelled++;
      g_error_free (error);
    }
  else if (error != NULL)
    batch_record_error (call->batch, error);
  else
    {
      g_snprintf (expected, sizeof expected, "value-%u", call->index);
      g_assert_cmpstr (value, ==, expected);
      call->batch->n_ok++;
    }
  call->batch->n_done++;
}

static void
test_cancel_under_load (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autofree CancelCall *calls = g_new0 (CancelCall, N_CANCEL_STRESS);
  g_autoptr(DtRedisPoolStats) stats = NULL;
  Batch gets = { 0, };
  guint n_cancelled = 0;
  guint next_cancel = 1;

  flush_server (server);
  for (guint i = 0; i < 500; i++)
    {
      char key[32], value[32];

      g_snprintf (key, sizeof key, "key-%u", i);
      g_snprintf (value, sizeof value, "value-%u", i);
      sync_set (server, key, value);
    }

  instance = new_instance (server, 3, 10.0);
  client = dt_redis_instance_get_async_redis_client (instance);

  for (guint i = 0; i < N_CANCEL_STRESS; i++)
    {
      char key[32];

      g_snprintf (key, sizeof key, "key-%u", i % 500);
      calls[i].batch = &gets;
      calls[i].index = i % 500;
      calls[i].cancellable = g_cancellable_new ();
      dt_redis_async_client_get_async (client, key, calls[i].cancellable, cancel_get_cb, &calls[i]);
      /* Some before they leave, some in flight, some after they are done. */
      if (i % 3 == 0)
        g_cancellable_cancel (calls[i].cancellable);
      if (i % 97 == 0)
        g_main_context_iteration (NULL, FALSE);
    }

  while (gets.n_done < N_CANCEL_STRESS)
    {
      g_main_context_iteration (NULL, TRUE);
      for (guint j = 0; j < 50 && next_cancel < N_CANCEL_STRESS; j++, next_cancel += 3)
        g_cancellable_cancel (calls[next_cancel].cancellable);
    }

  g_assert_no_error (gets.first_error);
  for (guint i = 0; i < N_CANCEL_STRESS; i++)
    {
      /* Exactly one completion each. */
      g_assert_cmpuint (calls[i].n_cancelled, <=, 1);
      n_cancelled += calls[i].n_cancelled;
      g_object_unref (calls[i].cancellable);
    }
  g_assert_cmpuint (gets.n_ok + n_cancelled, ==, N_CANCEL_STRESS);
  g_assert_cmpuint (n_cancelled, >=, N_CANCEL_STRESS / 3);

  stats = async_stats (instance);
  g_assert_cmpuint (stats->in_flight, ==, 0);
  g_assert_cmpuint (stats->total, <=, 3);

  /* Still in step: a fresh command gets its own reply. */
  {
    g_autoptr(GAsyncResult) r = NULL;
    g_autofree char *got = NULL;
    g_autoptr(GError) error = NULL;

    dt_redis_async_client_get_async (client, "key-7", NULL, store_result_cb, &r);
    got = dt_redis_async_client_get_finish (client, wait_result (&r), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (got, ==, "value-7");
  }

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

typedef struct
{
  guint  ticks;
  gint64 last;
  gint64 max_gap;
} Ticker;

static gboolean
tick_cb (gpointer user_data)
{
  Ticker *ticker = user_data;
  gint64 now = g_get_monotonic_time ();

  if (ticker->last != 0)
    ticker->max_gap = MAX (ticker->max_gap, now - ticker->last);
  ticker->last = now;
  ticker->ticks++;
  return G_SOURCE_CONTINUE;
}

static void
test_slow_server_does_not_block (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DELAY, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(GAsyncResult) r = NULL;
  g_autoptr(GError) error = NULL;
  Ticker ticker = { 0, };
  guint tick_id;
  gint64 start;

  /* A client name makes the handshake wait for an answer too: the
   * connect itself is slow, then the command. */
  config = dt_redis_config_new_from_url (url, &error);
  g_assert_no_error (error);
  dt_redis_config_set_redis_client_name (config, "slow-test");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_async_redis_client (instance);
  dt_fake_server_set_delay (fake, 500);
  tick_id = g_timeout_add (10, tick_cb, &ticker);

  start = g_get_monotonic_time ();
  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r);
  g_assert_true (ping_finish_ok (client, wait_result (&r), &error));
  g_assert_no_error (error);
  g_source_remove (tick_id);

  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC - G_USEC_PER_SEC / 10);
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), >=, 2);
  /* The timer kept firing all along. */
  g_assert_cmpuint (ticker.ticks, >=, 20);
  g_assert_cmpint (ticker.max_gap, <, G_USEC_PER_SEC / 2);

  close_pool (instance);
}

static void
test_unref_closes_idle (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autoptr(GAsyncResult) r = NULL;

  flush_server (server);
  instance = new_instance (server, 4, 5.0);
  client = dt_redis_instance_get_async_redis_client (instance);
  dt_redis_async_client_ping_async (client, NULL, store_result_cb, &r);
  g_assert_true (ping_finish_ok (client, wait_result (&r), NULL));
  g_assert_cmpuint (count_other_clients (server), ==, 1);

  /* Dropping the instance drops the pool: its idle connection closes.
   * (The result holds the client, which holds the instance.) */
  g_clear_object (&r);
  g_clear_object (&client);
  g_clear_object (&instance);
  wait_other_clients (server, 0);
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
  ADD ("/async/reset-under-load", test_reset_under_load);
  ADD ("/async/other-thread", test_other_thread);
  ADD ("/async/many-threads", test_many_threads);
  g_test_add_func ("/async/many-concurrent", test_many_concurrent);
  g_test_add_func ("/async/pool-timeout", test_pool_timeout);
  g_test_add_func ("/async/cancel-written", test_cancel_written);
  g_test_add_func ("/async/cancel-queued", test_cancel_queued);
  g_test_add_func ("/async/cancel-under-load", test_cancel_under_load);
  g_test_add_func ("/async/tls", test_tls);
  g_test_add_func ("/async/unix-socket", test_unix_socket);
  g_test_add_func ("/async/silent-server-timeout", test_silent_server_timeout);
  g_test_add_func ("/async/garbage-protocol-error", test_garbage_protocol_error);
  g_test_add_func ("/async/dropped-connection", test_dropped_connection);
  g_test_add_func ("/async/server-killed", test_server_killed);
  g_test_add_func ("/async/server-restart", test_server_restart);
  g_test_add_func ("/async/slow-server-does-not-block", test_slow_server_does_not_block);
  g_test_add_func ("/async/unref-closes-idle", test_unref_closes_idle);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
