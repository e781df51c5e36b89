/* test-cluster-pubsub.c: pub/sub with a Cluster config, against a real
 * local Redis Cluster
 *
 * Channels and patterns live on the first seed that answers; each shard
 * channel on its slot's owner, following it when the slot moves, its
 * connection is killed, or its primary fails over. Where a subscription
 * lives is read on the servers: SPUBLISH answers how many subscribers
 * its node has, and INFO commandstats counts the SSUBSCRIBEs each node
 * ran. The test that kills a primary comes last.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "test-cluster-common.h"

static void
on_message (DtRedisPubSub  *pubsub,
            DtRedisMessage *message,
            gpointer        user_data)
{
  g_ptr_array_add (user_data, g_strdup (dt_redis_message_get_text (message)));
}

/* Classic pub/sub through a Cluster config: the subscription lives on one
 * node (the first seed that answers: here the first is dead), and a
 * PUBLISH on any node reaches it. */
static void
test_pubsub (void)
{
  g_autofree char *dead = g_strdup_printf ("127.0.0.1:%u", dt_test_free_port ());
  g_autofree char *live = g_strdup_printf ("127.0.0.1:%u",
                                           dt_test_server_get_port (dt_test_cluster_get_node (lab, 2)));
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPubSub) pubsub = NULL;
  g_autoptr(GPtrArray) got = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gint64 deadline;

  dt_redis_config_set_redis_cluster_nodes (config, (const char * const []) { dead, live, NULL });
  dt_redis_config_set_redis_socket_timeout (config, 10 * dt_test_time_scale ());
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  pubsub = dt_redis_instance_get_pubsub (instance);
  g_signal_connect (pubsub, "message", G_CALLBACK (on_message), got);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char * const []) { "news", NULL }, NULL, &error));
  g_assert_no_error (error);

  /* Through the client, and on every primary directly: the cluster
   * passes each message on to the subscriber's node. */
  {
    g_autoptr(DtRedisReply) reply = dt_redis_client_execute (client, (const char * const []) {
                                                               "PUBLISH", "news", "hello", NULL }, NULL, &error);

    /* It counts the receivers on the node that ran it only. */
    g_assert_no_error (error);
    g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_INTEGER);
  }
  /* One slot of each primary's range (the lab splits them in three). */
  for (guint slot = 0; slot < DT_REDIS_CLUSTER_SLOTS; slot += 5462)
    g_free (dt_test_server_command (dt_test_cluster_owner_of_slot (lab, slot), "PUBLISH", "news", "hello", NULL));
  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC * dt_test_time_scale ();
  while (got->len < 4 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
  g_assert_cmpuint (got->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (got, 0), ==, "hello");
}

/* redis+cluster:// parses into a Cluster config and back; a URL set on a
 * config routes by slot too. */

typedef struct
{
  GPtrArray *messages;      /* "channel payload" of each smessage */
  guint      subscribed;
  guint      unsubscribed;
  guint      reconnected;
} Events;

static void
on_smessage (DtRedisPubSub  *pubsub,
             DtRedisMessage *message,
             Events         *events)
{
  g_assert_cmpint (dt_redis_message_get_kind (message), ==, DT_REDIS_MESSAGE_KIND_SMESSAGE);
  g_ptr_array_add (events->messages, g_strdup_printf ("%s %s", dt_redis_message_get_channel (message),
                                                      dt_redis_message_get_text (message)));
}

static void
on_subscribed (DtRedisPubSub  *pubsub,
               DtRedisMessage *message,
               Events         *events)
{
  g_assert_cmpint (dt_redis_message_get_kind (message), ==, DT_REDIS_MESSAGE_KIND_SSUBSCRIBE);
  events->subscribed++;
}

static void
on_unsubscribed (DtRedisPubSub  *pubsub,
                 DtRedisMessage *message,
                 Events         *events)
{
  g_assert_cmpint (dt_redis_message_get_kind (message), ==, DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE);
  events->unsubscribed++;
}

static void
on_reconnected (DtRedisPubSub *pubsub,
                gint64         gap_us,
                Events        *events)
{
  g_assert_cmpint (gap_us, >, 0);
  g_test_message ("shard channels back after %.1f ms", gap_us / 1000.0);
  events->reconnected++;
}

static Events *
events_watch (DtRedisPubSub *pubsub)
{
  Events *events = g_new0 (Events, 1);

  events->messages = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (pubsub, "message", G_CALLBACK (on_smessage), events);
  g_signal_connect (pubsub, "subscribed", G_CALLBACK (on_subscribed), events);
  g_signal_connect (pubsub, "unsubscribed", G_CALLBACK (on_unsubscribed), events);
  g_signal_connect (pubsub, "reconnected", G_CALLBACK (on_reconnected), events);
  return events;
}

