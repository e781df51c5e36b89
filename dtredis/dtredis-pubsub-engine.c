/* dtredis-pubsub-engine.c: the subscribed connection of a DtRedisPubSub
 *
 * Sends the calls' commands, reads and dispatches what the server pushes,
 * matches confirmations to the calls that asked for them, reconnects and
 * restores the subscriptions, and enforces the deadlines.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dtredis-error.h"
#include "dtredis-message-private.h"
#include "dtredis-pubsub-engine-private.h"
#include "dtredis-pubsub-shards-private.h"
#include "dtredis-resp-private.h"
#include "dtredis-source-private.h"

#define MAX_READS_PER_DISPATCH 16
#define BACKOFF_FIRST_US    (100 * G_TIME_SPAN_MILLISECOND)
#define BACKOFF_MAX_US      (5 * G_TIME_SPAN_SECOND)

const char * const dt_redis_pubsub_commands[3][N_SUBS] = {
  [OP_SUBSCRIBE]   = { "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE" },
  [OP_UNSUBSCRIBE] = { "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE" },
  [OP_PING]        = { "PING", "PING", "PING" },
};

static void conn_lost        (DtRedisPubSub *self,
                              GError        *error);
static void start_connect    (DtRedisPubSub *self);
static void flush            (DtRedisPubSub *self);
static void finish_reconnect (DtRedisPubSub *self);
static void maybe_go_idle    (DtRedisPubSub *self);
static Op  *first_sent       (DtRedisPubSub *self);

/* Ops */

void
dt_redis_pubsub_op_free (Op *op)
{
  g_strfreev (op->names);
  g_free (op->ping_arg);
  g_clear_pointer (&op->added, g_ptr_array_unref);
  dt_redis_source_clear (&op->cancel_source);
  g_clear_object (&op->task);
  g_free (op);
}

Op *
dt_redis_pubsub_op_new (Verb        verb,
                        SubsKind    subs,
                        char      **names,
                        gboolean    internal,
                        OpDoneFunc  done,
                        gpointer    done_data)
{
  Op *op = g_new0 (Op, 1);

  op->verb = verb;
  op->subs = subs;
  op->names = names;
  op->n_names = g_strv_length (names);
  op->internal = internal;
  op->done = done;
  op->done_data = done_data;

  return op;
}

gboolean
dt_redis_pubsub_is_subscribed (DtRedisPubSub *self)
{
  for (guint i = 0; i < N_SUBS; i++)
    if (g_hash_table_size (self->subs[i]) > 0)
      return TRUE;

  return FALSE;
}

void
dt_redis_pubsub_set_state (DtRedisPubSub *self,
                           State          state)
{
  self->state = state;
  dt_redis_pubsub_update_connected (self);
}

/* :connected is TRUE once the connection is up and, after a reconnect,
 * every subscription is restored. With a Cluster config, the shard
 * channels' connections count too, and the object's own connection only
 * when it is needed. */
void
dt_redis_pubsub_update_connected (DtRedisPubSub *self)
{
  gboolean connected = self->state == STATE_READY && self->resubscribing == 0;

  if (self->shards != NULL)
    {
      DtRedisPubSubShardsState shards = dt_redis_pubsub_shards_get_state (self->shards);

      if (self->state == STATE_IDLE)
        connected = shards == DT_REDIS_PUBSUB_SHARDS_UP;
      else
        connected = connected && shards != DT_REDIS_PUBSUB_SHARDS_DOWN;
    }

  if (self->connected != connected)
    {
      self->connected = connected;
      g_object_notify_by_pspec (G_OBJECT (self), dt_redis_pubsub_properties[PROP_CONNECTED]);
    }
}

