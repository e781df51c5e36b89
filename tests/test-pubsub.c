/* test-pubsub.c: DtRedisPubSub against a real redis-server and fake ones
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <glib/gstdio.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

static DtTestServer *server;

/* What the signals brought, in order: "kind channel [pattern] payload". */
typedef struct
{
  GPtrArray *events;
  guint      n_messages;
  guint      n_reconnected;
  gint64     last_gap;
  gint64     next_seq;    /* ordered-delivery check: -1 when off */
  guint      n_out_of_order;
} Recorder;

static void
on_message (DtRedisPubSub  *pubsub,
            DtRedisMessage *message,
            Recorder       *rec)
{
  const char *text = dt_redis_message_get_text (message);

  rec->n_messages++;
  if (rec->next_seq >= 0)
    {
      if (g_ascii_strtoll (text, NULL, 10) != rec->next_seq)
        rec->n_out_of_order++;
      rec->next_seq++;
      return;
    }
  g_ptr_array_add (rec->events,
                   g_strdup_printf ("%s %s%s%s %s", dt_redis_message_get_kind_name (message),
                                    dt_redis_message_get_channel (message),
                                    dt_redis_message_get_pattern (message) ? " " : "",
                                    dt_redis_message_get_pattern (message) ? dt_redis_message_get_pattern (message) : "",
                                    text ? text : "(binary)"));
}

static void
on_confirmation (DtRedisPubSub  *pubsub,
                 DtRedisMessage *message,
                 Recorder       *rec)
{
  const char *channel = dt_redis_message_get_channel (message);

  g_ptr_array_add (rec->events,
                   g_strdup_printf ("%s %s %" G_GINT64_FORMAT, dt_redis_message_get_kind_name (message),
                                    channel ? channel : "(nil)", dt_redis_message_get_count (message)));
}

static void
on_reconnected (DtRedisPubSub *pubsub,
                gint64         gap,
                Recorder      *rec)
{
  /* Every subscription is back by now. */
  g_assert_true (dt_redis_pubsub_get_connected (pubsub));
  rec->n_reconnected++;
  rec->last_gap = gap;
  g_ptr_array_add (rec->events, g_strdup ("reconnected"));
}

static void
recorder_init (Recorder      *rec,
               DtRedisPubSub *pubsub)
{
  rec->events = g_ptr_array_new_with_free_func (g_free);
  rec->next_seq = -1;
  g_signal_connect (pubsub, "message", G_CALLBACK (on_message), rec);
  g_signal_connect (pubsub, "subscribed", G_CALLBACK (on_confirmation), rec);
  g_signal_connect (pubsub, "unsubscribed", G_CALLBACK (on_confirmation), rec);
  g_signal_connect (pubsub, "reconnected", G_CALLBACK (on_reconnected), rec);
}

static void
recorder_clear (Recorder *rec)
{
  g_clear_pointer (&rec->events, g_ptr_array_unref);
}

static DtRedisInstance *
new_instance_for_url (const char *url,
                      gdouble     socket_timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_socket_timeout (config, socket_timeout);
  dt_redis_config_set_redis_client_name (config, "pubsub-test");
  return dt_redis_instance_new (config);
}

static DtRedisInstance *
new_instance (void)
{
  return new_instance_for_url (dt_test_server_get_url (server), 5);
}

/* Iterates the default context until *counter reaches @target or the
 * (scaled) time runs out. */
static void
wait_for (guint *counter,
          guint  target,
          double seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * dt_test_time_scale () * G_USEC_PER_SEC);

  while (*counter < target && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpuint (*counter, >=, target);
}

static void
publish (const char *command,
         const char *channel,
         const char *payload)
{
  g_autofree char *reply = dt_test_server_command (server, command, channel, payload, NULL);

  g_assert_true (g_str_has_prefix (reply, ":"));
}

static void
assert_events (Recorder           *rec,
               const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  for (guint i = 0; i < MIN (n, rec->events->len); i++)
    g_assert_cmpstr (g_ptr_array_index (rec->events, i), ==, expected[i]);
  g_assert_cmpuint (rec->events->len, ==, n);
}

