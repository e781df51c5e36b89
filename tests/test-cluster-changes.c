/* test-cluster-changes.c: a Cluster config while the topology changes
 * under it: MOVED, ASK, a refresh storm, INCRs through a reshard and two
 * failovers (one by killing a primary, at the very end)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "test-cluster-common.h"

/* A slot moved with its keys while the client's map still has the old
 * owner: MOVED is followed, each INCR runs once. */
static void
test_moved (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  guint slot = 4242;
  DtTestServer *src = dt_test_cluster_owner_of_slot (lab, slot);
  DtTestServer *dst = dt_test_cluster_other_primary (lab, src);
  g_autoptr(GError) error = NULL;
  guint64 moved_before;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = key_in_slot ("moved", slot, i);

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 1);
      g_assert_no_error (error);
    }
  settle (instance);

  dt_test_cluster_begin_migration (src, dst, slot);
  while (dt_test_cluster_migrate_keys (src, dst, slot, 7) > 0)
    ;
  dt_test_cluster_finish_migration (lab, dst, slot);
  g_assert_true (dt_test_cluster_owner_of_slot (lab, slot) == dst);
  moved_before = total_errors ("MOVED");

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = key_in_slot ("moved", slot, i);

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 2);
      g_assert_no_error (error);
      g_assert_cmpint (server_integer (key), ==, 2);
    }
  /* Once: the map was updated by the first MOVED. */
  g_assert_cmpuint (total_errors ("MOVED") - moved_before, ==, 1);
}

/* A slot halfway through a migration: keys already moved are asked for
 * on the importing node (ASKING), the others run where they were. */
static void
test_ask (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  guint slot = 777;
  DtTestServer *src = dt_test_cluster_owner_of_slot (lab, slot);
  DtTestServer *dst = dt_test_cluster_other_primary (lab, src);
  g_autoptr(GError) error = NULL;
  guint64 asked_before, moved_before;
  guint moved;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *key = key_in_slot ("ask", slot, i);

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 1);
      g_assert_no_error (error);
    }
  g_assert_cmpint (async_incr (async_client, "ask:warm", &error), >, 0);
  settle (instance);

  dt_test_cluster_begin_migration (src, dst, slot);
  moved = dt_test_cluster_migrate_keys (src, dst, slot, 20);
  g_assert_cmpuint (moved, ==, 20);
  asked_before = total_errors ("ASK");
  moved_before = total_errors ("MOVED");

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *key = key_in_slot ("ask", slot, i);

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 2);
      g_assert_no_error (error);
    }
  /* The async client too. */
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *key = key_in_slot ("ask", slot, i);

      g_assert_cmpint (async_incr (async_client, key, &error), ==, 3);
      g_assert_no_error (error);
    }
  /* The moved keys, by each client: the map is left alone. */
  g_assert_cmpuint (total_errors ("ASK") - asked_before, ==, 40);
  g_assert_cmpuint (total_errors ("MOVED") - moved_before, ==, 0);

  while (dt_test_cluster_migrate_keys (src, dst, slot, 100) > 0)
    ;
  dt_test_cluster_finish_migration (lab, dst, slot);
  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *key = key_in_slot ("ask", slot, i);

      g_assert_cmpint (server_integer (key), ==, 3);
    }
}


/* Hands slots of @src, with their keys, to @dst. */
static void
move_slots (const guint  *slots,
            guint         n_slots,
            DtTestServer *src,
            DtTestServer *dst)
{
  for (guint i = 0; i < n_slots; i++)
    {
      dt_test_cluster_begin_migration (src, dst, slots[i]);
      while (dt_test_cluster_migrate_keys (src, dst, slots[i], 100) > 0)
        ;
      dt_test_cluster_finish_migration (lab, dst, slots[i]);
    }
}

typedef struct
{
  DtRedisClient *client;
  const guint   *slots;
  guint          n_slots;
  guint          index;
  GThread       *thread;
  guint          ok;
  guint          failed;
} StormWorker;

static gpointer
storm_worker (gpointer data)
{
  StormWorker *w = data;

  for (guint i = 0; i < 50; i++)
    {
      g_autofree char *key = key_in_slot ("storm", w->slots[(w->index + i) % w->n_slots], w->index);
      g_autoptr(GError) error = NULL;

      if (dt_redis_client_incr (w->client, key, NULL, &error) > 0)
        w->ok++;
      else
        {
          g_printerr ("storm INCR failed: %s\n", error->message);
          w->failed++;
        }
    }
  return NULL;
}

