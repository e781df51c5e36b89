/* dtredis-test-server.c: a private redis-server for one test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each server gets its own tmpdir (config, log, Unix socket, certificates)
 * and free loopback ports.  Nothing may outlive the test process, even one
 * that dies in g_assert(): redis-server is spawned with PR_SET_PDEATHSIG, and
 * a watchdog shell in its own session removes the tmpdir once the pipe from
 * the test process reaches EOF, which happens however that process ends.
 */

#include "config.h"

#include "dtredis-test-server.h"
#include "dtredis-test-raw-conn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <glib-unix.h>

#ifndef DT_TEST_REDIS_SERVER
# define DT_TEST_REDIS_SERVER "redis-server"
#endif
#ifndef DT_TEST_OPENSSL
# define DT_TEST_OPENSSL "openssl"
#endif

#define START_TIMEOUT_USEC  (20 * G_USEC_PER_SEC)
#define STOP_TIMEOUT_USEC   (5 * G_USEC_PER_SEC)
#define IO_TIMEOUT_SECONDS  10
#define MAX_PORT_ATTEMPTS   8

struct _DtTestServer
{
  char     *tmpdir;
  char     *conf_path;
  char     *log_path;
  char     *unix_path;
  char     *url;
  char     *tls_url;
  char     *password;
  char     *tls_auth_clients;
  char    **extra_config;
  gboolean  tls;
  gboolean  sentinel;

  char     *ca_file;
  char     *ca_key_file;
  char     *other_ca_file;
  char     *server_cert_file;
  char     *server_key_file;
  char     *client_cert_file;
  char     *client_key_file;

  guint16   port;
  guint16   tls_port;

  GPid      pid;           /* 0 while not running */
  GPid      watchdog_pid;
  int       watchdog_fd;   /* write end; its EOF tells the watchdog to clean up */
};

guint
dt_test_server_count_clients (DtTestServer *server,
                              const char   *name)
{
  g_autofree char *list = dt_test_server_command (server, "CLIENT", "LIST", NULL);
  g_autofree char *needle = g_strdup_printf (" name=%s ", name);
  guint count = 0;

  g_assert_nonnull (list);
  g_assert_true (g_str_has_prefix (list, "$"));
  for (const char *p = strstr (list, needle); p != NULL; p = strstr (p + 1, needle))
    count++;

  return count;
}

gdouble
dt_test_time_scale (void)
{
  const char *env = g_getenv ("DT_TEST_TIME_SCALE");
  gdouble scale = env != NULL ? g_ascii_strtod (env, NULL) : 1.0;

  return scale >= 1.0 ? scale : 1.0;
}

const char *
dt_test_server_get_redis_server_path (void)
{
  const char *env = g_getenv ("DT_TEST_REDIS_SERVER");

  if (env != NULL && *env != '\0')
    return env;
  return DT_TEST_REDIS_SERVER;
}

static const char *
openssl_path (void)
{
  const char *env = g_getenv ("DT_TEST_OPENSSL");

  if (env != NULL && *env != '\0')
    return env;
  return DT_TEST_OPENSSL;
}

/* Child setup: runs between fork() and exec(), so only async-signal-safe
 * calls.  The server dies with the thread that spawned it. */
static void
server_child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (getppid () != parent)
    _exit (127);
}

/* The watchdog must survive a killpg() of the test (meson's timeout), so it
 * gets a session of its own. */
static void
watchdog_child_setup (gpointer user_data)
{
  setsid ();
}

static gboolean
remove_tree (const char *path)
{
  GDir *dir;
  const char *name;
  gboolean ok = TRUE;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return g_remove (path) == 0 || errno == ENOENT;

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!remove_tree (child))
            ok = FALSE;
        }
      g_dir_close (dir);
    }

  return (g_rmdir (path) == 0 || errno == ENOENT) && ok;
}

static gboolean
start_watchdog (DtTestServer  *self,
                GError       **error)
{
  int fds[2];
  const char *argv[] = {
    "/bin/sh", "-c", "while read -r _; do :; done; rm -rf -- \"$1\"",
    "dtredis-test-watchdog", self->tmpdir, NULL
  };
  gboolean ok;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return FALSE;

  ok = g_spawn_async_with_pipes_and_fds (NULL, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD
                                         | G_SPAWN_STDOUT_TO_DEV_NULL
                                         | G_SPAWN_STDERR_TO_DEV_NULL,
                                         watchdog_child_setup, NULL,
                                         fds[0], -1, -1,
                                         NULL, NULL, 0,
                                         &self->watchdog_pid,
                                         NULL, NULL, NULL, error);
  close (fds[0]);
  if (!ok)
    {
      close (fds[1]);
      return FALSE;
    }

  self->watchdog_fd = fds[1];
  return TRUE;
}