void
dt_redis_pubsub_op_finish (DtRedisPubSub  *self,
                           Op             *op,
                           GError         *error,
                           DtRedisMessage *pong)
{
  g_queue_remove (&self->ops, op);

  if (error != NULL && op->added != NULL)
    for (guint i = 0; i < op->added->len; i++)
      g_hash_table_remove (self->subs[op->subs], g_ptr_array_index (op->added, i));

  /* The last unsubscribe closes the connection before its caller hears of
   * it, so that :connected is already FALSE then. */
  maybe_go_idle (self);

  if (op->task != NULL)
    {
      if (error != NULL)
        g_task_return_error (op->task, error);
      else if (op->verb == OP_PING)
        g_task_return_pointer (op->task, dt_redis_message_ref (pong), (GDestroyNotify) dt_redis_message_unref);
      else
        g_task_return_boolean (op->task, TRUE);
    }
  else if (op->done != NULL)
    {
      op->done (op->done_data, error);
    }
  else
    {
      g_clear_error (&error);
    }

  if (op->restoring && --self->resubscribing == 0)
    finish_reconnect (self);
  dt_redis_pubsub_op_free (op);
}

static void
send_op (DtRedisPubSub *self,
         Op            *op)
{
  const char *argv[2];
  gsize argvlen[2];

  op->sent = TRUE;
  op->got = 0;
  op->deadline = g_get_monotonic_time () + self->endpoint->socket_timeout_us;

  if (op->verb == OP_PING)
    {
      op->expected = 1;
      argv[0] = "PING";
      argvlen[0] = 4;
      argv[1] = op->ping_arg;
      argvlen[1] = op->ping_arg != NULL ? strlen (op->ping_arg) : 0;
      dt_redis_resp_append_command (self->outbuf, op->ping_arg != NULL ? 2 : 1, argv, argvlen);
      dt_redis_pubsub_maybe_resume (self);
      return;
    }

  dt_redis_pubsub_maybe_resume (self);
  op->expected = op->n_names;
  {
    g_autofree const char **v = g_new (const char *, op->n_names + 1);
    g_autofree gsize *lens = g_new (gsize, op->n_names + 1);

    v[0] = dt_redis_pubsub_commands[op->verb][op->subs];
    lens[0] = strlen (v[0]);
    for (guint i = 0; i < op->n_names; i++)
      {
        v[i + 1] = op->names[i];
        lens[i + 1] = strlen (op->names[i]);
      }
    dt_redis_resp_append_command (self->outbuf, op->n_names + 1, v, lens);
  }
}

static gboolean
op_cancelled (GCancellable *cancellable,
              gpointer      user_data)
{
  Op *op = user_data;
  DtRedisPubSub *self = g_task_get_source_object (op->task);

  /* Once sent, the server's answer decides. */
  if (!op->sent)
    {
      /* A connection being opened for it is closed once open, unless
       * something else needs it by then. */
      g_object_ref (self);
      dt_redis_pubsub_op_finish (self, op, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                                _("Operation was cancelled")), NULL);
      dt_redis_pubsub_arm_timer (self);
      g_object_unref (self);
    }
  else
    {
      dt_redis_source_clear (&op->cancel_source);
    }

  return G_SOURCE_REMOVE;
}

void
dt_redis_pubsub_submit (DtRedisPubSub *self,
                        Op            *op,
                        GCancellable  *cancellable)
{
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      dt_redis_pubsub_op_finish (self, op, error, NULL);
      return;
    }
  if (self->endpoint == NULL)
    {
      self->endpoint = dt_redis_routed_endpoint_new (self->config, &error);
      if (self->endpoint == NULL)
        {
          dt_redis_pubsub_op_finish (self, op, error, NULL);
          return;
        }
    }

  op->deadline = g_get_monotonic_time () + self->endpoint->connect_timeout_us +
                 self->endpoint->socket_timeout_us;
  g_queue_push_tail (&self->ops, op);

  if (cancellable != NULL && op->task != NULL)
    {
      op->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->cancel_source, G_SOURCE_FUNC (op_cancelled), op, NULL);
      g_source_set_static_name (op->cancel_source, "[dtredis] pubsub cancel");
      g_source_attach (op->cancel_source, self->context);
    }

  switch (self->state)
    {
    case STATE_READY:
      send_op (self, op);
      flush (self);
      break;

    case STATE_IDLE:
      start_connect (self);
      break;

    case STATE_CONNECTING:
    case STATE_BACKOFF:
    default:
      break;
    }

  dt_redis_pubsub_arm_timer (self);
}

