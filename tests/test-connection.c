/* test-connection.c: one connection: transports, the handshake, deadlines
 * and error mapping, against a private redis-server and the fake server
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

static gint64
client_id (DtRedisConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = run (conn, &error, "CLIENT", "ID", NULL);

  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_INTEGER);
  return dt_redis_reply_get_integer (reply);
}

/* -- round trips ----------------------------------------------------------- */

static void
test_roundtrip (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  static const char value[] = "bin\0ary\r\n\0value\xff";
  const char *set_argv[] = { "SET", "conn:bin", value };
  const char *get_argv[] = { "GET", "conn:bin" };
  gsize set_lens[] = { 3, 8, sizeof value };
  gsize get_lens[] = { 3, 8 };
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  DtRedisReply *replies[3] = { NULL, };
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize len = 0;
  int value_int = 0;
  socklen_t optlen = sizeof value_int;

  g_assert_false (dt_redis_connection_is_stale (conn));
  g_assert_cmpint (conn->pid, ==, getpid ());

  /* Not inherited by child processes; commands not held back by Nagle. */
  g_assert_cmpint (fcntl (conn->fd, F_GETFD) & FD_CLOEXEC, !=, 0);
  g_assert_cmpint (getsockopt (conn->fd, IPPROTO_TCP, TCP_NODELAY, &value_int, &optlen), ==, 0);
  g_assert_cmpint (value_int, !=, 0);
  g_assert_cmpint (getsockopt (conn->fd, SOL_SOCKET, SO_KEEPALIVE, &value_int, &optlen), ==, 0);
  g_assert_cmpint (value_int, !=, 0);

  assert_ping (conn);

  /* Three commands in one payload: three replies in order. */
  dt_redis_command_append_argv (cmd, 3, set_argv, set_lens);
  dt_redis_command_append_argv (cmd, 2, get_argv, get_lens);
  dt_redis_command_append_strv (cmd, (const char * const []) { "STRLEN", "conn:bin", NULL });
  g_assert_cmpuint (cmd->n_replies, ==, 3);
  g_assert_true (dt_redis_connection_run (conn, cmd, replies, NULL, &error));
  g_assert_no_error (error);

  assert_status (replies[0], "OK");
  g_assert_cmpint (dt_redis_reply_get_reply_type (replies[1]), ==, DT_REDIS_REPLY_STRING);
  data = dt_redis_reply_get_string (replies[1], &len);
  g_assert_cmpmem (data, len, value, sizeof value);
  g_assert_cmpint (dt_redis_reply_get_integer (replies[2]), ==, sizeof value);
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    dt_redis_reply_unref (replies[i]);

  /* A server error reply is a reply, not a failure of the connection. */
  {
    g_autoptr(DtRedisReply) reply = run (conn, &error, "NOSUCHCOMMAND", NULL);

    g_assert_no_error (error);
    g_assert_true (dt_redis_reply_is_error (reply));
    g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_READY);
    g_assert_false (dt_redis_connection_is_stale (conn));
  }
  assert_ping (conn);
}

static void
test_large_value (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  gsize size = 32 * 1024 * 1024;
  g_autofree char *value = g_malloc (size);
  const char *set_argv[] = { "SET", "conn:large", value };
  gsize set_lens[] = { 3, 10, size };
  g_autoptr(DtRedisCommand) set = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  g_autoptr(DtRedisReply) set_reply = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gsize len = 0;

  for (gsize i = 0; i < size; i++)
    value[i] = (char) (i * 7 + (i >> 12));

  dt_redis_command_append_argv (set, 3, set_argv, set_lens);
  g_assert_true (dt_redis_connection_run (conn, set, &set_reply, NULL, &error));
  g_assert_no_error (error);
  assert_status (set_reply, "OK");

  reply = run (conn, &error, "GET", "conn:large", NULL);
  g_assert_no_error (error);
  data = dt_redis_reply_get_string (reply, &len);
  g_assert_cmpuint (len, ==, size);
  g_assert_true (memcmp (data, value, size) == 0);

  assert_ping (conn);

  g_clear_pointer (&reply, dt_redis_reply_unref);
  reply = run (conn, &error, "DEL", "conn:large", NULL);
  g_assert_no_error (error);
}

/* -- the handshake --------------------------------------------------------- */

