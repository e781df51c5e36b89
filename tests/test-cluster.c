/* test-cluster.c: a Cluster config against a real local Redis Cluster:
 * routing, nodes, pipelines and transactions while the topology holds
 *
 * test-cluster-changes.c has the tests that change the topology, and
 * test-cluster-pubsub.c pub/sub.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "test-cluster-common.h"

/* Keys over every slot land on the node that owns their slot. */
static void
test_routing_sync (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(GError) error = NULL;

  for (guint slot = 0; slot < DT_REDIS_CLUSTER_SLOTS; slot += 7)
    {
      g_autofree char *key = key_in_slot ("route", slot, 0);

      g_assert_true (dt_redis_client_set (client, key, key, NULL, &error));
      g_assert_no_error (error);
    }
  for (guint slot = 0; slot < DT_REDIS_CLUSTER_SLOTS; slot += 7)
    {
      g_autofree char *key = key_in_slot ("route", slot, 0);
      g_autofree char *value = dt_redis_client_get (client, key, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, key);
      /* Where the cluster itself says the slot lives. */
      if (slot % 700 == 0)
        {
          DtTestServer *owner = dt_test_cluster_owner_of_slot (lab, slot);
          g_autofree char *raw = dt_test_server_command (owner, "GET", key, NULL);
          g_autofree char *text = dt_test_reply_text (raw);

          g_assert_cmpstr (text, ==, key);
        }
    }
}

static void
set_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AsyncCount *count = user_data;
  g_autoptr(GError) error = NULL;

  if (dt_redis_async_client_set_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error))
    count->ok++;
  else
    {
      g_printerr ("async SET failed: %s\n", error->message);
      count->failed++;
    }
  count->pending--;
}

/* 2,000 SETs in flight at once over all slots, then each read back on
 * its owner. */
static void
test_routing_async (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  AsyncCount count = { 0, };

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *key = key_in_slot ("async", (i * 8191) % DT_REDIS_CLUSTER_SLOTS, i);

      count.pending++;
      dt_redis_async_client_set_async (client, key, key, NULL, set_done_cb, &count);
    }
  while (count.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (count.failed, ==, 0);
  g_assert_cmpuint (count.ok, ==, 2000);

  for (guint i = 0; i < 2000; i += 97)
    {
      g_autofree char *key = key_in_slot ("async", (i * 8191) % DT_REDIS_CLUSTER_SLOTS, i);
      DtTestServer *owner = dt_test_cluster_owner_of_slot (lab, dt_redis_key_slot (key));
      g_autofree char *raw = dt_test_server_command (owner, "GET", key, NULL);
      g_autofree char *text = dt_test_reply_text (raw);

      g_assert_cmpstr (text, ==, key);
    }
}

/* Keys in two slots: a clear error, and nothing reaches any node. */
static void
test_cross_slot (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  const char *crossing[] = { "cross:a", "cross:b", NULL };
  const char *tagged[] = { "{cross}:a", "{cross}:b", NULL };
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GError) error = NULL;
  guint64 before;

  g_assert_cmpuint (dt_redis_key_slot ("cross:a"), !=, dt_redis_key_slot ("cross:b"));
  /* Learn the map first, so that the count below is only MGET's. */
  g_assert_true (dt_redis_client_set (client, "{cross}:a", "1", NULL, &error));
  before = total_calls ("mget");

  values = dt_redis_client_mget (client, crossing, NULL, &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT);
  g_assert_nonnull (strstr (error->message, "MGET"));
  g_assert_null (values);
  g_assert_cmpuint (total_calls ("mget"), ==, before);
  g_clear_error (&error);

  values = dt_redis_client_mget (client, tagged, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (values->len, ==, 2);
  g_assert_cmpuint (total_calls ("mget"), ==, before + 1);
}


static void
assert_strv_has (char       **list,
                 const char  *address)
{
  if (!g_strv_contains ((const char * const *) list, address))
    g_error ("%s is not in the node list", address);
}