/* The connection */

void
dt_redis_pubsub_close_connection (DtRedisPubSub *self)
{
  dt_redis_source_clear (&self->in_source);
  dt_redis_source_clear (&self->out_source);
  g_clear_pointer (&self->conn, dt_redis_connection_free);
  self->paused = FALSE;
  g_byte_array_set_size (self->outbuf, 0);
  self->out_pos = 0;
}

/* Unsubscribed from everything with nothing left to do: close. */
static void
maybe_go_idle (DtRedisPubSub *self)
{
  if (self->state == STATE_READY && self->conn != NULL &&
      g_queue_is_empty (&self->ops) && !dt_redis_pubsub_is_subscribed (self))
    {
      dt_redis_pubsub_close_connection (self);
      self->lost_at = 0;
      dt_redis_pubsub_set_state (self, STATE_IDLE);
    }
}

static gboolean
writable (GObject  *stream,
          gpointer  user_data)
{
  DtRedisPubSub *self = user_data;

  dt_redis_source_clear (&self->out_source);
  g_object_ref (self);
  flush (self);
  g_object_unref (self);

  return G_SOURCE_REMOVE;
}

static void
flush (DtRedisPubSub *self)
{
  GPollableOutputStream *output;

  if (self->conn == NULL || self->out_source != NULL)
    return;

  output = G_POLLABLE_OUTPUT_STREAM (dt_redis_connection_get_output (self->conn));
  while (self->out_pos < self->outbuf->len)
    {
      GError *error = NULL;
      gssize n = g_pollable_output_stream_write_nonblocking (output,
                                                             self->outbuf->data + self->out_pos,
                                                             self->outbuf->len - self->out_pos,
                                                             NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_error_free (error);
              self->out_source = g_pollable_output_stream_create_source (output, NULL);
              g_source_set_callback (self->out_source, G_SOURCE_FUNC (writable), self, NULL);
              g_source_set_static_name (self->out_source, "[dtredis] pubsub write");
              g_source_attach (self->out_source, self->context);
            }
          else
            {
              conn_lost (self, dt_redis_connection_wrap_error (self->conn, error));
            }
          return;
        }
      self->out_pos += n;
    }

  g_byte_array_set_size (self->outbuf, 0);
  self->out_pos = 0;
}

/* Hands @message to its signal's handlers or, when none is connected, to
 * a waiting next_message_async() or the pull queue. */
void
dt_redis_pubsub_deliver (DtRedisPubSub  *self,
                         guint           signal_id,
                         DtRedisMessage *message)
{
  if (g_signal_has_handler_pending (self, dt_redis_pubsub_signals[signal_id], 0, TRUE))
    {
      g_signal_emit (self, dt_redis_pubsub_signals[signal_id], 0, message);
      return;
    }

  if (!g_queue_is_empty (&self->waiters))
    {
      g_autoptr(GTask) task = g_queue_pop_head (&self->waiters);

      g_task_return_pointer (task, dt_redis_message_ref (message), (GDestroyNotify) dt_redis_message_unref);
      return;
    }

  g_queue_push_tail (&self->queue, dt_redis_message_ref (message));
  if (self->queue.length < self->queue_limit)
    return;

  /* Full. A call waiting for its answer needs the reading to go on. */
  if (self->overflow == DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING && first_sent (self) == NULL)
    {
      if (self->shards != NULL)
        dt_redis_pubsub_shards_set_paused (self->shards, TRUE);
      if (!self->paused && self->in_source != NULL)
        {
          dt_redis_source_clear (&self->in_source);
          self->paused = TRUE;
        }
      return;
    }
  while (self->queue.length > self->queue_limit)
    {
      dt_redis_message_unref (g_queue_pop_head (&self->queue));
      self->dropped++;
    }
}

