/* test-harness.c: the test utilities test themselves
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

#define PING_COMMAND "*1\r\n$4\r\nPING\r\n"

/* -- raw client helpers --------------------------------------------------- */

static GSocket *
connect_address (GSocketAddress *address)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                            G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_DEFAULT, &error);

  g_assert_no_error (error);
  g_socket_set_timeout (socket, 10);
  g_socket_connect (socket, address, NULL, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&socket);
}

static GSocket *
connect_port (guint16 port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  return connect_address (address);
}

static gboolean
port_accepts (guint16 port)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);

  g_socket_set_timeout (socket, 5);
  return g_socket_connect (socket, address, NULL, NULL);
}

static void
send_str (GSocket    *socket,
          const char *data)
{
  gsize len = strlen (data);

  while (len > 0)
    {
      g_autoptr(GError) error = NULL;
      gssize n = g_socket_send (socket, data, len, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      data += n;
      len -= n;
    }
}

/* Reads exactly @n bytes. */
static char *
recv_n (GSocket *socket,
        gsize    n)
{
  g_autoptr(GString) out = g_string_new (NULL);

  while (out->len < n)
    {
      g_autoptr(GError) error = NULL;
      char buf[256];
      gssize got = g_socket_receive (socket, buf, MIN (sizeof buf, n - out->len), NULL, &error);

      g_assert_no_error (error);
      if (got == 0)
        break;
      g_string_append_len (out, buf, got);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Reads until the peer closes; fails on a timeout. */
static char *
recv_until_eof (GSocket *socket)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      char buf[256];
      gssize got = g_socket_receive (socket, buf, sizeof buf, NULL, &error);

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
        break;
      g_assert_no_error (error);
      if (got == 0)
        break;
      g_string_append_len (out, buf, got);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static gboolean
readable_within (GSocket *socket,
                 guint    ms)
{
  return g_socket_condition_timed_wait (socket, G_IO_IN, (gint64) ms * 1000, NULL, NULL);
}

static guint
count_threads (GPid pid)
{
  g_autofree char *task_path = g_strdup_printf ("/proc/%d/task", (int) pid);
  GDir *dir = g_dir_open (task_path, 0, NULL);
  guint n = 0;

  if (dir == NULL)
    return 0;
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

/* Nothing that is ours listens on @port any more.  Another test process may
 * have been given the port since: a server there whose `dir` is not
 * @tmpdir is someone else's. */
static void
assert_not_serving (guint16     port,
                    const char *tmpdir)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL);
      const char *request = "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$3\r\ndir\r\n";
      char reply[1024] = { 0, };

      g_socket_set_timeout (socket, 2);
      if (!g_socket_connect (socket, address, NULL, NULL))
        return;
      if (g_socket_send (socket, request, strlen (request), NULL, NULL) > 0
          && g_socket_receive (socket, reply, sizeof reply - 1, NULL, NULL) >= 0
          && strstr (reply, tmpdir) == NULL)
        return;
      g_usleep (20 * 1000);
    }
  g_error ("a server with dir %s still answers on port %u", tmpdir, port);
}

static void
assert_process_gone (GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *stat_path = g_strdup_printf ("/proc/%d/stat", (int) pid);
      g_autofree char *stat = NULL;
      const char *paren;

      if (kill (pid, 0) < 0 && errno == ESRCH)
        return;
      /* A zombie waiting for a reaper that is not ours is gone enough, once
       * its other threads are gone too: they hold its sockets until then. */
      if (!g_file_get_contents (stat_path, &stat, NULL, NULL))
        return;
      paren = strrchr (stat, ')');
      if (paren != NULL && paren[1] == ' ' && paren[2] == 'Z' && count_threads (pid) <= 1)
        return;
      g_usleep (20 * 1000);
    }
  g_error ("process %d still runs", (int) pid);
}

static void
assert_path_gone (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s still exists", path);
      g_usleep (20 * 1000);
    }
}

/* -- the redis-server helper ---------------------------------------------- */