static void
test_password (void)
{
  g_autoptr(GError) error = NULL;

  /* The right password. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_password (config, PASSWORD);
    conn = open_ok (config);
    assert_ping (conn);
  }

  /* A wrong one: AUTH, with the server's words and not the password. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_password (config, "wrong-" PASSWORD);
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_test_message ("wrong password: %s", error->message);
    g_assert_nonnull (strstr (error->message, "WRONGPASS"));
    g_assert_null (strstr (error->message, PASSWORD));
    g_clear_error (&error);
  }

  /* None: the connection opens, the server refuses commands. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = open_ok (config);
    g_autoptr(DtRedisReply) reply = run (conn, &error, "GET", "k", NULL);

    g_assert_no_error (error);
    g_assert_true (dt_redis_reply_is_error (reply));
    g_assert_true (g_str_has_prefix (dt_redis_reply_get_string (reply, NULL), "NOAUTH"));
  }

  /* None, but a SELECT in the handshake: refused as AUTH too. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_db (config, "2");
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_clear_error (&error);
  }

  /* A password for a server that has none. */
  {
    g_autoptr(DtRedisConfig) config = server_config (server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_password (config, "unneeded-secret");
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_test_message ("password without requirepass: %s", error->message);
    g_assert_null (strstr (error->message, "unneeded-secret"));
  }
}

static void
test_acl_user (void)
{
  g_autoptr(GError) error = NULL;

  /* Username and password, and a handshake that does everything. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;
    g_autoptr(DtRedisReply) whoami = NULL;
    g_autoptr(DtRedisReply) denied = NULL;

    dt_redis_config_set_redis_username (config, "alice");
    dt_redis_config_set_redis_password (config, ALICE_PASSWORD);
    dt_redis_config_set_redis_db (config, "3");
    dt_redis_config_set_redis_client_name (config, "dt-conn-alice");
    conn = open_ok (config);

    whoami = run (conn, &error, "ACL", "WHOAMI", NULL);
    g_assert_no_error (error);
    g_assert_cmpstr (dt_redis_reply_get_string (whoami, NULL), ==, "alice");

    /* A command alice may not run is an error reply, the connection lives. */
    denied = run (conn, &error, "FLUSHALL", NULL);
    g_assert_no_error (error);
    g_assert_true (g_str_has_prefix (dt_redis_reply_get_string (denied, NULL), "NOPERM"));
    assert_ping (conn);
  }

  /* The wrong password for alice. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_username (config, "alice");
    dt_redis_config_set_redis_password (config, "not-" ALICE_PASSWORD);
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_assert_cmpstr (error->message, ==, "WRONGPASS invalid username-password pair or user is disabled.");
    g_clear_error (&error);
  }

  /* A handshake command the user may not run: the credentials do not
   * allow this configuration, so AUTH, with the server's text. */
  {
    g_autoptr(DtRedisConfig) config = server_config (auth_server);
    g_autoptr(DtRedisConnection) conn = NULL;

    dt_redis_config_set_redis_username (config, "bob");
    dt_redis_config_set_redis_password (config, "bob-pw");
    dt_redis_config_set_redis_db (config, "1");
    conn = open_config (config, &error);
    g_assert_null (conn);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_test_message ("NOPERM in the handshake: %s", error->message);
    g_assert_true (g_str_has_prefix (error->message, "NOPERM"));
    g_assert_null (strstr (error->message, "bob-pw"));
  }
}

static void
test_db (void)
{
  g_autoptr(DtRedisConfig) config0 = server_config (server);
  g_autoptr(DtRedisConfig) config1 = server_config (server);
  g_autoptr(DtRedisConnection) conn0 = NULL;
  g_autoptr(DtRedisConnection) conn1 = NULL;
  g_autoptr(DtRedisReply) set = NULL;
  g_autoptr(DtRedisReply) get0 = NULL;
  g_autoptr(DtRedisReply) get1 = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_db (config1, "1");
  conn0 = open_ok (config0);
  conn1 = open_ok (config1);

  set = run (conn1, &error, "SET", "conn:db", "in-db-1", NULL);
  g_assert_no_error (error);
  get0 = run (conn0, &error, "GET", "conn:db", NULL);
  g_assert_no_error (error);
  get1 = run (conn1, &error, "GET", "conn:db", NULL);
  g_assert_no_error (error);

  g_assert_true (dt_redis_reply_is_nil (get0));
  g_assert_cmpstr (dt_redis_reply_get_string (get1, NULL), ==, "in-db-1");
}