static gboolean readable (GObject  *stream,
                          gpointer  user_data);

static void
watch_input (DtRedisPubSub *self)
{
  self->in_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (dt_redis_connection_get_input (self->conn)), NULL);
  g_source_set_callback (self->in_source, G_SOURCE_FUNC (readable), self, NULL);
  g_source_set_static_name (self->in_source, "[dtredis] pubsub read");
  g_source_attach (self->in_source, self->context);
}

void
dt_redis_pubsub_maybe_resume (DtRedisPubSub *self)
{
  gboolean full = self->overflow == DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING &&
                  self->queue.length >= self->queue_limit && first_sent (self) == NULL;

  if (self->shards != NULL && !full)
    dt_redis_pubsub_shards_set_paused (self->shards, FALSE);
  if (!self->paused || full)
    return;

  /* The reader holds no whole reply: readable() parsed them all. */
  self->paused = FALSE;
  if (self->conn != NULL)
    watch_input (self);
}

static void
finish_reconnect (DtRedisPubSub *self)
{
  gint64 gap = g_get_monotonic_time () - self->lost_at;

  self->lost_at = 0;
  dt_redis_pubsub_update_connected (self);
  g_signal_emit (self, dt_redis_pubsub_signals[SIGNAL_RECONNECTED], 0, gap);

  while (!g_queue_is_empty (&self->held) && self->resubscribing == 0 && self->lost_at == 0)
    {
      g_autoptr(DtRedisMessage) message = g_queue_pop_head (&self->held);

      dt_redis_pubsub_deliver (self, SIGNAL_MESSAGE, message);
    }
}

static Op *
first_sent (DtRedisPubSub *self)
{
  Op *op = g_queue_peek_head (&self->ops);

  return op != NULL && op->sent ? op : NULL;
}

static void
confirmation_kind (DtRedisMessageKind  kind,
                   Verb               *verb,
                   SubsKind           *subs)
{
  *verb = (kind == DT_REDIS_MESSAGE_KIND_SUBSCRIBE || kind == DT_REDIS_MESSAGE_KIND_PSUBSCRIBE ||
           kind == DT_REDIS_MESSAGE_KIND_SSUBSCRIBE) ? OP_SUBSCRIBE : OP_UNSUBSCRIBE;
  *subs = (kind == DT_REDIS_MESSAGE_KIND_SUBSCRIBE || kind == DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE) ? SUBS_CHANNEL :
          (kind == DT_REDIS_MESSAGE_KIND_PSUBSCRIBE || kind == DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE) ? SUBS_PATTERN :
          SUBS_SHARD;
}

static gboolean
op_names_contain (Op         *op,
                  const char *name)
{
  if (op->n_names == 0)
    return TRUE;

  return name != NULL && g_strv_contains ((const char * const *) op->names, name);
}

typedef enum
{
  CONFIRMATION_STRAY,     /* answers no command: break the connection */
  CONFIRMATION_DELIVER,   /* answers a caller's command */
  CONFIRMATION_HANDLED,   /* ours: nothing to deliver */
} Confirmation;

/* A confirmation: answers the first sent op when it is of that kind and
 * names that name; an SUNSUBSCRIBE that answers nothing is the server
 * dropping a shard channel (its slot moved), subscribed to again, or on a
 * Cluster node's object handed to its owner, who knows where the slot
 * went; anything else answers no command. */