static void
test_server_tcp (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autofree char *expected_url = NULL;
  g_autofree char *reply = NULL;
  g_autoptr(GSocket) socket = NULL;

  g_assert_cmpuint (dt_test_server_get_port (server), >, 0);
  g_assert_true (dt_test_server_is_running (server));
  g_assert_cmpint (dt_test_server_get_pid (server), >, 0);
  g_assert_cmpstr (dt_test_server_get_host (server), ==, "127.0.0.1");
  expected_url = g_strdup_printf ("redis://127.0.0.1:%u/0", dt_test_server_get_port (server));
  g_assert_cmpstr (dt_test_server_get_url (server), ==, expected_url);
  g_assert_null (dt_test_server_get_unix_path (server));
  g_assert_cmpuint (dt_test_server_get_tls_port (server), ==, 0);
  g_assert_true (g_file_test (dt_test_server_get_tmpdir (server), G_FILE_TEST_IS_DIR));

  /* A raw socket, not the helper: the server itself speaks RESP. */
  socket = connect_port (dt_test_server_get_port (server));
  send_str (socket, PING_COMMAND);
  reply = recv_n (socket, 7);
  g_assert_cmpstr (reply, ==, "+PONG\r\n");
}

static void
test_server_command (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autofree char *ping = dt_test_server_command (server, "PING", NULL);
  g_autofree char *set = dt_test_server_command (server, "SET", "k", "v a l", NULL);
  g_autofree char *get = dt_test_server_command (server, "GET", "k", NULL);
  g_autofree char *missing = dt_test_server_command (server, "GET", "nope", NULL);
  g_autofree char *incr = dt_test_server_command (server, "INCR", "n", NULL);
  g_autofree char *rpush = dt_test_server_command (server, "RPUSH", "l", "a", "bc", NULL);
  g_autofree char *lrange = dt_test_server_command (server, "LRANGE", "l", "0", "-1", NULL);
  g_autofree char *wrongtype = dt_test_server_command (server, "INCR", "l", NULL);
  g_autofree char *persistence = dt_test_server_command (server, "CONFIG", "GET", "save", NULL);
  const char * const argv[] = { "ECHO", "x", NULL };
  g_autofree char *echo = dt_test_server_commandv (server, argv);

  g_assert_cmpstr (ping, ==, "+PONG\r\n");
  g_assert_cmpstr (set, ==, "+OK\r\n");
  g_assert_cmpstr (get, ==, "$5\r\nv a l\r\n");
  g_assert_cmpstr (missing, ==, "$-1\r\n");
  g_assert_cmpstr (incr, ==, ":1\r\n");
  g_assert_cmpstr (rpush, ==, ":2\r\n");
  g_assert_cmpstr (lrange, ==, "*2\r\n$1\r\na\r\n$2\r\nbc\r\n");
  g_assert_true (g_str_has_prefix (wrongtype, "-WRONGTYPE "));
  g_assert_cmpstr (persistence, ==, "*2\r\n$4\r\nsave\r\n$0\r\n\r\n");
  g_assert_cmpstr (echo, ==, "$1\r\nx\r\n");
}

static void
test_server_unix (void)
{
  DtTestServerOptions opts = { .unix_socket = TRUE };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  const char *path = dt_test_server_get_unix_path (server);
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *reply = NULL;
  GStatBuf st;

  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, dt_test_server_get_tmpdir (server)));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  address = g_unix_socket_address_new (path);
  socket = connect_address (address);
  send_str (socket, PING_COMMAND);
  reply = recv_n (socket, 7);
  g_assert_cmpstr (reply, ==, "+PONG\r\n");
}