/* The node list and the slot owner, as the cluster has them. */
static void
test_node_list (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_auto(GStrv) primaries = NULL;
  g_auto(GStrv) replicas = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) standalone = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) plain = dt_redis_instance_new (standalone);

  primaries = dt_redis_instance_list_cluster_nodes (instance, FALSE, NULL, &error);
  g_assert_no_error (error);
  replicas = dt_redis_instance_list_cluster_nodes (instance, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (primaries), ==, 3);
  g_assert_cmpuint (g_strv_length (replicas), ==, 3);
  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    {
      g_autofree char *address = g_strdup_printf ("127.0.0.1:%u",
                                                  dt_test_server_get_port (dt_test_cluster_get_node (lab, i)));

      g_assert_true (g_strv_contains ((const char * const *) primaries, address) !=
                     g_strv_contains ((const char * const *) replicas, address));
    }

  owner = dt_redis_instance_get_cluster_node_for_slot (instance, 12345, NULL, &error);
  g_assert_no_error (error);
  expected = g_strdup_printf ("127.0.0.1:%u", dt_test_server_get_port (dt_test_cluster_owner_of_slot (lab, 12345)));
  g_assert_cmpstr (owner, ==, expected);
  assert_strv_has (primaries, owner);

  /* Not a cluster: said so. */
  g_assert_null (dt_redis_instance_list_cluster_nodes (plain, FALSE, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
}

static void
reset_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Resets and statistics cover every node's pools. */
static void
test_reset (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(DtRedisPoolStats) sync_stats = NULL;
  g_autoptr(DtRedisPoolStats) async_stats = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  /* One key on each primary. */
  for (guint slot = 100; slot < DT_REDIS_CLUSTER_SLOTS; slot += 5461)
    {
      g_autofree char *key = key_in_slot ("reset", slot, 0);

      g_assert_true (dt_redis_client_set (client, key, "1", NULL, &error));
      g_assert_cmpint (async_incr (async_client, key, &error), ==, 2);
      g_assert_no_error (error);
    }
  sync_stats = dt_redis_instance_get_sync_pool_stats (instance);
  async_stats = dt_redis_instance_get_async_pool_stats (instance);
  g_assert_cmpuint (sync_stats->total, >=, 3);
  g_assert_cmpuint (async_stats->total, >=, 3);
  g_clear_pointer (&sync_stats, dt_redis_pool_stats_free);
  g_clear_pointer (&async_stats, dt_redis_pool_stats_free);

  dt_redis_instance_reset_sync_pool (instance);
  dt_redis_instance_reset_async_pool_async (instance, NULL, reset_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (dt_redis_instance_reset_async_pool_finish (instance, result, &error));
  g_assert_no_error (error);
  sync_stats = dt_redis_instance_get_sync_pool_stats (instance);
  async_stats = dt_redis_instance_get_async_pool_stats (instance);
  g_assert_cmpuint (sync_stats->total, ==, 0);
  g_assert_cmpuint (async_stats->total, ==, 0);

  /* And the next commands make new ones. */
  for (guint slot = 100; slot < DT_REDIS_CLUSTER_SLOTS; slot += 5461)
    {
      g_autofree char *key = key_in_slot ("reset", slot, 0);

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 3);
      g_assert_cmpint (async_incr (async_client, key, &error), ==, 4);
      g_assert_no_error (error);
    }
  g_assert_true (dt_redis_instance_ping (instance, NULL, &error));
  g_assert_no_error (error);
}

static void
test_url (void)
{
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisConfig) by_url = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autofree char *url = NULL;
  g_autofree char *redacted = NULL;
  g_autofree char *lab_url = NULL;
  g_autofree char *value = NULL;
  const char *expected[] = { "127.0.0.1:7000", "[::1]:7001", NULL };
  g_autoptr(GError) error = NULL;

  config = dt_redis_config_new_from_url ("redis+cluster://:s%40cret@127.0.0.1:7000,[::1]:7001/0", &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (dt_redis_config_get_redis_cluster_nodes (config), expected);
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "s@cret");
  url = dt_redis_config_build_url (config);
  g_assert_cmpstr (url, ==, "redis+cluster://:s%40cret@127.0.0.1:7000,[::1]:7001/0");
  redacted = dt_redis_config_build_redacted_url (config);
  g_assert_null (strstr (redacted, "cret"));
  g_clear_object (&config);

  config = dt_redis_config_new_from_url ("redis+cluster://127.0.0.1:7000,,127.0.0.1:7001", &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "cluster node address"));
  g_clear_error (&error);

  config = dt_redis_config_new_from_url ("rediss+cluster://127.0.0.1:7000/3", &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "database 0"));
  g_clear_error (&error);

  lab_url = g_strdup_printf ("redis+cluster://127.0.0.1:%u",
                             dt_test_server_get_port (dt_test_cluster_get_node (lab, 1)));
  dt_redis_config_set_redis_url (by_url, lab_url);
  instance = dt_redis_instance_new (by_url);
  client = dt_redis_instance_get_redis_client (instance);
  for (guint slot = 0; slot < DT_REDIS_CLUSTER_SLOTS; slot += 4001)
    {
      g_autofree char *key = key_in_slot ("url", slot, 0);

      g_assert_true (dt_redis_client_set (client, key, "by-url", NULL, &error));
      g_assert_no_error (error);
      g_free (value);
      value = dt_redis_client_get (client, key, NULL, &error);
      g_assert_cmpstr (value, ==, "by-url");
    }
}