static void
events_free (Events *events)
{
  g_ptr_array_unref (events->messages);
  g_free (events);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Events, events_free)

/* Iterates the thread's default context until @cond holds; fails the
 * test after @seconds (scaled). */
#define WAIT_UNTIL(cond, seconds)                                                          \
  G_STMT_START {                                                                           \
    gint64 wait_deadline_ = g_get_monotonic_time () +                                      \
                            (gint64) ((seconds) * G_USEC_PER_SEC * dt_test_time_scale ());  \
    while (!(cond) && g_get_monotonic_time () < wait_deadline_)                            \
      {                                                                                    \
        if (!g_main_context_iteration (NULL, FALSE))                                       \
          g_usleep (1000);                                                                 \
      }                                                                                    \
    g_assert_true (cond);                                                                  \
  } G_STMT_END

/* SPUBLISH through the routed client: how many subscribers the owner of
 * the channel's slot has. */
static gint64
spublish (DtRedisClient *client,
          const char    *channel,
          const char    *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) reply = dt_redis_client_execute (client, (const char * const []) {
                                                             "SPUBLISH", channel, text, NULL }, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_INTEGER);
  return dt_redis_reply_get_integer (reply);
}

static gboolean
has_message (Events     *events,
             const char *channel,
             const char *text)
{
  g_autofree char *wanted = g_strdup_printf ("%s %s", channel, text);

  for (guint i = 0; i < events->messages->len; i++)
    if (g_strcmp0 (g_ptr_array_index (events->messages, i), wanted) == 0)
      return TRUE;
  return FALSE;
}

/* SSUBSCRIBE calls each node ran. */
static void
ssubscribe_calls (guint64 *calls)
{
  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    {
      DtTestServer *node = dt_test_cluster_get_node (lab, i);

      calls[i] = dt_test_server_is_running (node) ? dt_test_server_info_calls (node, "ssubscribe") : 0;
    }
}

static guint
node_index (DtTestServer *node)
{
  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    if (dt_test_cluster_get_node (lab, i) == node)
      return i;
  g_assert_not_reached ();
}

/* Shard channels in three slots of three primaries: one SSUBSCRIBE per
 * slot, each on the slot's owner; messages from each; unsubscribing one,
 * then all. */
