/* test-connection-common.c: helpers the two test programs of this area share
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

#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-test-server.h"
#include "dtredis-fake-server.h"
#include "test-connection-common.h"

/* Plain, Unix socket and TLS on one server; passwords on another. */
DtTestServer *server;
DtTestServer *auth_server;

DtRedisConfig *
new_config (const char *host,
            guint       port)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, host);
  dt_redis_config_set_redis_port (config, port);
  dt_redis_config_set_redis_socket_timeout (config, 5.0);
  /* Generous: the first TLS connection loads the system's CA list, which
   * takes seconds under valgrind. Tests of the timeout set their own. */
  dt_redis_config_set_redis_connect_timeout (config, 30.0);
  return config;
}

DtRedisConfig *
server_config (DtTestServer *srv)
{
  return new_config (dt_test_server_get_host (srv), dt_test_server_get_port (srv));
}

DtRedisConfig *
fake_config (DtFakeServer *fake)
{
  return new_config ("127.0.0.1", dt_fake_server_get_port (fake));
}

DtRedisEndpoint *
endpoint_from (DtRedisConfig *config)
{
  g_autoptr(GError) error = NULL;
  DtRedisEndpoint *endpoint = dt_redis_endpoint_new_from_config (config, &error);

  g_assert_no_error (error);
  g_assert_nonnull (endpoint);
  return endpoint;
}

DtRedisConnection *
open_config (DtRedisConfig  *config,
             GError        **error)
{
  g_autoptr(DtRedisEndpoint) endpoint = endpoint_from (config);

  return dt_redis_connection_open (endpoint, NULL, error);
}

DtRedisConnection *
open_ok (DtRedisConfig *config)
{
  g_autoptr(GError) error = NULL;
  DtRedisConnection *conn = open_config (config, &error);

  g_assert_no_error (error);
  g_assert_nonnull (conn);
  return conn;
}

/* Runs one command given as C strings ending with NULL. */
DtRedisReply *
run (DtRedisConnection  *conn,
     GError            **error,
     const char         *first,
     ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  DtRedisReply *reply = NULL;
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  dt_redis_command_append_strv (cmd, (const char * const *) argv->pdata);
  if (!dt_redis_connection_run (conn, cmd, &reply, NULL, error))
    return NULL;
  return reply;
}

void
assert_status (DtRedisReply *reply,
               const char   *status)
{
  g_assert_nonnull (reply);
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, status);
}

void
assert_ping (DtRedisConnection *conn)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = run (conn, &error, "PING", NULL);

  g_assert_no_error (error);
  assert_status (reply, "PONG");
}

/* The CLIENT LIST line of the client named @name, or NULL. */
char *
client_line (DtTestServer *srv,
             const char   *name)
{
  g_autofree char *list = dt_test_server_command (srv, "CLIENT", "LIST", NULL);
  g_autofree char *needle = g_strdup_printf (" name=%s ", name);
  g_auto(GStrv) lines = NULL;

  g_assert_nonnull (list);
  lines = g_strsplit (list, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], needle) != NULL)
      return g_strdup (lines[i]);

  return NULL;
}

gdouble
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
}

/* The two servers both programs test against: a TLS one with a Unix socket
 * (server) and a password and ACL users one (auth_server). Not in the
 * subprocesses, which run tests that need no server. */
void
connection_servers_start (void)
{
  const char * const users[] = {
    "user alice on >" ALICE_PASSWORD " ~* &* +@all -flushall",
    "user bob on >bob-pw ~* +@all -select",
    NULL,
  };
  const char * const debug[] = { "enable-debug-command yes", NULL };
  DtTestServerOptions opts = { .unix_socket = TRUE, .tls = TRUE, .extra_config = debug };
  DtTestServerOptions auth_opts = { .password = PASSWORD, .extra_config = users };

  if (g_test_subprocess ())
    return;
  server = dt_test_server_start (&opts);
  auth_server = dt_test_server_start (&auth_opts);
}

void
connection_servers_stop (void)
{
  g_clear_pointer (&auth_server, dt_test_server_free);
  g_clear_pointer (&server, dt_test_server_free);
}
