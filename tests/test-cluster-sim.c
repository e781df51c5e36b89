/* test-cluster-sim.c: a simulated cluster of 200 nodes
 *
 * 100 shards, each a primary and a replica, every node an in-process fake
 * server (dtredis-fake-server.c) that answers CLUSTER SHARDS from one
 * shared topology, runs GET/SET/INCR for the slots its shard owns and
 * answers MOVED for the others. Half the shards then fail over at once:
 * the slot map, the connections and the refresh traffic must stay bounded
 * while every INCR runs exactly once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <malloc.h>
#include <string.h>

#include "dtredis-cluster-map-private.h"
#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

#define N_SHARDS 100
#define N_NODES (2 * N_SHARDS)
#define MAX_CONNECTIONS 4

typedef struct
{
  DtFakeServer *server;
  guint         index;
  GMutex        lock;
  GHashTable   *values;        /* key -> gint64 counter */
  gint          shards_calls;  /* atomic */
} SimNode;

static SimNode sim[N_NODES];
static GMutex topology_lock;
static guint primary[N_SHARDS];  /* node index of each shard's primary, then its replica */
static guint replica[N_SHARDS];
static char *slot_tags[DT_REDIS_CLUSTER_SLOTS];
/* The view of a node that has not yet heard that shard 0's replica
 * replicates: it lists it as the primary of a shard without slots. */
static gboolean replica0_unattached;

static guint
shard_of_slot (guint slot)
{
  return slot * N_SHARDS / DT_REDIS_CLUSTER_SLOTS;
}

static void
append_node (GString *out,
             guint    index,
             gboolean is_primary)
{
  g_autofree char *id = g_strdup_printf ("%040u", index);
  g_autofree char *port = g_strdup_printf ("%u", dt_fake_server_get_port (sim[index].server));

  g_string_append_printf (out,
                          "*12\r\n$2\r\nid\r\n$40\r\n%s\r\n$4\r\nport\r\n:%s\r\n"
                          "$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n"
                          "$4\r\nrole\r\n%s\r\n$6\r\nhealth\r\n$6\r\nonline\r\n",
                          id, port, is_primary ? "$6\r\nmaster" : "$7\r\nreplica");
}

static char *
shards_reply (void)
{
  GString *out = g_string_new (NULL);

  g_mutex_lock (&topology_lock);
  g_string_append_printf (out, "*%u\r\n", N_SHARDS + (replica0_unattached ? 1 : 0));
  for (guint s = 0; s < N_SHARDS; s++)
    {
      guint start = (s * DT_REDIS_CLUSTER_SLOTS + N_SHARDS - 1) / N_SHARDS;
      guint end = ((s + 1) * DT_REDIS_CLUSTER_SLOTS + N_SHARDS - 1) / N_SHARDS - 1;
      gboolean alone = s == 0 && replica0_unattached;

      g_string_append_printf (out, "*4\r\n$5\r\nslots\r\n*2\r\n:%u\r\n:%u\r\n$5\r\nnodes\r\n*%u\r\n",
                              start, end, alone ? 1 : 2);
      append_node (out, primary[s], TRUE);
      if (!alone)
        append_node (out, replica[s], FALSE);
    }
  if (replica0_unattached)
    {
      g_string_append (out, "*4\r\n$5\r\nslots\r\n*0\r\n$5\r\nnodes\r\n*1\r\n");
      append_node (out, replica[0], TRUE);
    }
  g_mutex_unlock (&topology_lock);

  return g_string_free (out, FALSE);
}

