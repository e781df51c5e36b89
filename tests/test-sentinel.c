/* test-sentinel.c: a Sentinel config against real sentinels
 *
 * One lab for the program: a master, a replica and 3 sentinels (quorum 2,
 * down-after 1 s) on loopback ports. The failover tests come last and in
 * this order: SENTINEL FAILOVER swaps the two nodes, then killing the
 * master leaves one.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

#define MASTER_NAME "mymaster"
/* A master waits 5 s for more replicas before a diskless full sync by
 * default: the tests' replicas link up at once with this. */
#define NO_SYNC_DELAY "repl-diskless-sync-delay 0"
#define N_SENTINELS 3

static DtTestServer *nodes[2];
static DtTestServer *sentinels[N_SENTINELS];

static char *
sentinel_address (guint i)
{
  return g_strdup_printf ("127.0.0.1:%u", dt_test_server_get_port (sentinels[i]));
}

static gboolean
reply_has (const char *raw,
           const char *needle)
{
  return raw != NULL && strstr (raw, needle) != NULL;
}

/* Until every sentinel knows the replica (linked) and the other sentinels. */
static void
wait_for_lab (void)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC * dt_test_time_scale ();

  for (;;)
    {
      gboolean ready = TRUE;

      for (guint i = 0; i < N_SENTINELS; i++)
        {
          g_autofree char *replicas = dt_test_server_command (sentinels[i], "SENTINEL", "REPLICAS", MASTER_NAME, NULL);
          g_autofree char *others = dt_test_server_command (sentinels[i], "SENTINEL", "SENTINELS", MASTER_NAME, NULL);

          if (!reply_has (replicas, "master-link-status\r\n$2\r\nok") ||
              !g_str_has_prefix (others, "*2\r\n"))
            ready = FALSE;
        }
      if (ready)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (100 * 1000);
    }
}

static void
lab_start (void)
{
  g_autofree char *replicaof = NULL;
  g_autofree char *monitor = NULL;
  const char *master_config[] = { NO_SYNC_DELAY, NULL };
  const char *replica_config[] = { NULL, NO_SYNC_DELAY, NULL };
  const char *sentinel_config[4] = { NULL, "sentinel down-after-milliseconds " MASTER_NAME " 1000",
                                     "sentinel failover-timeout " MASTER_NAME " 5000", NULL };
  DtTestServerOptions opts = { 0, };

  opts.extra_config = master_config;
  nodes[0] = dt_test_server_start (&opts);
  replicaof = g_strdup_printf ("replicaof 127.0.0.1 %u", dt_test_server_get_port (nodes[0]));
  replica_config[0] = replicaof;
  opts.extra_config = replica_config;
  nodes[1] = dt_test_server_start (&opts);

  monitor = g_strdup_printf ("sentinel monitor " MASTER_NAME " 127.0.0.1 %u 2",
                             dt_test_server_get_port (nodes[0]));
  sentinel_config[0] = monitor;
  opts.extra_config = sentinel_config;
  opts.sentinel = TRUE;
  for (guint i = 0; i < N_SENTINELS; i++)
    sentinels[i] = dt_test_server_start (&opts);

  wait_for_lab ();
}

static void
lab_stop (void)
{
  for (guint i = 0; i < N_SENTINELS; i++)
    g_clear_pointer (&sentinels[i], dt_test_server_free);
  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    g_clear_pointer (&nodes[i], dt_test_server_free);
}

/* The node that says it is the master, or -1. */
static int
current_master (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (nodes); i++)
    {
      g_autofree char *role = NULL;

      if (!dt_test_server_is_running (nodes[i]))
        continue;
      role = dt_test_server_command (nodes[i], "ROLE", NULL);
      if (g_str_has_prefix (role, "*3\r\n$6\r\nmaster"))
        return (int) i;
    }
  return -1;
}

