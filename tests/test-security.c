/* test-security.c: passwords stay secret, sockets stay private, TLS checks
 *
 * A distinctive password goes into configs and URLs, then every text the
 * library produces is searched for it (plain and percent-encoded): error
 * messages of bad URLs and of validation, redacted URLs, endpoint
 * descriptions, and whatever the library and GIO log, captured with a
 * log writer, while connecting to a refused port, with a wrong password,
 * with an unknown ACL user and over the wrong transport. Then: our sockets
 * are close-on-exec, certificates are verified unless tls-insecure is set,
 * and tls-insecure warns once per process.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dtredis.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

#define SECRET          "Zq7-hunter2!pw"
#define SECRET_ESCAPED  "Zq7-hunter2%21pw"
#define SERVER_PASSWORD "right-horse-battery"

/* -- capturing what is logged ------------------------------------------- */

static GMutex log_lock;
static GString *log_capture;

static GLogWriterOutput
capture_writer (GLogLevelFlags   log_level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "GLIB_DOMAIN") == 0)
        domain = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  /* The test utilities (DtRedisTest) may log the server's own password;
   * what matters is the library and the GLib stack under it. */
  if (g_strcmp0 (domain, "DtRedisTest") != 0)
    {
      g_mutex_lock (&log_lock);
      g_string_append_printf (log_capture, "%s: %s\n",
                              domain != NULL ? domain : "(none)",
                              message != NULL ? message : "");
      g_mutex_unlock (&log_lock);
    }

  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    return g_log_writer_default (log_level, fields, n_fields, user_data);

  return G_LOG_WRITER_HANDLED;
}

static void
capture_reset (void)
{
  g_mutex_lock (&log_lock);
  g_string_truncate (log_capture, 0);
  g_mutex_unlock (&log_lock);
}

static char *
capture_dup (void)
{
  char *copy;

  g_mutex_lock (&log_lock);
  copy = g_strdup (log_capture->str);
  g_mutex_unlock (&log_lock);

  return copy;
}

/* -- helpers -------------------------------------------------------------- */

#define assert_no_secret(text) assert_no_secret_impl ((text), #text)

static void
assert_no_secret_impl (const char *text,
                       const char *what)
{
  if (text == NULL)
    return;
  if (strstr (text, SECRET) != NULL || strstr (text, SECRET_ESCAPED) != NULL)
    g_error ("%s shows the password: %s", what, text);
}

static void
assert_logs_clean (void)
{
  g_autofree char *logs = capture_dup ();
  guint n_lines = 0;

  for (const char *p = logs; (p = strchr (p, '\n')) != NULL; p++)
    n_lines++;
  g_test_message ("%u log lines checked", n_lines);
  assert_no_secret (logs);
}

/* A 127.0.0.1 port that nothing listens on. */
static guint16
closed_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  /* Bound, never listening: a connect is refused. */
  g_socket_close (socket, NULL);

  return port;
}

static DtRedisConfig *
config_for (const char *host,
            guint       port,
            const char *username,
            const char *password)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, host);
  dt_redis_config_set_redis_port (config, port);
  dt_redis_config_set_redis_username (config, username);
  dt_redis_config_set_redis_password (config, password);
  dt_redis_config_set_redis_socket_timeout (config, 5.0);
  dt_redis_config_set_redis_connect_timeout (config, 2.0);

  return config;
}

typedef struct
{
  gboolean      done;
  gboolean      ok;
  GError       *error;
} AsyncResult;

static void
ping_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncResult *r = user_data;

  r->ok = dt_redis_instance_ping_finish (DT_REDIS_INSTANCE (source), result, &r->error);
  r->done = TRUE;
}

/* Pings @instance through the sync pool, a client command, and the async
 * pool; returns the errors' messages joined, for searching. */