static void
test_client_name (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autofree char *line = NULL;
  g_autofree char *id_field = NULL;

  dt_redis_config_set_redis_client_name (config, "dt-conn-named");
  g_assert_null (client_line (server, "dt-conn-named"));
  conn = open_ok (config);

  line = client_line (server, "dt-conn-named");
  g_assert_nonnull (line);
  id_field = g_strdup_printf ("id=%" G_GINT64_FORMAT " ", client_id (conn));
  g_assert_true (g_str_has_prefix (line, id_field));

  /* Closing says goodbye: the server forgets the client. */
  g_clear_pointer (&conn, dt_redis_connection_free);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *gone = client_line (server, "dt-conn-named");

      if (gone == NULL)
        break;
      g_usleep (10000);
    }
  g_clear_pointer (&line, g_free);
  line = client_line (server, "dt-conn-named");
  g_assert_null (line);
}

static void
test_unix_socket (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autofree char *url = g_strdup_printf ("unix://%s", dt_test_server_get_unix_path (server));
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_url (config, url);
  dt_redis_config_set_redis_client_name (config, "dt-conn-unix");
  conn = open_ok (config);
  g_assert_nonnull (conn->endpoint->unix_path);
  g_assert_cmpint (fcntl (conn->fd, F_GETFD) & FD_CLOEXEC, !=, 0);

  assert_ping (conn);
  reply = run (conn, &error, "CLIENT", "INFO", NULL);
  g_assert_no_error (error);
  /* The server saw a Unix-socket client. */
  g_assert_nonnull (strstr (dt_redis_reply_get_string (reply, NULL), "flags=U"));
  g_assert_nonnull (strstr (dt_redis_reply_get_string (reply, NULL), "name=dt-conn-unix"));
}

/* -- faults ------------------------------------------------------------------ */

static void
test_refused (void)
{
  g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", 1);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1:1: Connection refused");
  g_assert_cmpfloat (seconds_since (start), <, 1.0 * dt_test_time_scale ());
  g_clear_error (&error);

  /* A Unix socket that is not there. */
  g_clear_object (&config);
  config = dt_redis_config_new ();
  dt_redis_config_set_redis_url (config, "unix:///nonexistent/redis.sock");
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_test_message ("missing socket: %s", error->message);
  g_assert_nonnull (strstr (error->message, "/nonexistent/redis.sock"));
  g_clear_error (&error);
}

static void
test_unresolvable (void)
{
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GError) error = NULL;

  /* In a subprocess, which valgrind does not follow, as glibc's resolver
   * keeps state it reports lost. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  config = new_config ("nonexistent.invalid", 6379);
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_true (g_str_has_prefix (error->message, "Could not connect to nonexistent.invalid:6379: "));
}

static void
test_garbage (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_GARBAGE, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = run (conn, &error, "PING", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  g_assert_nonnull (strstr (error->message, "it may have been executed"));
  g_assert_true (dt_redis_connection_is_stale (conn));

  /* In the handshake too. */
  g_clear_error (&error);
  g_clear_pointer (&conn, dt_redis_connection_free);
  dt_redis_config_set_redis_client_name (config, "x");
  conn = open_config (config, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
test_silent (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gdouble elapsed;

  dt_redis_config_set_redis_socket_timeout (config, 0.5);
  conn = open_ok (config);

  start = g_get_monotonic_time ();
  reply = run (conn, &error, "PING", NULL);
  elapsed = seconds_since (start);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_test_message ("silent: %s after %.3f s", error->message, elapsed);
  g_assert_nonnull (strstr (error->message, "127.0.0.1:"));
  g_assert_cmpfloat (elapsed, >=, 0.5);
  g_assert_cmpfloat (elapsed, <, 1.5 * dt_test_time_scale ());
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  g_assert_nonnull (strstr (error->message, "it may have been executed"));
  g_clear_error (&error);

  /* The handshake's replies are bounded by socket-timeout as well. */
  g_clear_pointer (&conn, dt_redis_connection_free);
  dt_redis_config_set_redis_password (config, "pw");
  start = g_get_monotonic_time ();
  conn = open_config (config, &error);
  elapsed = seconds_since (start);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_assert_cmpfloat (elapsed, >=, 0.45);
  g_assert_cmpfloat (elapsed, <, 1.5 * dt_test_time_scale ());
}

static void
test_trickle (void)
{
  /* A reply that keeps coming, one byte each 50 ms: the deadline is for
   * the whole reply, not for each read. */
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_HUGE_BULK, "$1000000\r\n");
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gdouble elapsed;

  dt_redis_config_set_redis_socket_timeout (config, 0.5);
  conn = open_ok (config);
  start = g_get_monotonic_time ();
  reply = run (conn, &error, "GET", "k", NULL);
  elapsed = seconds_since (start);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_assert_cmpfloat (elapsed, >=, 0.5);
  g_assert_cmpfloat (elapsed, <, 1.5 * dt_test_time_scale ());
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
}