/* A Sentinel config whose first sentinel is dead: it must move on. */
static DtRedisConfig *
new_config (const char *client_name)
{
  g_autofree char *a = sentinel_address (0);
  g_autofree char *b = sentinel_address (1);
  const char *list[] = { "127.0.0.1:1", a, b, NULL };
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_sentinels (config, list);
  dt_redis_config_set_redis_master_name (config, MASTER_NAME);
  dt_redis_config_set_redis_client_name (config, client_name);
  dt_redis_config_set_redis_socket_timeout (config, 2.0 * dt_test_time_scale ());
  dt_redis_config_set_redis_connect_timeout (config, 1.0 * dt_test_time_scale ());
  return config;
}

static char *
get_text (DtRedisClient *client,
          const char    *key)
{
  g_autoptr(GError) error = NULL;
  char *value = dt_redis_client_get (client, key, NULL, &error);

  g_assert_no_error (error);
  return value;
}

static gint64 server_integer (DtTestServer *srv,
                              const char   *key);

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* INCR through the async client, on the default main context. */
static gint64
async_incr (DtRedisAsyncClient  *client,
            const char          *key,
            GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_redis_async_client_incr_async (client, key, NULL, async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return dt_redis_async_client_incr_finish (client, result, error);
}

static void
test_discovery (void)
{
  g_autoptr(DtRedisConfig) config = new_config ("dt-sentinel-discovery");
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  int master = current_master ();

  g_assert_cmpint (master, >=, 0);

  g_assert_true (dt_redis_client_set (client, "sentinel:k", "v", NULL, &error));
  g_assert_no_error (error);
  value = get_text (client, "sentinel:k");
  g_assert_cmpstr (value, ==, "v");
  g_assert_cmpint (async_incr (async_client, "sentinel:n", &error), ==, 1);
  g_assert_no_error (error);

  /* Both pools reached the master, none the replica. */
  g_assert_cmpuint (dt_test_server_count_clients (nodes[master], "dt-sentinel-discovery"), >=, 2);
  g_assert_cmpuint (dt_test_server_count_clients (nodes[1 - master], "dt-sentinel-discovery"), ==, 0);
}

static void
assert_fails (DtRedisConfig *config,
              GQuark         domain,
              int            code,
              const char    *needle)
{
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(GError) error = NULL;

  g_assert_false (dt_redis_client_set (client, "sentinel:never", "v", NULL, &error));
  g_assert_error (error, domain, code);
  g_assert_nonnull (strstr (error->message, needle));
}

static void
test_errors (void)
{
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sentinel = sentinel_address (2);
  int master = current_master ();

  /* A name no sentinel monitors. */
  config = new_config (NULL);
  dt_redis_config_set_redis_master_name (config, "nosuchmaster");
  assert_fails (config, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION, "nosuchmaster");
  g_clear_object (&config);

  /* No sentinel answers: the message lists those tried. */
  config = new_config (NULL);
  dt_redis_config_set_redis_sentinels (config, (const char *[]) { "127.0.0.1:1", "[::1]:2", NULL });
  assert_fails (config, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION, "127.0.0.1:1, [::1]:2");
  g_clear_object (&config);

  /* The sentinels' password is theirs: a wrong one is refused by the
   * sentinel, and never shown. */
  config = new_config (NULL);
  dt_redis_config_set_redis_sentinels (config, (const char *[]) { sentinel, NULL });
  dt_redis_config_set_redis_sentinel_password (config, "s3cret-sentinel");
  {
    g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
    g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);

    g_assert_false (dt_redis_client_set (client, "sentinel:never", "v", NULL, &error));
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_assert_null (strstr (error->message, "s3cret-sentinel"));
    g_clear_error (&error);
  }
  g_clear_object (&config);

  /* Bad configs, before any I/O. */
  config = dt_redis_config_new ();
  dt_redis_config_set_redis_sentinels (config, (const char *[]) { sentinel, NULL });
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "master-name"));
  g_clear_error (&error);

  dt_redis_config_set_redis_master_name (config, MASTER_NAME);
  dt_redis_config_set_redis_sentinels (config, (const char *[]) { "host:99999", NULL });
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "host:99999"));
  g_clear_error (&error);

  dt_redis_config_set_redis_sentinels (config, NULL);
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  dt_redis_config_set_redis_sentinels (config, (const char *[]) { sentinel, NULL });
  dt_redis_config_set_redis_refresh_interval (config, 0);
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  /* Nothing of the above wrote anything. */
  g_assert_cmpint (server_integer (nodes[master], "sentinel:never"), ==, 0);
}

