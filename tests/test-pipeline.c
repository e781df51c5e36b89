/* test-pipeline.c: DtRedisPipeline, plain and MULTI/EXEC, sync and async
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

static DtTestServer *server;

typedef struct
{
  DtRedisInstance *instance;
  DtRedisClient   *client;
} Fixture;

#define STRV(...) ((const char * const []) { __VA_ARGS__, NULL })

static DtRedisConfig *
new_config (DtTestServer *srv)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, dt_test_server_get_host (srv));
  dt_redis_config_set_redis_port (config, dt_test_server_get_port (srv));
  return config;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autofree char *reply = dt_test_server_command (server, "FLUSHALL", NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
  f->instance = dt_redis_instance_new (config);
  f->client = dt_redis_instance_get_redis_client (f->instance);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->instance);
}

static DtRedisReply *
reply_at (GPtrArray *replies,
          guint      i)
{
  g_assert_cmpuint (i, <, replies->len);
  return g_ptr_array_index (replies, i);
}

static void
assert_status (DtRedisReply *reply,
               const char   *status)
{
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, status);
}

static void
assert_string (DtRedisReply *reply,
               const char   *text)
{
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_STRING);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, text);
}

static void
assert_integer (DtRedisReply *reply,
                gint64        value)
{
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_INTEGER);
  g_assert_cmpint (dt_redis_reply_get_integer (reply), ==, value);
}

static void
assert_error_prefix (DtRedisReply *reply,
                     const char   *prefix)
{
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_ERROR);
  g_assert_true (g_str_has_prefix (dt_redis_reply_get_string (reply, NULL), prefix));
}

static void
test_hundred_sets (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (dt_redis_pipeline_get_transaction (pipe));
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("key:%u", i);
      g_autofree char *text = g_strdup_printf ("value:%u", i);

      g_assert_true (dt_redis_pipeline_append (pipe, STRV ("SET", key, text)) == pipe);
    }
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 100);

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 100);
  for (guint i = 0; i < 100; i++)
    assert_status (reply_at (replies, i), "OK");

  /* Executed once, on one connection; the pipeline is empty again. */
  stats = dt_redis_instance_get_sync_pool_stats (f->instance);
  g_assert_cmpuint (stats->hits + stats->misses, ==, 1);
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);

  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 100);
  value = dt_redis_client_get (f->client, "key:42", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "value:42");
}

static void
test_errors_are_replies (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_pipeline_append (
    dt_redis_pipeline_append (
      dt_redis_pipeline_append (
        dt_redis_pipeline_append (
          dt_redis_pipeline_append (
            dt_redis_pipeline_append (pipe, STRV ("SET", "a", "1")),
            STRV ("LPUSH", "a", "x")),
          STRV ("GET", "a")),
        STRV ("NOSUCHCOMMAND")),
      STRV ("INCR", "a")),
    STRV ("GET"));

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 6);
  assert_status (reply_at (replies, 0), "OK");
  assert_error_prefix (reply_at (replies, 1), "WRONGTYPE Operation against a key");
  assert_string (reply_at (replies, 2), "1");
  assert_error_prefix (reply_at (replies, 3), "ERR unknown command");
  assert_integer (reply_at (replies, 4), 2);
  assert_error_prefix (reply_at (replies, 5), "ERR wrong number of arguments");
}

static void
test_chaining_and_clear (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  gboolean transaction = FALSE;

  g_assert_true (dt_redis_pipeline_get_transaction (pipe));
  g_object_get (pipe, "transaction", &transaction, NULL);
  g_assert_true (transaction);

  g_assert_true (dt_redis_pipeline_watch (pipe, STRV ("x"), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_pipeline_get_watching (pipe));
  dt_redis_pipeline_append (dt_redis_pipeline_append (pipe, STRV ("SET", "x", "1")),
                            STRV ("SET", "y", "2"));
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 2);

  dt_redis_pipeline_clear (pipe);
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);
  g_assert_false (dt_redis_pipeline_get_watching (pipe));
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 0);
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 0);
}

