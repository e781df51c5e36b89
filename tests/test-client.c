/* test-client.c: DtRedisClient against a private redis-server: the generic
 * path, closing, cancellation, properties, auth, threads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-test-server.h"
#include "test-client-common.h"

static void
test_execute (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) status = NULL;
  g_autoptr(DtRedisReply) string = NULL;
  g_autoptr(DtRedisReply) nil = NULL;
  g_autoptr(DtRedisReply) integer = NULL;
  g_autoptr(DtRedisReply) array = NULL;
  g_autoptr(DtRedisReply) nested = NULL;
  g_autoptr(DtRedisReply) failed = NULL;
  g_autoptr(DtRedisReply) hincr = NULL;
  g_autoptr(DtRedisReply) empty = NULL;
  DtRedisReply *element;

  status = dt_redis_client_execute (f->client, STRV ("SET", "k", "v"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (status), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (status, NULL), ==, "OK");

  string = dt_redis_client_execute (f->client, STRV ("GET", "k"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (string), ==, DT_REDIS_REPLY_STRING);
  g_assert_cmpstr (dt_redis_reply_get_string (string, NULL), ==, "v");

  /* A missing key is a nil reply, not an error. */
  nil = dt_redis_client_execute (f->client, STRV ("GET", "nope"), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dt_redis_reply_is_nil (nil));

  integer = dt_redis_client_execute (f->client, STRV ("RPUSH", "l", "a", "b", "c"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (integer), ==, DT_REDIS_REPLY_INTEGER);
  g_assert_cmpint (dt_redis_reply_get_integer (integer), ==, 3);

  array = dt_redis_client_execute (f->client, STRV ("LRANGE", "l", "0", "-1"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (array), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (array), ==, 3);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (array, 2), NULL), ==, "c");

  empty = dt_redis_client_execute (f->client, STRV ("LRANGE", "nope", "0", "-1"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (empty), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (empty), ==, 0);

  /* Errors nested in an array stay in the reply; nil elements too. */
  nested = dt_redis_client_execute (f->client,
                                    STRV ("EVAL",
                                          "return {1, {'x', 2}, redis.error_reply('ERR boom'), false}",
                                          "0"),
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (nested), ==, 4);
  g_assert_cmpint (dt_redis_reply_get_integer (dt_redis_reply_get_element (nested, 0)), ==, 1);
  element = dt_redis_reply_get_element (nested, 1);
  g_assert_cmpint (dt_redis_reply_get_reply_type (element), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (element, 0), NULL), ==, "x");
  element = dt_redis_reply_get_element (nested, 2);
  g_assert_true (dt_redis_reply_is_error (element));
  g_assert_cmpstr (dt_redis_reply_get_string (element, NULL), ==, "ERR boom");
  g_assert_true (dt_redis_reply_is_nil (dt_redis_reply_get_element (nested, 3)));

  /* A top-level error reply is a GError with the server's text. */
  failed = dt_redis_client_execute (f->client, STRV ("NOSUCHCOMMAND", "x"), NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "ERR unknown command 'NOSUCHCOMMAND'"));
  g_clear_error (&error);

  /* The varargs form. */
  hincr = dt_redis_client_command (f->client, NULL, &error, "HINCRBY", "user:1", "visits", "5", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_integer (hincr), ==, 5);
}