static void
assert_no_channels (DtRedisPubSub *pubsub)
{
  g_auto(GStrv) channels = dt_redis_pubsub_get_channels (pubsub);

  g_assert_cmpuint (g_strv_length (channels), ==, 0);
}

static void
test_channels_patterns_shards (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) channels = NULL;
  g_auto(GStrv) patterns = NULL;
  g_auto(GStrv) shards = NULL;
  Recorder rec = { 0 };

  recorder_init (&rec, pubsub);
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
  g_assert_cmpuint (dt_test_server_count_clients (server, "pubsub-test"), ==, 0);

  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "news", "sport", NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_pubsub_psubscribe (pubsub, (const char *[]) { "log.*", NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_pubsub_ssubscribe (pubsub, (const char *[]) { "shard{1}", NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_pubsub_get_connected (pubsub));
  g_assert_cmpuint (dt_test_server_count_clients (server, "pubsub-test"), ==, 1);

  channels = dt_redis_pubsub_get_channels (pubsub);
  patterns = dt_redis_pubsub_get_patterns (pubsub);
  shards = dt_redis_pubsub_get_shard_channels (pubsub);
  g_assert_cmpstrv (channels, ((const char *[]) { "news", "sport", NULL }));
  g_assert_cmpstrv (patterns, ((const char *[]) { "log.*", NULL }));
  g_assert_cmpstrv (shards, ((const char *[]) { "shard{1}", NULL }));

  publish ("PUBLISH", "news", "hello");
  publish ("PUBLISH", "log.disk", "full");
  publish ("SPUBLISH", "shard{1}", "s1");
  publish ("PUBLISH", "unrelated", "nobody");
  wait_for (&rec.n_messages, 3, 5);

  {
    const char * const expected[] = {
      "subscribe news 1", "subscribe sport 2", "psubscribe log.* 3", "ssubscribe shard{1} 1",
      "message news hello", "pmessage log.disk log.* full", "smessage shard{1} s1", NULL
    };
    assert_events (&rec, expected);
  }

  /* Nothing went to the pull queue: every signal has a handler. */
  g_assert_cmpuint (dt_redis_pubsub_get_queue_length (pubsub), ==, 0);

  /* PING answers in order on the subscribed connection. */
  {
    g_autoptr(DtRedisMessage) pong = dt_redis_pubsub_ping (pubsub, "hi", NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpint (dt_redis_message_get_kind (pong), ==, DT_REDIS_MESSAGE_KIND_PONG);
    g_assert_cmpstr (dt_redis_message_get_text (pong), ==, "hi");
  }

  /* Unsubscribing from everything closes the connection. */
  g_ptr_array_set_size (rec.events, 0);
  g_assert_true (dt_redis_pubsub_unsubscribe (pubsub, (const char *[]) { "news", NULL }, NULL, &error));
  g_assert_true (dt_redis_pubsub_get_connected (pubsub));
  g_assert_true (dt_redis_pubsub_unsubscribe (pubsub, NULL, NULL, &error));
  g_assert_true (dt_redis_pubsub_punsubscribe (pubsub, NULL, NULL, &error));
  g_assert_true (dt_redis_pubsub_sunsubscribe (pubsub, NULL, NULL, &error));
  g_assert_no_error (error);
  {
    const char * const expected[] = {
      "unsubscribe news 2", "unsubscribe sport 1", "punsubscribe log.* 0", "sunsubscribe shard{1} 0", NULL
    };
    assert_events (&rec, expected);
  }
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
  assert_no_channels (pubsub);
  for (int i = 0; i < 100 && dt_test_server_count_clients (server, "pubsub-test") > 0; i++)
    g_usleep (10000);
  g_assert_cmpuint (dt_test_server_count_clients (server, "pubsub-test"), ==, 0);

  recorder_clear (&rec);
}

static void
subscribe_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *n_done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_pubsub_subscribe_finish (DT_REDIS_PUBSUB (source), result, &error));
  g_assert_no_error (error);
  (*n_done)++;
}

typedef struct
{
  DtRedisInstance *instance;
  guint            n;
} Publisher;

static gpointer
publish_thread (gpointer data)
{
  Publisher *pub = data;
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (pub->instance);

  for (guint i = 0; i < pub->n; i += 1000)
    {
      g_autoptr(DtRedisPipeline) pipeline = dt_redis_client_pipeline (client, FALSE);
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GError) error = NULL;

      for (guint j = i; j < MIN (i + 1000, pub->n); j++)
        {
          g_autofree char *seq = g_strdup_printf ("%u", j);

          dt_redis_pipeline_append (pipeline, (const char *[]) { "PUBLISH", "ordered", seq, NULL });
        }
      replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
      g_assert_no_error (error);
    }

  return NULL;
}