static void
test_server_restart (void)
{
  DtTestServerOptions opts = { .unix_socket = TRUE };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  guint16 port = dt_test_server_get_port (server);
  GPid old_pid = dt_test_server_get_pid (server);
  g_autofree char *set = dt_test_server_command (server, "SET", "k", "v", NULL);
  g_autofree char *get = NULL;
  g_autofree char *ping = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  g_assert_cmpstr (set, ==, "+OK\r\n");

  dt_test_server_restart (server);

  g_assert_cmpuint (dt_test_server_get_port (server), ==, port);
  g_assert_cmpint (dt_test_server_get_pid (server), !=, old_pid);
  assert_process_gone (old_pid);
  /* A new process without persistence: the key is gone. */
  get = dt_test_server_command (server, "GET", "k", NULL);
  g_assert_cmpstr (get, ==, "$-1\r\n");

  address = g_unix_socket_address_new (dt_test_server_get_unix_path (server));
  socket = connect_address (address);
  send_str (socket, PING_COMMAND);
  ping = recv_n (socket, 7);
  g_assert_cmpstr (ping, ==, "+PONG\r\n");
}

static void
test_server_kill (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  guint16 port = dt_test_server_get_port (server);
  GPid pid = dt_test_server_get_pid (server);
  g_autofree char *down = NULL;
  g_autofree char *up = NULL;

  dt_test_server_kill (server);
  g_assert_false (dt_test_server_is_running (server));
  g_assert_cmpint (dt_test_server_get_pid (server), ==, 0);
  assert_process_gone (pid);
  assert_not_serving (port, dt_test_server_get_tmpdir (server));
  down = dt_test_server_command (server, "PING", NULL);
  g_assert_null (down);

  /* Killing or stopping twice is harmless. */
  dt_test_server_kill (server);
  dt_test_server_stop (server);

  dt_test_server_restart (server);
  g_assert_true (dt_test_server_is_running (server));
  up = dt_test_server_command (server, "PING", NULL);
  g_assert_cmpstr (up, ==, "+PONG\r\n");
}

static void
test_server_stop (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  guint16 port = dt_test_server_get_port (server);
  GPid pid = dt_test_server_get_pid (server);
  gint64 start = g_get_monotonic_time ();

  dt_test_server_stop (server);
  /* SIGTERM is enough for an idle server: no 5 s SIGKILL fallback. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 4 * G_USEC_PER_SEC);
  g_assert_false (dt_test_server_is_running (server));
  assert_process_gone (pid);
  assert_not_serving (port, dt_test_server_get_tmpdir (server));
  g_assert_true (g_file_test (dt_test_server_get_tmpdir (server), G_FILE_TEST_IS_DIR));
}

static void
test_server_password (void)
{
  DtTestServerOptions opts = { .password = "s3cr\"et pw" };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(GSocket) socket = connect_port (dt_test_server_get_port (server));
  g_autofree char *raw = NULL;
  g_autofree char *helper = NULL;

  send_str (socket, PING_COMMAND);
  raw = recv_n (socket, strlen ("-NOAUTH"));
  g_assert_cmpstr (raw, ==, "-NOAUTH");

  helper = dt_test_server_command (server, "PING", NULL);
  g_assert_cmpstr (helper, ==, "+PONG\r\n");
}

static void
test_server_extra_config (void)
{
  const char * const extra[] = {
    "user alice on >pw ~* +@all",
    "databases 4",
    NULL
  };
  DtTestServerOptions opts = { .extra_config = extra };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autofree char *good = dt_test_server_command (server, "AUTH", "alice", "pw", NULL);
  g_autofree char *bad = dt_test_server_command (server, "AUTH", "alice", "nope", NULL);
  g_autofree char *dbs = dt_test_server_command (server, "CONFIG", "GET", "databases", NULL);

  g_assert_cmpstr (good, ==, "+OK\r\n");
  g_assert_true (g_str_has_prefix (bad, "-WRONGPASS"));
  g_assert_cmpstr (dbs, ==, "*2\r\n$9\r\ndatabases\r\n$1\r\n4\r\n");
}

static void
test_server_bad_config (void)
{
  const char * const extra[] = { "no-such-directive yes", NULL };
  DtTestServerOptions opts = { .extra_config = extra };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtTestServer) server = dt_test_server_start_full (&opts, &error);

  /* The error carries redis-server's own complaint. */
  g_assert_null (server);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "no-such-directive"));
}