static void
stop_watchdog (DtTestServer *self)
{
  if (self->watchdog_fd >= 0)
    {
      close (self->watchdog_fd);
      self->watchdog_fd = -1;
    }
  if (self->watchdog_pid > 0)
    {
      while (waitpid (self->watchdog_pid, NULL, 0) < 0 && errno == EINTR)
        ;
      self->watchdog_pid = 0;
    }
}

/* Binds @n_ports sockets to 127.0.0.1:0 at the same time, so the ports
 * differ, and releases them.  Someone else may take one before redis-server
 * binds it: the caller retries. */
static gboolean
pick_free_ports (guint16  *ports,
                 guint     n_ports,
                 GError  **error)
{
  GSocket *sockets[2] = { NULL, NULL };
  gboolean ok = TRUE;
  guint i;

  g_assert (n_ports <= G_N_ELEMENTS (sockets));

  for (i = 0; i < n_ports && ok; i++)
    {
      g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
      g_autoptr(GSocketAddress) bound = NULL;

      sockets[i] = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, error);
      ok = sockets[i] != NULL
        && g_socket_bind (sockets[i], any_port, FALSE, error)
        && (bound = g_socket_get_local_address (sockets[i], error)) != NULL;
      if (ok)
        ports[i] = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    }

  for (i = 0; i < n_ports; i++)
    g_clear_object (&sockets[i]);

  return ok;
}

static void
append_quoted (GString    *out,
               const char *value)
{
  const char *p;

  g_string_append_c (out, '"');
  for (p = value; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_setting (GString    *out,
                const char *name,
                const char *value)
{
  g_string_append_printf (out, "%s ", name);
  append_quoted (out, value);
  g_string_append_c (out, '\n');
}

static gboolean
write_config (DtTestServer  *self,
              GError       **error)
{
  g_autoptr(GString) conf = g_string_new ("# written by dtredis-test-server.c\n");
  guint i;

  g_string_append (conf, "bind 127.0.0.1\n");
  g_string_append_printf (conf, "port %u\n", self->port);
  g_string_append (conf, "daemonize no\n");
  g_string_append (conf, "save \"\"\n");
  g_string_append (conf, "appendonly no\n");
  g_string_append (conf, "logfile \"\"\n");
  append_setting (conf, "dir", self->tmpdir);

  if (self->unix_path != NULL)
    {
      append_setting (conf, "unixsocket", self->unix_path);
      g_string_append (conf, "unixsocketperm 700\n");
    }

  if (self->tls)
    {
      g_string_append_printf (conf, "tls-port %u\n", self->tls_port);
      append_setting (conf, "tls-cert-file", self->server_cert_file);
      append_setting (conf, "tls-key-file", self->server_key_file);
      append_setting (conf, "tls-ca-cert-file", self->ca_file);
      append_setting (conf, "tls-auth-clients", self->tls_auth_clients);
    }

  if (self->password != NULL)
    append_setting (conf, "requirepass", self->password);

  for (i = 0; self->extra_config != NULL && self->extra_config[i] != NULL; i++)
    g_string_append_printf (conf, "%s\n", self->extra_config[i]);

  return g_file_set_contents (self->conf_path, conf->str, conf->len, error);
}

static gboolean
run_openssl (DtTestServer  *self,
             GError       **error,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err_out = NULL;
  const char *arg;
  int status;
  va_list ap;

  g_ptr_array_add (argv, (char *) openssl_path ());
  va_start (ap, error);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (self->tmpdir, (char **) argv->pdata, NULL,
                     G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err_out, &status, error))
    return FALSE;

  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "openssl %s: %s: ", (char *) argv->pdata[1],
                      err_out != NULL ? err_out : "");
      return FALSE;
    }

  return TRUE;
}

static const char openssl_cnf[] =
  "[req]\n"
  "distinguished_name = dn\n"
  "prompt = no\n"
  "[dn]\n"
  "CN = dtredis test\n"
  "[ca_ext]\n"
  "basicConstraints = critical, CA:TRUE\n"
  "keyUsage = critical, keyCertSign, cRLSign\n"
  "subjectKeyIdentifier = hash\n"
  "[server_ext]\n"
  "basicConstraints = critical, CA:FALSE\n"
  "keyUsage = critical, digitalSignature, keyEncipherment\n"
  "extendedKeyUsage = serverAuth\n"
  "subjectAltName = IP:127.0.0.1, DNS:localhost\n"
  "[client_ext]\n"
  "basicConstraints = critical, CA:FALSE\n"
  "keyUsage = critical, digitalSignature, keyEncipherment\n"
  "extendedKeyUsage = clientAuth\n";