static void
test_noauth (void)
{
  DtTestServerOptions opts = { .password = "s3cret" };
  g_autoptr(DtTestServer) locked = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = new_config (locked);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisInstance) wrong_instance = NULL;
  g_autoptr(DtRedisClient) wrong_client = NULL;
  g_autoptr(DtRedisInstance) good_instance = NULL;
  g_autoptr(DtRedisClient) good_client = NULL;
  g_autofree char *value = NULL;
  g_autofree char *wrong_pong = NULL;
  g_autofree char *good_pong = NULL;
  g_autoptr(GError) error = NULL;

  /* No password: the server answers NOAUTH to the first command. */
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  value = dt_redis_client_get (client, "k", NULL, &error);
  g_assert_null (value);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_assert_true (g_str_has_prefix (error->message, "NOAUTH"));
  g_clear_error (&error);

  /* A wrong password: AUTH too, and the message does not give it away. */
  dt_redis_config_set_redis_password (config, "not-the-password");
  wrong_instance = dt_redis_instance_new (config);
  wrong_client = dt_redis_instance_get_redis_client (wrong_instance);
  wrong_pong = dt_redis_client_ping (wrong_client, NULL, &error);
  g_assert_null (wrong_pong);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_assert_null (strstr (error->message, "not-the-password"));
  g_clear_error (&error);

  dt_redis_config_set_redis_password (config, "s3cret");
  good_instance = dt_redis_instance_new (config);
  good_client = dt_redis_instance_get_redis_client (good_instance);
  good_pong = dt_redis_client_ping (good_client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (good_pong, ==, "PONG");
}

/* 8 threads, one client, a pool of 3 */

#define N_THREADS 8
#define N_ROUNDS 200
G_STATIC_ASSERT (N_THREADS * N_ROUNDS == 1600);

typedef struct
{
  DtRedisClient *client;
  guint          id;
  gint          *n_done;
} Worker;

static gpointer
worker_thread (gpointer user_data)
{
  Worker *w = user_data;

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strdup_printf ("k:%u:%u", w->id, i);
      g_autofree char *text = g_strdup_printf ("value %u/%u", w->id, i);
      g_autofree char *list = g_strdup_printf ("list:%u", w->id);
      g_autofree char *got = NULL;

      g_assert_true (dt_redis_client_set (w->client, key, text, NULL, &error));
      g_assert_no_error (error);
      got = dt_redis_client_get (w->client, key, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (got, ==, text);
      g_assert_cmpint (dt_redis_client_incr (w->client, "counter", NULL, &error), >, 0);
      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_client_rpush (w->client, list, STRV (text), NULL, &error), ==, i + 1);
      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_client_hset (w->client, "fields", key, text, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpint (zadd_one (w->client, "scores", i, key, &error), ==, 1);
      g_assert_no_error (error);
    }

  g_atomic_int_inc (w->n_done);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *counter = NULL;
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  gint n_done = 0;
  guint max_seen = 0;
  guint max_total = 0;
  guint polls = 0;

  flush_server (server);
  dt_redis_config_set_redis_max_connections (config, 3);
  dt_redis_config_set_redis_client_name (config, "dt-test-threads");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  for (guint i = 0; i < N_THREADS; i++)
    {
      workers[i] = (Worker) { .client = client, .id = i, .n_done = &n_done };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }

  /* Watch the server's side for the whole run. */
  while (g_atomic_int_get (&n_done) < N_THREADS)
    {
      g_autoptr(DtRedisPoolStats) snapshot = dt_redis_instance_get_sync_pool_stats (instance);
      guint seen = dt_test_server_count_clients (server, "dt-test-threads");

      max_seen = MAX (max_seen, seen);
      max_total = MAX (max_total, snapshot->total);
      polls++;
      g_usleep (2000);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_test_message ("%u polls; at most %u connections on the server, %u in the pool",
                  polls, max_seen, max_total);
  g_assert_cmpuint (max_seen, <=, 3);
  g_assert_cmpuint (max_total, <=, 3);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-threads"), <=, 3);

  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_test_message ("%" G_GUINT64_FORMAT " waits for a connection", stats->waits);
  g_assert_cmpuint (stats->total, <=, 3);
  g_assert_cmpuint (stats->total, >=, 1);
  g_assert_cmpuint (stats->in_use, ==, 0);
  /* Each command took a connection, new or pooled. */
  g_assert_cmpuint (stats->hits + stats->misses, ==, N_THREADS * N_ROUNDS * 6);
  g_assert_cmpuint (stats->misses, <=, 3);

  counter = dt_redis_client_get (client, "counter", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (counter, ==, "1600");
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *list = g_strdup_printf ("list:%u", i);
      g_auto(GStrv) items = dt_redis_client_lrange (client, list, 0, -1, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (items);
      g_assert_cmpuint (g_strv_length (items), ==, N_ROUNDS);
      for (guint j = 0; j < N_ROUNDS; j++)
        {
          g_autofree char *text = g_strdup_printf ("value %u/%u", i, j);

          g_assert_cmpstr (items[j], ==, text);
        }
    }
  /* N_THREADS * N_ROUNDS strings, the counter, the lists, the hash, the zset */
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), ==, N_THREADS * N_ROUNDS + 1 + N_THREADS + 2);
  g_assert_no_error (error);
}