static void
incr_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncCount *count = user_data;
  g_autoptr(GError) error = NULL;

  if (dt_redis_async_client_incr_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error) > 0)
    count->ok++;
  else
    {
      g_printerr ("async INCR failed: %s\n", error->message);
      count->failed++;
    }
  count->pending--;
}

/* 16 threads and 1,000 async callers all find their map out of date at
 * once (16 slots moved): every command runs exactly once, and the cluster
 * is asked for its map once per refresh interval, not once per caller. */
static void
test_refresh_storm (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (1);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisAsyncClient) async_client = dt_redis_instance_get_async_redis_client (instance);
  guint slots[16];
  StormWorker workers[16];
  AsyncCount count = { 0, };
  DtTestServer *src, *dst;
  g_autoptr(GError) error = NULL;
  guint64 shards_before, moved_before;
  gint64 start, elapsed;
  guint64 expected = 0, found = 0;

  /* Slots of one primary. */
  src = dt_test_cluster_owner_of_slot (lab, 9000);
  dst = dt_test_cluster_other_primary (lab, src);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      slots[i] = 9000 + i;
      g_assert_true (dt_test_cluster_owner_of_slot (lab, slots[i]) == src);
    }
  /* The map is learned, and both pools connected to @src, before the
   * storm: then every caller sends to the old owner. */
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    {
      g_autofree char *key = key_in_slot ("storm-warm", slots[i], 0);

      g_assert_true (dt_redis_client_set (client, key, "1", NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (async_incr (async_client, key, &error), ==, 2);
      g_assert_no_error (error);
    }
  g_usleep (1100 * 1000);

  move_slots (slots, G_N_ELEMENTS (slots), src, dst);
  shards_before = total_calls ("cluster|shards");
  moved_before = total_errors ("MOVED");
  start = g_get_monotonic_time ();

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = key_in_slot ("storm-async", slots[i % G_N_ELEMENTS (slots)], i);

      count.pending++;
      dt_redis_async_client_incr_async (async_client, key, NULL, incr_done_cb, &count);
    }
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      workers[i] = (StormWorker) { client, slots, G_N_ELEMENTS (slots), i, NULL, 0, 0 };
      workers[i].thread = g_thread_new ("storm", storm_worker, &workers[i]);
    }
  while (count.pending > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
    {
      g_thread_join (workers[i].thread);
      g_assert_cmpuint (workers[i].failed, ==, 0);
      g_assert_cmpuint (workers[i].ok, ==, 50);
    }
  elapsed = g_get_monotonic_time () - start;
  g_assert_cmpuint (count.failed, ==, 0);
  g_assert_cmpuint (count.ok, ==, 1000);

  /* Let the refresh the storm asked for come (at most one per second),
   * then count. */
  g_usleep (1300 * 1000);
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("storm: %" G_GUINT64_FORMAT " MOVED replies, %" G_GUINT64_FORMAT
                  " CLUSTER SHARDS in %.2f s",
                  total_errors ("MOVED") - moved_before,
                  total_calls ("cluster|shards") - shards_before, elapsed / 1e6);
  g_assert_cmpuint (total_errors ("MOVED") - moved_before, >=, 1);
  g_assert_cmpuint (total_calls ("cluster|shards") - shards_before, >=, 1);
  g_assert_cmpuint (total_calls ("cluster|shards") - shards_before, <=,
                    1 + (guint64) (elapsed / G_USEC_PER_SEC));

  /* Each INCR ran once: 1,000 async over 1,000 keys, 50 per thread over
   * its own keys. */
  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *key = key_in_slot ("storm-async", slots[i % G_N_ELEMENTS (slots)], i);

      found += server_integer (key);
      expected++;
    }
  for (guint t = 0; t < G_N_ELEMENTS (workers); t++)
    for (guint s = 0; s < G_N_ELEMENTS (slots); s++)
      {
        g_autofree char *key = key_in_slot ("storm", slots[s], t);

        found += server_integer (key);
      }
  expected += 16 * 50;
  g_assert_cmpuint (found, ==, expected);
}