#define EC_KEY_ARGS "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"

static gboolean
make_ca (DtTestServer  *self,
         const char    *cert,
         const char    *key,
         const char    *subject,
         GError       **error)
{
  return run_openssl (self, error,
                      "req", "-x509", "-config", "openssl.cnf", "-extensions", "ca_ext",
                      EC_KEY_ARGS, "-keyout", key, "-out", cert,
                      "-days", "3", "-subj", subject, NULL);
}

static gboolean
make_leaf (DtTestServer  *self,
           const char    *cert,
           const char    *key,
           const char    *subject,
           const char    *extensions,
           const char    *serial,
           GError       **error)
{
  g_autofree char *csr = g_strconcat (cert, ".csr", NULL);

  return run_openssl (self, error,
                      "req", "-new", "-config", "openssl.cnf",
                      EC_KEY_ARGS, "-keyout", key, "-out", csr,
                      "-subj", subject, NULL)
    && run_openssl (self, error,
                    "x509", "-req", "-in", csr,
                    "-CA", self->ca_file, "-CAkey", self->ca_key_file,
                    "-set_serial", serial, "-days", "3",
                    "-extfile", "openssl.cnf", "-extensions", extensions,
                    "-out", cert, NULL);
}

static gboolean
generate_certificates (DtTestServer  *self,
                       GError       **error)
{
  g_autofree char *cnf = g_build_filename (self->tmpdir, "openssl.cnf", NULL);
  g_autofree char *other_key = g_build_filename (self->tmpdir, "other-ca.key", NULL);

  self->ca_file = g_build_filename (self->tmpdir, "ca.pem", NULL);
  self->ca_key_file = g_build_filename (self->tmpdir, "ca.key", NULL);
  self->other_ca_file = g_build_filename (self->tmpdir, "other-ca.pem", NULL);
  self->server_cert_file = g_build_filename (self->tmpdir, "server.pem", NULL);
  self->server_key_file = g_build_filename (self->tmpdir, "server.key", NULL);
  self->client_cert_file = g_build_filename (self->tmpdir, "client.pem", NULL);
  self->client_key_file = g_build_filename (self->tmpdir, "client.key", NULL);

  return g_file_set_contents (cnf, openssl_cnf, -1, error)
    && make_ca (self, self->ca_file, self->ca_key_file, "/CN=dtredis test CA", error)
    && make_ca (self, self->other_ca_file, other_key, "/CN=dtredis unrelated CA", error)
    && make_leaf (self, self->server_cert_file, self->server_key_file,
                  "/CN=localhost", "server_ext", "2", error)
    && make_leaf (self, self->client_cert_file, self->client_key_file,
                  "/CN=dtredis test client", "client_ext", "3", error);
}

static gboolean
ping_once (guint16 port)
{
  const char * const ping[] = { "PING", NULL };
  RawConn conn = { NULL, };
  g_autofree char *reply = NULL;

  if (dt_test_raw_conn_open (&conn, port, 1, NULL))
    reply = dt_test_raw_conn_roundtrip (&conn, ping, NULL);
  dt_test_raw_conn_close (&conn);

  return reply != NULL
    && (g_str_has_prefix (reply, "+PONG") || g_str_has_prefix (reply, "-NOAUTH")
        || g_str_has_prefix (reply, "-LOADING"));
}

/* The log of the latest start: what was written past @offset. */
static char *
read_log (DtTestServer *self,
          gsize         offset)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (self->log_path, &contents, &len, NULL))
    return g_strdup ("(no log)");
  return g_strdup (contents + MIN (offset, len));
}

static gsize
log_size (DtTestServer *self)
{
  GStatBuf st;

  return g_stat (self->log_path, &st) == 0 ? (gsize) st.st_size : 0;
}

static gboolean
reap (GPid  pid,
      int  *status,
      int   options)
{
  pid_t r;

  do
    r = waitpid (pid, status, options);
  while (r < 0 && errno == EINTR);

  return r == pid || (r < 0 && errno == ECHILD);
}

