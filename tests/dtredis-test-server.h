/* dtredis-test-server.h: a private redis-server for one test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
 *   g_autofree char *reply = NULL;
 *
 *   ... point the code under test at dt_test_server_get_url (server) ...
 *   reply = dt_test_server_command (server, "GET", "k", NULL);
 *   g_assert_cmpstr (reply, ==, "$1\r\nv\r\n");
 *
 * Each server has its own tmpdir and free 127.0.0.1 port(s); free() stops
 * it and removes the tmpdir.  A test that aborts still loses its servers:
 * they get SIGKILL when the thread that started them ends (start them from
 * the test's main thread), and a watchdog removes their tmpdirs.
 * A missing or broken redis-server fails the test; it never skips.
 * The binary is -Dredis_server (else redis-server on PATH at configure
 * time), overridden at run time by $DT_TEST_REDIS_SERVER.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * DtTestServerOptions:
 * @unix_socket: also listen on `<tmpdir>/redis.sock` (mode 700)
 * @tls: also listen with TLS on a second port; certificates are generated
 *   with `openssl` into the server's tmpdir
 * @tls_auth_clients: redis' `tls-auth-clients`: "no", "optional" (the
 *   default when %NULL) or "yes"
 * @password: `requirepass`; dt_test_server_command() authenticates with it
 * @extra_config: %NULL-terminated redis.conf lines, e.g.
 *   `"user alice on >pw ~* +@all"`
 * @sentinel: run as a Redis Sentinel (`--sentinel`); @extra_config then
 *   holds the `sentinel monitor ...` lines
 *
 * Zero-initialise it (`DtTestServerOptions opts = { .tls = TRUE };`);
 * fields may be added at the end.
 */
typedef struct
{
  gboolean            unix_socket;
  gboolean            tls;
  const char         *tls_auth_clients;
  const char         *password;
  const char * const *extra_config;
  gboolean            sentinel;
} DtTestServerOptions;

typedef struct _DtTestServer DtTestServer;

DtTestServer *dt_test_server_start           (const DtTestServerOptions *opts);
DtTestServer *dt_test_server_start_full      (const DtTestServerOptions *opts,
                                              GError                   **error);
void          dt_test_server_free            (DtTestServer *server);

guint16       dt_test_server_get_port        (DtTestServer *server);
const char   *dt_test_server_get_host        (DtTestServer *server);
const char   *dt_test_server_get_url         (DtTestServer *server);
const char   *dt_test_server_get_unix_path   (DtTestServer *server);
guint16       dt_test_server_get_tls_port    (DtTestServer *server);
const char   *dt_test_server_get_tls_url     (DtTestServer *server);
const char   *dt_test_server_get_tmpdir      (DtTestServer *server);
GPid          dt_test_server_get_pid         (DtTestServer *server);
gboolean      dt_test_server_is_running      (DtTestServer *server);

const char   *dt_test_server_get_ca_file          (DtTestServer *server);
const char   *dt_test_server_get_other_ca_file    (DtTestServer *server);
const char   *dt_test_server_get_server_cert_file (DtTestServer *server);
const char   *dt_test_server_get_server_key_file  (DtTestServer *server);
const char   *dt_test_server_get_client_cert_file (DtTestServer *server);
const char   *dt_test_server_get_client_key_file  (DtTestServer *server);

void          dt_test_server_stop            (DtTestServer *server);
void          dt_test_server_kill            (DtTestServer *server);
void          dt_test_server_restart         (DtTestServer *server);

char         *dt_test_server_command         (DtTestServer *server,
                                              const char   *first_arg,
                                              ...) G_GNUC_NULL_TERMINATED;
char         *dt_test_server_commandv        (DtTestServer       *server,
                                              const char * const *argv);
/* dt_test_server_command() for a helper that takes its own NULL-terminated
 * arguments. */
char         *dt_test_server_command_valist  (DtTestServer *server,
                                              const char   *first_arg,
                                              va_list       args);

const char   *dt_test_server_get_redis_server_path (void);
/* How much slower than normal this run is allowed to be: 1 normally, more
 * under valgrind or a sanitizer (DT_TEST_TIME_SCALE). Scale upper bounds on
 * elapsed time with it; lower bounds need no scaling. */
gdouble       dt_test_time_scale             (void);
/* How many of the server's clients CLIENT LIST shows named @name. */
guint         dt_test_server_count_clients   (DtTestServer *server,
                                              const char   *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtTestServer, dt_test_server_free)

G_END_DECLS
