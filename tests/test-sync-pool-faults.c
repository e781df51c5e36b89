/* test-sync-pool-faults.c: the blocking pool under faults: restarts,
 * stale connections, no resend, failed connects, fork()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>

#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-sync-pool-private.h"
#include "dtredis-test-server.h"
#include "dtredis-fake-server.h"
#include "test-sync-pool-common.h"

/* -- replacement and retry ------------------------------------------------- */

static void
test_restart (void)
{
  g_autoptr(DtTestServer) own = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = server_config (own, "dt-pool-restart");
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) set = NULL;
  DtRedisPoolStats stats;
  Job *a, *b, *c;

  dt_redis_config_set_redis_max_connections (config, 3);
  pool = pool_new (config);

  /* Three idle connections. */
  a = job_start (pool, "BLPOP", "pool:restart-empty", "0.2", NULL);
  b = job_start (pool, "BLPOP", "pool:restart-empty", "0.2", NULL);
  c = job_start (pool, "BLPOP", "pool:restart-empty", "0.2", NULL);
  job_join (a);
  job_join (b);
  job_join (c);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.idle, ==, 3);

  dt_test_server_restart (own);

  /* Every command works, each dead connection replaced as it comes up. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *value = g_strdup_printf ("%u", i);
      g_autoptr(DtRedisReply) get = NULL;

      g_clear_pointer (&set, dt_redis_reply_unref);
      set = pool_run_ok (pool, "SET", "pool:restart", value, NULL);
      get = pool_run_ok (pool, "GET", "pool:restart", NULL);
      g_assert_cmpstr (dt_redis_reply_get_string (get, NULL), ==, value);
    }

  stats = stats_of (pool);
  g_test_message ("after a restart: %" G_GUINT64_FORMAT " stale closed, %" G_GUINT64_FORMAT " misses",
                  stats.stale_closed, stats.misses);
  g_assert_cmpuint (stats.stale_closed, >=, 1);
  g_assert_cmpuint (stats.total, <=, 3);
  g_assert_cmpuint (stats.timeouts, ==, 0);

  job_free (a);
  job_free (b);
  job_free (c);
}

/* A connection killed by the server while idle for @idle_us, long or
 * short: the liveness check looks at the socket on every lease, so the
 * command goes to a new connection and the dead one is counted. */
static void
check_killed_while_idle (gint64 idle_us)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-stale");
  g_autoptr(DtRedisSyncPool) pool = pool_new (config);
  g_autofree char *id_text = NULL;
  g_autofree char *killed = NULL;
  DtRedisPoolStats stats;
  gint64 id;

  id = pool_client_id (pool);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  killed = dt_test_server_command (server, "CLIENT", "KILL", "ID", id_text, NULL);
  g_assert_cmpstr (killed, ==, ":1\r\n");
  g_usleep (idle_us);

  g_assert_cmpint (pool_client_id (pool), !=, id);
  stats = stats_of (pool);
  g_assert_cmpuint (stats.stale_closed, ==, 1);
  g_assert_cmpuint (stats.misses, ==, 2);
  g_assert_cmpuint (stats.hits, ==, 0);
  g_assert_cmpuint (stats.total, ==, 1);
  assert_clients_soon (server, "dt-pool-stale", 1);
}

static void
test_stale_closed (void)
{
  check_killed_while_idle (1200 * 1000);
  check_killed_while_idle (50 * 1000);
}

/* A server whose first connection answers its first command, then does
 * @action at the second; later connections answer every command. What
 * the stale check cannot see: the connection dies only once it is used. */
typedef enum
{
  FLAKY_CLOSE,
  FLAKY_TRUNCATE,
  FLAKY_SILENT,
} FlakyAction;

typedef struct
{
  GSocket      *listener;
  guint16       port;
  FlakyAction   action;
  GCancellable *cancellable;
  GThread      *thread;
  gint          n_accepted;
} Flaky;

static void
flaky_send (Flaky      *flaky,
            GSocket    *socket,
            const char *text)
{
  g_socket_send (socket, text, strlen (text), flaky->cancellable, NULL);
}