static void
test_reuse (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_pipeline_append (pipe, STRV ("INCR", "n"));
  first = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, ==, 1);

  /* Emptied by execute: only the new commands run. */
  dt_redis_pipeline_append (pipe, STRV ("INCR", "n"));
  dt_redis_pipeline_append (pipe, STRV ("INCR", "n"));
  second = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (second->len, ==, 2);
  assert_integer (reply_at (second, 1), 3);
}

static void
test_empty (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPipeline) plain = NULL;
  g_autoptr(DtRedisPipeline) transaction = NULL;
  g_autoptr(GPtrArray) plain_replies = NULL;
  g_autoptr(GPtrArray) transaction_replies = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *list = NULL;

  /* A database that does not validate: any I/O would fail. */
  dt_redis_config_set_redis_db (config, "not-a-number");
  dt_redis_config_set_redis_client_name (config, "dt-test-empty");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  plain = dt_redis_client_pipeline (client, FALSE);
  transaction = dt_redis_client_pipeline (client, TRUE);

  plain_replies = dt_redis_pipeline_execute (plain, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (plain_replies);
  g_assert_cmpuint (plain_replies->len, ==, 0);

  /* An empty transaction sends nothing either; watching would need the
   * server, and the config is refused before any I/O. */
  transaction_replies = dt_redis_pipeline_execute (transaction, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (transaction_replies->len, ==, 0);
  g_assert_false (dt_redis_pipeline_watch (transaction, STRV ("k"), NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_false (dt_redis_pipeline_get_watching (transaction));

  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (stats->total, ==, 0);
  g_assert_cmpuint (stats->hits + stats->misses, ==, 0);
  list = dt_test_server_command (server, "CLIENT", "LIST", NULL);
  g_assert_null (strstr (list, "dt-test-empty"));
}

static void
test_transaction (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_pipeline_append (pipe, STRV ("INCR", "c"));
  dt_redis_pipeline_append (pipe, STRV ("INCR", "c"));
  dt_redis_pipeline_append (pipe, STRV ("INCR", "c"));
  dt_redis_pipeline_append (pipe, STRV ("SET", "s", "v"));
  dt_redis_pipeline_append (pipe, STRV ("LPUSH", "s", "x"));
  dt_redis_pipeline_append (pipe, STRV ("GET", "s"));
  dt_redis_pipeline_append (pipe, STRV ("LRANGE", "nope", "0", "-1"));
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 7);

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  /* The EXEC array, without MULTI's OK or the QUEUEDs. */
  g_assert_cmpuint (replies->len, ==, 7);
  assert_integer (reply_at (replies, 0), 1);
  assert_integer (reply_at (replies, 1), 2);
  assert_integer (reply_at (replies, 2), 3);
  assert_status (reply_at (replies, 3), "OK");
  /* A run-time error is a reply; the rest still ran. */
  assert_error_prefix (reply_at (replies, 4), "WRONGTYPE");
  assert_string (reply_at (replies, 5), "v");
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply_at (replies, 6)), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (reply_at (replies, 6)), ==, 0);
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);

  /* The pooled connection is out of MULTI afterwards. */
  after = dt_redis_client_get (f->client, "c", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, "3");
}

static void
test_execabort (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pong = NULL;

  dt_redis_pipeline_append (pipe, STRV ("SET", "t", "1"));
  dt_redis_pipeline_append (pipe, STRV ("GET"));
  dt_redis_pipeline_append (pipe, STRV ("SET", "u", "2"));

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "EXECABORT Transaction discarded because of previous errors"));
  /* Names the command to fix. */
  g_assert_nonnull (strstr (error->message, "command 2"));
  g_assert_nonnull (strstr (error->message, "wrong number of arguments"));
  g_clear_error (&error);

  /* Nothing ran, and the pipeline was emptied all the same. */
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("t", "u"), NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);
  pong = dt_redis_client_ping (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pong, ==, "PONG");
}

static void
test_watch_unchanged (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(DtRedisPipeline) next = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GPtrArray) next_replies = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_client_set (f->client, "w", "1", NULL, &error));
  g_assert_true (dt_redis_pipeline_watch (pipe, STRV ("w"), NULL, &error));
  g_assert_true (dt_redis_pipeline_watch (pipe, STRV ("v", "z"), NULL, &error));
  g_assert_no_error (error);
  dt_redis_pipeline_append (pipe, STRV ("INCR", "w"));
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  assert_integer (reply_at (replies, 0), 2);

  /* EXEC unwatched the keys: changing them does not abort a later
   * transaction on the same pooled connection. */
  g_assert_true (dt_redis_client_set (f->client, "w", "1", NULL, &error));
  dt_redis_pipeline_append (next, STRV ("INCR", "w"));
  next_replies = dt_redis_pipeline_execute (next, NULL, &error);
  g_assert_no_error (error);
  assert_integer (reply_at (next_replies, 0), 2);
}