static void
test_server_port_busy (void)
{
  g_autoptr(DtTestServer) first = dt_test_server_start (NULL);
  g_autofree char *steal = g_strdup_printf ("port %u", dt_test_server_get_port (first));
  const char * const extra[] = { steal, NULL };
  DtTestServerOptions opts = { .extra_config = extra };
  g_autoptr(GError) error = NULL;
  g_autoptr(DtTestServer) second = NULL;
  g_autofree char *pong = NULL;

  /* The config forces a taken port, so every retry on a fresh port fails
   * the same way: the retries end, with an error. */
  second = dt_test_server_start_full (&opts, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_null (second);

  pong = dt_test_server_command (first, "PING", NULL);
  g_assert_cmpstr (pong, ==, "+PONG\r\n");
}

static void
test_server_missing_binary (void)
{
  g_autofree char *saved = g_strdup (g_getenv ("DT_TEST_REDIS_SERVER"));
  g_autoptr(GError) error = NULL;
  g_autoptr(DtTestServer) server = NULL;

  g_setenv ("DT_TEST_REDIS_SERVER", "/nonexistent/redis-server", TRUE);
  server = dt_test_server_start_full (NULL, &error);
  if (saved != NULL)
    g_setenv ("DT_TEST_REDIS_SERVER", saved, TRUE);
  else
    g_unsetenv ("DT_TEST_REDIS_SERVER");

  /* An error, which dt_test_server_start() turns into a failed test. */
  g_assert_null (server);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/nonexistent/redis-server"));
}

static void
test_server_cleanup (void)
{
  DtTestServerOptions opts = { .unix_socket = TRUE, .tls = TRUE };
  DtTestServer *server = dt_test_server_start (&opts);
  g_autofree char *tmpdir = g_strdup (dt_test_server_get_tmpdir (server));
  guint16 port = dt_test_server_get_port (server);
  GPid pid = dt_test_server_get_pid (server);

  dt_test_server_free (server);

  g_assert_false (g_file_test (tmpdir, G_FILE_TEST_EXISTS));
  assert_process_gone (pid);
  assert_not_serving (port, tmpdir);
}

/* The test process dies without any cleanup (as on abort or a meson
 * timeout): the server dies with it and the tmpdir goes. */
static void
test_server_cleanup_on_death (void)
{
  g_autofree char *note = g_strdup_printf ("%s/dtredis-harness-%d.txt",
                                           g_get_tmp_dir (),
                                           g_test_subprocess () ? (int) getppid () : (int) getpid ());
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  GPid pid;
  guint16 port;

  if (g_test_subprocess ())
    {
      DtTestServerOptions opts = { .unix_socket = TRUE };
      DtTestServer *server = dt_test_server_start (&opts);
      g_autofree char *line = g_strdup_printf ("%d %u %s",
                                               (int) dt_test_server_get_pid (server),
                                               dt_test_server_get_port (server),
                                               dt_test_server_get_tmpdir (server));

      g_assert_true (g_file_set_contents (note, line, -1, NULL));
      kill (getpid (), SIGKILL);
      g_assert_not_reached ();
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();

  g_assert_true (g_file_get_contents (note, &contents, NULL, NULL));
  g_unlink (note);
  fields = g_strsplit (contents, " ", 3);
  g_assert_cmpuint (g_strv_length (fields), ==, 3);
  pid = (GPid) g_ascii_strtoll (fields[0], NULL, 10);
  port = (guint16) g_ascii_strtoull (fields[1], NULL, 10);
  g_assert_cmpint (pid, >, 0);

  assert_process_gone (pid);
  assert_path_gone (fields[2]);
  assert_not_serving (port, fields[2]);
}

static int
run_openssl (const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *openssl = g_getenv ("DT_TEST_OPENSSL");
  int status = -1;
  guint i;

  g_ptr_array_add (argv, (char *) (openssl != NULL ? openssl : "openssl"));
  for (i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  return status;
}

/* PING over TLS with GIO; returns the handshake or I/O error, if any. */
static char *
tls_ping (DtTestServer  *server,
          const char    *ca_file,
          gboolean       with_client_cert,
          GError       **error)
{
  g_autoptr(GTlsDatabase) database = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  char reply[8] = { 0, };
  gsize n_read = 0;

  database = g_tls_file_database_new (ca_file, error);
  if (database == NULL)
    return NULL;

  g_socket_client_set_timeout (client, 10);
  g_socket_client_set_enable_proxy (client, FALSE);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1",
                                         dt_test_server_get_tls_port (server), NULL, error);
  if (tcp == NULL)
    return NULL;

  identity = g_network_address_new ("localhost", dt_test_server_get_tls_port (server));
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, error);
  if (tls == NULL)
    return NULL;
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);

  if (with_client_cert)
    {
      g_autoptr(GTlsCertificate) cert =
        g_tls_certificate_new_from_files (dt_test_server_get_client_cert_file (server),
                                          dt_test_server_get_client_key_file (server),
                                          error);
      if (cert == NULL)
        return NULL;
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), cert);
    }

  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, error)
      || !g_output_stream_write_all (g_io_stream_get_output_stream (tls),
                                     PING_COMMAND, strlen (PING_COMMAND), NULL, NULL, error)
      || !g_input_stream_read_all (g_io_stream_get_input_stream (tls),
                                   reply, 7, &n_read, NULL, error))
    return NULL;

  g_io_stream_close (tls, NULL, NULL);
  return g_strndup (reply, n_read);
}

