/* test-connection-tls.c: one connection over TLS (verification, client
 * certificates, handshake timeouts) and the async open
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>

#include "dtredis-connection-io-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-test-server.h"
#include "dtredis-fake-server.h"
#include "test-connection-common.h"

static DtRedisConfig *
tls_config (DtTestServer *srv,
            const char   *host)
{
  DtRedisConfig *config = new_config (host, dt_test_server_get_tls_port (srv));

  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_ca_file (srv));
  return config;
}

/* -- TLS -------------------------------------------------------------------- */

static void
test_tls_verified (void)
{
  g_autoptr(GError) error = NULL;

  /* By IP address and by name: the certificate covers both. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(DtRedisConfig) config = tls_config (server, i == 0 ? "127.0.0.1" : "localhost");
      g_autoptr(DtRedisConnection) conn = NULL;
      g_autoptr(DtRedisReply) reply = NULL;

      dt_redis_config_set_redis_client_name (config, "dt-conn-tls");
      dt_redis_config_set_redis_password (config, NULL);
      dt_redis_config_set_redis_db (config, "1");
      conn = open_ok (config);
      g_assert_true (G_IS_TLS_CONNECTION (conn->stream));
      g_assert_false (dt_redis_connection_is_stale (conn));

      assert_ping (conn);
      /* Still fresh after the server's session tickets came in. */
      g_assert_false (dt_redis_connection_is_stale (conn));
      reply = run (conn, &error, "CLIENT", "INFO", NULL);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (dt_redis_reply_get_string (reply, NULL), "name=dt-conn-tls"));
      g_assert_nonnull (strstr (dt_redis_reply_get_string (reply, NULL), "db=1"));
    }
}

static void
test_tls_large (void)
{
  g_autoptr(DtRedisConfig) config = tls_config (server, "127.0.0.1");
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  gsize size = 4 * 1024 * 1024 + 3;
  g_autofree char *value = g_malloc (size);
  const char *argv[] = { "SET", "conn:tls-large", value };
  gsize lens[] = { 3, 14, size };
  g_autoptr(DtRedisCommand) set = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  g_autoptr(DtRedisReply) set_reply = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data;

  for (gsize i = 0; i < size; i++)
    value[i] = (char) (i % 251);
  dt_redis_command_append_argv (set, 3, argv, lens);
  g_assert_true (dt_redis_connection_run (conn, set, &set_reply, NULL, &error));
  g_assert_no_error (error);

  reply = run (conn, &error, "GET", "conn:tls-large", NULL);
  g_assert_no_error (error);
  data = dt_redis_reply_get_string (reply, &len);
  g_assert_cmpmem (data, len, value, size);
  assert_ping (conn);
}

static void
test_tls_wrong_ca (void)
{
  g_autoptr(DtRedisConfig) config = tls_config (server, "127.0.0.1");
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_other_ca_file (server));
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS);
  g_test_message ("wrong CA: %s", error->message);
  g_assert_nonnull (strstr (error->message, "certificate authority"));

  /* Without a CA file the system's are used, which do not know ours. */
  g_clear_error (&error);
  dt_redis_config_set_redis_tls_ca_file (config, NULL);
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS);

  /* A CA file that does not exist. */
  g_clear_error (&error);
  dt_redis_config_set_redis_tls_ca_file (config, "/nonexistent/ca.pem");
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS);
}

/* A name this machine resolves to 127.0.0.1 that the server certificate
 * (IP:127.0.0.1, DNS:localhost) does not cover: the host name, usually.
 * getaddrinfo() as the library does it, in this thread (GResolver's
 * threads and glibc's resolver state upset valgrind's leak check). */
static char *
other_loopback_name (void)
{
  const char *name = g_get_host_name ();
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
  struct addrinfo *result = NULL;
  gboolean loopback = FALSE;

  if (g_ascii_strcasecmp (name, "localhost") == 0 || g_hostname_is_ip_address (name) ||
      getaddrinfo (name, NULL, &hints, &result) != 0)
    return NULL;

  for (struct addrinfo *ai = result; ai != NULL; ai = ai->ai_next)
    {
      const struct sockaddr_in *sin = (const struct sockaddr_in *) (gconstpointer) ai->ai_addr;

      if (sin->sin_addr.s_addr == htonl (INADDR_LOOPBACK))
        loopback = TRUE;
    }
  freeaddrinfo (result);

  return loopback ? g_strdup (name) : NULL;
}

static void
test_tls_wrong_host (void)
{
  g_autofree char *name = other_loopback_name ();
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  if (name == NULL)
    {
      g_test_skip ("no name other than localhost resolves to 127.0.0.1 here");
      return;
    }

  config = tls_config (server, name);
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS);
  g_test_message ("wrong host name %s: %s", name, error->message);
  g_assert_nonnull (strstr (error->message, "host name"));
}