static gint64
primaries_dbsize (void)
{
  gint64 sum = 0;

  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    {
      DtTestServer *node = dt_test_cluster_get_node (lab, i);
      g_autofree char *role = NULL;
      g_autofree char *text = NULL;

      if (!dt_test_server_is_running (node))
        continue;
      role = dt_test_server_command (node, "ROLE", NULL);
      if (strstr (role, "master") == NULL)
        continue;
      text = dt_test_server_command (node, "DBSIZE", NULL);
      sum += dt_test_reply_integer (text);
    }
  return sum;
}

static void
dbsize_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The keyless commands that mean every primary: DBSIZE summed, KEYS
 * joined, SCRIPT LOAD on each (EVALSHA then works in every slot), FLUSHDB
 * on each; sync and async. */
static void
test_fanout (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  g_auto(GStrv) keys = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(GError) error = NULL;

  for (guint slot = 10; slot < DT_REDIS_CLUSTER_SLOTS; slot += 5461)
    {
      g_autofree char *key = key_in_slot ("fan", slot, 0);

      g_assert_true (dt_redis_client_set (client, key, "1", NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), ==, primaries_dbsize ());
  g_assert_no_error (error);
  g_assert_cmpint (primaries_dbsize (), >=, 3);
  dt_redis_async_client_dbsize_async (async_client, NULL, dbsize_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (dt_redis_async_client_dbsize_finish (async_client, result, &error), ==, primaries_dbsize ());
  g_assert_no_error (error);

  keys = dt_redis_client_keys (client, "fan:*", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (keys), ==, 3);

  sha = dt_redis_client_script_load (client, "return redis.call('INCR', KEYS[1])", NULL, &error);
  g_assert_no_error (error);
  for (guint slot = 10; slot < DT_REDIS_CLUSTER_SLOTS; slot += 5461)
    {
      g_autofree char *key = key_in_slot ("fan", slot, 0);
      g_autoptr(DtRedisReply) reply = dt_redis_client_evalsha_keys (client, sha,
                                                                    (const char * const []) { key, NULL },
                                                                    NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_reply_get_integer (reply), ==, 2);
    }

  g_assert_true (dt_redis_client_flushdb (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (primaries_dbsize (), ==, 0);
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), ==, 0);
}

/* Calls of @command on the running nodes that are replicas (or, with
 * !@replicas, primaries). */
static guint64
calls_by_role (const char *command,
               gboolean    replicas)
{
  guint64 sum = 0;

  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    {
      DtTestServer *node = dt_test_cluster_get_node (lab, i);
      g_autofree char *role = NULL;

      if (!dt_test_server_is_running (node))
        continue;
      role = dt_test_server_command (node, "ROLE", NULL);
      if ((strstr (role, "slave") != NULL) == replicas)
        sum += dt_test_server_info_calls (node, command);
    }
  return sum;
}

/* With read-from-replicas, commands that only read go to the replicas
 * (READONLY connections), writes to the primaries. */
static void
test_replica_reads (void)
{
  g_auto(GStrv) seeds = dt_test_cluster_dup_seeds (lab);
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisAsyncClient) async_client = NULL;
  g_autoptr(GError) error = NULL;
  guint64 replica_gets, primary_gets, primary_sets;

  dt_redis_config_set_redis_cluster_nodes (config, (const char * const *) seeds);
  dt_redis_config_set_redis_read_from_replicas (config, TRUE);
  dt_redis_config_set_redis_socket_timeout (config, 10 * dt_test_time_scale ());
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  async_client = dt_redis_instance_get_async_redis_client (instance);

  primary_sets = calls_by_role ("set", FALSE);
  for (guint slot = 3; slot < DT_REDIS_CLUSTER_SLOTS; slot += 1000)
    {
      g_autofree char *key = key_in_slot ("replica", slot, 0);

      g_assert_true (dt_redis_client_set (client, key, key, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_cmpuint (calls_by_role ("set", FALSE) - primary_sets, ==, 17);
  settle (instance);

  /* Replication is asynchronous: until each key reached its replica. */
  for (guint slot = 3; slot < DT_REDIS_CLUSTER_SLOTS; slot += 1000)
    {
      g_autofree char *key = key_in_slot ("replica", slot, 0);
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC * dt_test_time_scale ();

      for (;;)
        {
          g_autofree char *value = dt_redis_client_get (client, key, NULL, &error);

          g_assert_no_error (error);
          if (g_strcmp0 (value, key) == 0)
            break;
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          g_usleep (10000);
        }
    }

  replica_gets = calls_by_role ("get", TRUE);
  primary_gets = calls_by_role ("get", FALSE);
  for (guint slot = 3; slot < DT_REDIS_CLUSTER_SLOTS; slot += 1000)
    {
      g_autofree char *key = key_in_slot ("replica", slot, 0);
      g_autofree char *value = dt_redis_client_get (client, key, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (value, ==, key);
      g_assert_cmpint (async_incr (async_client, "{replica}:writes", &error), >, 0);
      g_assert_no_error (error);
    }
  g_assert_cmpuint (calls_by_role ("get", TRUE) - replica_gets, ==, 17);
  g_assert_cmpuint (calls_by_role ("get", FALSE) - primary_gets, ==, 0);
  g_assert_cmpint (server_integer ("{replica}:writes"), ==, 17);
}

/* A keyless command goes to the same node each time (the owner of slot
 * 0): a SCAN loop, and the scan iterator, walk that node's keys, every
 * cursor on the node that gave it. */
static void
test_keyless_node (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisScanIterator) iter = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *cursor = g_strdup ("0");
  g_autofree char *dbsize = NULL;
  g_autoptr(GError) error = NULL;
  DtTestServer *owner = dt_test_cluster_owner_of_slot (lab, 0);
  guint from_iterator = 0;

  for (guint slot = 0; slot < DT_REDIS_CLUSTER_SLOTS; slot += 97)
    {
      g_autofree char *key = key_in_slot ("keyless", slot, 0);

      g_assert_true (dt_redis_client_set (client, key, "1", NULL, &error));
      g_assert_no_error (error);
    }
  settle (instance);

  do
    {
      g_autoptr(DtRedisReply) reply = dt_redis_client_execute (client, (const char * const []) {
                                                                 "SCAN", cursor, "COUNT", "7", NULL }, NULL, &error);
      const DtRedisReply *keys;

      g_assert_no_error (error);
      g_free (cursor);
      cursor = g_strdup (dt_redis_reply_get_string (dt_redis_reply_get_element (reply, 0), NULL));
      keys = dt_redis_reply_get_element (reply, 1);
      for (guint i = 0; i < dt_redis_reply_get_n_elements (keys); i++)
        g_hash_table_add (seen, g_strdup (dt_redis_reply_get_string (dt_redis_reply_get_element (keys, i), NULL)));
    }
  while (strcmp (cursor, "0") != 0);

  dbsize = dt_test_server_command (owner, "DBSIZE", NULL);
  g_assert_cmpint (g_hash_table_size (seen), ==, dt_test_reply_integer (dbsize));
  g_assert_cmpint (g_hash_table_size (seen), >, 0);

  iter = dt_redis_scan_iterator_new (client, DT_REDIS_SCAN_KEYS, NULL, NULL, 7, NULL);
  while (!dt_redis_scan_iterator_is_done (iter))
    {
      g_auto(GStrv) batch = dt_redis_scan_iterator_next (iter, NULL, &error);

      g_assert_no_error (error);
      for (guint i = 0; batch != NULL && batch[i] != NULL; i++, from_iterator++)
        g_assert_true (g_hash_table_contains (seen, batch[i]));
    }
  g_assert_cmpuint (from_iterator, >=, g_hash_table_size (seen));
}

/* Bad configs are refused before any I/O, naming what is wrong. */
static void
test_bad_configs (void)
{
  const char *bad_address[] = { "127.0.0.1:99999", NULL };
  const char *good[] = { "127.0.0.1:7000", NULL };
  const char *sentinels[] = { "127.0.0.1:26379", NULL };
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisConfig) copy = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_cluster_nodes (config, bad_address);
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "99999"));
  g_clear_error (&error);

  dt_redis_config_set_redis_cluster_nodes (config, good);
  dt_redis_config_set_redis_db (config, "2");
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "database 0"));
  g_clear_error (&error);

  dt_redis_config_set_redis_db (config, "0");
  dt_redis_config_set_redis_sentinels (config, sentinels);
  dt_redis_config_set_redis_master_name (config, "m");
  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_nonnull (strstr (error->message, "sentinels"));
  g_clear_error (&error);

  dt_redis_config_set_redis_sentinels (config, NULL);
  dt_redis_config_set_redis_master_name (config, NULL);
  g_assert_true (dt_redis_config_validate (config, &error));
  g_assert_no_error (error);
  copy = dt_redis_config_copy (config);
  g_assert_cmpstrv (dt_redis_config_get_redis_cluster_nodes (copy), good);
}