static void
test_server_tls (void)
{
  DtTestServerOptions opts = { .tls = TRUE, .tls_auth_clients = "yes" };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  const char *ca = dt_test_server_get_ca_file (server);
  const char *other_ca = dt_test_server_get_other_ca_file (server);
  const char *server_cert = dt_test_server_get_server_cert_file (server);
  const char *client_cert = dt_test_server_get_client_cert_file (server);
  const char *files[] = {
    ca, other_ca, server_cert, dt_test_server_get_server_key_file (server),
    client_cert, dt_test_server_get_client_key_file (server),
  };
  g_autoptr(GError) error = NULL;
  g_autofree char *expected_url = NULL;
  g_autofree char *pong = NULL;
  g_autofree char *wrong_ca = NULL;
  guint i;

  g_assert_cmpuint (dt_test_server_get_tls_port (server), >, 0);
  g_assert_cmpuint (dt_test_server_get_tls_port (server), !=, dt_test_server_get_port (server));
  expected_url = g_strdup_printf ("rediss://127.0.0.1:%u/0", dt_test_server_get_tls_port (server));
  g_assert_cmpstr (dt_test_server_get_tls_url (server), ==, expected_url);
  g_assert_true (port_accepts (dt_test_server_get_tls_port (server)));

  for (i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_assert_nonnull (files[i]);
      g_assert_true (g_file_test (files[i], G_FILE_TEST_IS_REGULAR));
    }

  {
    const char * const server_ok[] = { "verify", "-CAfile", ca, "-purpose", "sslserver", server_cert, NULL };
    const char * const server_ip[] = { "verify", "-CAfile", ca, "-verify_ip", "127.0.0.1", server_cert, NULL };
    const char * const server_name[] = { "verify", "-CAfile", ca, "-verify_hostname", "localhost", server_cert, NULL };
    const char * const server_wrong_name[] = { "verify", "-CAfile", ca, "-verify_hostname", "example.com", server_cert, NULL };
    const char * const client_ok[] = { "verify", "-CAfile", ca, "-purpose", "sslclient", client_cert, NULL };
    const char * const other[] = { "verify", "-CAfile", other_ca, server_cert, NULL };

    g_assert_cmpint (run_openssl (server_ok), ==, 0);
    g_assert_cmpint (run_openssl (server_ip), ==, 0);
    g_assert_cmpint (run_openssl (server_name), ==, 0);
    g_assert_cmpint (run_openssl (server_wrong_name), !=, 0);
    g_assert_cmpint (run_openssl (client_ok), ==, 0);
    g_assert_cmpint (run_openssl (other), !=, 0);
  }

  /* A real handshake through GIO (glib-networking), with the client cert
   * that tls-auth-clients=yes demands. */
  g_assert_true (g_tls_backend_supports_tls (g_tls_backend_get_default ()));
  pong = tls_ping (server, ca, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pong, ==, "+PONG\r\n");

  wrong_ca = tls_ping (server, other_ca, TRUE, &error);
  g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  g_assert_null (wrong_ca);
}