/* 100,000 messages arrive, each once, in the order they were published. */
static void
test_ordered_delivery (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  Recorder rec = { 0 };
  Publisher pub = { instance, 100000 };
  guint n_done = 0;
  GThread *thread;

  if (dt_test_time_scale () > 1)
    pub.n = 20000;  /* valgrind: the same check, on fewer messages */

  recorder_init (&rec, pubsub);
  dt_redis_pubsub_subscribe_async (pubsub, (const char *[]) { "ordered", NULL }, NULL, subscribe_done, &n_done);
  wait_for (&n_done, 1, 5);

  rec.next_seq = 0;
  thread = g_thread_new ("publisher", publish_thread, &pub);
  wait_for (&rec.n_messages, pub.n, 60);
  g_thread_join (thread);

  /* Nothing more comes: each was delivered once. */
  {
    g_autoptr(DtRedisMessage) pong = dt_redis_pubsub_ping (pubsub, NULL, NULL, NULL);

    g_assert_nonnull (pong);
  }
  g_assert_cmpuint (rec.n_messages, ==, pub.n);
  g_assert_cmpuint (rec.n_out_of_order, ==, 0);
  recorder_clear (&rec);
}

/* A server restart: the subscriptions come back, `reconnected` comes
 * before any new message, and nothing arrives twice. */
static void
test_restart (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  Recorder rec = { 0 };
  guint n_connected_changes = 0;

  recorder_init (&rec, pubsub);
  g_signal_connect_swapped (pubsub, "notify::connected", G_CALLBACK (g_atomic_int_inc), &n_connected_changes);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "before", NULL }, NULL, &error));
  g_assert_true (dt_redis_pubsub_psubscribe (pubsub, (const char *[]) { "p.*", NULL }, NULL, &error));
  g_assert_no_error (error);
  publish ("PUBLISH", "before", "1");
  wait_for (&rec.n_messages, 1, 5);

  dt_test_server_restart (server);
  wait_for (&rec.n_reconnected, 1, 15);
  g_assert_true (dt_redis_pubsub_get_connected (pubsub));
  g_assert_cmpint (rec.last_gap, >, 0);
  g_assert_cmpuint (n_connected_changes, >=, 2);

  publish ("PUBLISH", "before", "2");
  publish ("PUBLISH", "p.x", "3");
  wait_for (&rec.n_messages, 3, 5);
  {
    g_autoptr(DtRedisMessage) pong = dt_redis_pubsub_ping (pubsub, NULL, NULL, &error);

    g_assert_no_error (error);
  }
  {
    const char * const expected[] = {
      "subscribe before 1", "psubscribe p.* 2", "message before 1",
      "reconnected", "message before 2", "pmessage p.x p.* 3", NULL
    };
    assert_events (&rec, expected);
  }
  recorder_clear (&rec);
}