static void
test_config_copy (void)
{
  g_autoptr(DtRedisConfig) config = new_config (NULL);
  g_autoptr(DtRedisConfig) copy = NULL;
  g_autofree char *redacted = NULL;
  g_auto(GStrv) list = NULL;

  dt_redis_config_set_redis_sentinel_username (config, "watcher");
  dt_redis_config_set_redis_sentinel_password (config, "pw");
  dt_redis_config_set_redis_read_from_replicas (config, TRUE);
  dt_redis_config_set_redis_refresh_interval (config, 2.5);
  copy = dt_redis_config_copy (config);

  g_object_get (copy, "sentinels", &list, NULL);
  g_assert_cmpstrv (list, dt_redis_config_get_redis_sentinels (config));
  g_assert_cmpstr (dt_redis_config_get_redis_master_name (copy), ==, MASTER_NAME);
  g_assert_cmpstr (dt_redis_config_get_redis_sentinel_username (copy), ==, "watcher");
  g_assert_cmpstr (dt_redis_config_get_redis_sentinel_password (copy), ==, "pw");
  g_assert_true (dt_redis_config_get_redis_read_from_replicas (copy));
  g_assert_cmpfloat (dt_redis_config_get_redis_refresh_interval (copy), ==, 2.5);
  /* The redacted URL does not carry the sentinels' password either. */
  redacted = dt_redis_config_build_redacted_url (copy);
  g_assert_null (strstr (redacted, "pw"));
}

static void
assert_command (DtTestServer *srv,
                const char   *expected,
                const char   *first_arg,
                ...)
{
  g_autofree char *reply = NULL;
  va_list args;

  va_start (args, first_arg);
  reply = dt_test_server_command_valist (srv, first_arg, args);
  va_end (args);
  g_assert_cmpstr (reply, ==, expected);
}

/* Until @srv answers the command with @expected (a replica catching up:
 * WAIT on a connection of its own would wait for nothing). */
static void
wait_for_reply (DtTestServer *srv,
                const char   *expected,
                const char   *first_arg,
                ...) G_GNUC_NULL_TERMINATED;

static void
wait_for_reply (DtTestServer *srv,
                const char   *expected,
                const char   *first_arg,
                ...)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC * dt_test_time_scale ();

  for (;;)
    {
      g_autofree char *reply = NULL;
      va_list args;

      va_start (args, first_arg);
      reply = dt_test_server_command_valist (srv, first_arg, args);
      va_end (args);
      if (g_strcmp0 (reply, expected) == 0)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("still %s, not %s", reply, expected);
      g_usleep (10 * 1000);
    }
}