typedef enum {
  SPAWN_OK,
  SPAWN_PORT_BUSY,
  SPAWN_FAILED,
} SpawnResult;

static SpawnResult
spawn_and_wait (DtTestServer  *self,
                GError       **error)
{
  const char *argv[] = { dt_test_server_get_redis_server_path (), self->conf_path,
                         self->sentinel ? "--sentinel" : NULL, NULL };
  gsize log_start = log_size (self);
  gint64 deadline;
  int log_fd;
  gboolean ok;

  if (!write_config (self, error))
    return SPAWN_FAILED;

  log_fd = g_open (self->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "cannot open %s: %s", self->log_path, g_strerror (errno));
      return SPAWN_FAILED;
    }

  ok = g_spawn_async_with_pipes_and_fds (self->tmpdir, argv, NULL,
                                         G_SPAWN_DO_NOT_REAP_CHILD
                                         | G_SPAWN_SEARCH_PATH
                                         | G_SPAWN_STDIN_FROM_DEV_NULL,
                                         server_child_setup,
                                         GINT_TO_POINTER (getpid ()),
                                         -1, log_fd, log_fd,
                                         NULL, NULL, 0,
                                         &self->pid, NULL, NULL, NULL, error);
  close (log_fd);
  if (!ok)
    {
      g_prefix_error (error, "cannot run %s (set -Dredis_server or DT_TEST_REDIS_SERVER): ",
                      argv[0]);
      self->pid = 0;
      return SPAWN_FAILED;
    }

  deadline = g_get_monotonic_time () + START_TIMEOUT_USEC;
  while (g_get_monotonic_time () < deadline)
    {
      int status;

      if (ping_once (self->port))
        return SPAWN_OK;

      if (reap (self->pid, &status, WNOHANG))
        {
          g_autofree char *log = read_log (self, log_start);

          self->pid = 0;
          if (strstr (log, "Address already in use") != NULL)
            return SPAWN_PORT_BUSY;
          g_set_error (error, G_SPAWN_EXIT_ERROR, 1,
                       "redis-server exited during startup; its log:\n%s", log);
          return SPAWN_FAILED;
        }

      g_usleep (20 * 1000);
    }

  {
    g_autofree char *log = read_log (self, log_start);

    dt_test_server_kill (self);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                 "redis-server did not answer PING on port %u; its log:\n%s",
                 self->port, log);
  }
  return SPAWN_FAILED;
}

static void
update_urls (DtTestServer *self)
{
  g_free (self->url);
  self->url = g_strdup_printf ("redis://127.0.0.1:%u/0", self->port);
  g_clear_pointer (&self->tls_url, g_free);
  if (self->tls)
    self->tls_url = g_strdup_printf ("rediss://127.0.0.1:%u/0", self->tls_port);
}

/**
 * dt_test_server_start_full:
 * @opts: (nullable): options, or %NULL for a plain TCP server
 * @error: return location for an error
 *
 * Starts a private redis-server on free 127.0.0.1 ports and waits until it
 * answers PING.  Spawn it from the thread that runs the test: the server
 * gets SIGKILL when that thread ends.
 *
 * Returns: (transfer full) (nullable): the running server
 */
DtTestServer *
dt_test_server_start_full (const DtTestServerOptions  *opts,
                           GError                    **error)
{
  static const DtTestServerOptions defaults = { 0, };
  g_autoptr(DtTestServer) self = g_new0 (DtTestServer, 1);
  guint attempt;

  if (opts == NULL)
    opts = &defaults;

  self->watchdog_fd = -1;
  self->tls = opts->tls;
  self->sentinel = opts->sentinel;
  self->password = g_strdup (opts->password);
  self->tls_auth_clients = g_strdup (opts->tls_auth_clients != NULL
                                     ? opts->tls_auth_clients : "optional");
  self->extra_config = g_strdupv ((char **) opts->extra_config);

  self->tmpdir = g_dir_make_tmp ("dtredis-test-XXXXXX", error);
  if (self->tmpdir == NULL)
    return NULL;
  if (!start_watchdog (self, error))
    return NULL;

  self->conf_path = g_build_filename (self->tmpdir, "redis.conf", NULL);
  self->log_path = g_build_filename (self->tmpdir, "redis.log", NULL);
  if (opts->unix_socket)
    {
      self->unix_path = g_build_filename (self->tmpdir, "redis.sock", NULL);
      /* sun_path holds 108 bytes */
      if (strlen (self->unix_path) >= 100)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                       "Unix socket path too long (set a shorter TMPDIR): %s",
                       self->unix_path);
          return NULL;
        }
    }

  if (self->tls && !generate_certificates (self, error))
    return NULL;

  for (attempt = 0; attempt < MAX_PORT_ATTEMPTS; attempt++)
    {
      guint16 ports[2] = { 0, 0 };

      if (!pick_free_ports (ports, self->tls ? 2 : 1, error))
        return NULL;
      self->port = ports[0];
      self->tls_port = ports[1];
      update_urls (self);

      switch (spawn_and_wait (self, error))
        {
        case SPAWN_OK:
          return g_steal_pointer (&self);
        case SPAWN_FAILED:
          return NULL;
        case SPAWN_PORT_BUSY:
        default:
          break;
        }
    }

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
               "no free port for redis-server after %u attempts", MAX_PORT_ATTEMPTS);
  return NULL;
}