static void
test_server_tls_restart (void)
{
  DtTestServerOptions opts = { .tls = TRUE };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  guint16 tls_port = dt_test_server_get_tls_port (server);
  g_autoptr(GError) error = NULL;
  g_autofree char *pong = NULL;

  dt_test_server_restart (server);
  g_assert_cmpuint (dt_test_server_get_tls_port (server), ==, tls_port);

  /* tls-auth-clients defaults to optional: no client certificate needed. */
  pong = tls_ping (server, dt_test_server_get_ca_file (server), FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pong, ==, "+PONG\r\n");
}

static void
test_server_many (void)
{
  DtTestServer *servers[3];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (servers); i++)
    servers[i] = dt_test_server_start (NULL);
  g_assert_cmpuint (dt_test_server_get_port (servers[0]), !=, dt_test_server_get_port (servers[1]));
  g_assert_cmpuint (dt_test_server_get_port (servers[1]), !=, dt_test_server_get_port (servers[2]));
  for (i = 0; i < G_N_ELEMENTS (servers); i++)
    {
      g_autofree char *pong = dt_test_server_command (servers[i], "PING", NULL);

      g_assert_cmpstr (pong, ==, "+PONG\r\n");
      dt_test_server_free (servers[i]);
    }
}

/* -- the fake server ------------------------------------------------------ */

static void
test_fake_reply_pipelined (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, NULL);
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  g_autofree char *replies = NULL;
  g_autofree char *last = NULL;
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autofree char *expected_url = g_strdup_printf ("redis://127.0.0.1:%u/0",
                                                   dt_fake_server_get_port (fake));

  g_assert_cmpstr (url, ==, expected_url);

  /* Three commands in one write: three answers, no more. */
  send_str (socket, PING_COMMAND "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\nv\r\n\r\n" PING_COMMAND);
  replies = recv_n (socket, 15);
  g_assert_cmpstr (replies, ==, "+OK\r\n+OK\r\n+OK\r\n");
  g_assert_false (readable_within (socket, 200));

  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 1);
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 3);
  last = dt_fake_server_get_last_command (fake);
  g_assert_cmpstr (last, ==, "PING");
}

static void
test_fake_reply_split (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, ":42\r\n");
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  const char *command = "*2\r\n$3\r\nGET\r\n$5\r\nk\r\nk2\r\n";
  g_autofree char *reply = NULL;
  g_autofree char *last = NULL;
  const char *p;

  /* One byte at a time: no answer until the command is whole, even though
   * the key holds "\r\n". */
  for (p = command; p[1] != '\0'; p++)
    {
      char one[2] = { *p, '\0' };

      send_str (socket, one);
    }
  g_assert_false (readable_within (socket, 200));
  send_str (socket, p);

  reply = recv_n (socket, 5);
  g_assert_cmpstr (reply, ==, ":42\r\n");
  last = dt_fake_server_get_last_command (fake);
  g_assert_cmpstr (last, ==, "GET k\r\nk2");
}

static void
test_fake_inline (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, "+PONG\r\n");
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  g_autofree char *reply = NULL;
  g_autofree char *last = NULL;

  send_str (socket, "PING\r\nECHO  hi\r\n");
  reply = recv_n (socket, 14);
  g_assert_cmpstr (reply, ==, "+PONG\r\n+PONG\r\n");
  last = dt_fake_server_get_last_command (fake);
  g_assert_cmpstr (last, ==, "ECHO hi");
}