static void
test_url (void)
{
  g_autofree char *a = sentinel_address (0);
  g_autofree char *b = sentinel_address (1);
  g_autofree char *url = g_strdup_printf ("redis+sentinel://:data%%20pw@127.0.0.1:1,%s/" MASTER_NAME
                                          "/2?sentinel_password=s-pw&read_from_replicas=no", a);
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisConfig) again = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *redacted = NULL;
  g_autofree char *built = NULL;
  const char *expected[] = { "127.0.0.1:1", a, NULL };
  int master = current_master ();

  config = dt_redis_config_new_from_url (url, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (dt_redis_config_get_redis_sentinels (config), expected);
  g_assert_cmpstr (dt_redis_config_get_redis_master_name (config), ==, MASTER_NAME);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "2");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "data pw");
  g_assert_cmpstr (dt_redis_config_get_redis_sentinel_password (config), ==, "s-pw");
  g_assert_false (dt_redis_config_get_redis_read_from_replicas (config));
  redacted = dt_redis_config_build_redacted_url (config);
  g_assert_null (strstr (redacted, "data"));
  g_assert_null (strstr (redacted, "s-pw"));
  g_assert_nonnull (strstr (redacted, "sentinel_password=***"));

  /* A config made with setters builds a URL that gives it back. */
  g_clear_object (&config);
  config = new_config (NULL);
  dt_redis_config_set_redis_sentinels (config, (const char *[]) { "[::1]:26379", b, NULL });
  dt_redis_config_set_redis_sentinel_username (config, "sentinel user");
  dt_redis_config_set_redis_read_from_replicas (config, TRUE);
  dt_redis_config_set_redis_db (config, "5");
  built = dt_redis_config_build_url (config);
  again = dt_redis_config_new_from_url (built, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (dt_redis_config_get_redis_sentinels (again), dt_redis_config_get_redis_sentinels (config));
  g_assert_cmpstr (dt_redis_config_get_redis_master_name (again), ==, MASTER_NAME);
  g_assert_cmpstr (dt_redis_config_get_redis_sentinel_username (again), ==, "sentinel user");
  g_assert_cmpstr (dt_redis_config_get_redis_db (again), ==, "5");
  g_assert_true (dt_redis_config_get_redis_read_from_replicas (again));

  /* Bad ones name what is wrong. */
  {
    const char *bad[][2] = {
      { "redis+sentinel://127.0.0.1:26379", "path" },
      { "redis+sentinel://127.0.0.1:26379/", "path" },
      { "redis+sentinel://a:1,,b:2/m", "sentinel address" },
      { "redis+sentinel://a:99999/m", "a:99999" },
      { "redis+sentinel://a:1/m/x", "database" },
      { "redis+sentinel://a:1/m?read_from_replicas=maybe", "read_from_replicas" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(DtRedisConfig) none = dt_redis_config_new_from_url (bad[i][0], &error);

        g_assert_null (none);
        g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
        if (strstr (error->message, bad[i][1]) == NULL)
          g_error ("%s: “%s” does not name %s", bad[i][0], error->message, bad[i][1]);
        g_clear_error (&error);
      }
  }

  /* And it connects, to the master's database 2. */
  g_clear_pointer (&url, g_free);
  url = g_strdup_printf ("redis+sentinel://%s,%s/" MASTER_NAME "/2", a, b);
  g_clear_object (&config);
  config = dt_redis_config_new_from_url (url, &error);
  g_assert_no_error (error);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  g_assert_true (dt_redis_client_set (client, "sentinel:url", "db2", NULL, &error));
  g_assert_no_error (error);
  assert_command (nodes[master], "$3\r\ndb2\r\n", "EVAL",
                  "redis.call('SELECT', '2') return redis.call('GET', KEYS[1])", "1", "sentinel:url", NULL);
  assert_command (nodes[master], "$-1\r\n", "GET", "sentinel:url", NULL);
  g_assert_cmpstr (dt_redis_instance_get_redis_url (instance), ==, url);

  /* The same URL set on a config of defaults wins over them. */
  {
    g_autoptr(DtRedisConfig) plain = dt_redis_config_new ();
    g_autoptr(DtRedisInstance) by_url = NULL;
    g_autoptr(DtRedisClient) url_client = NULL;

    dt_redis_config_set_redis_url (plain, url);
    by_url = dt_redis_instance_new (plain);
    url_client = dt_redis_instance_get_redis_client (by_url);
    g_assert_true (dt_redis_client_set (url_client, "sentinel:url", "set-url", NULL, &error));
    g_assert_no_error (error);
    assert_command (nodes[master], "$7\r\nset-url\r\n", "EVAL",
                    "redis.call('SELECT', '2') return redis.call('GET', KEYS[1])", "1", "sentinel:url", NULL);
  }
}

static void
test_replica (void)
{
  g_autoptr(DtRedisConfig) config = new_config ("dt-sentinel-replica");
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisReply) role = NULL;
  g_autoptr(GError) error = NULL;
  int master = current_master ();

  assert_command (nodes[master], "+OK\r\n", "SET", "sentinel:r", "from-master", NULL);
  wait_for_reply (nodes[1 - master], "$11\r\nfrom-master\r\n", "GET", "sentinel:r", NULL);

  dt_redis_config_set_redis_read_from_replicas (config, TRUE);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  role = dt_redis_client_command (client, NULL, &error, "ROLE", NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (role, 0), NULL), ==, "slave");
  g_assert_cmpuint (dt_test_server_count_clients (nodes[1 - master], "dt-sentinel-replica"), ==, 1);

  {
    g_autofree char *value = get_text (client, "sentinel:r");

    g_assert_cmpstr (value, ==, "from-master");
  }

  /* A write on a replica is refused, and was not run. */
  g_assert_false (dt_redis_client_set (client, "sentinel:r", "x", NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "READONLY"));
  assert_command (nodes[master], "$11\r\nfrom-master\r\n", "GET", "sentinel:r", NULL);
}