/* INCRs while the cluster changes under them */

#define N_COUNTERS 1000
#define N_INCR_WORKERS 4

static gint counter_ok[N_COUNTERS];
static gint counter_maybe[N_COUNTERS];
static gint counter_failed;
static gint workers_stop;
static GMutex gate_mutex;
static GCond gate_cond;
static gboolean gate_closed;
static guint gate_waiting;

static char *
counter_key (guint i)
{
  return key_in_slot ("ctr", (i * 16 + 5) % DT_REDIS_CLUSTER_SLOTS, i);
}

static void
gate_pass (void)
{
  g_mutex_lock (&gate_mutex);
  while (gate_closed)
    {
      gate_waiting++;
      g_cond_broadcast (&gate_cond);
      g_cond_wait (&gate_cond, &gate_mutex);
      gate_waiting--;
    }
  g_mutex_unlock (&gate_mutex);
}

/* Until every worker waits at the gate: nothing is in flight. */
static void
gate_close (void)
{
  g_mutex_lock (&gate_mutex);
  gate_closed = TRUE;
  while (gate_waiting < N_INCR_WORKERS)
    g_cond_wait (&gate_cond, &gate_mutex);
  g_mutex_unlock (&gate_mutex);
}

static void
gate_open (void)
{
  g_mutex_lock (&gate_mutex);
  gate_closed = FALSE;
  g_cond_broadcast (&gate_cond);
  g_mutex_unlock (&gate_mutex);
}

static gpointer
incr_worker (gpointer data)
{
  DtRedisClient *client = data;
  guint i = GPOINTER_TO_UINT (g_thread_self ()) % N_COUNTERS;

  while (!g_atomic_int_get (&workers_stop))
    {
      g_autofree char *key = NULL;
      g_autoptr(GError) error = NULL;

      gate_pass ();
      i = (i + 7) % N_COUNTERS;
      key = counter_key (i);
      if (dt_redis_client_incr (client, key, NULL, &error) > 0)
        g_atomic_int_inc (&counter_ok[i]);
      else if (strstr (error->message, "may have been executed") != NULL)
        g_atomic_int_inc (&counter_maybe[i]);
      else
        {
          g_printerr ("INCR %s failed: %s\n", key, error->message);
          g_atomic_int_inc (&counter_failed);
        }
    }
  return NULL;
}

static guint
total_ok (void)
{
  guint sum = 0;

  for (guint i = 0; i < N_COUNTERS; i++)
    sum += (guint) g_atomic_int_get (&counter_ok[i]);
  return sum;
}

/* Until the workers made at least @n more INCRs. */
static void
let_workers_run (guint n)
{
  guint until = total_ok () + n;

  while (total_ok () < until)
    g_usleep (10000);
}

/* Counters spread over all slots, INCRed from 4 threads while a slot
 * range is resharded (ASK, then MOVED), a primary hands over with
 * CLUSTER FAILOVER and another primary is killed: every counter equals
 * the INCRs that reported success (plus at most the ones that reported
 * "may have been executed"), and nothing fails. */
