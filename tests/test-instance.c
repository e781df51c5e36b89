/* test-instance.c: DtRedisInstance: the config snapshot, laziness, the
 * health check, pool resets and stats
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

#define CLIENT_NAME "dtredis-test-instance"

static DtRedisConfig *
config_for (DtTestServer *server)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, "127.0.0.1");
  dt_redis_config_set_redis_port (config, dt_test_server_get_port (server));
  dt_redis_config_set_redis_client_name (config, CLIENT_NAME);
  dt_redis_config_set_redis_socket_timeout (config, 2.0);

  return config;
}

static void
test_instance_url (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autofree char *url = NULL;

  /* The seed's constructor example. */
  dt_redis_config_set_redis_port (dt_redis_config_set_redis_host (config, "localhost"), 6379);
  dt_redis_config_set_redis_password (dt_redis_config_set_redis_db (config, "0"), "secret");
  dt_redis_config_set_redis_max_connections (config, 20);
  instance = dt_redis_instance_new (config);

  g_assert_cmpstr (dt_redis_instance_get_redis_url (instance), ==, "redis://:secret@localhost:6379/0");
  g_object_get (instance, "redis-url", &url, NULL);
  g_assert_cmpstr (url, ==, "redis://:secret@localhost:6379/0");
}

static void
test_instance_snapshot (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisConfig) from_property = NULL;
  DtRedisConfig *snapshot;

  dt_redis_config_set_redis_host (config, "cache.example.org");
  dt_redis_config_set_redis_max_connections (config, 7);
  instance = dt_redis_instance_new (config);

  /* Changing the caller's config afterwards moves nothing. */
  dt_redis_config_set_redis_host (config, "other.example.org");
  dt_redis_config_set_redis_password (config, "changed");
  dt_redis_config_set_redis_max_connections (config, 99);

  g_assert_cmpstr (dt_redis_instance_get_redis_url (instance), ==, "redis://cache.example.org:6379/0");
  snapshot = dt_redis_instance_get_config (instance);
  g_assert_true (snapshot != config);
  g_assert_cmpstr (dt_redis_config_get_redis_host (snapshot), ==, "cache.example.org");
  g_assert_null (dt_redis_config_get_redis_password (snapshot));
  g_assert_cmpuint (dt_redis_config_get_redis_max_connections (snapshot), ==, 7);

  g_object_get (instance, "config", &from_property, NULL);
  g_assert_true (from_property == snapshot);
}