static void
test_lazy (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisClient) other = NULL;
  g_autoptr(DtRedisPipeline) pipeline = NULL;
  g_autoptr(DtRedisPoolStats) before = NULL;
  g_autoptr(DtRedisPoolStats) after = NULL;
  g_autoptr(DtRedisPoolStats) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pong = NULL;
  g_autofree char *other_pong = NULL;

  dt_redis_config_set_redis_client_name (config, "dt-test-lazy");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  other = dt_redis_instance_get_redis_client (instance);
  pipeline = dt_redis_client_pipeline (client, TRUE);
  dt_redis_client_close (other);

  /* Clients, pipelines and close() do no I/O. */
  before = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (before->total, ==, 0);
  g_assert_cmpuint (before->misses, ==, 0);
  g_assert_cmpuint (before->hits, ==, 0);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-lazy"), ==, 0);

  pong = dt_redis_client_ping (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pong, ==, "PONG");
  after = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (after->total, ==, 1);
  g_assert_cmpuint (after->idle, ==, 1);
  g_assert_cmpuint (after->misses, ==, 1);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-lazy"), ==, 1);

  /* Sequential commands reuse it. */
  other_pong = dt_redis_client_ping (other, NULL, &error);
  g_assert_cmpstr (other_pong, ==, "PONG");
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), >=, 0);
  g_assert_no_error (error);
  again = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (again->total, ==, 1);
  g_assert_cmpuint (again->misses, ==, 1);
  g_assert_cmpuint (again->hits, ==, 2);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-lazy"), ==, 1);
}