static Confirmation
take_confirmation (DtRedisPubSub   *self,
                   DtRedisMessage  *message,
                   Op             **done)
{
  Op *op = first_sent (self);
  Verb verb;
  SubsKind subs;
  const char *name = dt_redis_message_get_channel (message);
  g_autoptr(GBytes) name_bytes = dt_redis_message_get_channel_bytes (message);
  gboolean internal;

  confirmation_kind (dt_redis_message_get_kind (message), &verb, &subs);

  if (name == NULL && name_bytes != NULL)
    return CONFIRMATION_STRAY;  /* we subscribe to text names only */

  if (op == NULL || op->verb != verb || op->subs != subs || !op_names_contain (op, name))
    {
      if (verb == OP_UNSUBSCRIBE && subs == SUBS_SHARD && name != NULL &&
          g_hash_table_contains (self->subs[SUBS_SHARD], name))
        {
          char *names[] = { (char *) name, NULL };
          Op *again;

          if (self->shard_owner != NULL)
            {
              g_debug ("The server at %s dropped shard channel %s", dt_redis_connection_get_description (self->conn), name);
              g_hash_table_remove (self->subs[SUBS_SHARD], name);
              dt_redis_pubsub_shards_lost (self->shard_owner, self, name);
              return CONFIRMATION_HANDLED;
            }

          again = dt_redis_pubsub_op_new (OP_SUBSCRIBE, SUBS_SHARD, g_strdupv (names), TRUE, NULL, NULL);

          g_debug ("The server at %s dropped shard channel %s: subscribing again",
                   dt_redis_connection_get_description (self->conn), name);
          g_queue_push_tail (&self->ops, again);
          send_op (self, again);
          flush (self);
          return CONFIRMATION_HANDLED;
        }
      return CONFIRMATION_STRAY;
    }
  internal = op->internal;

  if (op->expected == 0)
    op->expected = MAX (1, g_hash_table_size (self->subs[subs]));

  if (verb == OP_SUBSCRIBE)
    {
      if (!g_hash_table_contains (self->subs[subs], name))
        {
          char *key = g_strdup (name);

          g_hash_table_add (self->subs[subs], key);
          if (op->added == NULL)
            op->added = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (op->added, g_strdup (name));
        }
    }
  else if (name != NULL)
    {
      g_hash_table_remove (self->subs[subs], name);
    }

  op->got++;
  if (internal)
    {
      if (op->got == op->expected)
        dt_redis_pubsub_op_finish (self, op, NULL, NULL);
      return CONFIRMATION_HANDLED;
    }

  /* The caller's op ends after its last confirmation is delivered. */
  if (op->got == op->expected)
    *done = op;

  return CONFIRMATION_DELIVER;
}