static char *
handle (DtFakeServer *server,
        GPtrArray    *args,
        gpointer      user_data)
{
  SimNode *node = user_data;
  const char *name = g_ptr_array_index (args, 0);
  const char *key;
  guint slot, owner;

  if (g_ascii_strcasecmp (name, "CLUSTER") == 0 && args->len == 2 &&
      g_ascii_strcasecmp (g_ptr_array_index (args, 1), "SHARDS") == 0)
    {
      g_atomic_int_inc (&node->shards_calls);
      return shards_reply ();
    }
  if (g_ascii_strcasecmp (name, "PING") == 0)
    return g_strdup ("+PONG\r\n");
  if (args->len < 2 || (g_ascii_strcasecmp (name, "INCR") != 0 && g_ascii_strcasecmp (name, "GET") != 0))
    return g_strdup ("+OK\r\n");

  key = g_ptr_array_index (args, 1);
  slot = dt_redis_key_slot (key);
  g_mutex_lock (&topology_lock);
  owner = primary[shard_of_slot (slot)];
  g_mutex_unlock (&topology_lock);
  if (owner != node->index)
    return g_strdup_printf ("-MOVED %u 127.0.0.1:%u\r\n", slot,
                            dt_fake_server_get_port (sim[owner].server));

  g_mutex_lock (&node->lock);
  {
    gint64 value = GPOINTER_TO_SIZE (g_hash_table_lookup (node->values, key));

    if (g_ascii_strcasecmp (name, "INCR") == 0)
      g_hash_table_insert (node->values, g_strdup (key), GSIZE_TO_POINTER (++value));
    g_mutex_unlock (&node->lock);
    return g_strdup_printf (":%" G_GINT64_FORMAT "\r\n", value);
  }
}

/* What the shard's primary holds for @key (the data moves with a
 * failover, as replication would have it). */
static gint64
stored (const char *key)
{
  guint shard = shard_of_slot (dt_redis_key_slot (key));
  gint64 sum = 0;

  /* Either node of the shard may have taken INCRs, before and after. */
  for (guint i = 0; i < 2; i++)
    {
      SimNode *node = &sim[i == 0 ? primary[shard] : replica[shard]];

      g_mutex_lock (&node->lock);
      sum += GPOINTER_TO_SIZE (g_hash_table_lookup (node->values, key));
      g_mutex_unlock (&node->lock);
    }
  return sum;
}

static guint
total_shards_calls (void)
{
  guint sum = 0;

  for (guint i = 0; i < N_NODES; i++)
    sum += (guint) g_atomic_int_get (&sim[i].shards_calls);
  return sum;
}

static char *
key_of_shard (const char *prefix,
              guint       shard,
              guint       n)
{
  guint slot = (shard * DT_REDIS_CLUSTER_SLOTS + N_SHARDS - 1) / N_SHARDS + n % 50;

  g_assert_cmpuint (shard_of_slot (slot), ==, shard);
  return g_strdup_printf ("%s:{%s}:%u", prefix, slot_tags[slot], n);
}

static DtRedisInstance *
new_instance (gdouble refresh_interval)
{
  g_autofree char *seed = g_strdup_printf ("127.0.0.1:%u", dt_fake_server_get_port (sim[0].server));
  const char *seeds[] = { seed, NULL };
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_cluster_nodes (config, seeds);
  dt_redis_config_set_redis_refresh_interval (config, refresh_interval);
  dt_redis_config_set_redis_max_connections (config, MAX_CONNECTIONS);
  dt_redis_config_set_redis_socket_timeout (config, 10 * dt_test_time_scale ());
  return dt_redis_instance_new (config);
}

/* The map is learned from one seed: 100 primaries, 100 replicas, in one
 * question, and a command for each shard reaches it. */