/**
 * dt_test_server_start:
 * @opts: (nullable): options, or %NULL for a plain TCP server
 *
 * Like dt_test_server_start_full(), but a failure fails the test: tests that
 * need a server never skip.
 *
 * Returns: (transfer full): the running server
 */
DtTestServer *
dt_test_server_start (const DtTestServerOptions *opts)
{
  g_autoptr(GError) error = NULL;
  DtTestServer *self = dt_test_server_start_full (opts, &error);

  g_assert_no_error (error);
  g_assert_nonnull (self);
  return self;
}

/**
 * dt_test_server_stop:
 *
 * Stops the server (SIGTERM, SIGKILL after 5 s) and waits for it.  The
 * tmpdir stays, so dt_test_server_restart() can follow.  Idempotent.
 */
void
dt_test_server_stop (DtTestServer *self)
{
  gint64 deadline;

  g_return_if_fail (self != NULL);

  if (self->pid == 0)
    return;

  kill (self->pid, SIGTERM);
  deadline = g_get_monotonic_time () + STOP_TIMEOUT_USEC;
  while (g_get_monotonic_time () < deadline)
    {
      if (reap (self->pid, NULL, WNOHANG))
        {
          self->pid = 0;
          return;
        }
      g_usleep (10 * 1000);
    }

  dt_test_server_kill (self);
}

/**
 * dt_test_server_kill:
 *
 * Kills the server with SIGKILL, as a crash would.  Idempotent.
 */
void
dt_test_server_kill (DtTestServer *self)
{
  g_return_if_fail (self != NULL);

  if (self->pid == 0)
    return;

  kill (self->pid, SIGKILL);
  reap (self->pid, NULL, 0);
  self->pid = 0;
}

/**
 * dt_test_server_restart:
 *
 * Stops the server if it runs and starts a fresh one on the same ports,
 * Unix socket and certificates.  Data is not kept (no persistence), unless
 * the test ran SAVE: then the new server loads that dump.rdb, and this
 * returns as soon as it answers, -LOADING included.
 */
void
dt_test_server_restart (DtTestServer *self)
{
  g_autoptr(GError) error = NULL;
  SpawnResult result = SPAWN_PORT_BUSY;
  guint attempt;

  g_return_if_fail (self != NULL);

  dt_test_server_stop (self);

  /* The old process released the ports; a busy port here is a stray
   * connection attempt racing us, so retry a few times. */
  for (attempt = 0; attempt < 50 && result == SPAWN_PORT_BUSY; attempt++)
    {
      if (attempt > 0)
        g_usleep (100 * 1000);
      result = spawn_and_wait (self, &error);
    }

  if (result == SPAWN_PORT_BUSY)
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                 "port %u stayed busy: cannot restart redis-server", self->port);
  g_assert_no_error (error);
}

/**
 * dt_test_server_free:
 *
 * Stops the server and removes its tmpdir.
 */
void
dt_test_server_free (DtTestServer *self)
{
  if (self == NULL)
    return;

  dt_test_server_stop (self);
  if (self->tmpdir != NULL)
    remove_tree (self->tmpdir);
  stop_watchdog (self);

  g_free (self->tmpdir);
  g_free (self->conf_path);
  g_free (self->log_path);
  g_free (self->unix_path);
  g_free (self->url);
  g_free (self->tls_url);
  g_free (self->password);
  g_free (self->tls_auth_clients);
  g_strfreev (self->extra_config);
  g_free (self->ca_file);
  g_free (self->ca_key_file);
  g_free (self->other_ca_file);
  g_free (self->server_cert_file);
  g_free (self->server_key_file);
  g_free (self->client_cert_file);
  g_free (self->client_key_file);
  g_free (self);
}