static void
test_sharded (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(Events) events = events_watch (pubsub);
  g_autoptr(GError) error = NULL;
  g_autofree char *a1 = key_in_slot ("sh", 100, 1);
  g_autofree char *a2 = key_in_slot ("sh", 100, 2);
  g_autofree char *b = key_in_slot ("sh", 6000, 0);
  g_autofree char *c = key_in_slot ("sh", 12000, 0);
  const char *names[] = { a1, a2, b, c, NULL };
  guint slots[] = { 100, 100, 6000, 12000 };
  guint64 before[8], after[8];
  g_auto(GStrv) listed = NULL;

  settle (instance);
  ssubscribe_calls (before);
  g_assert_true (dt_redis_pubsub_ssubscribe (pubsub, names, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (events->subscribed, ==, 4);
  g_assert_true (dt_redis_pubsub_get_connected (pubsub));
  listed = dt_redis_pubsub_get_shard_channels (pubsub);
  g_assert_cmpuint (g_strv_length (listed), ==, 4);

  /* One SSUBSCRIBE per slot, each on its owner. */
  ssubscribe_calls (after);
  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    {
      DtTestServer *node = dt_test_cluster_get_node (lab, i);
      guint expected = 0;

      for (guint s = 100; s <= 12000; s = s == 100 ? 6000 : s == 6000 ? 12000 : 20000)
        expected += dt_test_cluster_owner_of_slot (lab, s) == node;
      g_assert_cmpuint (after[i] - before[i], ==, expected);
    }

  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    g_assert_cmpint (spublish (client, names[i], "one"), ==, 1);
  WAIT_UNTIL (events->messages->len == 4, 5);
  for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
    g_assert_true (has_message (events, names[i], "one"));

  g_assert_true (dt_redis_pubsub_sunsubscribe (pubsub, (const char * const []) { b, NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (events->unsubscribed, ==, 1);
  g_assert_cmpint (spublish (client, b, "two"), ==, 0);
  g_assert_cmpint (spublish (client, c, "two"), ==, 1);
  WAIT_UNTIL (has_message (events, c, "two"), 5);

  g_assert_true (dt_redis_pubsub_sunsubscribe (pubsub, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (events->unsubscribed, ==, 4);
  g_clear_pointer (&listed, g_strfreev);
  listed = dt_redis_pubsub_get_shard_channels (pubsub);
  g_assert_cmpuint (g_strv_length (listed), ==, 0);
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
  g_assert_cmpint (spublish (client, c, "three"), ==, 0);
  g_assert_cmpuint (events->reconnected, ==, 0);
}

static void
subscribe_done_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GError **error = user_data;

  if (!dt_redis_pubsub_ssubscribe_finish (DT_REDIS_PUBSUB (source), result, error))
    g_assert_nonnull (*error);
  else
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* The async call, before the map is known (the first seed answers
 * MOVED), with no handler connected: everything goes to the pull queue. */
static void
test_sharded_async_queue (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autofree char *a = key_in_slot ("q", 50, 0);
  g_autofree char *b = key_in_slot ("q", 16000, 0);
  GError *result = NULL;
  guint confirmations = 0, messages = 0;

  dt_redis_pubsub_ssubscribe_async (pubsub, (const char * const []) { a, b, NULL }, NULL,
                                    subscribe_done_cb, &result);
  WAIT_UNTIL (result != NULL, 10);
  g_assert_error (result, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&result);

  g_assert_cmpint (spublish (client, a, "x"), ==, 1);
  g_assert_cmpint (spublish (client, b, "y"), ==, 1);
  while (messages < 2)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DtRedisMessage) message = NULL;

      message = dt_redis_pubsub_next_message (pubsub, (int) (5000 * dt_test_time_scale ()), NULL, &error);

      g_assert_no_error (error);
      if (dt_redis_message_get_kind (message) == DT_REDIS_MESSAGE_KIND_SSUBSCRIBE)
        confirmations++;
      else if (dt_redis_message_get_kind (message) == DT_REDIS_MESSAGE_KIND_SMESSAGE)
        messages++;
      else
        g_assert_not_reached ();
    }
  g_assert_cmpuint (confirmations, ==, 2);
}

/* Cancelled before it starts: nothing reaches a node. */
static void
test_sharded_cancelled (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *a = key_in_slot ("cancel", 7, 0);
  g_autoptr(GError) error = NULL;
  guint64 before = total_calls ("ssubscribe");

  g_cancellable_cancel (cancellable);
  g_assert_false (dt_redis_pubsub_ssubscribe (pubsub, (const char * const []) { a, NULL }, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (total_calls ("ssubscribe"), ==, before);
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
}

/* The server drops a shard channel when its slot leaves the node: the
 * channel is subscribed again on the new owner (one SSUBSCRIBE there), the
 * caller sees ::reconnected, no ::unsubscribed, and messages again. */
static void
test_sharded_slot_moves (void)
{
  const guint slot = 200;
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(Events) events = events_watch (pubsub);
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = key_in_slot ("moving", slot, 0);
  DtTestServer *src = dt_test_cluster_owner_of_slot (lab, slot);
  DtTestServer *dst = dt_test_cluster_other_primary (lab, src);
  guint64 before[8], after[8];

  settle (instance);
  g_assert_true (dt_redis_pubsub_ssubscribe (pubsub, (const char * const []) { channel, NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (spublish (client, channel, "before"), ==, 1);
  WAIT_UNTIL (has_message (events, channel, "before"), 5);

  ssubscribe_calls (before);
  dt_test_cluster_begin_migration (src, dst, slot);
  dt_test_cluster_finish_migration (lab, dst, slot);
  WAIT_UNTIL (events->reconnected == 1 && dt_redis_pubsub_get_connected (pubsub), 10);
  ssubscribe_calls (after);
  g_assert_cmpuint (after[node_index (dst)] - before[node_index (dst)], ==, 1);
  g_assert_cmpuint (events->subscribed, ==, 1);
  g_assert_cmpuint (events->unsubscribed, ==, 0);
  g_assert_cmpint (spublish (client, channel, "after"), ==, 1);
  WAIT_UNTIL (has_message (events, channel, "after"), 5);

  /* And back. */
  dt_test_cluster_begin_migration (dst, src, slot);
  dt_test_cluster_finish_migration (lab, src, slot);
  WAIT_UNTIL (events->reconnected == 2 && dt_redis_pubsub_get_connected (pubsub), 10);
  g_assert_cmpint (spublish (client, channel, "back"), ==, 1);
  WAIT_UNTIL (has_message (events, channel, "back"), 5);
  g_assert_cmpuint (events->unsubscribed, ==, 0);
}

/* CLIENT KILL of the shard channels' connection: subscribed again on the
 * same node. */
static void
test_sharded_client_kill (void)
{
  const guint slot = 9000;
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(Events) events = events_watch (pubsub);
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = key_in_slot ("killed", slot, 0);
  DtTestServer *owner = dt_test_cluster_owner_of_slot (lab, slot);

  settle (instance);
  g_assert_true (dt_redis_pubsub_ssubscribe (pubsub, (const char * const []) { channel, NULL }, NULL, &error));
  g_assert_no_error (error);
  g_free (dt_test_server_command (owner, "CLIENT", "KILL", "TYPE", "pubsub", NULL));
  WAIT_UNTIL (events->reconnected == 1 && dt_redis_pubsub_get_connected (pubsub), 10);
  g_assert_cmpint (spublish (client, channel, "again"), ==, 1);
  WAIT_UNTIL (has_message (events, channel, "again"), 5);
  g_assert_cmpuint (events->subscribed, ==, 1);
}

/* Whether @node has a subscriber of shard channel @channel. */
static gboolean
node_has_subscriber (DtTestServer *node,
                     const char   *channel)
{
  g_autofree char *raw = dt_test_server_command (node, "PUBSUB", "SHARDNUMSUB", channel, NULL);

  g_assert_true (g_str_has_suffix (raw, ":1\r\n") || g_str_has_suffix (raw, ":0\r\n"));
  return g_str_has_suffix (raw, ":1\r\n");
}

/* A failover by CLUSTER FAILOVER: the old primary, now a replica, drops
 * the shard channels of its slots, and they are subscribed again (on the
 * new primary, or on the old one, which a replica of the shard may serve,
 * when the map did not know of the failover yet). Then the node of the
 * subscription, a primary, is killed: the connection breaks, and once its
 * replica has taken over, the channel is subscribed there. */
static void
test_sharded_failovers (void)
{
  const guint slot = 15000;
  g_autoptr(DtRedisInstance) instance = new_instance (600);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(Events) events = events_watch (pubsub);
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = key_in_slot ("failover", slot, 0);
  DtTestServer *primary = dt_test_cluster_owner_of_slot (lab, slot);
  DtTestServer *replica = dt_test_cluster_replica_of (lab, primary);
  guint reconnects;

  g_assert_nonnull (replica);
  settle (instance);
  g_assert_true (dt_redis_pubsub_ssubscribe (pubsub, (const char * const []) { channel, NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (node_has_subscriber (primary, channel));

  g_free (dt_test_server_command (replica, "CLUSTER", "FAILOVER", NULL));
  WAIT_UNTIL (events->reconnected == 1 && dt_redis_pubsub_get_connected (pubsub), 30);
  g_assert_true (dt_test_cluster_owner_of_slot (lab, slot) == replica);
  g_assert_true (node_has_subscriber (primary, channel) != node_has_subscriber (replica, channel));
  /* A primary passes shard messages on to the replicas it knows of: only
   * once the cluster agrees again does the old primary get them. */
  dt_test_cluster_wait_until_ok (lab, 30);
  g_assert_cmpint (spublish (client, channel, "promoted"), ==, 1);
  WAIT_UNTIL (has_message (events, channel, "promoted"), 10);

  /* On the old primary: its connection killed, the channel goes where
   * the map, refreshed meanwhile, says the slot lives. */
  settle (instance);
  if (node_has_subscriber (primary, channel))
    {
      g_free (dt_test_server_command (primary, "CLIENT", "KILL", "TYPE", "pubsub", NULL));
      WAIT_UNTIL (events->reconnected == 2 && dt_redis_pubsub_get_connected (pubsub), 30);
    }
  g_assert_true (node_has_subscriber (replica, channel));

  reconnects = events->reconnected;
  dt_test_server_kill (replica);
  WAIT_UNTIL (events->reconnected == reconnects + 1 && dt_redis_pubsub_get_connected (pubsub), 30);
  g_assert_true (dt_test_cluster_owner_of_slot (lab, slot) == primary);
  g_assert_true (node_has_subscriber (primary, channel));
  g_assert_cmpint (spublish (client, channel, "killed"), ==, 1);
  WAIT_UNTIL (has_message (events, channel, "killed"), 10);
  g_assert_cmpuint (events->subscribed, ==, 1);
  g_assert_cmpuint (events->unsubscribed, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cluster/pubsub", test_pubsub);
  g_test_add_func ("/cluster/sharded", test_sharded);
  g_test_add_func ("/cluster/sharded-async-queue", test_sharded_async_queue);
  g_test_add_func ("/cluster/sharded-cancelled", test_sharded_cancelled);
  g_test_add_func ("/cluster/sharded-slot-moves", test_sharded_slot_moves);
  g_test_add_func ("/cluster/sharded-client-kill", test_sharded_client_kill);
  /* Kills a primary: last. */
  g_test_add_func ("/cluster/sharded-failovers", test_sharded_failovers);
  return cluster_test_run ();
}