static void
test_learn (void)
{
  /* No safety-net refresh during the test: it would use a connection of
   * its own beside a command's (under valgrind, the test takes seconds). */
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_auto(GStrv) primaries = NULL;
  g_auto(GStrv) replicas = NULL;
  g_autoptr(GError) error = NULL;
  guint calls_before = total_shards_calls ();
  gint64 start = g_get_monotonic_time ();
  size_t heap_before = mallinfo2 ().uordblks;

  primaries = dt_redis_instance_list_cluster_nodes (instance, FALSE, NULL, &error);
  g_assert_no_error (error);
  /* Under a sanitizer or valgrind, malloc is not glibc's: a figure of
   * this build only. */
  g_test_message ("learning the map of %u nodes took %.1f ms; the heap grew by %zu bytes "
                  "(the map, the nodes with their lazy pools and configs, one connection)",
                  N_NODES, (g_get_monotonic_time () - start) / 1000.0,
                  mallinfo2 ().uordblks - heap_before);
  replicas = dt_redis_instance_list_cluster_nodes (instance, TRUE, NULL, &error);
  g_assert_cmpuint (g_strv_length (primaries), ==, N_SHARDS);
  g_assert_cmpuint (g_strv_length (replicas), ==, N_SHARDS);
  g_assert_cmpuint (total_shards_calls () - calls_before, ==, 1);

  for (guint s = 0; s < N_SHARDS; s++)
    {
      g_autofree char *key = key_of_shard ("learn", s, 0);

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpint (stored (key), ==, 1);
    }
  /* Only the primaries were reached, each on one connection. */
  for (guint s = 0; s < N_SHARDS; s++)
    {
      g_assert_cmpuint (dt_fake_server_get_n_accepted (sim[replica[s]].server), ==, 0);
      g_assert_cmpuint (dt_fake_server_get_n_accepted (sim[primary[s]].server), <=, 1);
    }
  g_test_message ("a slot map: %zu bytes, plus %zu per node and a pointer per replica",
                  sizeof (DtRedisClusterMap), sizeof (DtRedisClusterNode) + 2 * sizeof (gpointer));
}

/* A primary that owns no slot (a view caught before a new replica's
 * role spread, or a node being added) is not listed among the
 * primaries, nor routed to. */
static void
test_slotless_primary (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_auto(GStrv) primaries = NULL;
  g_auto(GStrv) replicas = NULL;
  g_autofree char *unattached = NULL;
  g_autoptr(GError) error = NULL;

  g_mutex_lock (&topology_lock);
  replica0_unattached = TRUE;
  unattached = g_strdup_printf ("127.0.0.1:%u", dt_fake_server_get_port (sim[replica[0]].server));
  g_mutex_unlock (&topology_lock);

  instance = new_instance (600);
  primaries = dt_redis_instance_list_cluster_nodes (instance, FALSE, NULL, &error);
  g_assert_no_error (error);
  replicas = dt_redis_instance_list_cluster_nodes (instance, TRUE, NULL, &error);
  g_assert_no_error (error);

  g_mutex_lock (&topology_lock);
  replica0_unattached = FALSE;
  g_mutex_unlock (&topology_lock);

  g_assert_cmpuint (g_strv_length (primaries), ==, N_SHARDS);
  g_assert_cmpuint (g_strv_length (replicas), ==, N_SHARDS - 1);
  g_assert_false (g_strv_contains ((const char * const *) primaries, unattached));
  g_assert_false (g_strv_contains ((const char * const *) replicas, unattached));
}

typedef struct
{
  DtRedisClient *client;
  guint          index;
  GThread       *thread;
  guint          ok;
} Worker;

#define N_WORKERS 8
#define N_PER_WORKER 200

static gpointer
worker (gpointer data)
{
  Worker *w = data;

  for (guint i = 0; i < N_PER_WORKER; i++)
    {
      g_autofree char *key = key_of_shard ("storm", (w->index * 37 + i) % N_SHARDS, w->index);
      g_autoptr(GError) error = NULL;

      if (dt_redis_client_incr (w->client, key, NULL, &error) > 0)
        w->ok++;
      else
        g_printerr ("INCR %s: %s\n", key, error->message);
    }
  return NULL;
}

static void
incr_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  guint *pending = user_data;
  g_autoptr(GError) error = NULL;
  gint64 value = dt_redis_async_client_incr_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);

  g_assert_no_error (error);
  g_assert_cmpint (value, >, 0);
  (*pending)--;
}

/* Half the shards fail over at once. 8 threads and 1,000 async callers
 * then run into MOVED: each INCR runs once, the cluster is asked for its
 * map at most once a second, and no node gets more connections than the
 * pools' caps. */