static void
test_fake_garbage (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_GARBAGE, NULL);
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  g_autofree char *reply = NULL;

  send_str (socket, PING_COMMAND);
  reply = recv_n (socket, 10);
  g_assert_cmpstr (reply, ==, "!garbage\r\n");
  g_assert_false (readable_within (socket, 100));
}

static void
test_fake_truncate (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_TRUNCATE, NULL);
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  g_autofree char *reply = NULL;

  send_str (socket, PING_COMMAND);
  reply = recv_until_eof (socket);
  g_assert_cmpstr (reply, ==, "$10\r\nabc");
}

static void
test_fake_silent (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  gint64 deadline;

  send_str (socket, PING_COMMAND PING_COMMAND);
  g_assert_false (readable_within (socket, 300));
  g_assert_true (g_socket_is_connected (socket));

  /* It did read both commands. */
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (dt_fake_server_get_n_commands (fake) < 2 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 2);
}

static void
test_fake_close (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_CLOSE, NULL);
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  g_autofree char *nothing = recv_until_eof (socket);

  g_assert_cmpstr (nothing, ==, "");
  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 1);
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 0);
}

static void
test_fake_drop (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DROP, NULL);
  g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
  g_autofree char *nothing = NULL;

  /* Nothing before the command... */
  g_assert_false (readable_within (socket, 100));
  send_str (socket, PING_COMMAND);
  /* ...and only EOF after it. */
  nothing = recv_until_eof (socket);
  g_assert_cmpstr (nothing, ==, "");
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 1);
}

static void
test_fake_delay (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DELAY, "+LATE\r\n");
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *reply = NULL;
  gint64 start;

  dt_fake_server_set_delay (fake, 300);
  socket = connect_port (dt_fake_server_get_port (fake));
  start = g_get_monotonic_time ();
  send_str (socket, PING_COMMAND);
  reply = recv_n (socket, 7);
  g_assert_cmpstr (reply, ==, "+LATE\r\n");
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
}

static void
test_fake_huge_bulk (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_HUGE_BULK, NULL);
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *header = NULL;
  g_autofree char *dribble = NULL;
  gint64 start;

  dt_fake_server_set_delay (fake, 20);
  socket = connect_port (dt_fake_server_get_port (fake));
  send_str (socket, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
  header = recv_n (socket, strlen ("$4294967296\r\n"));
  g_assert_cmpstr (header, ==, "$4294967296\r\n");

  start = g_get_monotonic_time ();
  dribble = recv_n (socket, 5);
  g_assert_cmpstr (dribble, ==, "xxxxx");
  /* Dribbled, not sent at once. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 4 * 20 * 1000);
}

static void
test_fake_script (void)
{
  const char * const script[] = { "+OK\r\n", "$3\r\nbar\r\n", NULL };
  g_autoptr(DtFakeServer) fake = dt_fake_server_new_script (script);
  g_autoptr(GSocket) first = connect_port (dt_fake_server_get_port (fake));
  g_autoptr(GSocket) second = NULL;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *again = NULL;

  send_str (first, PING_COMMAND PING_COMMAND PING_COMMAND);
  a = recv_n (first, 14);
  g_assert_cmpstr (a, ==, "+OK\r\n$3\r\nbar\r\n");
  /* The script ran out: silence. */
  g_assert_false (readable_within (first, 200));

  /* Each connection starts the script over. */
  second = connect_port (dt_fake_server_get_port (fake));
  send_str (second, PING_COMMAND);
  again = recv_n (second, 5);
  g_assert_cmpstr (again, ==, "+OK\r\n");
  b = dt_fake_server_get_last_command (fake);
  g_assert_cmpstr (b, ==, "PING");
  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 2);
}