static void
test_huge_bulk (void)
{
  /* Announced beyond the cap: refused before anything is buffered. */
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_HUGE_BULK, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = run (conn, &error, "GET", "k", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
test_reply_caps (void)
{
  g_autofree char *payload = NULL;
  g_autofree char *small = g_strnfill (1000, 'v');
  g_autofree char *big = g_strnfill (2000, 'v');
  GString *reply_text = g_string_new ("$2000\r\n");

  /* The fake server sends a whole 2000-byte bulk; the cap is 1 KiB. */
  g_string_append_len (reply_text, big, 2000);
  g_string_append (reply_text, "\r\n");
  payload = g_string_free (reply_text, FALSE);

  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, payload);
    g_autoptr(DtRedisConfig) config = fake_config (fake);
    g_autoptr(DtRedisConnection) conn = NULL;
    g_autoptr(DtRedisReply) reply = NULL;
    g_autoptr(GError) error = NULL;

    dt_redis_config_set_redis_max_bulk_length (config, 1024);
    conn = open_ok (config);
    reply = run (conn, &error, "GET", "k", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
    g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  }

  /* The same against redis-server: 1000 bytes pass, 2000 do not. */
  {
    g_autoptr(DtRedisConfig) config = server_config (server);
    g_autoptr(DtRedisConnection) conn = NULL;
    g_autoptr(DtRedisReply) reply = NULL;
    g_autoptr(GError) error = NULL;
    const char *data;
    gsize len = 0;

    dt_redis_config_set_redis_max_bulk_length (config, 1024);
    conn = open_ok (config);

    reply = run (conn, &error, "SET", "conn:caps:small", small, NULL);
    g_assert_no_error (error);
    assert_status (reply, "OK");
    g_clear_pointer (&reply, dt_redis_reply_unref);
    reply = run (conn, &error, "SET", "conn:caps:big", big, NULL);
    g_assert_no_error (error);
    assert_status (reply, "OK");
    g_clear_pointer (&reply, dt_redis_reply_unref);

    reply = run (conn, &error, "GET", "conn:caps:small", NULL);
    g_assert_no_error (error);
    data = dt_redis_reply_get_string (reply, &len);
    g_assert_cmpmem (data, len, small, 1000);
    g_clear_pointer (&reply, dt_redis_reply_unref);

    reply = run (conn, &error, "GET", "conn:caps:big", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
    g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
    g_clear_error (&error);

    /* A connection with the default cap reads it fine. */
    g_clear_pointer (&conn, dt_redis_connection_free);
    dt_redis_config_set_redis_max_bulk_length (config, G_GUINT64_CONSTANT (512) * 1024 * 1024);
    conn = open_ok (config);
    reply = run (conn, &error, "GET", "conn:caps:big", NULL);
    g_assert_no_error (error);
    data = dt_redis_reply_get_string (reply, &len);
    g_assert_cmpmem (data, len, big, 2000);
    g_clear_pointer (&reply, dt_redis_reply_unref);

    reply = run (conn, &error, "DEL", "conn:caps:small", "conn:caps:big", NULL);
    g_assert_no_error (error);
  }
}

static void
test_truncated (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_TRUNCATE, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  reply = run (conn, &error, "GET", "k", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_test_message ("truncated: %s", error->message);
  g_assert_cmpfloat (seconds_since (start), <, 2.0 * dt_test_time_scale ());
  /* Part of a reply came: the command ran, and the message says so. */
  g_assert_nonnull (strstr (error->message, "it may have been executed"));
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
}

static void
test_dropped (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DROP, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  reply = run (conn, &error, "GET", "k", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  /* Closed before a reply byte, which says nothing of whether the
   * server ran the command before it went. */
  expected = g_strdup_printf ("The server at 127.0.0.1:%u closed the connection "
                              "(after the command was sent: it may have been executed)",
                              dt_fake_server_get_port (fake));
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
}

static void
test_stale (void)
{
  g_autoptr(GError) error = NULL;

  /* Closed by the server while idle. */
  {
    g_autoptr(DtRedisConfig) config = server_config (server);
    g_autoptr(DtRedisConnection) conn = open_ok (config);
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, client_id (conn));
    g_autofree char *killed = dt_test_server_command (server, "CLIENT", "KILL", "ID", id, NULL);

    g_assert_cmpstr (killed, ==, ":1\r\n");
    for (guint i = 0; i < 100 && !dt_redis_connection_is_stale (conn); i++)
      g_usleep (10000);
    g_assert_true (dt_redis_connection_is_stale (conn));
  }

  /* Used moments ago: the check looks at the socket all the same. */
  {
    g_autoptr(DtRedisConfig) config = server_config (server);
    g_autoptr(DtRedisConnection) conn = open_ok (config);
    g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, client_id (conn));
    g_autofree char *killed = NULL;
    g_autoptr(DtRedisReply) reply = NULL;

    reply = run (conn, &error, "PING", NULL);
    g_assert_no_error (error);
    g_assert_false (dt_redis_connection_is_stale (conn));
    killed = dt_test_server_command (server, "CLIENT", "KILL", "ID", id, NULL);
    g_assert_cmpstr (killed, ==, ":1\r\n");
    for (guint i = 0; i < 100 && !dt_redis_connection_is_stale (conn); i++)
      g_usleep (1000);
    g_assert_true (dt_redis_connection_is_stale (conn));
    /* What is known stays known. */
    g_assert_true (dt_redis_connection_is_stale (conn));
  }

  /* Bytes nobody asked for. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, "+OK\r\n+EXTRA\r\n");
    g_autoptr(DtRedisConfig) config = fake_config (fake);
    g_autoptr(DtRedisConnection) conn = open_ok (config);
    g_autoptr(DtRedisReply) reply = run (conn, &error, "PING", NULL);

    g_assert_no_error (error);
    assert_status (reply, "OK");
    /* Seen with the reply: the connection is done for. */
    g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_STRAY);
    g_assert_true (dt_redis_connection_is_stale (conn));
  }

  /* Stray bytes still on the socket. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, "+OK\r\n");
    g_autoptr(DtRedisConfig) config = fake_config (fake);
    g_autoptr(DtRedisConnection) conn = open_ok (config);
    g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "PING", NULL);
    g_autoptr(DtRedisCommand) two = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "PING", NULL);
    DtRedisReply *reply = NULL;

    /* Two commands sent, one reply read: the other arrives unasked. */
    dt_redis_command_append_strv (two, (const char * const []) { "PING", NULL });
    two->n_replies = 1;
    g_assert_true (dt_redis_connection_run (conn, two, &reply, NULL, &error));
    g_assert_no_error (error);
    dt_redis_reply_unref (reply);
    for (guint i = 0; i < 100 && !dt_redis_connection_is_stale (conn); i++)
      g_usleep (10000);
    g_assert_true (dt_redis_connection_is_stale (conn));
  }
}

