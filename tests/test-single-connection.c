/* test-single-connection.c: DtRedisClient keeping one connection
 * (dt_redis_instance_get_single_connection_client) against a real server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-test-server.h"

static DtTestServer *server;

static DtRedisInstance *
new_instance (const char *client_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (dt_test_server_get_url (server),
                                                                  &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_client_name (config, client_name);
  dt_redis_config_set_redis_socket_timeout (config, 5);
  return dt_redis_instance_new (config);
}

/* Runs a command that must succeed and returns its reply. */
static DtRedisReply *
run (DtRedisClient      *client,
     const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  DtRedisReply *reply = dt_redis_client_execute (client, argv, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (reply);
  return reply;
}

static void
run_ok (DtRedisClient      *client,
        const char * const *argv)
{
  dt_redis_reply_unref (run (client, argv));
}

static gint64
client_id (DtRedisClient *client)
{
  g_autoptr(DtRedisReply) reply = run (client, (const char *[]) { "CLIENT", "ID", NULL });

  return dt_redis_reply_get_integer (reply);
}

static void
kill_client (gint64 id)
{
  g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  g_autofree char *reply = dt_test_server_command (server, "CLIENT", "KILL", "ID", id_text, NULL);

  g_assert_cmpstr (reply, ==, ":1\r\n");
}

static char *
server_get (const char *key)
{
  return dt_test_server_command (server, "GET", key, NULL);
}

static void
assert_in_use (DtRedisInstance *instance,
               guint            in_use)
{
  g_autoptr(DtRedisPoolStats) stats = dt_redis_instance_get_sync_pool_stats (instance);

  g_assert_cmpuint (stats->in_use, ==, in_use);
}

/* SELECT and CLIENT SETNAME stay in force between commands; close() gives
 * the connection back closed, so no pooled client inherits them. */
static void
test_state_persists (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ("sc-state");
  g_autoptr(DtRedisClient) pooled = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisClient) single = dt_redis_instance_get_single_connection_client (instance);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autofree char *value = NULL;
  g_autofree char *name = NULL;
  g_autofree char *in_zero = NULL;
  gboolean single_prop = FALSE;

  g_object_get (single, "single-connection", &single_prop, NULL);
  g_assert_true (single_prop);
  g_assert_true (dt_redis_client_get_single_connection (single));
  g_assert_false (dt_redis_client_get_single_connection (pooled));

  /* No I/O before the first command. */
  assert_in_use (instance, 0);
  run_ok (single, (const char *[]) { "SELECT", "5", NULL });
  assert_in_use (instance, 1);

  g_assert_true (dt_redis_client_set (single, "sc:key", "in five", NULL, &error));
  g_assert_no_error (error);
  value = dt_redis_client_get (single, "sc:key", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "in five");
  in_zero = server_get ("sc:key");
  g_assert_cmpstr (in_zero, ==, "$-1\r\n");

  g_clear_pointer (&value, g_free);
  value = dt_redis_client_get (pooled, "sc:key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (value);

  run_ok (single, (const char *[]) { "CLIENT", "SETNAME", "renamed", NULL });
  name = dt_redis_client_client_getname (single, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "renamed");
  g_assert_cmpuint (dt_test_server_count_clients (server, "renamed"), ==, 1);

  dt_redis_client_close (single);
  assert_in_use (instance, 0);
  g_assert_cmpuint (dt_test_server_count_clients (server, "renamed"), ==, 0);
  stats = dt_redis_instance_get_sync_pool_stats (instance);
  /* Closed, not made idle: its state must reach no other client. */
  g_assert_cmpuint (stats->idle, ==, stats->total);

  /* The next command starts on a new connection: db 0, the config's name. */
  g_clear_pointer (&value, g_free);
  value = dt_redis_client_get (single, "sc:key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (value);
  g_clear_pointer (&name, g_free);
  name = dt_redis_client_client_getname (single, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "sc-state");

  dt_redis_client_close (single);
  run_ok (pooled, (const char *[]) { "FLUSHALL", NULL });
}

/* Lost after SELECT: nothing runs without that state, nothing is sent, and
 * close() starts over. */
static void
test_lost_with_state (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ("sc-lost");
  g_autoptr(DtRedisClient) single = dt_redis_instance_get_single_connection_client (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *counter = NULL;
  gint64 first_id;
  gint64 value;

  run_ok (single, (const char *[]) { "SELECT", "3", NULL });
  first_id = client_id (single);
  kill_client (first_id);

  for (guint i = 0; i < 2; i++)
    {
      value = dt_redis_client_incr (single, "sc:counter", NULL, &error);
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
      g_assert_nonnull (strstr (error->message, "close the client"));
      g_clear_error (&error);
    }
  (void) value;
  assert_in_use (instance, 0);

  /* Not in db 3, not in db 0: the INCRs were never sent. */
  counter = dt_test_server_command (server, "EVAL",
                                    "redis.call('SELECT', 3) return redis.call('EXISTS', KEYS[1])",
                                    "1", "sc:counter", NULL);
  g_assert_cmpstr (counter, ==, ":0\r\n");
  g_clear_pointer (&counter, g_free);
  counter = server_get ("sc:counter");
  g_assert_cmpstr (counter, ==, "$-1\r\n");

  dt_redis_client_close (single);
  value = dt_redis_client_incr (single, "sc:counter", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, 1);
  g_assert_cmpint (client_id (single), !=, first_id);
  g_clear_pointer (&counter, g_free);
  counter = server_get ("sc:counter");
  g_assert_cmpstr (counter, ==, "$1\r\n1\r\n");

  dt_redis_client_close (single);
  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

/* Lost before any state-changing command: the next command quietly takes
 * a new connection, and runs exactly once. */
static void
test_lost_without_state (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ("sc-plain");
  g_autoptr(DtRedisClient) single = dt_redis_instance_get_single_connection_client (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *counter = NULL;
  gint64 first_id = client_id (single);
  gint64 value;

  kill_client (first_id);
  value = dt_redis_client_incr (single, "sc:plain", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, 1);
  g_assert_cmpint (client_id (single), !=, first_id);
  counter = server_get ("sc:plain");
  g_assert_cmpstr (counter, ==, "$1\r\n1\r\n");

  dt_redis_client_close (single);
  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

static gint64
exec_transaction (DtRedisClient *single,
                  gboolean      *aborted)
{
  g_autoptr(DtRedisReply) queued = NULL;
  g_autoptr(DtRedisReply) exec = NULL;

  run_ok (single, (const char *[]) { "MULTI", NULL });
  queued = run (single, (const char *[]) { "INCR", "sc:watched", NULL });
  g_assert_cmpstr (dt_redis_reply_get_string (queued, NULL), ==, "QUEUED");
  exec = run (single, (const char *[]) { "EXEC", NULL });
  *aborted = dt_redis_reply_is_nil (exec);
  if (*aborted)
    return -1;
  g_assert_cmpuint (dt_redis_reply_get_n_elements (exec), ==, 1);
  return dt_redis_reply_get_integer (dt_redis_reply_get_element (exec, 0));
}

/* WATCH holds across commands on the kept connection, and that connection
 * is nobody else's: another client's write aborts the transaction. */
static void
test_watch (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ("sc-watch");
  g_autoptr(DtRedisClient) single = dt_redis_instance_get_single_connection_client (instance);
  g_autoptr(DtRedisClient) pooled = dt_redis_instance_get_redis_client (instance);
  g_autoptr(GError) error = NULL;
  gboolean aborted = FALSE;

  run_ok (single, (const char *[]) { "WATCH", "sc:watched", NULL });
  g_assert_cmpint (exec_transaction (single, &aborted), ==, 1);
  g_assert_false (aborted);

  run_ok (single, (const char *[]) { "WATCH", "sc:watched", NULL });
  g_assert_true (dt_redis_client_set (pooled, "sc:watched", "100", NULL, &error));
  g_assert_no_error (error);
  exec_transaction (single, &aborted);
  g_assert_true (aborted);

  dt_redis_client_close (single);
  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

typedef struct
{
  DtRedisClient *client;
  guint          n;
} IncrJob;

static gpointer
incr_thread (gpointer data)
{
  IncrJob *job = data;

  for (guint i = 0; i < job->n; i++)
    {
      g_autoptr(GError) error = NULL;

      dt_redis_client_incr (job->client, "sc:threads", NULL, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

/* Threads share the one connection, a command at a time. */
static void
test_threads (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ("sc-threads");
  g_autoptr(DtRedisClient) single = dt_redis_instance_get_single_connection_client (instance);
  g_autofree char *counter = NULL;
  GThread *threads[4];
  IncrJob job = { single, 250 };

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("incr", incr_thread, &job);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  counter = server_get ("sc:threads");
  g_assert_cmpstr (counter, ==, "$4\r\n1000\r\n");
  g_assert_cmpuint (dt_test_server_count_clients (server, "sc-threads"), ==, 1);
  assert_in_use (instance, 1);

  g_clear_object (&single);
  assert_in_use (instance, 0);
  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

typedef struct
{
  DtRedisClient *client;
  GCancellable  *cancellable;
  GError        *error;
} BlockJob;

static gpointer
blpop_thread (gpointer data)
{
  BlockJob *job = data;
  g_autoptr(DtRedisReply) reply = NULL;

  reply = dt_redis_client_execute (job->client, (const char *[]) { "BLPOP", "sc:empty", "0", NULL },
                                   job->cancellable, &job->error);
  g_assert_null (reply);
  return NULL;
}

static void
cancel_blpop (DtRedisClient *single)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  BlockJob job = { single, cancellable, NULL };
  GThread *thread = g_thread_new ("blpop", blpop_thread, &job);

  g_usleep (200 * 1000);
  g_cancellable_cancel (cancellable);
  g_thread_join (thread);
  g_assert_error (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&job.error);
}

/* A cancelled blocking command ends its connection; what follows depends
 * on whether the connection carried state. */
static void
test_cancel_blocking (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ("sc-block");
  g_autoptr(DtRedisClient) single = dt_redis_instance_get_single_connection_client (instance);
  g_autoptr(GError) error = NULL;
  gint64 value;

  cancel_blpop (single);
  value = dt_redis_client_incr (single, "sc:after-cancel", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (value, ==, 1);

  run_ok (single, (const char *[]) { "SELECT", "2", NULL });
  cancel_blpop (single);
  value = dt_redis_client_incr (single, "sc:after-cancel", NULL, &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);

  dt_redis_client_close (single);
  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

  g_test_add_func ("/single-connection/state-persists", test_state_persists);
  g_test_add_func ("/single-connection/lost-with-state", test_lost_with_state);
  g_test_add_func ("/single-connection/lost-without-state", test_lost_without_state);
  g_test_add_func ("/single-connection/watch", test_watch);
  g_test_add_func ("/single-connection/threads", test_threads);
  g_test_add_func ("/single-connection/cancel-blocking", test_cancel_blocking);

  ret = g_test_run ();
  dt_test_server_free (server);
  return ret;
}