/* Handles one reply; FALSE when it broke the connection. */
static gboolean
take_reply (DtRedisPubSub *self,
            DtRedisReply  *reply)
{
  g_autoptr(DtRedisMessage) message = NULL;
  Op *op = first_sent (self);

  if (dt_redis_reply_is_error (reply))
    {
      if (op == NULL)
        goto stray;
      dt_redis_pubsub_op_finish (self, op,
                 g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER, "%s",
                              dt_redis_reply_get_string (reply, NULL)), NULL);
      return TRUE;
    }

  if (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_STATUS ||
      dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_STRING)
    {
      /* PING outside subscribed mode answers +PONG, or echoes its
       * argument as a bulk string. */
      if (op == NULL || op->verb != OP_PING ||
          (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_STATUS &&
           g_strcmp0 (dt_redis_reply_get_string (reply, NULL), "PONG") != 0))
        goto stray;
      message = dt_redis_message_new_pong (reply);
      dt_redis_pubsub_op_finish (self, op, NULL, message);
      return TRUE;
    }

  message = dt_redis_message_new_from_reply (reply);
  if (message == NULL)
    goto stray;

  switch (dt_redis_message_get_kind (message))
    {
    case DT_REDIS_MESSAGE_KIND_MESSAGE:
    case DT_REDIS_MESSAGE_KIND_PMESSAGE:
    case DT_REDIS_MESSAGE_KIND_SMESSAGE:
      if (self->resubscribing > 0)
        g_queue_push_tail (&self->held, g_steal_pointer (&message));
      else
        dt_redis_pubsub_deliver (self, SIGNAL_MESSAGE, message);
      return TRUE;

    case DT_REDIS_MESSAGE_KIND_PONG:
      if (op == NULL || op->verb != OP_PING)
        goto stray;
      dt_redis_pubsub_op_finish (self, op, NULL, message);
      return TRUE;

    case DT_REDIS_MESSAGE_KIND_SUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_PSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_SSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE:
    default:
      {
        gboolean subscribe;
        Op *done = NULL;

        switch (take_confirmation (self, message, &done))
          {
          case CONFIRMATION_STRAY:
            goto stray;
          case CONFIRMATION_HANDLED:
            return TRUE;
          case CONFIRMATION_DELIVER:
          default:
            break;
          }
        subscribe = dt_redis_message_get_kind (message) == DT_REDIS_MESSAGE_KIND_SUBSCRIBE ||
                    dt_redis_message_get_kind (message) == DT_REDIS_MESSAGE_KIND_PSUBSCRIBE ||
                    dt_redis_message_get_kind (message) == DT_REDIS_MESSAGE_KIND_SSUBSCRIBE;
        dt_redis_pubsub_deliver (self, subscribe ? SIGNAL_SUBSCRIBED : SIGNAL_UNSUBSCRIBED, message);
        /* Unless a handler closed the object meanwhile. */
        if (done != NULL && g_queue_find (&self->ops, done) != NULL)
          dt_redis_pubsub_op_finish (self, done, NULL, NULL);
      }
      return TRUE;
    }

stray:
  {
    g_autofree char *text = dt_redis_reply_to_string (reply);

    g_debug ("Stray reply on a subscribed connection: %s", text);
    conn_lost (self, g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                                  _("The server at %s sent a reply that answers no command of a subscribed connection"),
                                  dt_redis_connection_get_description (self->conn)));
    return FALSE;
  }
}

static gboolean
readable (GObject  *stream,
          gpointer  user_data)
{
  DtRedisPubSub *self = user_data;
  DtRedisConnection *conn = self->conn;

  g_object_ref (self);

  for (guint i = 0; i < MAX_READS_PER_DISPATCH && self->conn == conn && !self->paused; i++)
    {
      GError *error = NULL;
      DtRedisReadResult result;
      gsize n;

      /* The whole read is taken in, paused or not. */
      result = dt_redis_connection_read_available (conn, self->read_buf, READ_CHUNK, &n, &error);
      if (result == DT_REDIS_READ_NOTHING)
        break;
      if (result != DT_REDIS_READ_FED)
        {
          conn_lost (self, error);
          break;
        }

      while (self->conn == conn)
        {
          DtRedisReply *reply = NULL;

          if (!dt_redis_resp_reader_pop (dt_redis_connection_get_reader (conn), &reply, &error))
            {
              conn_lost (self, error);
              break;
            }
          if (reply == NULL)
            break;
          take_reply (self, reply);
          dt_redis_reply_unref (reply);
        }

      if (n < READ_CHUNK)
        break;
    }

  if (self->conn == conn)
    {
      maybe_go_idle (self);
      dt_redis_pubsub_arm_timer (self);
    }
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

static gint64
backoff_delay (guint attempt)
{
  gint64 delay = BACKOFF_FIRST_US;

  for (guint i = 0; i < attempt && delay < BACKOFF_MAX_US; i++)
    delay *= 2;
  delay = MIN (delay, BACKOFF_MAX_US);

  /* Full jitter over the upper half. */
  return delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1);
}

/* The connection broke (or lied): close it; ops that were answered in
 * part are sent again on the next one (subscriptions are the
 * connection's own state, gone with it), pings fail; reconnect when there
 * is anything to restore. Takes @error. */