static void
test_blocking_command (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gdouble elapsed;

  dt_redis_config_set_redis_socket_timeout (config, 1.0);
  conn = open_ok (config);

  /* Blocks 2 s on the server, longer than socket-timeout: no timeout. */
  start = g_get_monotonic_time ();
  reply = run (conn, &error, "BLPOP", "conn:empty-list", "2", NULL);
  elapsed = seconds_since (start);
  g_assert_no_error (error);
  g_assert_true (dt_redis_reply_is_nil (reply));
  g_assert_cmpfloat (elapsed, >=, 1.9);
  g_assert_cmpfloat (elapsed, <, 3.0 * dt_test_time_scale ());

  /* And socket-timeout is back for the next command. */
  g_assert_cmpint (conn->rcvtimeo_us, ==, 3 * G_USEC_PER_SEC);
  assert_ping (conn);
  g_assert_cmpint (conn->rcvtimeo_us, ==, G_USEC_PER_SEC);

  /* DEBUG SLEEP is not blocking-aware: it times out. */
  g_clear_pointer (&reply, dt_redis_reply_unref);
  start = g_get_monotonic_time ();
  reply = run (conn, &error, "DEBUG", "SLEEP", "1.5", NULL);
  elapsed = seconds_since (start);
  if (reply != NULL && dt_redis_reply_is_error (reply))
    {
      g_test_message ("DEBUG is disabled: %s", dt_redis_reply_get_string (reply, NULL));
      return;
    }
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_assert_cmpfloat (elapsed, >=, 1.0);
  g_assert_cmpfloat (elapsed, <, 1.5 * dt_test_time_scale ());
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep ((gulong) (200 * 1000 * dt_test_time_scale ()));
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisConfig) real_config = server_config (server);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  g_autoptr(DtRedisConnection) real = open_ok (real_config);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "PING", NULL);
  g_autoptr(GError) error = NULL;
  DtRedisReply *reply = NULL;
  GThread *thread;
  gint64 start;

  /* Cancelled before: nothing sent, the connection stays good. */
  g_cancellable_cancel (cancellable);
  g_assert_false (dt_redis_connection_run (real, cmd, &reply, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (dt_redis_connection_get_state (real), ==, DT_REDIS_CONNECTION_READY);
  g_clear_error (&error);

  /* A cancellable that does not fire changes nothing. */
  g_cancellable_reset (cancellable);
  g_assert_true (dt_redis_connection_run (real, cmd, &reply, cancellable, &error));
  g_assert_no_error (error);
  assert_status (reply, "PONG");
  g_clear_pointer (&reply, dt_redis_reply_unref);

  /* Cancelled while waiting for the reply. */
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (dt_redis_connection_run (conn, cmd, &reply, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpfloat (seconds_since (start), <, 2.0 * dt_test_time_scale ());
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  g_clear_error (&error);

  /* Cancelled while opening (the fake server never answers AUTH). */
  g_cancellable_reset (cancellable);
  dt_redis_config_set_redis_password (config, "pw");
  {
    g_autoptr(DtRedisEndpoint) endpoint = endpoint_from (config);
    g_autoptr(DtRedisConnection) opened = NULL;

    start = g_get_monotonic_time ();
    thread = g_thread_new ("cancel", cancel_later, cancellable);
    opened = dt_redis_connection_open (endpoint, cancellable, &error);
    g_thread_join (thread);
    g_assert_null (opened);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpfloat (seconds_since (start), <, 2.0 * dt_test_time_scale ());
  }
}

/* Every allowed move, and what asking for a state it is already past
 * does: nothing. */
static void
test_state_moves (void)
{
  g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", 6379);
  g_autoptr(DtRedisEndpoint) endpoint = endpoint_from (config);
  DtRedisConnection *conn;

  conn = dt_redis_conn_new (endpoint);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_OPENING);
  g_assert_false (dt_redis_connection_is_usable (conn));
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_READY);
  g_assert_true (dt_redis_connection_is_usable (conn));
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);
  g_assert_false (dt_redis_connection_is_usable (conn));
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_RETIRED);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_BROKEN);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_BROKEN);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  dt_redis_connection_free (conn);

  conn = dt_redis_conn_new (endpoint);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_BROKEN);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_BROKEN);
  dt_redis_connection_free (conn);

  /* Stray bytes are the first cause: a later break keeps it. */
  conn = dt_redis_conn_new (endpoint);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_READY);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_STRAY);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_BROKEN);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_STRAY);
  dt_redis_connection_free (conn);

  conn = dt_redis_conn_new (endpoint);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_READY);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_STRAY);
  g_assert_cmpint (dt_redis_connection_get_state (conn), ==, DT_REDIS_CONNECTION_STRAY);
  dt_redis_connection_free (conn);
}