static char *
ping_all_ways (DtRedisInstance *instance,
               gboolean         expect_ok,
               GQuark           domain,
               gint             code)
{
  g_autoptr(GString) messages = g_string_new (NULL);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  AsyncResult r = { 0, };
  gint64 deadline;
  gboolean ok;

  ok = dt_redis_instance_ping (instance, NULL, &error);
  g_assert_true (ok == expect_ok);
  if (!expect_ok)
    {
      g_assert_error (error, domain, code);
      g_string_append_printf (messages, "%s\n", error->message);
    }
  g_clear_error (&error);

  value = dt_redis_client_get (client, "some-key", NULL, &error);
  if (!expect_ok)
    {
      g_assert_error (error, domain, code);
      g_string_append_printf (messages, "%s\n", error->message);
    }
  else
    g_assert_no_error (error);
  g_clear_error (&error);

  dt_redis_instance_ping_async (instance, NULL, ping_done_cb, &r);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!r.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r.done);
  g_assert_true (r.ok == expect_ok);
  if (!expect_ok)
    {
      g_assert_error (r.error, domain, code);
      g_string_append_printf (messages, "%s\n", r.error->message);
    }
  g_clear_error (&r.error);

  return g_string_free (g_steal_pointer (&messages), FALSE);
}

/* -- no I/O --------------------------------------------------------------- */

static void
test_url_errors (void)
{
  /* Each has the password (at {pw}) somewhere and is wrong somewhere. */
  static const char * const templates[] = {
    "redis://:{pw}@host:99999/0",
    "redis://user:{pw}@host:port/0",
    "redis://:{pw}@host/notadb",
    "redis://:a/b{pw}@host:6379/0",
    "redis://:a?{pw}@host:6379/0",
    "redis://:{pw}#frag@host:6379/0",
    "redis://:{pw}%zz@host/0",
    "redis://:{pw}%00@host/0",
    "redis://:{pw}@[::1/0",
    "redis://:{pw}@[::1]x/0",
    "http://:{pw}@host/0",
    "redis://:{pw}@/0",
    "redis://host/0?password={pw}&socket_timeout=abc",
    "redis://host/0?socket_timeout={pw}",
    "redis://host/0?db={pw}",
    "redis://host/0?max_connections={pw}",
    "redis://host/0?ssl_cert_reqs={pw}",
    "redis://host/0?password={pw}&ssl_certfile=c.pem",
    "unix://:{pw}@host/tmp/redis.sock",
    "unix://:{pw}@",
    "redis:{pw}",
    "{pw}://host",
    "{pw}",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (templates); i++)
    {
      g_auto(GStrv) parts = g_strsplit (templates[i], "{pw}", -1);
      g_autofree char *url = g_strjoinv (SECRET, parts);
      g_autoptr(DtRedisConfig) config = NULL;
      g_autoptr(DtRedisConfig) plain = dt_redis_config_new ();
      g_autoptr(GError) error = NULL;

      config = dt_redis_config_new_from_url (url, &error);
      if (config != NULL)
        g_error ("“%s” was accepted", templates[i]);
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
      assert_no_secret (error->message);
      g_clear_error (&error);

      /* The same URL set as a property fails validation the same way. */
      dt_redis_config_set_redis_url (plain, url);
      g_assert_false (dt_redis_config_validate (plain, &error));
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
      assert_no_secret (error->message);

      {
        g_autofree char *redacted = dt_redis_config_build_redacted_url (plain);

        /* The URL does not parse, but redacted for a log line it still
         * must not show what was meant as the password. */
        if (strstr (templates[i], "{pw}") < strrchr (templates[i], '@') ||
            strstr (templates[i], "password={pw}") != NULL)
          assert_no_secret (redacted);
      }
    }
}