static void
conn_lost (DtRedisPubSub *self,
           GError        *error)
{
  GList *l, *next;
  gboolean lost_shards = FALSE;

  g_debug ("Subscribed connection lost: %s", error->message);
  dt_redis_pubsub_close_connection (self);

  /* A Cluster node's object: its owner moves the shard channels to
   * wherever their slots live now. */
  if (self->shard_owner != NULL && g_hash_table_size (self->subs[SUBS_SHARD]) > 0)
    {
      g_hash_table_remove_all (self->subs[SUBS_SHARD]);
      lost_shards = TRUE;
    }

  for (l = self->ops.head; l != NULL; l = next)
    {
      Op *op = l->data;

      next = l->next;
      if (op->internal && op->done != NULL)
        {
          dt_redis_pubsub_op_finish (self, op, g_error_copy (error), NULL);
        }
      else if (op->internal)
        {
          g_queue_delete_link (&self->ops, l);
          dt_redis_pubsub_op_free (op);
        }
      else if (op->sent && op->verb == OP_PING)
        {
          dt_redis_pubsub_op_finish (self, op, g_error_copy (error), NULL);
        }
      else
        {
          op->sent = FALSE;
          op->got = 0;
        }
    }
  self->resubscribing = 0;

  g_clear_error (&self->last_error);
  self->last_error = error;

  if (dt_redis_pubsub_is_subscribed (self) || !g_queue_is_empty (&self->held))
    {
      if (self->lost_at == 0)
        self->lost_at = g_get_monotonic_time ();
      self->retry_at = g_get_monotonic_time () + backoff_delay (self->attempt);
      dt_redis_pubsub_set_state (self, STATE_BACKOFF);
    }
  else if (!g_queue_is_empty (&self->ops))
    {
      self->retry_at = g_get_monotonic_time () + backoff_delay (self->attempt);
      dt_redis_pubsub_set_state (self, STATE_BACKOFF);
    }
  else
    {
      dt_redis_pubsub_set_state (self, STATE_IDLE);
    }

  dt_redis_pubsub_arm_timer (self);
  if (lost_shards)
    dt_redis_pubsub_shards_lost (self->shard_owner, self, NULL);
}

char **
dt_redis_pubsub_dup_names (GHashTable *set)
{
  char **names = (char **) g_hash_table_get_keys_as_array (set, NULL);

  for (guint i = 0; names[i] != NULL; i++)
    names[i] = g_strdup (names[i]);

  return names;
}

static void
opened (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Opening *opening = user_data;
  DtRedisPubSub *self = opening->self;
  GError *error = NULL;
  DtRedisConnection *conn = dt_redis_connection_open_finish (result, &error);

  g_object_unref (opening->cancellable);
  g_free (opening);

  if (self == NULL)
    {
      g_clear_pointer (&conn, dt_redis_connection_free);
      g_clear_error (&error);
      return;
    }

  g_object_ref (self);
  self->opening = NULL;

  if (conn == NULL)
    {
      if (self->lost_at != 0)
        {
          /* Keep trying: there are subscriptions to restore. */
          self->attempt++;
          g_clear_error (&self->last_error);
          self->last_error = error;
          self->retry_at = g_get_monotonic_time () + backoff_delay (self->attempt);
          dt_redis_pubsub_set_state (self, STATE_BACKOFF);
        }
      else
        {
          /* The first connection: its ops fail. */
          dt_redis_pubsub_set_state (self, STATE_IDLE);
          while (!g_queue_is_empty (&self->ops))
            dt_redis_pubsub_op_finish (self, g_queue_peek_head (&self->ops), g_error_copy (error), NULL);
          g_clear_error (&error);
        }
      dt_redis_pubsub_arm_timer (self);
      g_object_unref (self);
      return;
    }

  self->conn = conn;
  self->attempt = 0;
  g_clear_error (&self->last_error);

  watch_input (self);

  /* Everything the server had confirmed goes first, so that nothing new
   * is delivered before it is restored; then the waiting ops, in order. */
  if (self->lost_at != 0)
    for (int kind = N_SUBS - 1; kind >= 0; kind--)
      if (g_hash_table_size (self->subs[kind]) > 0)
        {
          Op *op = dt_redis_pubsub_op_new (OP_SUBSCRIBE, kind, dt_redis_pubsub_dup_names (self->subs[kind]),
                                           TRUE, NULL, NULL);

          op->restoring = TRUE;
          g_queue_push_head (&self->ops, op);
          self->resubscribing++;
        }
  for (GList *l = self->ops.head; l != NULL; l = l->next)
    send_op (self, l->data);

  dt_redis_pubsub_set_state (self, STATE_READY);
  flush (self);

  if (self->conn == conn && self->lost_at != 0 && self->resubscribing == 0)
    finish_reconnect (self);
  if (self->conn == conn)
    maybe_go_idle (self);
  dt_redis_pubsub_arm_timer (self);
  g_object_unref (self);
}