static gpointer
flaky_thread (gpointer data)
{
  Flaky *flaky = data;

  for (guint n = 0; ; n++)
    {
      g_autoptr(GSocket) socket = g_socket_accept (flaky->listener, flaky->cancellable, NULL);

      if (socket == NULL)
        break;
      g_atomic_int_inc (&flaky->n_accepted);

      /* Commands come one per read: the client waits for each reply. */
      for (guint nth = 0; ; nth++)
        {
          char buf[4096];
          gssize got = g_socket_receive (socket, buf, sizeof buf, flaky->cancellable, NULL);

          if (got <= 0)
            break;
          if (n == 0 && nth == 1)
            {
              if (flaky->action == FLAKY_SILENT)
                continue;
              if (flaky->action == FLAKY_TRUNCATE)
                flaky_send (flaky, socket, "$10\r\nab");
              g_socket_close (socket, NULL);
              break;
            }
          flaky_send (flaky, socket, "+PONG\r\n");
        }
    }

  return NULL;
}

static Flaky *
flaky_new (FlakyAction action)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  Flaky *flaky = g_new0 (Flaky, 1);

  flaky->action = action;
  flaky->cancellable = g_cancellable_new ();
  flaky->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_bind (flaky->listener, any, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (flaky->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (flaky->listener, &error);
  g_assert_no_error (error);
  flaky->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  flaky->thread = g_thread_new ("flaky", flaky_thread, flaky);
  return flaky;
}

static void
flaky_free (Flaky *flaky)
{
  g_cancellable_cancel (flaky->cancellable);
  g_thread_join (flaky->thread);
  g_socket_close (flaky->listener, NULL);
  g_object_unref (flaky->listener);
  g_object_unref (flaky->cancellable);
  g_free (flaky);
}

static DtRedisSyncPool *
flaky_pool (Flaky *flaky)
{
  g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", flaky->port);

  dt_redis_config_set_redis_socket_timeout (config, 0.5);
  return pool_new (config);
}

static void
test_no_resend_reused (void)
{
  Flaky *flaky = flaky_new (FLAKY_CLOSE);
  g_autoptr(DtRedisSyncPool) pool = flaky_pool (flaky);
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  DtRedisPoolStats stats;

  assert_ping (pool);
  /* The liveness check passes (nothing happened yet); the server hangs
   * up when the command arrives. It may have run it before it went, so
   * the command fails, saying so, and is not sent again. */
  reply = pool_run (pool, &error, "PING", NULL);
  g_assert_null (reply);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_nonnull (strstr (error->message, "it may have been executed"));
  g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 1);

  /* The next command gets a new connection. */
  assert_ping (pool);
  stats = stats_of (pool);
  g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 2);
  g_assert_cmpuint (stats.misses, ==, 2);
  g_assert_cmpuint (stats.hits, ==, 1);
  g_assert_cmpuint (stats.total, ==, 1);

  g_clear_pointer (&pool, dt_redis_sync_pool_unref);
  flaky_free (flaky);
}