/* Each move the state machine forbids aborts (in a subprocess). */
typedef struct
{
  const char             *name;
  DtRedisConnectionState  before[2];  /* moves made first; 0 ends */
  DtRedisConnectionState  to;
} ForbiddenMove;

static const ForbiddenMove forbidden_moves[] = {
  { "ready-twice", { DT_REDIS_CONNECTION_READY, 0 }, DT_REDIS_CONNECTION_READY },
  { "retired-while-opening", { 0, 0 }, DT_REDIS_CONNECTION_RETIRED },
  { "ready-after-broken", { DT_REDIS_CONNECTION_BROKEN, 0 }, DT_REDIS_CONNECTION_READY },
  { "stray-after-broken", { DT_REDIS_CONNECTION_READY, DT_REDIS_CONNECTION_BROKEN }, DT_REDIS_CONNECTION_STRAY },
  { "back-to-opening", { DT_REDIS_CONNECTION_READY, 0 }, DT_REDIS_CONNECTION_OPENING },
  { "ready-after-retired", { DT_REDIS_CONNECTION_READY, DT_REDIS_CONNECTION_RETIRED }, DT_REDIS_CONNECTION_READY },
};

static void
test_state_forbidden (gconstpointer data)
{
  const ForbiddenMove *move = data;

  if (g_test_subprocess ())
    {
      g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", 6379);
      g_autoptr(DtRedisEndpoint) endpoint = endpoint_from (config);
      DtRedisConnection *conn = dt_redis_conn_new (endpoint);

      for (guint j = 0; j < G_N_ELEMENTS (move->before) && move->before[j] != 0; j++)
        dt_redis_connection_set_state (conn, move->before[j]);
      dt_redis_connection_set_state (conn, move->to);
      /* Not reached when the move is refused. */
      g_print ("moved to %d\n", dt_redis_connection_get_state (conn));
      dt_redis_connection_free (conn);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*dt_redis_connection_set_state*");
  g_test_trap_assert_stdout_unmatched ("*moved to*");
}

/* A retired connection refuses commands and sends nothing. */
static void
test_retired_refuses (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server);
  g_autoptr(DtRedisConnection) conn = open_ok (config);
  g_autoptr(DtRedisConnection) other = open_ok (config);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = run (other, &error, "SET", "dt-conn-retired", "0", NULL);
  g_assert_no_error (error);
  g_clear_pointer (&reply, dt_redis_reply_unref);

  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);
  reply = run (conn, &error, "INCR", "dt-conn-retired", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "retired"));
  g_clear_error (&error);

  reply = run (other, &error, "GET", "dt-conn-retired", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, "0");
}