/* Without handlers, events wait in the bounded pull queue. */
static void
test_pull_queue_bound (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisMessage) first = NULL;
  g_autoptr(DtRedisInstance) pub_instance = new_instance ();
  Publisher pub = { pub_instance, 1000 };
  guint n = 0;

  dt_redis_pubsub_set_queue_limit (pubsub, 100);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "ordered", NULL }, NULL, &error));
  g_assert_no_error (error);
  publish_thread (&pub);

  /* Read until the pong: every message is in by then. */
  {
    g_autoptr(DtRedisMessage) pong = dt_redis_pubsub_ping (pubsub, NULL, NULL, &error);

    g_assert_no_error (error);
  }
  g_assert_cmpuint (dt_redis_pubsub_get_queue_length (pubsub), ==, 100);
  /* The subscribe confirmation and the first 900 messages were dropped. */
  g_assert_cmpuint (dt_redis_pubsub_get_dropped (pubsub), ==, 901);

  for (DtRedisMessage *m; (m = dt_redis_pubsub_pop_message (pubsub)) != NULL; n++)
    {
      g_autofree char *expected = g_strdup_printf ("%u", 900 + n);

      g_assert_cmpstr (dt_redis_message_get_text (m), ==, expected);
      dt_redis_message_unref (m);
    }
  g_assert_cmpuint (n, ==, 100);

  /* next_message waits, and gives up after its timeout. */
  publish ("PUBLISH", "ordered", "late");
  first = dt_redis_pubsub_next_message (pubsub, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_message_get_text (first), ==, "late");
  g_assert_null (dt_redis_pubsub_next_message (pubsub, 50, NULL, &error));
  g_assert_no_error (error);
}

static guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  while (g_dir_read_name (dir) != NULL)
    n++;

  return n;
}

/* Many subscribe/unsubscribe cycles leave no descriptor behind (and,
 * under valgrind, no memory). */
static void
test_cycles (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(GError) error = NULL;
  guint fds_before = count_fds ();
  guint n = 1000;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);

      g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "c", NULL }, NULL, &error));
      g_assert_no_error (error);
      if (i % 2 == 0)
        g_assert_true (dt_redis_pubsub_unsubscribe (pubsub, NULL, NULL, &error));
      /* odd ones: dropping the last reference closes */
      g_assert_no_error (error);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (count_fds (), ==, fds_before);
}

/* A subscribe against a server that is down fails, and undoes itself. */
static void
test_connect_failure (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance_for_url ("redis://127.0.0.1:1", 1);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;

  g_assert_false (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "x", NULL }, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  assert_no_channels (pubsub);
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
  g_clear_error (&error);

  /* An empty subscribe is refused before any I/O. */
  g_assert_false (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { NULL }, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

/* The server drops a shard channel on its own (a slot moved): we
 * subscribe to it again. */
static void
test_server_sunsubscribe (void)
{
  const char * const script[] = {
    "*3\r\n$10\r\nssubscribe\r\n$2\r\nsc\r\n:1\r\n"
    "*3\r\n$12\r\nsunsubscribe\r\n$2\r\nsc\r\n:0\r\n",
    "*3\r\n$10\r\nssubscribe\r\n$2\r\nsc\r\n:1\r\n"
    "*3\r\n$8\r\nsmessage\r\n$2\r\nsc\r\n$5\r\nafter\r\n",
    NULL
  };
  g_autoptr(DtFakeServer) fake = dt_fake_server_new_script (script);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, NULL);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;
  Recorder rec = { 0 };

  recorder_init (&rec, pubsub);
  g_assert_true (dt_redis_pubsub_ssubscribe (pubsub, (const char *[]) { "sc", NULL }, NULL, &error));
  g_assert_no_error (error);
  wait_for (&rec.n_messages, 1, 5);
  {
    const char * const expected[] = { "ssubscribe sc 1", "smessage sc after", NULL };
    assert_events (&rec, expected);
  }
  g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 1);
  g_assert_cmpuint (dt_fake_server_get_n_commands (fake), ==, 2);
  last = dt_fake_server_get_last_command (fake);
  g_assert_cmpstr (last, ==, "SSUBSCRIBE sc");
  recorder_clear (&rec);
}

/* A reply that answers nothing is never taken as one: the connection is
 * dropped and a new one restores the subscription. */