guint16
dt_test_server_get_port (DtTestServer *self)
{
  return self->port;
}

const char *
dt_test_server_get_host (DtTestServer *self)
{
  return "127.0.0.1";
}

/* "redis://127.0.0.1:PORT/0" */
const char *
dt_test_server_get_url (DtTestServer *self)
{
  return self->url;
}

/* NULL unless the server was started with .unix_socket. */
const char *
dt_test_server_get_unix_path (DtTestServer *self)
{
  return self->unix_path;
}

/* 0 unless the server was started with .tls. */
guint16
dt_test_server_get_tls_port (DtTestServer *self)
{
  return self->tls_port;
}

/* "rediss://127.0.0.1:TLS_PORT/0", or NULL without .tls. */
const char *
dt_test_server_get_tls_url (DtTestServer *self)
{
  return self->tls_url;
}

const char *
dt_test_server_get_tmpdir (DtTestServer *self)
{
  return self->tmpdir;
}

/* 0 while not running. */
GPid
dt_test_server_get_pid (DtTestServer *self)
{
  return self->pid;
}

gboolean
dt_test_server_is_running (DtTestServer *self)
{
  if (self->pid != 0 && reap (self->pid, NULL, WNOHANG))
    self->pid = 0;
  return self->pid != 0;
}

/* The CA that signed the server and client certificates. */
const char *
dt_test_server_get_ca_file (DtTestServer *self)
{
  return self->ca_file;
}

/* A CA that signed nothing here, for "wrong CA" tests. */
const char *
dt_test_server_get_other_ca_file (DtTestServer *self)
{
  return self->other_ca_file;
}

/* Valid for 127.0.0.1 and "localhost". */
const char *
dt_test_server_get_server_cert_file (DtTestServer *self)
{
  return self->server_cert_file;
}

const char *
dt_test_server_get_server_key_file (DtTestServer *self)
{
  return self->server_key_file;
}

const char *
dt_test_server_get_client_cert_file (DtTestServer *self)
{
  return self->client_cert_file;
}

const char *
dt_test_server_get_client_key_file (DtTestServer *self)
{
  return self->client_key_file;
}

/**
 * dt_test_server_commandv:
 * @argv: the command and its arguments, %NULL-terminated
 *
 * Sends one command over a fresh plain TCP connection (authenticating with
 * the server's password first, if it has one) and returns the reply as the
 * raw RESP bytes, e.g. `"+OK\r\n"`, `"$1\r\nv\r\n"` or `"$-1\r\n"`.
 *
 * Returns: (transfer full) (nullable): the reply, or %NULL when the server
 *   cannot be reached (the reason goes to g_test_message())
 */
char *
dt_test_server_commandv (DtTestServer       *self,
                         const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  RawConn conn = { NULL, };
  char *reply = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  if (dt_test_raw_conn_open (&conn, self->port, IO_TIMEOUT_SECONDS, &error))
    {
      if (self->password != NULL)
        {
          const char * const auth[] = { "AUTH", self->password, NULL };
          g_autofree char *auth_reply = dt_test_raw_conn_roundtrip (&conn, auth, &error);

          if (auth_reply != NULL && !g_str_has_prefix (auth_reply, "+OK"))
            reply = g_steal_pointer (&auth_reply);
        }
      if (error == NULL && reply == NULL)
        reply = dt_test_raw_conn_roundtrip (&conn, argv, &error);
    }
  dt_test_raw_conn_close (&conn);

  if (error != NULL)
    g_test_message ("dt_test_server_command %s on port %u: %s",
                    argv[0], self->port, error->message);
  return reply;
}

/**
 * dt_test_server_command:
 * @first_arg: the command name
 * @...: its arguments, then %NULL
 *
 * Varargs form of dt_test_server_commandv().
 *
 * Returns: (transfer full) (nullable): the raw RESP reply
 */
char *
dt_test_server_command_valist (DtTestServer *self,
                               const char   *first_arg,
                               va_list       args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;

  g_ptr_array_add (argv, (char *) first_arg);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  g_ptr_array_add (argv, NULL);

  return dt_test_server_commandv (self, (const char * const *) argv->pdata);
}

char *
dt_test_server_command (DtTestServer *self,
                        const char   *first_arg,
                        ...)
{
  char *reply;
  va_list ap;

  va_start (ap, first_arg);
  reply = dt_test_server_command_valist (self, first_arg, ap);
  va_end (ap);
  return reply;
}