static void
test_tls_insecure (void)
{
  g_autofree char *name = other_loopback_name ();
  g_autoptr(DtRedisConfig) config = tls_config (server, name != NULL ? name : "127.0.0.1");
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisConnection) again = NULL;

  /* No trusted CA and (when there is one) the wrong name: accepted. */
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_other_ca_file (server));
  dt_redis_config_set_redis_tls_insecure (config, TRUE);

  g_test_expect_message ("DtRedis", G_LOG_LEVEL_WARNING, "*tls-insecure*not verified*");
  conn = open_ok (config);
  g_test_assert_expected_messages ();
  assert_ping (conn);

  /* The warning comes once per process. */
  again = open_ok (config);
  assert_ping (again);
}

static void
test_tls_client_certificate (void)
{
  DtTestServerOptions opts = { .tls = TRUE, .tls_auth_clients = "yes" };
  g_autoptr(DtTestServer) strict = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = tls_config (strict, "localhost");
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  /* Without one the server hangs up during or right after the handshake,
   * well before the timeout (long: valgrind makes handshakes slow). */
  dt_redis_config_set_redis_socket_timeout (config, 10.0);
  conn = open_config (config, &error);
  if (conn != NULL)
    {
      g_autoptr(DtRedisReply) reply = run (conn, &error, "PING", NULL);

      g_assert_null (reply);
    }
  g_assert_nonnull (error);
  g_test_message ("no client certificate: %s", error->message);
  g_assert_true (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS) ||
                 g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION));
  g_assert_cmpfloat (seconds_since (start), <, 10.0 * dt_test_time_scale ());
  g_clear_error (&error);
  g_clear_pointer (&conn, dt_redis_connection_free);

  dt_redis_config_set_redis_tls_cert_file (config, dt_test_server_get_client_cert_file (strict));
  dt_redis_config_set_redis_tls_key_file (config, dt_test_server_get_client_key_file (strict));
  conn = open_ok (config);
  assert_ping (conn);
  g_clear_pointer (&conn, dt_redis_connection_free);

  /* A certificate that cannot be loaded. */
  dt_redis_config_set_redis_tls_key_file (config, "/nonexistent/client.key");
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS);
}

static void
test_tls_port_mismatch (void)
{
  g_autoptr(GError) error = NULL;

  /* Plain to the TLS port: the server hangs up at the first bytes. */
  {
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_test_server_get_tls_port (server));
    g_autoptr(DtRedisConnection) conn = NULL;
    g_autoptr(DtRedisReply) reply = NULL;
    gint64 start = g_get_monotonic_time ();

    dt_redis_config_set_redis_socket_timeout (config, 2.0);
    conn = open_ok (config);
    reply = run (conn, &error, "PING", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_test_message ("plain to the TLS port: %s", error->message);
    g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
    g_assert_cmpfloat (seconds_since (start), <, 2.0 * dt_test_time_scale ());
    g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
    g_clear_error (&error);

    /* With a handshake, the open itself fails. */
    dt_redis_config_set_redis_client_name (config, "x");
    g_clear_pointer (&conn, dt_redis_connection_free);
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_assert_cmpfloat (seconds_since (start), <, 4.0 * dt_test_time_scale ());
    g_clear_error (&error);
  }

  /* TLS to the plain port: Redis waits for the end of an inline command
   * that never comes, so the handshake times out, saying so. */
  {
    g_autoptr(DtRedisConfig) config = tls_config (server, "127.0.0.1");
    g_autoptr(DtRedisConnection) conn = NULL;
    gint64 start = g_get_monotonic_time ();

    dt_redis_config_set_redis_port (config, dt_test_server_get_port (server));
    dt_redis_config_set_redis_connect_timeout (config, 0.5);
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    g_test_message ("TLS to the plain port: %s", error->message);
    g_assert_nonnull (strstr (error->message, "TLS"));
    g_assert_cmpfloat (seconds_since (start), >=, 0.45);
    g_assert_cmpfloat (seconds_since (start), <, 1.5 * dt_test_time_scale ());
  }
}

static void
test_tls_handshake_timeout (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  gdouble elapsed;

  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_connect_timeout (config, 0.5);
  conn = open_config (config, &error);
  elapsed = seconds_since (start);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_test_message ("silent TLS server: %s after %.2f s", error->message, elapsed);
  g_assert_cmpfloat (elapsed, >=, 0.45);
  g_assert_cmpfloat (elapsed, <, 2.0 * dt_test_time_scale ());
}