static void
test_stray_reply (void)
{
  const char * const script[] = {
    "*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n:42\r\n",
    NULL
  };
  g_autoptr(DtFakeServer) fake = dt_fake_server_new_script (script);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, NULL);
  g_autoptr(DtRedisInstance) instance = dt_redis_instance_new (config);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  Recorder rec = { 0 };
  guint n_accepted = 0;

  recorder_init (&rec, pubsub);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "ch", NULL }, NULL, &error));
  g_assert_no_error (error);
  /* Each connection gets the same script: confirmation, then the stray
   * integer; the subscription is restored each time. */
  wait_for (&rec.n_reconnected, 1, 5);
  n_accepted = dt_fake_server_get_n_accepted (fake);
  g_assert_cmpuint (n_accepted, >=, 2);
  g_assert_cmpuint (rec.n_messages, ==, 0);
  g_assert_cmpstr (g_ptr_array_index (rec.events, 0), ==, "subscribe ch 1");
  dt_redis_pubsub_close (pubsub);
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
  recorder_clear (&rec);
}

/* A server that never answers: the subscribe fails with TIMEOUT. */
static void
test_silent_server (void)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_SILENT, NULL);
  g_autofree char *url = dt_fake_server_get_url (fake);
  g_autoptr(DtRedisInstance) instance = new_instance_for_url (url, 0.3);
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;

  g_assert_false (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "ch", NULL }, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  assert_no_channels (pubsub);
}

static void
next_message_done (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GError **error = user_data;
  g_autoptr(DtRedisMessage) message = dt_redis_pubsub_next_message_finish (DT_REDIS_PUBSUB (source), result, error);

  g_assert_null (message);
}

/* A cancelled next_message_async takes no event. */
static void
test_next_message_cancel (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisMessage) message = NULL;
  GError *async_error = NULL;

  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "cx", NULL }, NULL, &error));
  g_assert_no_error (error);
  message = dt_redis_pubsub_pop_message (pubsub);
  g_assert_cmpint (dt_redis_message_get_kind (message), ==, DT_REDIS_MESSAGE_KIND_SUBSCRIBE);
  g_clear_pointer (&message, dt_redis_message_unref);

  dt_redis_pubsub_next_message_async (pubsub, cancellable, next_message_done, &async_error);
  g_cancellable_cancel (cancellable);
  while (async_error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (async_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&async_error);

  publish ("PUBLISH", "cx", "kept");
  message = dt_redis_pubsub_next_message (pubsub, 5000, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_message_get_text (message), ==, "kept");
}

/* CLIENT KILL of the subscriber: it comes back by itself. */
static void
test_client_kill (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *killed = NULL;
  Recorder rec = { 0 };

  recorder_init (&rec, pubsub);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "k", NULL }, NULL, &error));
  g_assert_no_error (error);
  killed = dt_test_server_command (server, "CLIENT", "KILL", "TYPE", "pubsub", NULL);
  g_assert_cmpstr (killed, ==, ":1\r\n");
  wait_for (&rec.n_reconnected, 1, 10);
  publish ("PUBLISH", "k", "after");
  wait_for (&rec.n_messages, 1, 5);
  {
    const char * const expected[] = { "subscribe k 1", "reconnected", "message k after", NULL };
    assert_events (&rec, expected);
  }
  recorder_clear (&rec);
}

/* A subscriber that stops reading past the server's output-buffer limit
 * for pub/sub clients is disconnected by the server; it reconnects, says
 * so, and what is published afterwards arrives. */