static void
start_connect (DtRedisPubSub *self)
{
  Opening *opening = g_new0 (Opening, 1);

  opening->self = self;
  opening->cancellable = g_cancellable_new ();
  self->opening = opening;
  dt_redis_pubsub_set_state (self, STATE_CONNECTING);

  /* GIO's sources must land on our context, whichever this thread calls
   * its default. */
  g_main_context_push_thread_default (self->context);
  dt_redis_connection_open_async (self->endpoint, opening->cancellable, opened, opening);
  g_main_context_pop_thread_default (self->context);
}

/* Deadlines and retries */

static gboolean
timer_fired (gpointer user_data)
{
  DtRedisPubSub *self = user_data;
  gint64 now = g_get_monotonic_time ();
  GList *l, *next;

  g_object_ref (self);
  g_source_set_ready_time (self->timer, -1);

  for (l = self->ops.head; l != NULL; l = next)
    {
      Op *op = l->data;

      next = l->next;
      if (op->deadline > now)
        continue;

      if (op->sent)
        {
          /* Unanswered on a live connection: the server is stuck, and
           * the connection cannot be trusted to stay in step. */
          GError *error = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                                       _("The server at %s did not answer %s within the socket timeout"),
                                       dt_redis_connection_get_description (self->conn), dt_redis_pubsub_commands[op->verb][op->subs]);

          if (!op->internal || op->done != NULL)
            dt_redis_pubsub_op_finish (self, op, g_error_copy (error), NULL);
          conn_lost (self, error);
          break;
        }
      else if (!op->internal || op->done != NULL)
        {
          dt_redis_pubsub_op_finish (self, op,
                     self->last_error != NULL ? g_error_copy (self->last_error)
                                              : g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                                                             _("No connection to the server within the timeouts")),
                     NULL);
        }
    }

  if (self->state == STATE_BACKOFF && now >= self->retry_at)
    {
      if (dt_redis_pubsub_is_subscribed (self) || !g_queue_is_empty (&self->ops) || !g_queue_is_empty (&self->held))
        start_connect (self);
      else
        dt_redis_pubsub_set_state (self, STATE_IDLE);
    }

  maybe_go_idle (self);
  dt_redis_pubsub_arm_timer (self);
  g_object_unref (self);

  return G_SOURCE_CONTINUE;
}

void
dt_redis_pubsub_arm_timer (DtRedisPubSub *self)
{
  gint64 when = G_MAXINT64;

  for (GList *l = self->ops.head; l != NULL; l = l->next)
    when = MIN (when, ((Op *) l->data)->deadline);
  if (self->state == STATE_BACKOFF)
    when = MIN (when, self->retry_at);

  if (when == G_MAXINT64)
    {
      if (self->timer != NULL)
        g_source_set_ready_time (self->timer, -1);
      return;
    }
  if (self->timer == NULL)
    self->timer = dt_redis_timer_source_new (timer_fired, self, self->context, "[dtredis] pubsub timer");
  g_source_set_ready_time (self->timer, when);
}