/* -- asynchronous open --------------------------------------------------------- */

typedef struct
{
  GAsyncResult *result;
  guint         ticks;
  GCancellable *cancel;       /* cancelled at tick cancel_tick, if set */
  guint         cancel_tick;
  gint64        last_tick;    /* g_get_monotonic_time () of the last tick */
  gint64        max_gap;      /* the longest time between two ticks */
} AsyncData;

static void
async_ready (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncData *data = user_data;

  data->result = g_object_ref (result);
}

static gboolean
tick (gpointer user_data)
{
  AsyncData *data = user_data;

  gint64 now = g_get_monotonic_time ();

  data->ticks++;
  data->max_gap = MAX (data->max_gap, now - data->last_tick);
  data->last_tick = now;
  if (data->cancel != NULL && data->ticks == data->cancel_tick)
    g_cancellable_cancel (data->cancel);
  return G_SOURCE_CONTINUE;
}

/* Opens in this thread's default context, counting its 10 ms ticks; with
 * @cancel_tick > 0, the ticker cancels @cancellable at that tick. */
static DtRedisConnection *
open_async_and_wait_gap (DtRedisConfig  *config,
                         GCancellable   *cancellable,
                         guint           cancel_tick,
                         guint          *ticks,
                         gint64         *max_gap,
                         GError        **error)
{
  g_autoptr(DtRedisEndpoint) endpoint = endpoint_from (config);
  AsyncData data = { NULL, 0, cancel_tick > 0 ? cancellable : NULL, cancel_tick,
                     g_get_monotonic_time (), 0 };
  GSource *ticker = g_timeout_source_new (10);
  DtRedisConnection *conn;

  g_source_set_callback (ticker, tick, &data, NULL);
  g_source_attach (ticker, NULL);

  dt_redis_connection_open_async (endpoint, cancellable, async_ready, &data);
  while (data.result == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* The open's end counts as a tick: a stall just before it counts too. */
  data.max_gap = MAX (data.max_gap, g_get_monotonic_time () - data.last_tick);
  g_source_destroy (ticker);
  g_source_unref (ticker);
  conn = dt_redis_connection_open_finish (data.result, error);
  g_object_unref (data.result);
  if (ticks != NULL)
    *ticks = data.ticks;
  if (max_gap != NULL)
    *max_gap = data.max_gap;

  return conn;
}

static DtRedisConnection *
open_async_and_wait_full (DtRedisConfig  *config,
                          GCancellable   *cancellable,
                          guint           cancel_tick,
                          guint          *ticks,
                          GError        **error)
{
  return open_async_and_wait_gap (config, cancellable, cancel_tick, ticks, NULL, error);
}

static DtRedisConnection *
open_async_and_wait (DtRedisConfig  *config,
                     GCancellable   *cancellable,
                     guint          *ticks,
                     GError        **error)
{
  return open_async_and_wait_full (config, cancellable, 0, ticks, error);
}

static void
test_async_open (void)
{
  g_autoptr(GError) error = NULL;

  /* Everything in the handshake; the connection then works through the
   * pollable streams, and through run() too. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;
    g_autoptr(DtRedisReply) reply = NULL;
    g_autofree char *line = NULL;

    dt_redis_config_set_redis_username (config, "alice");
    dt_redis_config_set_redis_password (config, ALICE_PASSWORD);
    dt_redis_config_set_redis_db (config, "4");
    dt_redis_config_set_redis_client_name (config, "dt-conn-async");
    conn = open_async_and_wait (config, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_nonnull (conn);
    g_assert_true (G_IS_POLLABLE_INPUT_STREAM (conn->input));
    g_assert_true (g_pollable_input_stream_can_poll (G_POLLABLE_INPUT_STREAM (conn->input)));
    g_assert_cmpint (fcntl (conn->fd, F_GETFL) & O_NONBLOCK, !=, 0);

    line = client_line (auth_server, "dt-conn-async");
    g_assert_nonnull (line);
    g_assert_nonnull (strstr (line, " db=4 "));
    g_assert_nonnull (strstr (line, " user=alice "));

    assert_ping (conn);
    g_assert_cmpint (fcntl (conn->fd, F_GETFL) & O_NONBLOCK, !=, 0);
  }

  /* Over TLS. */
  {
    g_autoptr(DtRedisConfig) config = tls_config (server, "localhost");
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_client_name (config, "dt-conn-async-tls");
    conn = open_async_and_wait (config, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (G_IS_TLS_CONNECTION (conn->stream));
    assert_ping (conn);
  }

  /* The wrong password. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_password (config, "wrong");
    conn = open_async_and_wait (config, NULL, NULL, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_clear_error (&error);
  }

  /* Refused. */
  {
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", 1);
    g_autoptr(DtRedisConnection) conn = open_async_and_wait (config, NULL, NULL, &error);

    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_clear_error (&error);
  }
}

static void
test_async_no_blocking (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autoptr(GError) error = NULL;

  /* GIO loads its TLS module the first time one is asked for, in the
   * calling thread; that one-time cost is not what this measures. */
  g_assert_nonnull (g_tls_backend_get_default ());

  /* A handshake never answered: the context keeps running meanwhile, and
   * the open ends at socket-timeout. */
  {
    g_autoptr(DtRedisConfig) config = fake_config (fake);
    g_autoptr(DtRedisConnection) conn = NULL;
    gint64 start = g_get_monotonic_time ();
    guint ticks = 0;

    dt_redis_config_set_redis_password (config, "pw");
    dt_redis_config_set_redis_socket_timeout (config, 0.5);
    conn = open_async_and_wait (config, NULL, &ticks, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    g_assert_cmpfloat (seconds_since (start), >=, 0.45);
    g_assert_cmpfloat (seconds_since (start), <, 1.5 * dt_test_time_scale ());
    g_test_message ("%u ticks during a 0.5 s open", ticks);
    g_assert_cmpuint (ticks, >=, 10);
    g_clear_error (&error);
  }

  /* A TLS handshake never answered, cancelled by the context itself once
   * it has ticked 20 times: if waiting for the handshake blocked the
   * context, the ticks would stop, the cancel would never come and the
   * open would end at socket-timeout instead. (A fixed delay from another
   * thread cannot tell that from the synchronous set-up of each TLS client
   * connection, which under run-sanitizers' ASan takes most of a second.) */
  {
    g_autoptr(DtRedisConfig) config = fake_config (fake);
    g_autoptr(DtRedisConnection) conn = NULL;
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    gint64 start = g_get_monotonic_time ();
    guint ticks = 0;

    dt_redis_config_set_redis_ssl (config, TRUE);
    dt_redis_config_set_redis_socket_timeout (config, 5.0 * dt_test_time_scale ());
    conn = open_async_and_wait_full (config, cancellable, 20, &ticks, &error);
    g_assert_null (conn);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_test_message ("%u ticks, %.2f s during a cancelled TLS open", ticks, seconds_since (start));
    g_assert_cmpuint (ticks, >=, 20);
    g_assert_cmpfloat (seconds_since (start), <, 5.0 * dt_test_time_scale ());
  }
}

/* Making each TLS client connection (the TLS library's session, the CA
 * file read from disk) happens on a worker thread: the context that waits
 * for the open keeps its 10 ms ticks. Measured: 10 ms here, 48 ms under
 * run-sanitizers' ASan, 0.8 s under valgrind (which runs one thread at a
 * time); with the set-up in the context, ASan stalled it for 2.0 s. */
static void
test_async_tls_setup_off_context (void)
{
  gint64 worst = 0;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(DtRedisConfig) config = tls_config (server, "127.0.0.1");
      g_autoptr(DtRedisConnection) conn = NULL;
      g_autoptr(GError) error = NULL;
      gint64 max_gap = 0;

      conn = open_async_and_wait_gap (config, NULL, 0, NULL, &max_gap, &error);
      g_assert_no_error (error);
      assert_ping (conn);
      worst = MAX (worst, max_gap);
    }
  g_test_message ("longest gap between 10 ms ticks during 5 TLS opens: %.1f ms", worst / 1000.0);
  g_assert_cmpint (worst, <, (gint64) (250 * 1000 * dt_test_time_scale ()));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  connection_servers_start ();

  g_test_add_func ("/connection/tls/verified", test_tls_verified);
  g_test_add_func ("/connection/tls/large", test_tls_large);
  g_test_add_func ("/connection/tls/wrong-ca", test_tls_wrong_ca);
  g_test_add_func ("/connection/tls/wrong-host", test_tls_wrong_host);
  g_test_add_func ("/connection/tls/insecure", test_tls_insecure);
  g_test_add_func ("/connection/tls/client-certificate", test_tls_client_certificate);
  g_test_add_func ("/connection/tls/port-mismatch", test_tls_port_mismatch);
  g_test_add_func ("/connection/tls/handshake-timeout", test_tls_handshake_timeout);
  g_test_add_func ("/connection/async/open", test_async_open);
  g_test_add_func ("/connection/async/no-blocking", test_async_no_blocking);
  g_test_add_func ("/connection/async/tls-setup-off-context", test_async_tls_setup_off_context);

  ret = g_test_run ();

  connection_servers_stop ();
  return ret;
}