static void
test_output_buffer_limit (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *set = NULL;
  g_autofree char *big = g_strnfill (256 * 1024, 'x');
  Recorder rec = { 0 };

  set = dt_test_server_command (server, "CONFIG", "SET", "client-output-buffer-limit",
                                "pubsub 256kb 128kb 1", NULL);
  g_assert_cmpstr (set, ==, "+OK\r\n");
  recorder_init (&rec, pubsub);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "flood", NULL }, NULL, &error));
  g_assert_no_error (error);

  /* The main loop is not run meanwhile: nothing is read, and 32 MiB is
   * more than the socket buffers hold. */
  for (int i = 0; i < 128; i++)
    publish ("PUBLISH", "flood", big);
  wait_for (&rec.n_reconnected, 1, 15);
  publish ("PUBLISH", "flood", "small");
  while (rec.events->len == 0 ||
         g_strcmp0 (g_ptr_array_index (rec.events, rec.events->len - 1), "message flood small") != 0)
    {
      guint before = rec.n_messages;

      wait_for (&rec.n_messages, before + 1, 5);
    }
  g_assert_cmpuint (rec.n_messages, <, 128 + 1);  /* the flood was cut short */

  g_free (set);
  set = dt_test_server_command (server, "CONFIG", "SET", "client-output-buffer-limit",
                                "pubsub 32mb 8mb 60", NULL);
  g_assert_cmpstr (set, ==, "+OK\r\n");
  recorder_clear (&rec);
}

/* PING before any subscription: the server echoes the text as a plain
 * reply; the connection closes again afterwards. */
static void
test_ping_unsubscribed (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisMessage) pong = NULL;
  g_autoptr(DtRedisMessage) plain = NULL;

  pong = dt_redis_pubsub_ping (pubsub, "echo", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_message_get_kind (pong), ==, DT_REDIS_MESSAGE_KIND_PONG);
  g_assert_cmpstr (dt_redis_message_get_text (pong), ==, "echo");
  plain = dt_redis_pubsub_ping (pubsub, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_message_get_text (plain), ==, "PONG");
  g_assert_false (dt_redis_pubsub_get_connected (pubsub));
}

/* PAUSE_READING: a full queue stops the reading instead of dropping;
 * the server holds the rest, and every message arrives in order. */
static void
test_pull_queue_pause (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPipeline) pipeline = dt_redis_client_pipeline (client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *padding = g_strnfill (1000, '.');
  gint64 until;
  guint n = 0;

  dt_redis_pubsub_set_queue_limit (pubsub, 100);
  dt_redis_pubsub_set_overflow (pubsub, DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING);
  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "paused", NULL }, NULL, &error));
  g_assert_no_error (error);
  dt_redis_message_unref (dt_redis_pubsub_pop_message (pubsub));  /* the confirmation */

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *payload = g_strdup_printf ("%u %s", i, padding);

      dt_redis_pipeline_append (pipeline, (const char *[]) { "PUBLISH", "paused", payload, NULL });
    }
  replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
  g_assert_no_error (error);

  /* Run the loop a while: the queue fills up to its limit, and stops
   * there (one read of 16 KiB brings at most 16 more). */
  until = g_get_monotonic_time () + 300 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  g_assert_cmpuint (dt_redis_pubsub_get_queue_length (pubsub), >=, 100);
  g_assert_cmpuint (dt_redis_pubsub_get_queue_length (pubsub), <=, 100 + 17);

  /* Reading them makes room, and the rest comes: all of it, in order. */
  for (DtRedisMessage *m; n < 1000 && (m = dt_redis_pubsub_next_message (pubsub, 5000, NULL, &error)) != NULL; n++)
    {
      g_autofree char *prefix = g_strdup_printf ("%u ", n);

      g_assert_true (g_str_has_prefix (dt_redis_message_get_text (m), prefix));
      dt_redis_message_unref (m);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1000);
  g_assert_cmpuint (dt_redis_pubsub_get_dropped (pubsub), ==, 0);
}

/* Over TLS, with a password: the pub/sub connection uses the instance's
 * settings like the pools do. */