static void
test_fake_many_connections (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_REPLY, NULL);
  GSocket *sockets[8];
  guint i;

  for (i = 0; i < G_N_ELEMENTS (sockets); i++)
    {
      g_autofree char *reply = NULL;

      sockets[i] = connect_port (dt_fake_server_get_port (fake));
      send_str (sockets[i], PING_COMMAND);
      reply = recv_n (sockets[i], 5);
      g_assert_cmpstr (reply, ==, "+OK\r\n");
    }
  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, G_N_ELEMENTS (sockets));
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, G_N_ELEMENTS (sockets));

  for (i = 0; i < G_N_ELEMENTS (sockets); i++)
    g_object_unref (sockets[i]);
}

static void
test_fake_free_with_clients (void)
{
  DtFakeMode modes[] = { DT_FAKE_MODE_SILENT, DT_FAKE_MODE_DELAY, DT_FAKE_MODE_HUGE_BULK };
  guint i;

  /* Clients still connected, a delay or a dribble under way: free() still
   * returns promptly and the clients see the connection end. */
  for (i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      DtFakeServer *fake = dt_fake_server_new (modes[i], NULL);
      g_autoptr(GSocket) socket = connect_port (dt_fake_server_get_port (fake));
      g_autofree char *rest = NULL;
      gint64 start;

      dt_fake_server_set_delay (fake, modes[i] == DT_FAKE_MODE_HUGE_BULK ? 10 : 60 * 1000);
      send_str (socket, PING_COMMAND);
      g_usleep (100 * 1000);

      start = g_get_monotonic_time ();
      dt_fake_server_free (fake);
      g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);

      rest = recv_until_eof (socket);
      if (modes[i] == DT_FAKE_MODE_HUGE_BULK)
        g_assert_true (g_str_has_prefix (rest, "$4294967296\r\n"));
      else
        g_assert_cmpstr (rest, ==, "");
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  /* A peer that went away must be an error, not a signal. */
  signal (SIGPIPE, SIG_IGN);

  g_test_add_func ("/harness/server/tcp", test_server_tcp);
  g_test_add_func ("/harness/server/command", test_server_command);
  g_test_add_func ("/harness/server/unix", test_server_unix);
  g_test_add_func ("/harness/server/restart", test_server_restart);
  g_test_add_func ("/harness/server/kill", test_server_kill);
  g_test_add_func ("/harness/server/stop", test_server_stop);
  g_test_add_func ("/harness/server/password", test_server_password);
  g_test_add_func ("/harness/server/extra-config", test_server_extra_config);
  g_test_add_func ("/harness/server/bad-config", test_server_bad_config);
  g_test_add_func ("/harness/server/port-busy", test_server_port_busy);
  g_test_add_func ("/harness/server/missing-binary", test_server_missing_binary);
  g_test_add_func ("/harness/server/cleanup", test_server_cleanup);
  g_test_add_func ("/harness/server/cleanup-on-death", test_server_cleanup_on_death);
  g_test_add_func ("/harness/server/tls", test_server_tls);
  g_test_add_func ("/harness/server/tls-restart", test_server_tls_restart);
  g_test_add_func ("/harness/server/many", test_server_many);

  g_test_add_func ("/harness/fake/reply-pipelined", test_fake_reply_pipelined);
  g_test_add_func ("/harness/fake/reply-split", test_fake_reply_split);
  g_test_add_func ("/harness/fake/inline", test_fake_inline);
  g_test_add_func ("/harness/fake/garbage", test_fake_garbage);
  g_test_add_func ("/harness/fake/truncate", test_fake_truncate);
  g_test_add_func ("/harness/fake/silent", test_fake_silent);
  g_test_add_func ("/harness/fake/close", test_fake_close);
  g_test_add_func ("/harness/fake/drop", test_fake_drop);
  g_test_add_func ("/harness/fake/delay", test_fake_delay);
  g_test_add_func ("/harness/fake/huge-bulk", test_fake_huge_bulk);
  g_test_add_func ("/harness/fake/script", test_fake_script);
  g_test_add_func ("/harness/fake/many-connections", test_fake_many_connections);
  g_test_add_func ("/harness/fake/free-with-clients", test_fake_free_with_clients);

  return g_test_run ();
}