static void
test_mass_failover (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (1);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  g_auto(GStrv) primaries = NULL;
  Worker workers[N_WORKERS];
  g_autoptr(GError) error = NULL;
  guint pending = 0, calls_before, max_accepted = 0;
  gint64 start, elapsed;

  primaries = dt_redis_instance_list_cluster_nodes (instance, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_usleep (1100 * 1000);

  g_mutex_lock (&topology_lock);
  for (guint s = 0; s < N_SHARDS; s += 2)
    {
      guint old = primary[s];

      primary[s] = replica[s];
      replica[s] = old;
    }
  g_mutex_unlock (&topology_lock);

  calls_before = total_shards_calls ();
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = key_of_shard ("storm-async", i % N_SHARDS, i);

      pending++;
      dt_redis_async_client_incr_async (async_client, key, NULL, incr_cb, &pending);
    }
  for (guint t = 0; t < N_WORKERS; t++)
    {
      workers[t] = (Worker) { client, t, NULL, 0 };
      workers[t].thread = g_thread_new ("sim", worker, &workers[t]);
    }
  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint t = 0; t < N_WORKERS; t++)
    {
      g_thread_join (workers[t].thread);
      g_assert_cmpuint (workers[t].ok, ==, N_PER_WORKER);
    }
  g_usleep (1200 * 1000);
  elapsed = g_get_monotonic_time () - start;

  g_test_message ("after the failover of %u shards: %u CLUSTER SHARDS in %.2f s",
                  N_SHARDS / 2, total_shards_calls () - calls_before, elapsed / 1e6);
  g_assert_cmpuint (total_shards_calls () - calls_before, >=, 1);
  g_assert_cmpuint (total_shards_calls () - calls_before, <=, 1 + elapsed / G_USEC_PER_SEC);

  /* Each INCR ran once. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = key_of_shard ("storm-async", i % N_SHARDS, i);

      g_assert_cmpint (stored (key), ==, 1);
    }
  for (guint t = 0; t < N_WORKERS; t++)
    for (guint s = 0; s < N_SHARDS; s++)
      {
        g_autofree char *key = key_of_shard ("storm", s, t);
        guint expected = 0;

        for (guint i = 0; i < N_PER_WORKER; i++)
          expected += (t * 37 + i) % N_SHARDS == s;
        g_assert_cmpint (stored (key), ==, expected);
      }

  /* The sync pool and the async pool of a node each stay under their cap. */
  for (guint i = 0; i < N_NODES; i++)
    max_accepted = MAX (max_accepted, dt_fake_server_get_n_accepted (sim[i].server));
  g_test_message ("at most %u connections to one node", max_accepted);
  g_assert_cmpuint (max_accepted, <=, 2 * MAX_CONNECTIONS + 1);
}

/* A one-node cluster that refuses every INCR with TRYAGAIN (a slot in
 * the middle of a migration, as far as the client can tell). */
static gint tryagain_incrs;