static void
test_db_isolation (void)
{
  g_autoptr(DtRedisConfig) config0 = new_config (server);
  g_autoptr(DtRedisConfig) config1 = new_config (server);
  g_autoptr(DtRedisInstance) instance0 = NULL;
  g_autoptr(DtRedisInstance) instance1 = NULL;
  g_autoptr(DtRedisClient) client0 = NULL;
  g_autoptr(DtRedisClient) client1 = NULL;
  g_autofree char *from0 = NULL;
  g_autofree char *from1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw0 = NULL;
  g_autofree char *list = NULL;

  flush_server (server);
  dt_redis_config_set_redis_db (config1, "1");
  dt_redis_config_set_redis_client_name (config1, "dt-test-db1");
  instance0 = dt_redis_instance_new (config0);
  instance1 = dt_redis_instance_new (config1);
  client0 = dt_redis_instance_get_redis_client (instance0);
  client1 = dt_redis_instance_get_redis_client (instance1);

  g_assert_true (dt_redis_client_set (client1, "session", "in db 1",
                                      NULL, &error));
  g_assert_no_error (error);

  from1 = dt_redis_client_get (client1, "session", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (from1, ==, "in db 1");
  from0 = dt_redis_client_get (client0, "session", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (from0);
  raw0 = dt_test_server_command (server, "GET", "session", NULL);
  g_assert_cmpstr (raw0, ==, "$-1\r\n");
  g_assert_cmpint (dt_redis_client_dbsize (client0, NULL, &error), ==, 0);
  g_assert_cmpint (dt_redis_client_dbsize (client1, NULL, &error), ==, 1);

  /* FLUSHDB empties only the configured database. */
  g_assert_true (dt_redis_client_flushdb (client0, NULL, &error));
  g_assert_cmpint (dt_redis_client_dbsize (client1, NULL, &error), ==, 1);
  g_assert_no_error (error);

  list = dt_test_server_command (server, "CLIENT", "LIST", NULL);
  g_assert_nonnull (strstr (list, " name=dt-test-db1 "));
  g_assert_nonnull (strstr (list, " db=1 "));
}

static void
test_client_name (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisReply) name = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_client_name (config, "dt-test-name");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  name = dt_redis_client_execute (client, STRV ("CLIENT", "GETNAME"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_string (name, NULL), ==, "dt-test-name");
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-name"), ==, 1);
}

static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(DtRedisClient) other = dt_redis_instance_get_redis_client (f->instance);
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pong = NULL;
  g_autofree char *pong_closed = NULL;
  g_autofree char *pong_other = NULL;

  pong = dt_redis_client_ping (f->client, NULL, &error);
  g_assert_cmpstr (pong, ==, "PONG");
  dt_redis_client_close (f->client);
  dt_redis_client_close (f->client);

  /* Nothing shared was released: both clients keep working on the same
   * pooled connection. */
  pong_closed = dt_redis_client_ping (f->client, NULL, &error);
  g_assert_cmpstr (pong_closed, ==, "PONG");
  pong_other = dt_redis_client_ping (other, NULL, &error);
  g_assert_cmpstr (pong_other, ==, "PONG");
  g_assert_no_error (error);
  stats = dt_redis_instance_get_sync_pool_stats (f->instance);
  g_assert_cmpuint (stats->total, ==, 1);
  g_assert_cmpuint (stats->misses, ==, 1);
}

static void
test_state_not_inherited (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(DtRedisReply) reply = NULL;
  g_autofree char *value = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_client_set (f->client, "where", "db0", NULL, &error));
  g_assert_no_error (error);

  /* SELECT through the generic path changes the connection it ran on... */
  reply = dt_redis_client_execute (f->client, STRV ("SELECT", "3"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, "OK");

  /* ...which must not be handed to the next command: it still sees db 0. */
  value = dt_redis_client_get (f->client, "where", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "db0");

  stats = dt_redis_instance_get_sync_pool_stats (f->instance);
  g_assert_cmpuint (stats->total, ==, 1);
  g_assert_cmpuint (stats->misses, ==, 2);

  /* The same for a SELECT queued inside a transaction. */
  {
    g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
    g_autoptr(GPtrArray) results = NULL;
    g_autofree char *again = NULL;

    dt_redis_pipeline_append (pipe, STRV ("SELECT", "3"));
    dt_redis_pipeline_append (pipe, STRV ("SET", "where", "db3"));
    results = dt_redis_pipeline_execute (pipe, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 2);

    again = dt_redis_client_get (f->client, "where", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, "db0");
  }
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  value = dt_redis_client_get (f->client, "k", cancellable, &error);
  g_assert_null (value);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_invalid_config (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) error = NULL;

  /* Accepted by the setter; refused when the first command needs the pool. */
  dt_redis_config_set_redis_db (config, "not-a-number");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtRedisInstance) instance = NULL;

  g_object_get (f->client, "instance", &instance, NULL);
  g_assert_true (instance == f->instance);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/client/execute", test_execute);
  ADD ("/client/close", test_close);
  ADD ("/client/cancelled", test_cancelled);
  ADD ("/client/state-not-inherited", test_state_not_inherited);
  ADD ("/client/properties", test_properties);
  g_test_add_func ("/client/noauth", test_noauth);
  g_test_add_func ("/client/threads", test_threads);
  g_test_add_func ("/client/lazy", test_lazy);
  g_test_add_func ("/client/db-isolation", test_db_isolation);
  g_test_add_func ("/client/client-name", test_client_name);
  g_test_add_func ("/client/invalid-config", test_invalid_config);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}