static void
open_async_ready (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Bytes after the handshake's replies would be taken for the first
 * command's reply: both opens refuse the connection. */
static void
test_handshake_stray (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, "+OK\r\n+EXTRA\r\n");
  g_autoptr(DtRedisConfig) config = fake_config (fake);
  g_autoptr(DtRedisEndpoint) endpoint = NULL;
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* Without a handshake the extra bytes answer the first command. */
  dt_redis_config_set_redis_client_name (config, "dt-conn-stray");
  endpoint = endpoint_from (config);

  conn = dt_redis_connection_open (endpoint, NULL, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "more than the replies to the connection handshake"));
  g_clear_error (&error);

  dt_redis_connection_open_async (endpoint, NULL, open_async_ready, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  conn = dt_redis_connection_open_finish (result, &error);
  g_assert_null (conn);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "more than the replies to the connection handshake"));
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  connection_servers_start ();

  g_test_add_func ("/connection/roundtrip", test_roundtrip);
  g_test_add_func ("/connection/large-value", test_large_value);
  g_test_add_func ("/connection/password", test_password);
  g_test_add_func ("/connection/acl-user", test_acl_user);
  g_test_add_func ("/connection/db", test_db);
  g_test_add_func ("/connection/client-name", test_client_name);
  g_test_add_func ("/connection/unix-socket", test_unix_socket);
  g_test_add_func ("/connection/refused", test_refused);
  g_test_add_func ("/connection/unresolvable", test_unresolvable);
  g_test_add_func ("/connection/garbage", test_garbage);
  g_test_add_func ("/connection/silent", test_silent);
  g_test_add_func ("/connection/trickle", test_trickle);
  g_test_add_func ("/connection/huge-bulk", test_huge_bulk);
  g_test_add_func ("/connection/reply-caps", test_reply_caps);
  g_test_add_func ("/connection/truncated", test_truncated);
  g_test_add_func ("/connection/dropped", test_dropped);
  g_test_add_func ("/connection/stale", test_stale);
  g_test_add_func ("/connection/blocking-command", test_blocking_command);
  g_test_add_func ("/connection/cancel", test_cancel);
  g_test_add_func ("/connection/state/moves", test_state_moves);
  for (guint i = 0; i < G_N_ELEMENTS (forbidden_moves); i++)
    {
      g_autofree char *path = g_strconcat ("/connection/state/forbidden/", forbidden_moves[i].name, NULL);

      g_test_add_data_func (path, &forbidden_moves[i], test_state_forbidden);
    }
  g_test_add_func ("/connection/state/retired-refuses", test_retired_refuses);
  g_test_add_func ("/connection/handshake-stray", test_handshake_stray);

  ret = g_test_run ();

  connection_servers_stop ();
  return ret;
}