static void
test_validate_errors (void)
{
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  config = config_for ("localhost", 0, "alice", SECRET);
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  assert_no_secret (error->message);
  g_clear_error (&error);

  dt_redis_config_set_redis_port (config, 6379);
  dt_redis_config_set_redis_db (config, "x");
  g_assert_false (dt_redis_config_validate (config, &error));
  assert_no_secret (error->message);
  g_clear_error (&error);

  dt_redis_config_set_redis_db (config, "0");
  dt_redis_config_set_redis_socket_timeout (config, -1);
  g_assert_false (dt_redis_config_validate (config, &error));
  assert_no_secret (error->message);
  g_clear_error (&error);

  dt_redis_config_set_redis_socket_timeout (config, 5);
  dt_redis_config_set_redis_tls_cert_file (config, "/nonexistent/cert.pem");
  g_assert_false (dt_redis_config_validate (config, &error));
  assert_no_secret (error->message);
  g_clear_error (&error);

  dt_redis_config_set_redis_tls_cert_file (config, NULL);
  dt_redis_config_set_redis_host (config, "");
  g_assert_false (dt_redis_config_validate (config, &error));
  assert_no_secret (error->message);
  g_clear_error (&error);

  /* An instance of a bad config fails at the first command, the same way. */
  {
    g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
    g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
    g_autofree char *value = NULL;

    value = dt_redis_client_get (client, "k", NULL, &error);
    g_assert_null (value);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
    assert_no_secret (error->message);
  }
}

static void
check_redacted (DtRedisConfig *config,
                const char    *expected)
{
  g_autofree char *redacted = dt_redis_config_build_redacted_url (config);
  g_autofree char *full = dt_redis_config_build_url (config);

  g_assert_cmpstr (redacted, ==, expected);
  assert_no_secret (redacted);
  /* The unredacted URL does hold it: the check above can fail. */
  g_assert_true (strstr (full, SECRET) != NULL || strstr (full, SECRET_ESCAPED) != NULL);
}