static DtRedisInstance *
fake_instance (DtFakeServer *fake)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, "127.0.0.1");
  dt_redis_config_set_redis_port (config, dt_fake_server_get_port (fake));
  dt_redis_config_set_redis_socket_timeout (config, 2.0);
  return dt_redis_instance_new (config);
}

/* A watched key changed: the server answers EXEC with a nil array, here
 * played by a scripted server (the real one is below). */
static void
test_watch_aborted (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new_script (
    STRV ("+OK\r\n",       /* WATCH */
          "+OK\r\n",       /* MULTI */
          "+QUEUED\r\n",   /* INCR */
          "*-1\r\n"));     /* EXEC */
  g_autoptr(DtRedisInstance) instance = fake_instance (fake);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;

  g_assert_true (dt_redis_pipeline_watch (pipe, STRV ("w"), NULL, &error));
  dt_redis_pipeline_append (pipe, STRV ("INCR", "w"));
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED);
  g_assert_false (dt_redis_pipeline_get_watching (pipe));
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 4);
  last = dt_fake_server_get_last_command (fake);
  g_test_message ("last command: %s", last);
  g_assert_nonnull (strstr (last, "EXEC"));
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);
}

/* A server that answers EXEC with the wrong number of replies. */
static void
test_exec_mismatch (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new_script (
    STRV ("+OK\r\n",                /* MULTI */
          "+QUEUED\r\n",            /* SET */
          "+QUEUED\r\n",            /* SET */
          "*1\r\n+OK\r\n"));        /* EXEC, one reply short */
  g_autoptr(DtRedisInstance) instance = fake_instance (fake);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_pipeline_append (pipe, STRV ("SET", "a", "1"));
  dt_redis_pipeline_append (pipe, STRV ("SET", "b", "2"));
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
test_append_bytes (Fixture       *f,
                   gconstpointer  data)
{
  static const guint8 blob[] = { 0, 1, 2, 0, 'x', '\r', '\n', 0xfe };
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(GBytes) set = g_bytes_new_static ("SET", 3);
  g_autoptr(GBytes) get = g_bytes_new_static ("GET", 3);
  g_autoptr(GBytes) key = g_bytes_new_static ("b\0in", 4);
  g_autoptr(GBytes) value = g_bytes_new_static (blob, sizeof blob);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  const char *text;
  gsize len = 0;

  g_assert_true (dt_redis_pipeline_append_bytes (pipe, (GBytes *[]) { set, key, value }, 3) == pipe);
  dt_redis_pipeline_append_bytes (pipe, (GBytes *[]) { get, key }, 2);
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 2);
  assert_status (reply_at (replies, 0), "OK");
  text = dt_redis_reply_get_string (reply_at (replies, 1), &len);
  g_assert_cmpmem (text, len, blob, sizeof blob);
}

/* The redis-py loop against the real server: watch, read, another client
 * writes, then the transaction must not overwrite that write. */