typedef struct
{
  char   *address;
  gint64  at;
} Switch;

static void master_changed_cb (DtRedisInstance *instance,
                               const char      *address,
                               Switch          *seen);

static void
set_fake_answer (DtFakeServer *fake,
                 DtTestServer *node)
{
  g_autofree char *answer = g_strdup_printf ("127.0.0.1 %u", dt_test_server_get_port (node));

  dt_fake_server_set_payload (fake, answer);
}

/* A sentinel that names a replica as the master is caught by the role
 * check before any command is sent; one that does not say that the
 * master moved is caught by READONLY (here in a pipeline), which makes the
 * instance ask again at once, long before refresh-interval, and once for
 * many refusals. */
static DtRedisInstance *
fake_sentinel_instance (DtFakeServer *fake)
{
  g_autofree char *address = g_strdup_printf ("127.0.0.1:%u", dt_fake_server_get_port (fake));
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_sentinels (config, (const char *[]) { address, NULL });
  dt_redis_config_set_redis_master_name (config, MASTER_NAME);
  /* Far beyond the test: only the role check and READONLY can help. */
  dt_redis_config_set_redis_refresh_interval (config, 600.0);
  dt_redis_config_set_redis_socket_timeout (config, 2.0 * dt_test_time_scale ());
  return dt_redis_instance_new (config);
}

/* A sentinel that names a replica as the master is caught by the role
 * check before any command is sent; one that does not say that the
 * master moved is caught by READONLY (here in a pipeline), which makes the
 * instance ask again at once, long before refresh-interval, and once for
 * many refusals. */