static void
test_redacted_url (void)
{
  g_autoptr(DtRedisConfig) password_only = dt_redis_config_new ();
  g_autoptr(DtRedisConfig) user = config_for ("cache.example.com", 6380, "alice", SECRET);

  dt_redis_config_set_redis_password (password_only, SECRET);
  check_redacted (password_only, "redis://:***@localhost:6379/0");

  dt_redis_config_set_redis_ssl (user, TRUE);
  dt_redis_config_set_redis_db (user, "2");
  check_redacted (user, "rediss://alice:***@cache.example.com:6380/2");

  {
    static const struct { const char *url; const char *redacted; } urls[] = {
      { "redis://alice:" SECRET "@h:6379/0", "redis://alice:***@h:6379/0" },
      { "redis://:" SECRET "@h", "redis://:***@h" },
      { "redis://:" SECRET_ESCAPED "@h:1/3", "redis://:***@h:1/3" },
      { "redis://u:a@b" SECRET "@h:6379", "redis://u:***@h:6379" },
      { "redis://h/0?password=" SECRET "&db=1", "redis://h/0?password=***&db=1" },
      { "rediss://:" SECRET "@[::1]:6380/0?password=" SECRET, "rediss://:***@[::1]:6380/0?password=***" },
      { "unix://:" SECRET "@/tmp/redis.sock?db=2", "unix://:***@/tmp/redis.sock?db=2" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
      {
        g_autoptr(GError) error = NULL;
        g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (urls[i].url, &error);

        g_assert_no_error (error);
        g_assert_true (g_str_has_suffix (dt_redis_config_get_redis_password (config), SECRET));
        check_redacted (config, urls[i].redacted);
      }
  }

  /* A password with an unescaped '/' cuts the URL short: it does not
   * parse, and redacting it for a log line must still hide the password. */
  {
    g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
    g_autofree char *redacted = NULL;

    dt_redis_config_set_redis_url (config, "redis://:ab/" SECRET "@h:6379/0");
    redacted = dt_redis_config_build_redacted_url (config);
    assert_no_secret (redacted);
    g_assert_cmpstr (redacted, ==, "redis://:***@h:6379/0");
  }
}

static void
test_endpoint_describe (void)
{
  static const struct { const char *url; const char *description; } cases[] = {
    { "redis://alice:" SECRET "@10.1.2.3:6390/1", "10.1.2.3:6390" },
    { "rediss://:" SECRET "@[::1]:6380", "[::1]:6380" },
    { "unix://:" SECRET "@/run/redis/redis.sock", "/run/redis/redis.sock" },
    { "redis://h/0?password=" SECRET, "h:6379" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (cases[i].url, &error);
      g_autoptr(DtRedisEndpoint) endpoint = NULL;
      g_autofree char *description = NULL;

      g_assert_no_error (error);
      endpoint = dt_redis_endpoint_new_from_config (config, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (endpoint->password, ==, SECRET);
      description = dt_redis_endpoint_describe (endpoint);
      g_assert_cmpstr (description, ==, cases[i].description);
    }
}

/* -- against servers -------------------------------------------------------- */

static void
test_logs_connection_refused (void)
{
  g_autoptr(DtRedisConfig) config = config_for ("127.0.0.1", closed_port (), "alice", SECRET);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autofree char *messages = NULL;

  capture_reset ();
  messages = ping_all_ways (instance, FALSE, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_test_message ("%s", messages);
  assert_no_secret (messages);
  assert_logs_clean ();
}

static void
test_logs_wrong_password (void)
{
  DtTestServerOptions opts = { .password = SERVER_PASSWORD };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = config_for ("127.0.0.1", dt_test_server_get_port (server),
                                                NULL, SECRET);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autofree char *messages = NULL;

  capture_reset ();
  messages = ping_all_ways (instance, FALSE, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_test_message ("%s", messages);
  assert_no_secret (messages);
  assert_logs_clean ();
}

static void
test_logs_unknown_user (void)
{
  DtTestServerOptions opts = { .password = SERVER_PASSWORD };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = config_for ("127.0.0.1", dt_test_server_get_port (server),
                                                "mallory", SECRET);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autofree char *messages = NULL;

  capture_reset ();
  messages = ping_all_ways (instance, FALSE, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_test_message ("%s", messages);
  assert_no_secret (messages);
  assert_logs_clean ();
}

/* The right password, a whole session: nothing logged shows it either. */
static void
test_logs_right_password (void)
{
  static const char * const users[] = { "user alice on >" SECRET " ~* &* +@all", NULL };
  DtTestServerOptions opts = { .password = SERVER_PASSWORD, .extra_config = users };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = config_for ("127.0.0.1", dt_test_server_get_port (server),
                                                "alice", SECRET);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autofree char *messages = NULL;

  capture_reset ();
  messages = ping_all_ways (instance, TRUE, 0, 0);
  g_assert_cmpstr (messages, ==, "");
  assert_logs_clean ();
}

/* TLS spoken to a plain port, and plain spoken to a TLS port. */
static void
test_logs_transport_mismatch (void)
{
  DtTestServerOptions opts = { .tls = TRUE, .password = SERVER_PASSWORD };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) tls_to_plain = config_for ("127.0.0.1", dt_test_server_get_port (server),
                                                      NULL, SECRET);
  g_autoptr(DtRedisConfig) plain_to_tls = config_for ("127.0.0.1", dt_test_server_get_tls_port (server),
                                                      NULL, SECRET);
  g_autoptr(DtRedisInstance) a = NULL;
  g_autoptr(DtRedisInstance) b = NULL;
  g_autoptr(GError) error = NULL;

  capture_reset ();

  dt_redis_config_set_redis_ssl (tls_to_plain, TRUE);
  dt_redis_config_set_redis_tls_ca_file (tls_to_plain, dt_test_server_get_ca_file (server));
  a = dt_redis_instance_new (tls_to_plain);
  g_assert_false (dt_redis_instance_ping (a, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("rediss:// to a plain port: %s", error->message);
  assert_no_secret (error->message);
  g_clear_error (&error);

  b = dt_redis_instance_new (plain_to_tls);
  g_assert_false (dt_redis_instance_ping (b, NULL, &error));
  g_assert_nonnull (error);
  g_test_message ("redis:// to a TLS port: %s", error->message);
  assert_no_secret (error->message);

  assert_logs_clean ();
}

/* -- sockets and TLS ------------------------------------------------------- */

/* Checks every socket of this process connected to 127.0.0.1:@port;
 * returns how many there are. */
static guint
check_sockets_cloexec (guint16 port)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      struct sockaddr_in peer;
      socklen_t len = sizeof peer;
      struct stat st;
      int flags;

      if (fstat (fd, &st) < 0 || !S_ISSOCK (st.st_mode))
        continue;
      if (getpeername (fd, (struct sockaddr *) &peer, &len) < 0 ||
          peer.sin_family != AF_INET || ntohs (peer.sin_port) != port)
        continue;

      flags = fcntl (fd, F_GETFD);
      g_assert_cmpint (flags, >=, 0);
      if (!(flags & FD_CLOEXEC))
        g_error ("socket fd %d to port %u is not close-on-exec", fd, port);
      n++;
    }

  return n;
}

static void
test_sockets_cloexec (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (dt_test_server_get_url (server), &error);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autofree char *messages = NULL;

  g_assert_no_error (error);
  instance = dt_redis_instance_new (config);

  /* Sync pool, a client, and the async pool: each leaves a pooled
   * connection open. */
  messages = ping_all_ways (instance, TRUE, 0, 0);
  g_assert_cmpuint (check_sockets_cloexec (dt_test_server_get_port (server)), >=, 2);
}

static void
test_tls_verified_by_default (void)
{
  DtTestServerOptions opts = { .tls = TRUE };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) unverified = NULL;
  g_autoptr(DtRedisInstance) verified = NULL;

  /* The server's CA is not trusted by the system: refused. */
  config = dt_redis_config_new_from_url (dt_test_server_get_tls_url (server), &error);
  g_assert_no_error (error);
  g_assert_false (dt_redis_config_get_redis_tls_insecure (config));
  unverified = dt_redis_instance_new (config);
  g_assert_false (dt_redis_instance_ping (unverified, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* With the CA given, the same server is accepted. */
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_ca_file (server));
  verified = dt_redis_instance_new (config);
  g_assert_true (dt_redis_instance_ping (verified, NULL, &error));
  g_assert_no_error (error);
}

/* Run in a subprocess: the warning is once per process. */
static void
test_tls_insecure_warns_once (void)
{
  DtTestServerOptions opts = { .tls = TRUE };
  g_autoptr(DtTestServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  server = dt_test_server_start (&opts);
  config = dt_redis_config_new_from_url (dt_test_server_get_tls_url (server), &error);
  g_assert_no_error (error);
  dt_redis_config_set_redis_tls_insecure (config, TRUE);

  g_test_expect_message ("DtRedis", G_LOG_LEVEL_WARNING, "*tls-insecure*");
  /* Three pools, three connections, one warning: any second one would be
   * an unexpected, fatal, warning. */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);

      g_assert_true (dt_redis_instance_ping (instance, NULL, &error));
      g_assert_no_error (error);
    }
  g_test_assert_expected_messages ();
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_test_init (&argc, &argv, NULL);

  log_capture = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);

  g_test_add_func ("/security/url-errors", test_url_errors);
  g_test_add_func ("/security/validate-errors", test_validate_errors);
  g_test_add_func ("/security/redacted-url", test_redacted_url);
  g_test_add_func ("/security/endpoint-describe", test_endpoint_describe);
  g_test_add_func ("/security/logs/connection-refused", test_logs_connection_refused);
  g_test_add_func ("/security/logs/wrong-password", test_logs_wrong_password);
  g_test_add_func ("/security/logs/unknown-user", test_logs_unknown_user);
  g_test_add_func ("/security/logs/right-password", test_logs_right_password);
  g_test_add_func ("/security/logs/transport-mismatch", test_logs_transport_mismatch);
  g_test_add_func ("/security/sockets-cloexec", test_sockets_cloexec);
  g_test_add_func ("/security/tls/verified-by-default", test_tls_verified_by_default);
  g_test_add_func ("/security/tls/insecure-warns-once", test_tls_insecure_warns_once);

  return g_test_run ();
}