static void
test_no_retry (void)
{
  g_autoptr(GError) error = NULL;

  /* After part of a reply. */
  {
    Flaky *flaky = flaky_new (FLAKY_TRUNCATE);
    g_autoptr(DtRedisSyncPool) pool = flaky_pool (flaky);
    g_autoptr(DtRedisReply) reply = NULL;
    DtRedisPoolStats stats;

    assert_ping (pool);
    reply = pool_run (pool, &error, "PING", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_clear_error (&error);
    g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 1);
    /* The broken connection was closed, not returned. */
    stats = stats_of (pool);
    g_assert_cmpuint (stats.total, ==, 0);
    assert_ping (pool);
    g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 2);

    g_clear_pointer (&pool, dt_redis_sync_pool_unref);
    flaky_free (flaky);
  }

  /* After a timeout. */
  {
    Flaky *flaky = flaky_new (FLAKY_SILENT);
    g_autoptr(DtRedisSyncPool) pool = flaky_pool (flaky);
    g_autoptr(DtRedisReply) reply = NULL;
    gint64 start;

    assert_ping (pool);
    start = g_get_monotonic_time ();
    reply = pool_run (pool, &error, "PING", NULL);
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    g_assert_cmpfloat (seconds_since (start), <, 1.5);
    g_clear_error (&error);
    g_assert_cmpint (g_atomic_int_get (&flaky->n_accepted), ==, 1);
    g_assert_cmpuint (stats_of (pool).total, ==, 0);

    g_clear_pointer (&pool, dt_redis_sync_pool_unref);
    flaky_free (flaky);
  }

  /* On a fresh connection: nothing says the server did not run it. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_DROP, NULL);
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_fake_server_get_port (fake));
    g_autoptr(DtRedisSyncPool) pool = pool_new (config);
    g_autoptr(DtRedisReply) reply = pool_run (pool, &error, "INCR", "x", NULL);

    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_clear_error (&error);
    g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 1);
    g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 1);
    g_assert_cmpuint (stats_of (pool).total, ==, 0);
  }
}

static void
test_failed_connections (void)
{
  g_autoptr(GError) error = NULL;

  /* A protocol error: the connection is closed, the next command opens
   * another. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_GARBAGE, NULL);
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_fake_server_get_port (fake));
    g_autoptr(DtRedisSyncPool) pool = pool_new (config);

    for (guint i = 1; i <= 2; i++)
      {
        g_autoptr(DtRedisReply) reply = pool_run (pool, &error, "PING", NULL);

        g_assert_null (reply);
        g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
        g_clear_error (&error);
        g_assert_cmpuint (stats_of (pool).total, ==, 0);
        g_assert_cmpuint (stats_of (pool).in_use, ==, 0);
        g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, i);
      }
  }

  /* A failed connect gives its slot back: no POOL_TIMEOUT later. */
  {
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", 1);
    g_autoptr(DtRedisSyncPool) pool = NULL;

    dt_redis_config_set_redis_max_connections (config, 1);
    pool = pool_new (config);
    for (guint i = 0; i < 3; i++)
      {
        g_autoptr(DtRedisReply) reply = pool_run (pool, &error, "PING", NULL);

        g_assert_null (reply);
        g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
        g_assert_cmpstr (error->message, ==, "Could not connect to 127.0.0.1:1: Connection refused");
        g_clear_error (&error);
      }
    g_assert_cmpuint (stats_of (pool).total, ==, 0);
    g_assert_cmpuint (stats_of (pool).misses, ==, 3);
  }

  /* A failed connect hands its slot to a waiter, which tries in turn. */
  {
    g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
    g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_fake_server_get_port (fake));
    g_autoptr(DtRedisSyncPool) pool = NULL;
    DtRedisPoolStats stats;
    Job *first, *second;

    /* The handshake is never answered: each open takes socket-timeout. */
    dt_redis_config_set_redis_max_connections (config, 1);
    dt_redis_config_set_redis_client_name (config, "never-answered");
    dt_redis_config_set_redis_socket_timeout (config, 0.6);
    pool = pool_new (config);
    first = job_start (pool, "PING", NULL);
    WAIT_FOR_STATS (pool, stats, stats.in_use == 1);
    /* Its wait must outlast the first open's. */
    g_usleep (100 * 1000);
    second = job_start (pool, "PING", NULL);
    WAIT_FOR_STATS (pool, stats, stats.waits == 1);
    job_join (first);
    job_join (second);
    g_assert_error (first->error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    /* Woken by the failed connect within its own wait, it then tried. */
    g_assert_error (second->error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
    g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 2);
    stats = stats_of (pool);
    g_assert_cmpuint (stats.total, ==, 0);
    g_assert_cmpuint (stats.timeouts, ==, 0);
    job_free (first);
    job_free (second);
  }
}

/* -- fork() ----------------------------------------------------------------- */

/* Forks; the child drops the pool's connections and, when @child_opens,
 * runs CLIENT ID on a connection of its own. */