static void
test_lying_sentinel (void)
{
  const char *a_config[] = { NO_SYNC_DELAY, NULL };
  DtTestServerOptions a_opts = { .extra_config = a_config };
  g_autoptr(DtTestServer) a = dt_test_server_start (&a_opts);
  g_autoptr(DtTestServer) b = NULL;
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SENTINEL, NULL);
  g_autofree char *replicaof = g_strdup_printf ("replicaof 127.0.0.1 %u", dt_test_server_get_port (a));
  g_autofree char *b_address = NULL;
  g_autofree char *b_port = NULL;
  const char *b_config[] = { replicaof, NO_SYNC_DELAY, NULL };
  DtTestServerOptions opts = { .extra_config = b_config };
  g_autoptr(GError) error = NULL;
  Switch seen = { NULL, 0 };
  gint64 deadline, refused_at;
  guint n_commands;

  b = dt_test_server_start (&opts);
  b_address = g_strdup_printf ("127.0.0.1:%u", dt_test_server_get_port (b));
  b_port = g_strdup_printf ("%u", dt_test_server_get_port (b));
  assert_command (a, "+OK\r\n", "SET", "lie:seed", "1", NULL);
  wait_for_reply (b, "$1\r\n1\r\n", "GET", "lie:seed", NULL);

  {
    g_autoptr(DtRedisInstance) instance = fake_sentinel_instance (fake);
    g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);

    /* It names the replica: refused before anything is sent. */
    set_fake_answer (fake, b);
    g_assert_false (dt_redis_client_set (client, "lie:k", "never", NULL, &error));
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
    g_assert_nonnull (strstr (error->message, "is a slave, not the master"));
    g_clear_error (&error);
    assert_command (a, "$-1\r\n", "GET", "lie:k", NULL);

    /* It tells the truth: the node that failed is asked about again. */
    set_fake_answer (fake, a);
    dt_redis_client_set (client, "lie:k", "on-a", NULL, &error);
    g_assert_no_error (error);
    assert_command (a, "$4\r\non-a\r\n", "GET", "lie:k", NULL);
  }

  {
    g_autoptr(DtRedisInstance) instance = fake_sentinel_instance (fake);
    g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);

    g_signal_connect (instance, "master-changed", G_CALLBACK (master_changed_cb), &seen);
    n_commands = dt_fake_server_get_n_commands (fake);
    dt_redis_client_set (client, "lie:k", "again-on-a", NULL, &error);
    g_assert_no_error (error);
    /* The watcher subscribes and asks once when it starts: let it, or
     * that question (not READONLY) would find the swap below. One ask is
     * two commands, and the first command's own ask may or may not come
     * before the watcher's: at least 3 commands, then time to finish. */
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC * dt_test_time_scale ();
    while (dt_fake_server_get_n_commands (fake) < n_commands + 3)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (10 * 1000);
      }
    g_usleep ((gulong) (500 * 1000 * dt_test_time_scale ()));
    wait_for_reply (b, "$10\r\nagain-on-a\r\n", "GET", "lie:k", NULL);

    /* The roles swap, and no event says so: the pooled connection to A
     * gets READONLY, and the command was not run. */
    assert_command (b, "+OK\r\n", "REPLICAOF", "NO", "ONE", NULL);
    assert_command (a, "+OK\r\n", "REPLICAOF", "127.0.0.1", b_port, NULL);
    set_fake_answer (fake, b);
    /* Until A has loaded B's data: meanwhile it answers LOADING. */
    wait_for_reply (a, "$10\r\nagain-on-a\r\n", "GET", "lie:k", NULL);

    n_commands = dt_fake_server_get_n_commands (fake);
    {
      g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, FALSE);
      g_autoptr(GPtrArray) replies = NULL;

      for (guint i = 0; i < 200; i++)
        dt_redis_pipeline_append (pipe, (const char *[]) { "SET", "lie:k", "refused", NULL });
      replies = dt_redis_pipeline_execute (pipe, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 200);
      for (guint i = 0; i < replies->len; i++)
        {
          g_autofree char *text = dt_redis_reply_to_string (g_ptr_array_index (replies, i));

          if (!g_str_has_prefix (dt_redis_reply_get_string (g_ptr_array_index (replies, i), NULL),
                                 "READONLY"))
            g_error ("reply %u is %s, not READONLY", i, text);
        }
    }
    refused_at = g_get_monotonic_time ();
    assert_command (b, "$10\r\nagain-on-a\r\n", "GET", "lie:k", NULL);

    deadline = refused_at + 5 * G_USEC_PER_SEC * dt_test_time_scale ();
    while (seen.address == NULL)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10 * 1000);
      }
    g_assert_cmpstr (seen.address, ==, b_address);
    g_test_message ("READONLY to master-changed: %" G_GINT64_FORMAT " ms",
                    (seen.at - refused_at) / 1000);
    /* 200 refusals, one question (two commands) or very few: coalesced
     * and spaced, never one per refusal. */
    g_assert_cmpuint (dt_fake_server_get_n_commands (fake) - n_commands, <=, 6);

    dt_redis_client_set (client, "lie:k", "on-b", NULL, &error);
    g_assert_no_error (error);
    assert_command (b, "$4\r\non-b\r\n", "GET", "lie:k", NULL);
    g_free (seen.address);
  }
}