static void
test_tls_and_password (void)
{
  DtTestServerOptions opts = { .tls = TRUE, .password = "pubsub-secret" };
  g_autoptr(DtTestServer) tls_server = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisPubSub) pubsub = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *reply = NULL;
  Recorder rec = { 0 };

  dt_redis_config_set_redis_host (config, "127.0.0.1");
  dt_redis_config_set_redis_port (config, dt_test_server_get_tls_port (tls_server));
  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_tls_ca_file (config, dt_test_server_get_ca_file (tls_server));
  dt_redis_config_set_redis_password (config, "pubsub-secret");
  instance = dt_redis_instance_new (config);
  pubsub = dt_redis_instance_get_pubsub (instance);
  recorder_init (&rec, pubsub);

  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "secure", NULL }, NULL, &error));
  g_assert_no_error (error);
  reply = dt_test_server_command (tls_server, "PUBLISH", "secure", "over tls", NULL);
  g_assert_cmpstr (reply, ==, ":1\r\n");
  wait_for (&rec.n_messages, 1, 10);
  {
    const char * const expected[] = { "subscribe secure 1", "message secure over tls", NULL };
    assert_events (&rec, expected);
  }

  /* A wrong password fails the subscribe with AUTH, and undoes it. */
  {
    g_autoptr(DtRedisConfig) bad = dt_redis_config_copy (config);
    g_autoptr(DtRedisInstance) bad_instance = NULL;
    g_autoptr(DtRedisPubSub) bad_pubsub = NULL;
    g_autoptr(GError) auth_error = NULL;

    dt_redis_config_set_redis_password (bad, "wrong");
    bad_instance = dt_redis_instance_new (bad);
    bad_pubsub = dt_redis_instance_get_pubsub (bad_instance);
    g_assert_false (dt_redis_pubsub_subscribe (bad_pubsub, (const char *[]) { "secure", NULL }, NULL, &auth_error));
    g_assert_error (auth_error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
    g_assert_null (strstr (auth_error->message, "wrong"));
    assert_no_channels (bad_pubsub);
  }
  recorder_clear (&rec);
}

static void
unsubscribe_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  gboolean *connected_then = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_pubsub_unsubscribe_finish (DT_REDIS_PUBSUB (source), result, &error));
  g_assert_no_error (error);
  connected_then[0] = TRUE;
  connected_then[1] = dt_redis_pubsub_get_connected (DT_REDIS_PUBSUB (source));
}

/* When the last unsubscribe's callback runs, the connection is closed. */
static void
test_unsubscribe_async_closes_first (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisPubSub) pubsub = dt_redis_instance_get_pubsub (instance);
  g_autoptr(GError) error = NULL;
  gboolean connected_then[2] = { FALSE, TRUE };

  g_assert_true (dt_redis_pubsub_subscribe (pubsub, (const char *[]) { "u", NULL }, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_pubsub_get_connected (pubsub));
  dt_redis_pubsub_unsubscribe_async (pubsub, NULL, NULL, unsubscribe_done, connected_then);
  while (!connected_then[0])
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (connected_then[1]);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  server = dt_test_server_start (NULL);

  g_test_add_func ("/pubsub/channels-patterns-shards", test_channels_patterns_shards);
  g_test_add_func ("/pubsub/ordered-delivery", test_ordered_delivery);
  g_test_add_func ("/pubsub/pull-queue-bound", test_pull_queue_bound);
  g_test_add_func ("/pubsub/pull-queue-pause", test_pull_queue_pause);
  g_test_add_func ("/pubsub/next-message-cancel", test_next_message_cancel);
  g_test_add_func ("/pubsub/cycles", test_cycles);
  g_test_add_func ("/pubsub/connect-failure", test_connect_failure);
  g_test_add_func ("/pubsub/server-sunsubscribe", test_server_sunsubscribe);
  g_test_add_func ("/pubsub/stray-reply", test_stray_reply);
  g_test_add_func ("/pubsub/silent-server", test_silent_server);
  g_test_add_func ("/pubsub/restart", test_restart);
  g_test_add_func ("/pubsub/client-kill", test_client_kill);
  g_test_add_func ("/pubsub/output-buffer-limit", test_output_buffer_limit);
  g_test_add_func ("/pubsub/ping-unsubscribed", test_ping_unsubscribed);
  g_test_add_func ("/pubsub/tls-and-password", test_tls_and_password);
  g_test_add_func ("/pubsub/unsubscribe-async-closes-first", test_unsubscribe_async_closes_first);

  ret = g_test_run ();
  dt_test_server_free (server);

  return ret;
}