static char *
handle_tryagain (DtFakeServer *server,
                 GPtrArray    *args,
                 gpointer      user_data)
{
  const char *name = g_ptr_array_index (args, 0);

  if (g_ascii_strcasecmp (name, "CLUSTER") == 0)
    return g_strdup_printf ("*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n"
                            "*12\r\n$2\r\nid\r\n$40\r\n%040u\r\n$4\r\nport\r\n:%u\r\n"
                            "$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n"
                            "$4\r\nrole\r\n$6\r\nmaster\r\n$6\r\nhealth\r\n$6\r\nonline\r\n",
                            7u, dt_fake_server_get_port (server));
  if (g_ascii_strcasecmp (name, "INCR") == 0)
    {
      g_atomic_int_inc (&tryagain_incrs);
      return g_strdup ("-TRYAGAIN Multiple keys request during rehashing of slot\r\n");
    }
  return g_strdup ("+OK\r\n");
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (150 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
cancelled_incr_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* A command waiting out TRYAGAIN: cancelled, it fails with
 * G_IO_ERROR_CANCELLED, and nothing more is sent for it after that; left
 * alone, it gives up with the server's error once its budget (the socket
 * timeout) is spent. Sync and async. */
static void
test_retry_cancel_and_budget (void)
{
  g_autoptr(DtFakeServer) node = dt_fake_server_new_handler (handle_tryagain, NULL);
  g_autofree char *seed = g_strdup_printf ("127.0.0.1:%u", dt_fake_server_get_port (node));
  const char *seeds[] = { seed, NULL };
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisAsyncClient) async_client = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gint at_return;

  dt_redis_config_set_redis_cluster_nodes (config, seeds);
  dt_redis_config_set_redis_socket_timeout (config, 1.0 * dt_test_time_scale ());
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  async_client = dt_redis_instance_get_async_redis_client (instance);

  /* Left alone: the server's answer after the budget, having retried. */
  start = g_get_monotonic_time ();
  g_assert_cmpint (dt_redis_client_incr (client, "k", NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "TRYAGAIN"));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 900 * 1000 * dt_test_time_scale ());
  g_assert_cmpint (g_atomic_int_get (&tryagain_incrs), >, 3);
  g_clear_error (&error);

  /* Cancelled, sync. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    GThread *canceller = g_thread_new ("cancel", cancel_later, cancellable);

    start = g_get_monotonic_time ();
    g_assert_cmpint (dt_redis_client_incr (client, "k", cancellable, &error), ==, 0);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
    at_return = g_atomic_int_get (&tryagain_incrs);
    g_thread_join (canceller);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 800 * 1000 * dt_test_time_scale ());
    g_usleep (300 * 1000);
    g_assert_cmpint (g_atomic_int_get (&tryagain_incrs), ==, at_return);
  }

  /* Cancelled, async. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    g_autoptr(GAsyncResult) result = NULL;
    GThread *canceller = g_thread_new ("cancel", cancel_later, cancellable);

    dt_redis_async_client_incr_async (async_client, "k", cancellable, cancelled_incr_cb, &result);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (dt_redis_async_client_incr_finish (async_client, result, &error), ==, 0);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    at_return = g_atomic_int_get (&tryagain_incrs);
    g_thread_join (canceller);
    g_usleep (300 * 1000);
    while (g_main_context_iteration (NULL, FALSE))
      ;
    g_assert_cmpint (g_atomic_int_get (&tryagain_incrs), ==, at_return);
  }
}

int
main (int   argc,
      char *argv[])
{
  guint found = 0;
  int ret;

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; found < DT_REDIS_CLUSTER_SLOTS; i++)
    {
      g_autofree char *tag = g_strdup_printf ("t%u", i);
      guint slot = dt_redis_key_slot (tag);

      if (slot_tags[slot] == NULL)
        {
          slot_tags[slot] = g_steal_pointer (&tag);
          found++;
        }
    }
  for (guint i = 0; i < N_NODES; i++)
    {
      sim[i].index = i;
      g_mutex_init (&sim[i].lock);
      sim[i].values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      sim[i].server = dt_fake_server_new_handler (handle, &sim[i]);
    }
  for (guint s = 0; s < N_SHARDS; s++)
    {
      primary[s] = 2 * s;
      replica[s] = 2 * s + 1;
    }

  g_test_add_func ("/cluster-sim/learn", test_learn);
  g_test_add_func ("/cluster-sim/slotless-primary", test_slotless_primary);
  g_test_add_func ("/cluster-sim/mass-failover", test_mass_failover);
  g_test_add_func ("/cluster-sim/retry-cancel-and-budget", test_retry_cancel_and_budget);
  ret = g_test_run ();

  for (guint i = 0; i < N_NODES; i++)
    {
      dt_fake_server_free (sim[i].server);
      g_hash_table_unref (sim[i].values);
      g_mutex_clear (&sim[i].lock);
    }
  for (guint i = 0; i < DT_REDIS_CLUSTER_SLOTS; i++)
    g_free (slot_tags[i]);
  return ret;
}