static void
master_changed_cb (DtRedisInstance *instance,
                   const char      *address,
                   Switch          *seen)
{
  g_assert_null (seen->address);
  seen->address = g_strdup (address);
  seen->at = g_get_monotonic_time ();
}

typedef struct
{
  guint ok;
  guint maybe;    /* "may have been executed" */
  guint refused;  /* provably not run */
} Counts;

static void
count_incr (DtRedisClient *client,
            const char    *key,
            Counts        *counts)
{
  g_autoptr(GError) error = NULL;

  if (dt_redis_client_incr (client, key, NULL, &error) > 0)
    counts->ok++;
  else if (strstr (error->message, "may have been executed") != NULL)
    counts->maybe++;
  else
    counts->refused++;
}

static gint64
server_integer (DtTestServer *srv,
                const char   *key)
{
  g_autofree char *raw = dt_test_server_command (srv, "GET", key, NULL);

  if (g_str_has_prefix (raw, "$-1"))
    return 0;
  g_assert_true (g_str_has_prefix (raw, "$"));
  return g_ascii_strtoll (strchr (raw, '\n') + 1, NULL, 10);
}

static void
pubsub_message_cb (DtRedisPubSub  *pubsub,
                   DtRedisMessage *message,
                   guint          *n_messages)
{
  g_assert_cmpstr (dt_redis_message_get_text (message), ==, "hello");
  (*n_messages)++;
}

/* Writes every 20 ms until master-changed; then checks that writes reach
 * the new master within 2 s and none the old one. */