static void
pipeline_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A pipeline over many slots (one batch per node), replies in order; a
 * command with keys in two slots gets a CROSSSLOT error reply and is not
 * sent; sync and async. */
static void
test_pipeline (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GError) error = NULL;

  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(DtRedisPipeline) pipeline = round == 0 ? dt_redis_client_pipeline (client, FALSE)
                                                       : dt_redis_async_client_pipeline (async_client, FALSE);
      g_autoptr(GPtrArray) replies = NULL;
      guint64 mget_before = total_calls ("mget");
      guint64 flushdb_before = total_calls ("flushdb");
      const char *prefix = round == 0 ? "pipe-sync" : "pipe-async";

      for (guint i = 0; i < 300; i++)
        {
          g_autofree char *key = key_in_slot (prefix, (i * 55) % DT_REDIS_CLUSTER_SLOTS, i);

          dt_redis_pipeline_append (pipeline, (const char * const []) { "INCRBY", key, "5", NULL });
          if (i == 150)
            dt_redis_pipeline_append (pipeline, (const char * const []) { "MGET", "cross:a", "cross:b", NULL });
          if (i == 299)
            dt_redis_pipeline_append (pipeline, (const char * const []) { "FLUSHDB", NULL });
        }

      if (round == 0)
        replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
      else
        {
          g_autoptr(GAsyncResult) result = NULL;

          dt_redis_pipeline_execute_async (pipeline, NULL, pipeline_done_cb, &result);
          while (result == NULL)
            g_main_context_iteration (NULL, TRUE);
          replies = dt_redis_pipeline_execute_finish (pipeline, result, &error);
        }
      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 302);
      for (guint i = 0, r = 0; i < 300; i++, r++)
        {
          g_autofree char *key = key_in_slot (prefix, (i * 55) % DT_REDIS_CLUSTER_SLOTS, i);

          g_assert_cmpint (dt_redis_reply_get_integer (g_ptr_array_index (replies, r)), ==, 5);
          if (i % 30 == 0)
            g_assert_cmpint (server_integer (key), ==, 5);
          if (i == 150)
            {
              DtRedisReply *cross = g_ptr_array_index (replies, ++r);

              g_assert_true (dt_redis_reply_is_error (cross));
              g_assert_true (g_str_has_prefix (dt_redis_reply_get_string (cross, NULL), "CROSSSLOT"));
            }
        }
      /* FLUSHDB means every primary: refused in a pipeline, not sent. */
      g_assert_true (dt_redis_reply_is_error (g_ptr_array_index (replies, 301)));
      g_assert_nonnull (strstr (dt_redis_reply_get_string (g_ptr_array_index (replies, 301), NULL), "FLUSHDB"));
      g_assert_cmpuint (total_calls ("flushdb"), ==, flushdb_before);
      g_assert_cmpuint (total_calls ("mget"), ==, mget_before);
    }
}

