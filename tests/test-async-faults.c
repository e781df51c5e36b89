/* test-async-faults.c: the async pool under load and faults: concurrency,
 * pool timeouts, cancellation, TLS and Unix sockets, silent, lying and
 * dying servers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"
#include "test-async-common.h"

/* -- multiplexing ---------------------------------------------------------- */

#define N_CONCURRENT 20000

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

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