static void
run_failover (void (*trigger) (int master),
              const char *name)
{
  g_autoptr(DtRedisConfig) config = new_config (name);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisAsyncClient) async_client = NULL;
  g_autoptr(DtRedisConfig) sub_config = NULL;
  g_autoptr(DtRedisInstance) sub_instance = NULL;
  g_autoptr(DtRedisPubSub) pubsub = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  guint n_messages = 0;
  Switch seen = { NULL, 0 };
  Counts before = { 0, }, after = { 0, };
  gint64 deadline, first_ok = 0;
  int old_master = current_master ();
  int new_master = 1 - old_master;
  g_autofree char *key_before = g_strconcat (name, ":before", NULL);
  g_autofree char *key_after = g_strconcat (name, ":after", NULL);
  g_autofree char *key_async = g_strconcat (name, ":async", NULL);

  g_assert_cmpint (old_master, >=, 0);
  instance = dt_redis_instance_new (config);
  g_signal_connect (instance, "master-changed", G_CALLBACK (master_changed_cb), &seen);
  client = dt_redis_instance_get_redis_client (instance);
  async_client = dt_redis_instance_get_async_redis_client (instance);
  /* Its own client name: it may stay on a demoted master that still runs,
   * and the check below is about the pools' connections. */
  sub_config = new_config ("dt-sentinel-subscriber");
  sub_instance = dt_redis_instance_new (sub_config);
  pubsub = dt_redis_instance_get_pubsub (sub_instance);
  g_signal_connect (pubsub, "message", G_CALLBACK (pubsub_message_cb), &n_messages);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "failover:news", NULL }, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (dt_redis_client_incr (client, key_before, NULL, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (async_incr (async_client, key_async, &error), >, 0);
  g_assert_no_error (error);

  trigger (old_master);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC * dt_test_time_scale ();
  while (seen.address == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      count_incr (client, key_before, &before);
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (20 * 1000);
    }

  expected = g_strdup_printf ("127.0.0.1:%u", dt_test_server_get_port (nodes[new_master]));
  g_assert_cmpstr (seen.address, ==, expected);

  /* From the switch on, no connection of ours stays on the old master
   * (idle ones are closed at once, leased ones when given back)... */
  deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC * dt_test_time_scale ();
  while (dt_test_server_is_running (nodes[old_master]) &&
         dt_test_server_count_clients (nodes[old_master], name) > 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20 * 1000);
    }

  /* ...and writes reach the new master within 2 s, every one of them. */
  deadline = seen.at + 2 * G_USEC_PER_SEC * dt_test_time_scale ();
  for (guint i = 0; i < 50; i++)
    {
      count_incr (client, key_after, &after);
      if (after.ok > 0 && first_ok == 0)
        first_ok = g_get_monotonic_time ();
    }
  g_assert_cmpint (first_ok, >, 0);
  g_assert_cmpint (first_ok, <, deadline);
  g_assert_cmpuint (after.maybe, ==, 0);
  g_assert_cmpint (server_integer (nodes[new_master], key_after), ==, after.ok);
  if (dt_test_server_is_running (nodes[old_master]))
    g_assert_cmpuint (dt_test_server_count_clients (nodes[old_master], name), ==, 0);

  /* The subscription follows too: it finds the new master when it
   * reconnects, at once when its node died; a node that still runs is
   * made a replica by the sentinels, which then close its pub/sub
   * connections (CLIENT KILL TYPE pubsub), up to some 10 s later. */
  deadline = g_get_monotonic_time () + 45 * G_USEC_PER_SEC * dt_test_time_scale ();
  while (n_messages == 0)
    {
      g_autofree char *published = NULL;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      published = dt_test_server_command (nodes[new_master], "PUBLISH", "failover:news", "hello", NULL);
      g_assert_true (g_str_has_prefix (published, ":"));
      for (guint i = 0; i < 10; i++)
        {
          while (g_main_context_iteration (NULL, FALSE))
            ;
          g_usleep (10 * 1000);
        }
    }

  /* The async pool follows too. */
  {
    gint64 value = async_incr (async_client, key_async, &error);

    g_assert_no_error (error);
    g_assert_cmpint (value, ==, server_integer (nodes[new_master], key_async));
  }

  /* The writes before the switch ran at most once each. */
  g_assert_cmpint (server_integer (nodes[new_master], key_before), <=,
                   1 + before.ok + before.maybe);
  g_test_message ("%s: before the switch %u ok, %u maybe, %u refused; after %u ok, %u refused",
                  name, before.ok, before.maybe, before.refused, after.ok, after.refused);
  g_free (seen.address);
}

static void
sentinel_failover (int master)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC * dt_test_time_scale ();

  /* NOGOODSLAVE until a sentinel has seen the replica in sync. */
  for (;;)
    {
      g_autofree char *reply = dt_test_server_command (sentinels[0], "SENTINEL", "FAILOVER", MASTER_NAME, NULL);

      if (g_str_has_prefix (reply, "+OK"))
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (200 * 1000);
    }
}

static void
kill_master (int master)
{
  dt_test_server_kill (nodes[master]);
}

static void
test_failover_command (void)
{
  wait_for_lab ();
  run_failover (sentinel_failover, "dt-sentinel-failover");
}

static void
test_failover_kill (void)
{
  wait_for_lab ();
  run_failover (kill_master, "dt-sentinel-kill");
}

int
main (int    argc,
      char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);

  lab_start ();

  g_test_add_func ("/sentinel/discovery", test_discovery);
  g_test_add_func ("/sentinel/errors", test_errors);
  g_test_add_func ("/sentinel/config-copy", test_config_copy);
  g_test_add_func ("/sentinel/url", test_url);
  g_test_add_func ("/sentinel/replica", test_replica);
  g_test_add_func ("/sentinel/lying-sentinel", test_lying_sentinel);
  g_test_add_func ("/sentinel/failover-command", test_failover_command);
  g_test_add_func ("/sentinel/failover-kill", test_failover_kill);

  result = g_test_run ();
  lab_stop ();
  return result;
}