static void
test_watch_guards (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(DtRedisPipeline) next = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(DtRedisReply) read = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autofree char *value = NULL;
  g_autofree char *other = NULL;
  g_autoptr(GError) error = NULL;

  other = dt_test_server_command (server, "SET", "balance", "100", NULL);
  g_assert_true (dt_redis_pipeline_watch (pipe, STRV ("balance"), NULL, &error));
  g_assert_no_error (error);
  read = dt_redis_pipeline_execute_immediate (pipe, STRV ("GET", "balance"), NULL, &error);
  g_assert_no_error (error);
  assert_string (read, "100");

  /* Another client writes between the read and the write. */
  g_clear_pointer (&other, g_free);
  other = dt_test_server_command (server, "SET", "balance", "500", NULL);
  g_assert_cmpstr (other, ==, "+OK\r\n");

  dt_redis_pipeline_append (pipe, STRV ("SET", "balance", "90"));
  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED);
  g_assert_false (dt_redis_pipeline_get_watching (pipe));
  g_clear_error (&error);
  value = dt_redis_client_get (f->client, "balance", NULL, &error);
  g_assert_cmpstr (value, ==, "500");

  /* The connection went back to the pool unwatched: a later transaction
   * on it is not aborted by a change to the key. */
  g_clear_pointer (&other, g_free);
  other = dt_test_server_command (server, "SET", "balance", "7", NULL);
  dt_redis_pipeline_append (next, STRV ("INCR", "balance"));
  g_clear_pointer (&replies, g_ptr_array_unref);
  replies = dt_redis_pipeline_execute (next, NULL, &error);
  g_assert_no_error (error);
  assert_integer (reply_at (replies, 0), 8);
}

static void
test_watch_rules (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) plain = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  /* Not watching: no immediate command. */
  reply = dt_redis_pipeline_execute_immediate (plain, STRV ("PING"), NULL, &error);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED);
  g_clear_error (&error);

  /* Commands queued first: too late to watch. */
  dt_redis_pipeline_append (plain, STRV ("INCR", "n"));
  g_assert_false (dt_redis_pipeline_watch (plain, STRV ("n"), NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED);
  g_clear_error (&error);
  dt_redis_pipeline_clear (plain);

  /* A plain pipeline that watches runs its batch as MULTI/EXEC, even an
   * empty one. */
  g_assert_true (dt_redis_pipeline_watch (plain, STRV ("n"), NULL, &error));
  replies = dt_redis_pipeline_execute (plain, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 0);
  g_assert_false (dt_redis_pipeline_get_watching (plain));

  /* Unwatch closes the watched connection rather than lend it again. */
  g_assert_true (dt_redis_pipeline_watch (plain, STRV ("n"), NULL, &error));
  dt_redis_pipeline_append (plain, STRV ("INCR", "n"));
  dt_redis_pipeline_unwatch (plain);
  g_assert_false (dt_redis_pipeline_get_watching (plain));
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (plain), ==, 0);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("n"), NULL, &error), ==, 0);
}

/* Async */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GPtrArray *
execute_in_loop (DtRedisPipeline  *pipe,
                 GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_redis_pipeline_execute_async (pipe, NULL, store_result, &result);
  /* Emptied at once, before any I/O. */
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return dt_redis_pipeline_execute_finish (pipe, result, error);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(DtRedisPipeline) transaction = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GPtrArray) transaction_replies = NULL;
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GPtrArray) aborted = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *key = g_strdup_printf ("key:%u", i);

      dt_redis_pipeline_append (pipe, STRV ("SET", key, key));
    }
  dt_redis_pipeline_append (pipe, STRV ("GET", "key:7"));
  dt_redis_pipeline_append (pipe, STRV ("LPUSH", "key:7", "x"));
  replies = execute_in_loop (pipe, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 102);
  assert_status (reply_at (replies, 99), "OK");
  assert_string (reply_at (replies, 100), "key:7");
  assert_error_prefix (reply_at (replies, 101), "WRONGTYPE");

  g_assert_true (dt_redis_pipeline_watch (transaction, STRV ("counter"), NULL, &error));
  dt_redis_pipeline_append (transaction, STRV ("INCRBY", "counter", "5"));
  dt_redis_pipeline_append (transaction, STRV ("DBSIZE"));
  transaction_replies = execute_in_loop (transaction, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (transaction_replies->len, ==, 2);
  assert_integer (reply_at (transaction_replies, 0), 5);
  assert_integer (reply_at (transaction_replies, 1), 101);

  empty = execute_in_loop (transaction, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (empty->len, ==, 0);

  dt_redis_pipeline_append (transaction, STRV ("SET", "t", "1"));
  dt_redis_pipeline_append (transaction, STRV ("GET"));
  aborted = execute_in_loop (transaction, &error);
  g_assert_null (aborted);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "EXECABORT"));
}