static void
test_instance_no_io_until_used (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = config_for (server);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(DtRedisPoolStats) sync_stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_autoptr(DtRedisPoolStats) async_stats = dt_redis_instance_get_async_pool_stats (instance);
  g_autoptr(DtRedisPoolStats) after = NULL;
  g_autoptr(GError) error = NULL;

  /* Instance and clients made: still not one connection. */
  g_assert_cmpuint (dt_test_server_count_clients (server, CLIENT_NAME), ==, 0);
  g_assert_cmpuint (sync_stats->total, ==, 0);
  g_assert_cmpuint (async_stats->total, ==, 0);

  g_assert_true (dt_redis_instance_ping (instance, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (dt_test_server_count_clients (server, CLIENT_NAME), ==, 1);
  after = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (after->total, ==, 1);
  g_assert_cmpuint (after->idle, ==, 1);
  g_assert_cmpuint (after->misses, ==, 1);
}

static void
test_instance_bad_config_fails_on_use (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_port (config, 70000);
  dt_redis_config_set_redis_password (config, "S3cretPw");
  /* Never fails here... */
  instance = dt_redis_instance_new (config);
  g_assert_nonnull (instance);

  /* ...but the first command says what is wrong. */
  g_assert_false (dt_redis_instance_ping (instance, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "70000"));
  g_assert_null (strstr (error->message, "S3cretPw"));
}

static void
test_instance_ping_refused (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint16 port;
  gint64 start;

  /* A port that was free a moment ago, with nothing listening. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  dt_redis_config_set_redis_host (config, "127.0.0.1");
  dt_redis_config_set_redis_port (config, port);
  instance = dt_redis_instance_new (config);

  start = g_get_monotonic_time ();
  g_assert_false (dt_redis_instance_ping (instance, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2 * G_USEC_PER_SEC);
}

static void
reset_async_done_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, &error));
  g_assert_no_error (error);
  *done = TRUE;
}

static void
ping_async_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GError **error = user_data;

  if (!dt_redis_instance_ping_finish (DT_REDIS_INSTANCE (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NONE, "pong");
}

static void
run_ping_async (DtRedisInstance  *instance,
                GError          **error)
{
  g_assert_null (*error);
  dt_redis_instance_ping_async (instance, NULL, ping_async_done_cb, error);
  while (*error == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
}

static void
test_instance_reset_pools (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = config_for (server);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;

  g_assert_true (dt_redis_instance_ping (instance, NULL, &error));
  run_ping_async (instance, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);
  g_clear_error (&error);
  g_assert_cmpuint (dt_test_server_count_clients (server, CLIENT_NAME), ==, 2);

  stats = dt_redis_instance_get_async_pool_stats (instance);
  g_assert_cmpuint (stats->total, ==, 1);
  g_clear_pointer (&stats, dt_redis_pool_stats_free);

  dt_redis_instance_reset_sync_pool (instance);
  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (stats->total, ==, 0);
  g_clear_pointer (&stats, dt_redis_pool_stats_free);

  dt_redis_instance_reset_async_pool_async (instance, NULL, reset_async_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  stats = dt_redis_instance_get_async_pool_stats (instance);
  g_assert_cmpuint (stats->total, ==, 0);
  g_clear_pointer (&stats, dt_redis_pool_stats_free);

  /* The server sees both closed (it notices a moment later). */
  for (guint i = 0; i < 100 && dt_test_server_count_clients (server, CLIENT_NAME) > 0; i++)
    g_usleep (20000);
  g_assert_cmpuint (dt_test_server_count_clients (server, CLIENT_NAME), ==, 0);

  /* Each next command builds a new pool. */
  g_assert_true (dt_redis_instance_ping (instance, NULL, &error));
  run_ping_async (instance, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);
  g_assert_cmpuint (dt_test_server_count_clients (server, CLIENT_NAME), ==, 2);
}

static void
test_instance_reset_without_pools (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  gboolean done = FALSE;

  /* Nothing was ever opened: both resets are no-ops that still complete. */
  dt_redis_instance_reset_sync_pool (instance);
  dt_redis_instance_reset_async_pool_async (instance, NULL, reset_async_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

typedef struct
{
  DtRedisInstance *instance;
  GMainContext    *context;
  GMainLoop       *loop;
  GMutex           mutex;
  GCond            cond;
  gboolean         ready;
} PoolThread;

/* Creates the async pool on a context of its own and keeps iterating it,
 * the way a worker thread (the Python layer's, say) does. */
static gpointer
pool_thread_main (gpointer data)
{
  PoolThread *pt = data;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (pt->context);
  run_ping_async (pt->instance, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NONE);

  g_mutex_lock (&pt->mutex);
  pt->ready = TRUE;
  g_cond_signal (&pt->cond);
  g_mutex_unlock (&pt->mutex);

  g_main_loop_run (pt->loop);
  g_main_context_pop_thread_default (pt->context);

  return NULL;
}

static void
test_instance_async_after_fork (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisConfig) config = config_for (server);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  PoolThread pt = { .instance = instance };
  GThread *thread;
  int status = -1;
  int verdict[2];
  char answer = 0;
  pid_t child;

  pt.context = g_main_context_new ();
  pt.loop = g_main_loop_new (pt.context, FALSE);
  g_mutex_init (&pt.mutex);
  g_cond_init (&pt.cond);
  thread = g_thread_new ("pool-thread", pool_thread_main, &pt);
  g_mutex_lock (&pt.mutex);
  while (!pt.ready)
    g_cond_wait (&pt.cond, &pt.mutex);
  g_mutex_unlock (&pt.mutex);

  /* The child says how it went through a pipe, not its exit status:
   * under valgrind a child's exit status reports the parent's threads'
   * memory as lost. */
  g_assert_cmpint (pipe (verdict), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      g_autoptr(GError) error = NULL;
      gboolean done = FALSE;

      close (verdict[0]);

      /* The parent's pool runs on a context that only the parent's thread
       * iterates, and that thread is not in the child: the child must get
       * a pool of its own, or this would hang. */
      alarm (30);
      run_ping_async (instance, &error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NONE))
        _exit (1);
      dt_redis_instance_reset_async_pool_async (instance, NULL, reset_async_done_cb, &done);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
      if (write (verdict[1], "Y", 1) != 1)
        _exit (1);
      _exit (0);
    }

  close (verdict[1]);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (read (verdict[0], &answer, 1), ==, 1);
  g_assert_cmpint (answer, ==, 'Y');
  close (verdict[0]);

  g_main_loop_quit (pt.loop);
  g_thread_join (thread);
  g_main_loop_unref (pt.loop);
  g_main_context_unref (pt.context);
  g_mutex_clear (&pt.mutex);
  g_cond_clear (&pt.cond);
}

/* Forks; the child SETs fork:k to "child" through @client, drops @client
 * and @instance (so that the instance's teardown runs there too) and
 * says so through a pipe. Returns once the child exited cleanly. */
static void
child_writes_and_drops (DtRedisClient   **client,
                        DtRedisInstance **instance)
{
  int verdict[2];
  char reply = 0;
  int status;
  pid_t child;

  g_assert_cmpint (pipe (verdict), ==, 0);
  child = fork ();
  g_assert_cmpint (child, >=, 0);
  if (child == 0)
    {
      close (verdict[0]);
      alarm (30);
      if (!dt_redis_client_set (*client, "fork:k", "child", NULL, NULL))
        _exit (1);
      g_clear_object (client);
      g_clear_object (instance);
      if (write (verdict[1], "Y", 1) != 1)
        _exit (1);
      _exit (0);
    }

  close (verdict[1]);
  g_assert_cmpint (waitpid (child, &status, 0), ==, child);
  if (!WIFEXITED (status))
    g_error ("the child died of signal %d", WTERMSIG (status));
  g_assert_cmpint (read (verdict[0], &reply, 1), ==, 1);
  g_assert_cmpint (reply, ==, 'Y');
  close (verdict[0]);
}

/* A Sentinel instance whose watcher threads run in the parent: in a child
 * of fork() it still routes (from what the parent learned), and dropping
 * it returns instead of waiting for threads the child does not have. Here
 * rather than in test-sentinel, which ThreadSanitizer runs: a
 * multi-threaded fork is beyond it. A fake sentinel names the server. */
static void
test_instance_sentinel_after_fork (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtFakeServer) sentinel = dt_fake_server_new (DT_FAKE_MODE_SENTINEL, NULL);
  g_autofree char *answer = g_strdup_printf ("127.0.0.1 %u", dt_test_server_get_port (server));
  g_autofree char *sentinel_address = g_strdup_printf ("127.0.0.1:%u", dt_fake_server_get_port (sentinel));
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  dt_fake_server_set_payload (sentinel, answer);
  dt_redis_config_set_redis_sentinels (config, (const char *[]) { sentinel_address, NULL });
  dt_redis_config_set_redis_master_name (config, "mymaster");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  /* The watcher runs from here on. It is left to settle (subscribed and
   * asked) before the fork: a thread busy in GLib at the moment of a fork
   * can leave one of GLib's locks held in the child, whatever library it
   * belongs to. */
  g_assert_true (dt_redis_client_set (client, "fork:k", "parent", NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && dt_fake_server_get_n_commands (sentinel) < 4; i++)
    g_usleep (10 * 1000);
  g_assert_cmpuint (dt_fake_server_get_n_commands (sentinel), >=, 4);
  g_usleep (200 * 1000);

  child_writes_and_drops (&client, &instance);

  value = dt_redis_client_get (client, "fork:k", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "child");
}

/* A one-node cluster for the fork test: it owns every slot and keeps
 * SET/GET values in a table. */
static GMutex fake_cluster_lock;
static GHashTable *fake_cluster_values;
static gint fake_cluster_shards;

static char *
fake_cluster_handle (DtFakeServer *server,
                     GPtrArray    *args,
                     gpointer      user_data)
{
  const char *name = g_ptr_array_index (args, 0);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&fake_cluster_lock);

  if (g_ascii_strcasecmp (name, "CLUSTER") == 0)
    {
      /* Slow, so that the client asks again meanwhile. */
      g_usleep (300 * 1000);
      g_atomic_int_inc (&fake_cluster_shards);
      return g_strdup_printf ("*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n"
                              "*12\r\n$2\r\nid\r\n$40\r\n%040u\r\n$4\r\nport\r\n:%u\r\n"
                              "$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n"
                              "$4\r\nrole\r\n$6\r\nmaster\r\n$6\r\nhealth\r\n$6\r\nonline\r\n",
                              1u, dt_fake_server_get_port (server));
    }
  if (g_ascii_strcasecmp (name, "SET") == 0 && args->len == 3)
    {
      g_hash_table_insert (fake_cluster_values, g_strdup (g_ptr_array_index (args, 1)),
                           g_strdup (g_ptr_array_index (args, 2)));
      return g_strdup ("+OK\r\n");
    }
  if (g_ascii_strcasecmp (name, "GET") == 0 && args->len == 2)
    {
      const char *value = g_hash_table_lookup (fake_cluster_values, g_ptr_array_index (args, 1));

      return value != NULL ? g_strdup_printf ("$%zu\r\n%s\r\n", strlen (value), value)
                           : g_strdup ("$-1\r\n");
    }
  return g_strdup ("+OK\r\n");
}

/* A Cluster instance used in a child of fork(), while the parent's
 * refresher thread (which the child does not have) waits out its gap:
 * the child's commands work, and dropping the instance there returns.
 * (It also passes without the cluster's check for a fork: glibc marks
 * the lost threads finished, so joining one returns. What that check
 * guards against, a lock the refresher held at the fork, no test can
 * bring about on demand.) */
static void
test_instance_cluster_after_fork (void)
{
  g_autoptr(DtFakeServer) node = NULL;
  g_autofree char *seed = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;

  fake_cluster_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  node = dt_fake_server_new_handler (fake_cluster_handle, NULL);
  seed = g_strdup_printf ("127.0.0.1:%u", dt_fake_server_get_port (node));
  dt_redis_config_set_redis_cluster_nodes (config, (const char *[]) { seed, NULL });
  dt_redis_config_set_redis_refresh_interval (config, 1);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  /* Both commands find no map yet (the first question takes 300 ms): the
   * second asks again, which waits for the one-second gap after the
   * first. The fork comes in that gap, with the refresher thread alive
   * and idle. */
  g_assert_true (dt_redis_client_set (client, "fork:k", "parent", NULL, &error));
  g_usleep (100 * 1000);
  g_assert_true (dt_redis_client_set (client, "fork:k", "parent", NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 1000 && g_atomic_int_get (&fake_cluster_shards) < 1; i++)
    g_usleep (10 * 1000);
  g_assert_cmpint (g_atomic_int_get (&fake_cluster_shards), ==, 1);
  g_usleep (200 * 1000);

  child_writes_and_drops (&client, &instance);

  value = dt_redis_client_get (client, "fork:k", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "child");
  g_clear_object (&client);
  g_clear_object (&instance);
  g_clear_pointer (&fake_cluster_values, g_hash_table_unref);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/instance/url", test_instance_url);
  g_test_add_func ("/instance/snapshot", test_instance_snapshot);
  g_test_add_func ("/instance/no-io-until-used", test_instance_no_io_until_used);
  g_test_add_func ("/instance/bad-config-fails-on-use", test_instance_bad_config_fails_on_use);
  g_test_add_func ("/instance/ping-refused", test_instance_ping_refused);
  g_test_add_func ("/instance/reset-pools", test_instance_reset_pools);
  g_test_add_func ("/instance/reset-without-pools", test_instance_reset_without_pools);
  g_test_add_func ("/instance/async-after-fork", test_instance_async_after_fork);
  g_test_add_func ("/instance/sentinel-after-fork", test_instance_sentinel_after_fork);
  g_test_add_func ("/instance/cluster-after-fork", test_instance_cluster_after_fork);

  return g_test_run ();
}