static void
test_incr_through_changes (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (1);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  GThread *threads[N_INCR_WORKERS];
  DtTestServer *src, *dst, *primary, *replica, *victim;
  g_autofree char *wait_reply = NULL;
  guint first_slot = 5, n_moved = 0;

  /* Every counter exists before anything moves: each slot resharded
   * below has a key to migrate. */
  for (guint i = 0; i < N_COUNTERS; i++)
    {
      g_autofree char *key = counter_key (i);
      g_autoptr(GError) error = NULL;

      g_assert_cmpint (dt_redis_client_incr (client, key, NULL, &error), ==, 1);
      counter_ok[i]++;
    }
  for (guint t = 0; t < N_INCR_WORKERS; t++)
    threads[t] = g_thread_new ("incr", incr_worker, client);
  let_workers_run (2000);

  /* A reshard of 4 slots that hold counters, key by key: ASK meanwhile. */
  src = dt_test_cluster_owner_of_slot (lab, first_slot);
  dst = dt_test_cluster_other_primary (lab, src);
  for (guint slot = first_slot; slot < first_slot + 4 * 16; slot += 16)
    {
      dt_test_cluster_begin_migration (src, dst, slot);
      while (dt_test_cluster_migrate_keys (src, dst, slot, 1) > 0)
        {
          n_moved++;
          g_usleep (2000);
        }
      dt_test_cluster_finish_migration (lab, dst, slot);
    }
  g_assert_cmpuint (n_moved, >=, 4);
  let_workers_run (2000);

  /* A manual failover: the replica takes over once it caught up. */
  primary = dt_test_cluster_owner_of_slot (lab, 15000);
  replica = dt_test_cluster_replica_of (lab, primary);
  g_assert_nonnull (replica);
  g_free (dt_test_server_command (replica, "CLUSTER", "FAILOVER", NULL));
  while (dt_test_cluster_owner_of_slot (lab, 15000) != replica)
    g_usleep (20000);
  dt_test_cluster_wait_until_ok (lab, 30);
  let_workers_run (2000);

  /* A primary killed. Replication is asynchronous, so the INCRs it
   * acknowledged reach its replica only if it lives long enough: the
   * workers pause while WAIT makes sure of that, then run on into the
   * dead node's slots until its replica takes over. */
  victim = dt_test_cluster_owner_of_slot (lab, 100);
  g_assert_nonnull (dt_test_cluster_replica_of (lab, victim));
  gate_close ();
  wait_reply = dt_test_server_command (victim, "WAIT", "1", "5000", NULL);
  g_assert_cmpint (dt_test_reply_integer (wait_reply), ==, 1);
  dt_test_server_kill (victim);
  gate_open ();
  let_workers_run (500);
  dt_test_cluster_wait_until_ok (lab, 30);
  let_workers_run (2000);
  /* At least 10,000 in all, however slow the machine. */
  while (total_ok () < 10000)
    g_usleep (10000);

  g_atomic_int_set (&workers_stop, 1);
  for (guint t = 0; t < N_INCR_WORKERS; t++)
    g_thread_join (threads[t]);

  /* Pipelines and transactions work on the new topology, on every
   * primary, the promoted ones included. */
  {
    g_autoptr(DtRedisPipeline) pipeline = dt_redis_client_pipeline (client, FALSE);
    g_autoptr(DtRedisPipeline) tx = dt_redis_client_pipeline (client, TRUE);
    g_autoptr(GPtrArray) replies = NULL;
    g_autoptr(GError) error = NULL;

    for (guint i = 0; i < N_COUNTERS; i++)
      {
        g_autofree char *key = counter_key (i);

        dt_redis_pipeline_append (pipeline, (const char * const []) { "INCR", key, NULL });
      }
    replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (replies->len, ==, N_COUNTERS);
    for (guint i = 0; i < N_COUNTERS; i++)
      {
        g_assert_false (dt_redis_reply_is_error (g_ptr_array_index (replies, i)));
        counter_ok[i]++;
      }
    g_clear_pointer (&replies, g_ptr_array_unref);

    /* A transaction on the slot the killed primary owned. */
    {
      g_autofree char *key = key_in_slot ("ctr-tx", 100, 0);

      dt_redis_pipeline_append (tx, (const char * const []) { "INCR", key, NULL });
      dt_redis_pipeline_append (tx, (const char * const []) { "INCR", key, NULL });
      replies = dt_redis_pipeline_execute (tx, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_reply_get_integer (g_ptr_array_index (replies, 1)), ==, 2);
      g_assert_cmpint (server_integer (key), ==, 2);
    }
  }

  g_test_message ("%u INCRs succeeded", total_ok ());
  g_assert_cmpuint (total_ok (), >=, 10000);
  g_assert_cmpint (counter_failed, ==, 0);
  for (guint i = 0; i < N_COUNTERS; i++)
    {
      g_autofree char *key = counter_key (i);
      gint64 value = server_integer (key);

      if (value < counter_ok[i] || value > counter_ok[i] + counter_maybe[i])
        g_error ("%s is %" G_GINT64_FORMAT " after %d INCRs that succeeded and %d that may have run",
                 key, value, counter_ok[i], counter_maybe[i]);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/moved", test_moved);
  g_test_add_func ("/cluster/ask", test_ask);
  g_test_add_func ("/cluster/refresh-storm", test_refresh_storm);
  /* Kills a primary: last. */
  g_test_add_func ("/cluster/incr-through-changes", test_incr_through_changes);
  return cluster_test_run ();
}