static void
test_async_watch_aborted (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new_script (
    STRV ("+OK\r\n", "+OK\r\n", "+QUEUED\r\n", "*-1\r\n"));
  g_autoptr(DtRedisInstance) instance = fake_instance (fake);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_pipeline_watch (pipe, STRV ("w"), NULL, &error));
  dt_redis_pipeline_append (pipe, STRV ("INCR", "w"));
  replies = execute_in_loop (pipe, &error);
  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED);
}

/* The whole optimistic loop without blocking the main context. */
static void
test_async_watch_guards (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
  g_autoptr(GAsyncResult) watched = NULL;
  g_autoptr(GAsyncResult) read = NULL;
  g_autoptr(DtRedisReply) value = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autofree char *other = dt_test_server_command (server, "SET", "k", "1", NULL);
  g_autoptr(GError) error = NULL;

  dt_redis_pipeline_watch_async (pipe, STRV ("k"), NULL, store_result, &watched);
  while (watched == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (dt_redis_pipeline_watch_finish (pipe, watched, &error));
  g_assert_no_error (error);

  dt_redis_pipeline_execute_immediate_async (pipe, STRV ("GET", "k"), NULL, store_result, &read);
  while (read == NULL)
    g_main_context_iteration (NULL, TRUE);
  value = dt_redis_pipeline_execute_immediate_finish (pipe, read, &error);
  g_assert_no_error (error);
  assert_string (value, "1");

  g_clear_pointer (&other, g_free);
  other = dt_test_server_command (server, "SET", "k", "2", NULL);
  dt_redis_pipeline_append (pipe, STRV ("SET", "k", "3"));
  replies = execute_in_loop (pipe, &error);
  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED);
  g_clear_pointer (&other, g_free);
  other = dt_test_server_command (server, "GET", "k", NULL);
  g_assert_cmpstr (other, ==, "$1\r\n2\r\n");
}

/* Many commands in one call, as the bindings queue them; lengths that do
 * not add up queue nothing. */
static void
test_append_commands (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  const guint lengths[] = { 3, 2, 2, 1 };
  const guint wrong[] = { 3, 3 };

  g_test_expect_message ("DtRedis", G_LOG_LEVEL_CRITICAL, "*total == n_args*");
  g_assert_true (dt_redis_pipeline_append_commands (pipe, STRV ("SET", "k", "v", "GET", "k"),
                                                    wrong, G_N_ELEMENTS (wrong)) == pipe);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 0);

  g_assert_true (dt_redis_pipeline_append_commands (pipe, STRV ("SET", "k", "v", "GET", "k",
                                                                "INCR", "n", "PING"),
                                                    lengths, G_N_ELEMENTS (lengths)) == pipe);
  dt_redis_pipeline_append (pipe, STRV ("INCR", "n"));
  g_assert_cmpuint (dt_redis_pipeline_get_n_commands (pipe), ==, 5);

  replies = dt_redis_pipeline_execute (pipe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 5);
  assert_status (reply_at (replies, 0), "OK");
  assert_string (reply_at (replies, 1), "v");
  assert_integer (reply_at (replies, 2), 1);
  assert_status (reply_at (replies, 3), "PONG");
  assert_integer (reply_at (replies, 4), 2);
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

  ADD ("/pipeline/hundred-sets", test_hundred_sets);
  ADD ("/pipeline/errors-are-replies", test_errors_are_replies);
  ADD ("/pipeline/chaining-and-clear", test_chaining_and_clear);
  ADD ("/pipeline/reuse", test_reuse);
  ADD ("/pipeline/transaction", test_transaction);
  ADD ("/pipeline/execabort", test_execabort);
  ADD ("/pipeline/watch-unchanged", test_watch_unchanged);
  ADD ("/pipeline/append-bytes", test_append_bytes);
  ADD ("/pipeline/append-commands", test_append_commands);
  ADD ("/pipeline/watch-guards", test_watch_guards);
  ADD ("/pipeline/watch-rules", test_watch_rules);
  ADD ("/pipeline/async-watch-guards", test_async_watch_guards);
  ADD ("/pipeline/async", test_async);
  g_test_add_func ("/pipeline/empty", test_empty);
  g_test_add_func ("/pipeline/watch-aborted", test_watch_aborted);
  g_test_add_func ("/pipeline/exec-mismatch", test_exec_mismatch);
  g_test_add_func ("/pipeline/async-watch-aborted", test_async_watch_aborted);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