static void
check_fork (DtRedisSyncPool *pool,
            gboolean         child_opens)
{
  gint64 parent_id = pool_client_id (pool);
  gint64 child_id = 0;
  int fds[2];
  int status = 0;
  pid_t pid;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* The child: no assertions (they would end in the parent's test
       * log), only a report through the pipe. */
      DtRedisPoolStats stats;
      gint64 id = -1;

      close (fds[0]);
      /* The parent's connection is not the child's. */
      dt_redis_sync_pool_get_stats (pool, &stats);
      if (stats.total != 0 || stats.idle != 0)
        id = -2;
      else if (child_opens)
        {
          GError *error = NULL;
          DtRedisReply *reply = pool_run (pool, &error, "CLIENT", "ID", NULL);

          if (reply != NULL && dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_INTEGER)
            id = dt_redis_reply_get_integer (reply);
          g_clear_pointer (&reply, dt_redis_reply_unref);
          g_clear_error (&error);
          dt_redis_sync_pool_get_stats (pool, &stats);
          if (stats.total != 1)
            id = -3;
        }
      else
        {
          dt_redis_sync_pool_close (pool);
          id = 0;
        }
      if (write (fds[1], &id, sizeof id) != sizeof id)
        _exit (2);
      _exit (0);
    }

  close (fds[1]);
  g_assert_cmpint (read (fds[0], &child_id, sizeof child_id), ==, sizeof child_id);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  /* Not its exit code: under valgrind, memory of the parent's threads
   * (which the child does not have) counts as leaked in the child. */
  g_assert_true (WIFEXITED (status));

  g_test_message ("parent connection %" G_GINT64_FORMAT ", child's %" G_GINT64_FORMAT,
                  parent_id, child_id);
  if (child_opens)
    {
      g_assert_cmpint (child_id, >, 0);
      g_assert_cmpint (child_id, !=, parent_id);
    }
  else
    {
      g_assert_cmpint (child_id, ==, 0);
    }

  /* The parent's connection is untouched: same one, still working. */
  g_assert_cmpint (pool_client_id (pool), ==, parent_id);
  g_assert_cmpint (pool_client_id (pool), ==, parent_id);
  g_assert_cmpuint (stats_of (pool).stale_closed, ==, 0);
  g_assert_cmpuint (stats_of (pool).total, ==, 1);
}

static void
test_fork (void)
{
  g_autoptr(DtRedisConfig) config = server_config (server, "dt-pool-fork");
  g_autoptr(DtRedisSyncPool) pool = NULL;

  /* By name: the child resolves it without GLib's thread pool. */
  dt_redis_config_set_redis_host (config, "localhost");
  pool = pool_new (config);
  check_fork (pool, TRUE);
  check_fork (pool, FALSE);
}

static void
test_fork_tls (void)
{
  DtTestServerOptions opts = { .tls = TRUE };
  g_autoptr(DtTestServer) tls_server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = new_config ("127.0.0.1", dt_test_server_get_tls_port (tls_server));
  g_autoptr(DtRedisSyncPool) pool = NULL;

  /* Dropping the parent's TLS connection in the child must not end the
   * parent's session (no close_notify). A new TLS connection in the child
   * is not tried: glib-networking runs handshakes on GLib's thread pool,
   * which a child of a process that just used it cannot use. */
  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_ca_file (tls_server));
  pool = pool_new (config);
  check_fork (pool, FALSE);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

  g_test_add_func ("/sync-pool/restart", test_restart);
  g_test_add_func ("/sync-pool/stale-closed", test_stale_closed);
  g_test_add_func ("/sync-pool/no-resend-reused", test_no_resend_reused);
  g_test_add_func ("/sync-pool/no-retry", test_no_retry);
  g_test_add_func ("/sync-pool/failed-connections", test_failed_connections);
  g_test_add_func ("/sync-pool/fork", test_fork);
  g_test_add_func ("/sync-pool/fork-tls", test_fork_tls);

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