/* A transaction runs on the node of its slot; one whose keys span slots
 * is refused before anything is sent; WATCH leases a connection on the
 * watched keys' node, and a change there aborts the transaction. */
static void
test_transaction (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (10);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPipeline) tx = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(DtRedisPipeline) watched = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  guint64 exec_before;

  dt_redis_pipeline_append (tx, (const char * const []) { "SET", "{acct}:a", "10", NULL });
  dt_redis_pipeline_append (tx, (const char * const []) { "INCRBY", "{acct}:b", "3", NULL });
  replies = dt_redis_pipeline_execute (tx, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 2);
  g_assert_cmpint (server_integer ("{acct}:a"), ==, 10);
  g_assert_cmpint (server_integer ("{acct}:b"), ==, 3);
  g_clear_pointer (&replies, g_ptr_array_unref);

  exec_before = total_calls ("exec");
  dt_redis_pipeline_append (tx, (const char * const []) { "SET", "{acct}:a", "0", NULL });
  dt_redis_pipeline_append (tx, (const char * const []) { "SET", "{other}:a", "0", NULL });
  replies = dt_redis_pipeline_execute (tx, NULL, &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT);
  g_assert_null (replies);
  g_clear_error (&error);
  g_assert_cmpuint (total_calls ("exec"), ==, exec_before);
  g_assert_cmpint (server_integer ("{acct}:a"), ==, 10);

  /* WATCH, read, write: on the slot's node. */
  g_assert_true (dt_redis_pipeline_watch (watched, (const char * const []) { "{acct}:a", NULL }, NULL, &error));
  g_assert_no_error (error);
  dt_redis_pipeline_append (watched, (const char * const []) { "INCR", "{acct}:a", NULL });
  replies = dt_redis_pipeline_execute (watched, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_integer (g_ptr_array_index (replies, 0)), ==, 11);
  g_clear_pointer (&replies, g_ptr_array_unref);

  /* A change by someone else aborts it. */
  g_assert_true (dt_redis_pipeline_watch (watched, (const char * const []) { "{acct}:a", NULL }, NULL, &error));
  g_assert_true (dt_redis_client_set (client, "{acct}:a", "100", NULL, &error));
  dt_redis_pipeline_append (watched, (const char * const []) { "INCR", "{acct}:a", NULL });
  replies = dt_redis_pipeline_execute (watched, NULL, &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED);
  g_clear_error (&error);
  g_assert_cmpint (server_integer ("{acct}:a"), ==, 100);

  /* Keys outside the watched slot: refused, nothing sent. */
  exec_before = total_calls ("exec");
  g_assert_true (dt_redis_pipeline_watch (watched, (const char * const []) { "{acct}:a", NULL }, NULL, &error));
  dt_redis_pipeline_append (watched, (const char * const []) { "INCR", "{other}:a", NULL });
  replies = dt_redis_pipeline_execute (watched, NULL, &error);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT);
  g_clear_error (&error);
  g_assert_false (dt_redis_pipeline_get_watching (watched));
  g_assert_cmpuint (total_calls ("exec"), ==, exec_before);
  g_assert_false (dt_redis_pipeline_watch (watched, (const char * const []) { "{acct}:a", "{other}:a", NULL },
                                           NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/bad-configs", test_bad_configs);
  g_test_add_func ("/cluster/url", test_url);
  g_test_add_func ("/cluster/routing-sync", test_routing_sync);
  g_test_add_func ("/cluster/routing-async", test_routing_async);
  g_test_add_func ("/cluster/cross-slot", test_cross_slot);
  g_test_add_func ("/cluster/node-list", test_node_list);
  g_test_add_func ("/cluster/reset", test_reset);
  g_test_add_func ("/cluster/keyless-node", test_keyless_node);
  g_test_add_func ("/cluster/replica-reads", test_replica_reads);
  g_test_add_func ("/cluster/fanout", test_fanout);
  g_test_add_func ("/cluster/pipeline", test_pipeline);
  g_test_add_func ("/cluster/transaction", test_transaction);
  return cluster_test_run ();
}
