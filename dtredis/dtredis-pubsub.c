/* dtredis-pubsub.c: a subscribed connection, delivering messages as signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dtredis-enums.h"
#include "dtredis-error.h"
#include "dtredis-message-private.h"
#include "dtredis-pubsub-engine-private.h"
#include "dtredis-pubsub-private.h"
#include "dtredis-pubsub-shards-private.h"

/**
 * DtRedisPubSub:
 *
 * A connection subscribed to channels, patterns and shard channels, made
 * by [method@DtRedis.Instance.get_pubsub].
 *
 * It does no I/O until the first subscribe, and then holds a connection of
 * its own (never one from the pools), opened with the instance's address,
 * TLS settings, credentials and timeouts. Its I/O runs on the
 * thread-default [struct@GLib.MainContext] of the thread that created it,
 * and every signal is emitted there, in the order the server sent the
 * events. Use the object from that thread: the blocking calls iterate that
 * context until they are answered, so handlers may run during them.
 *
 * Published messages arrive as [signal@DtRedis.PubSub::message]; the
 * server's confirmations as [signal@DtRedis.PubSub::subscribed] and
 * [signal@DtRedis.PubSub::unsubscribed]. An event whose signal has no
 * handler connected goes to the pull queue instead, read with
 * [method@DtRedis.PubSub.pop_message] or
 * [method@DtRedis.PubSub.next_message]. The queue holds at most
 * [property@DtRedis.PubSub:queue-limit] events
 * (%DT_REDIS_PUBSUB_DEFAULT_QUEUE_LIMIT by default); when it is full the
 * oldest event is dropped and [method@DtRedis.PubSub.get_dropped] counts
 * it, or, with [property@DtRedis.PubSub:overflow] set to
 * %DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING, the socket is not read until
 * there is room; either way a slow reader never makes memory grow without
 * bound.
 *
 * When the connection is lost, the object reconnects with a jittered,
 * exponential backoff (from 50–100 ms up to 2.5–5 s), subscribes again to
 * everything the server had confirmed, holds back the messages that
 * arrive meanwhile, then emits [signal@DtRedis.PubSub::reconnected] with
 * the length of the gap before delivering them. Messages published during
 * the gap are lost: delivery is at most once. A shard channel the server
 * drops on its own (its slot moved) is subscribed to again.
 *
 * With a Cluster config, channels and patterns use that connection, to
 * the first seed that answers, and each shard channel one to the primary
 * that owns its slot. A subscribe or unsubscribe call is split by slot
 * (one command per slot), following `MOVED`. When a slot moves, its
 * primary fails over or a connection breaks, the shard channels are
 * subscribed again where their slots live then, and
 * [signal@DtRedis.PubSub::reconnected] says how long they were away.
 *
 * Unsubscribing from everything closes the connection, and so does
 * dropping the last reference.
 */

GParamSpec *dt_redis_pubsub_properties[N_PROPS];
guint dt_redis_pubsub_signals[N_SIGNALS];

/**
 * dt_redis_pubsub_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.PubSub].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisPubSub, dt_redis_pubsub, G_TYPE_OBJECT)

/* GObject */

static void
dt_redis_pubsub_dispose (GObject *object)
{
  DtRedisPubSub *self = (DtRedisPubSub *) object;
  GList *l, *next;

  if (self->shards != NULL)
    dt_redis_pubsub_shards_close (g_steal_pointer (&self->shards));
  if (self->opening != NULL)
    {
      self->opening->self = NULL;
      g_cancellable_cancel (self->opening->cancellable);
      self->opening = NULL;
    }
  dt_redis_pubsub_close_connection (self);
  dt_redis_source_clear (&self->timer);
  /* Tasks hold a reference: only our own ops can be left. Those of a
   * Cluster object on this node's object end now. */
  for (l = self->ops.head; l != NULL; l = next)
    {
      Op *op = l->data;

      next = l->next;
      if (op->done != NULL)
        dt_redis_pubsub_op_finish (self, op, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED,
                                                                  _("The object was closed")), NULL);
    }
  g_queue_clear_full (&self->ops, (GDestroyNotify) dt_redis_pubsub_op_free);

  G_OBJECT_CLASS (dt_redis_pubsub_parent_class)->dispose (object);
}

static void
dt_redis_pubsub_finalize (GObject *object)
{
  DtRedisPubSub *self = (DtRedisPubSub *) object;

  for (guint i = 0; i < N_SUBS; i++)
    g_hash_table_unref (self->subs[i]);
  g_queue_clear_full (&self->held, (GDestroyNotify) dt_redis_message_unref);
  g_queue_clear_full (&self->queue, (GDestroyNotify) dt_redis_message_unref);
  g_clear_error (&self->last_error);
  g_byte_array_unref (self->outbuf);
  g_free (self->read_buf);
  g_clear_pointer (&self->endpoint, dt_redis_endpoint_unref);
  g_clear_object (&self->config);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (dt_redis_pubsub_parent_class)->finalize (object);
}

static void
dt_redis_pubsub_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DtRedisPubSub *self = DT_REDIS_PUBSUB (object);

  switch (prop_id)
    {
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;

    case PROP_QUEUE_LIMIT:
      g_value_set_uint (value, self->queue_limit);
      break;

    case PROP_OVERFLOW:
      g_value_set_enum (value, self->overflow);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_pubsub_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  DtRedisPubSub *self = DT_REDIS_PUBSUB (object);

  switch (prop_id)
    {
    case PROP_QUEUE_LIMIT:
      dt_redis_pubsub_set_queue_limit (self, g_value_get_uint (value));
      break;

    case PROP_OVERFLOW:
      dt_redis_pubsub_set_overflow (self, g_value_get_enum (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* g_cclosure_marshal_VOID__BOXEDv, with the message's own reference in
 * place of g_boxed_copy(), which goes through the type system (about 480
 * instructions per message). */
static void
marshal_message_v (GClosure *closure,
                   GValue   *return_value,
                   gpointer  instance,
                   va_list   args,
                   gpointer  marshal_data,
                   int       n_params,
                   GType    *param_types)
{
  typedef void (*MessageFunc) (gpointer data1, DtRedisMessage *message, gpointer data2);
  GCClosure *cc = (GCClosure *) closure;
  MessageFunc callback = (MessageFunc) (marshal_data != NULL ? marshal_data : cc->callback);
  DtRedisMessage *message;
  va_list args_copy;

  G_VA_COPY (args_copy, args);
  message = dt_redis_message_ref (va_arg (args_copy, DtRedisMessage *));
  va_end (args_copy);

  if (G_CCLOSURE_SWAP_DATA (closure))
    callback (closure->data, message, instance);
  else
    callback (instance, message, closure->data);

  dt_redis_message_unref (message);
}

/* A signal carrying one DtRedisMessage. Not of static scope: each handler
 * holds a reference during the emission, and a binding's handler may keep
 * the message it was given. */
static guint
new_message_signal (DtRedisPubSubClass *klass,
                    const char         *name)
{
  guint id = g_signal_new (name, G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                           0, NULL, NULL, g_cclosure_marshal_VOID__BOXED,
                           G_TYPE_NONE, 1, DT_REDIS_TYPE_MESSAGE);

  g_signal_set_va_marshaller (id, G_TYPE_FROM_CLASS (klass), marshal_message_v);

  return id;
}

static void
dt_redis_pubsub_class_init (DtRedisPubSubClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_redis_pubsub_dispose;
  object_class->finalize = dt_redis_pubsub_finalize;
  object_class->get_property = dt_redis_pubsub_get_property;
  object_class->set_property = dt_redis_pubsub_set_property;

  /**
   * DtRedisPubSub:connected:
   *
   * Whether the subscribed connection is up. It is %FALSE before the
   * first subscribe, while reconnecting (until every subscription is
   * restored), and after unsubscribing from everything.
   */
  dt_redis_pubsub_properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtRedisPubSub:queue-limit:
   *
   * How many events the pull queue holds before it drops the oldest.
   */
  dt_redis_pubsub_properties[PROP_QUEUE_LIMIT] =
    g_param_spec_uint ("queue-limit", NULL, NULL, 1, G_MAXUINT, DT_REDIS_PUBSUB_DEFAULT_QUEUE_LIMIT,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * DtRedisPubSub:overflow:
   *
   * What the pull queue does when it is full: drop its oldest event (the
   * default), or stop reading until it has room.
   */
  dt_redis_pubsub_properties[PROP_OVERFLOW] =
    g_param_spec_enum ("overflow", NULL, NULL, DT_REDIS_TYPE_PUB_SUB_OVERFLOW,
                       DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, dt_redis_pubsub_properties);

  /**
   * DtRedisPubSub::message:
   * @self: the [class@DtRedis.PubSub]
   * @message: the message (`message`, `pmessage` or `smessage`)
   *
   * A message was published to a channel, a channel matching a pattern,
   * or a shard channel this object is subscribed to.
   */
  dt_redis_pubsub_signals[SIGNAL_MESSAGE] = new_message_signal (klass, "message");

  /**
   * DtRedisPubSub::subscribed:
   * @self: the [class@DtRedis.PubSub]
   * @confirmation: the server's confirmation (`subscribe`, `psubscribe` or
   *   `ssubscribe`), naming the channel or pattern
   *
   * The server confirmed a subscription asked for by a subscribe call.
   * The resubscriptions after a reconnect emit
   * [signal@DtRedis.PubSub::reconnected] instead.
   */
  dt_redis_pubsub_signals[SIGNAL_SUBSCRIBED] = new_message_signal (klass, "subscribed");

  /**
   * DtRedisPubSub::unsubscribed:
   * @self: the [class@DtRedis.PubSub]
   * @confirmation: the server's confirmation (`unsubscribe`,
   *   `punsubscribe` or `sunsubscribe`); its channel is %NULL when
   *   nothing was subscribed
   *
   * The server confirmed the end of a subscription.
   */
  dt_redis_pubsub_signals[SIGNAL_UNSUBSCRIBED] = new_message_signal (klass, "unsubscribed");

  /**
   * DtRedisPubSub::reconnected:
   * @self: the [class@DtRedis.PubSub]
   * @gap_us: how long the connection was down, in microseconds, from the
   *   moment the loss was noticed until every subscription was restored
   *
   * The connection was lost and is back, with every subscription the
   * server had confirmed restored. Messages published during the gap were
   * not received. Emitted before any message received on the new
   * connection is delivered.
   */
  dt_redis_pubsub_signals[SIGNAL_RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
dt_redis_pubsub_init (DtRedisPubSub *self)
{
  for (guint i = 0; i < N_SUBS; i++)
    self->subs[i] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->outbuf = g_byte_array_new ();
  self->read_buf = g_malloc (READ_CHUNK);
  self->queue_limit = DT_REDIS_PUBSUB_DEFAULT_QUEUE_LIMIT;
  self->context = g_main_context_ref_thread_default ();
}

DtRedisPubSub *
dt_redis_pubsub_new (DtRedisConfig  *config,
                     DtRedisCluster *cluster)
{
  DtRedisPubSub *self = g_object_new (DT_REDIS_TYPE_PUBSUB, NULL);

  self->config = g_object_ref (config);
  if (cluster != NULL)
    self->shards = dt_redis_pubsub_shards_new (self, cluster);

  return self;
}

/* Calls */

gboolean
dt_redis_pubsub_enter (DtRedisPubSub *self)
{
  if (!g_main_context_acquire (self->context))
    {
      g_critical ("A DtRedisPubSub was used from a thread that does not own its main context");
      return FALSE;
    }

  return TRUE;
}

void
dt_redis_pubsub_leave (DtRedisPubSub *self)
{
  g_main_context_release (self->context);
}

static void
start_call (DtRedisPubSub       *self,
            Verb                 verb,
            SubsKind             subs,
            const char * const  *names,
            const char          *ping_arg,
            GCancellable        *cancellable,
            gpointer             source_tag,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  Op *op = dt_redis_pubsub_op_new (verb, subs,
                                   g_strdupv ((char **) (names != NULL ? names : (const char * const []) { NULL })),
                                   FALSE, NULL, NULL);

  op->ping_arg = g_strdup (ping_arg);
  op->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (op->task, source_tag);

  if (verb == OP_SUBSCRIBE && op->n_names == 0)
    {
      dt_redis_pubsub_op_finish (self, op, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                        _("%s needs at least one channel or pattern"),
                                        dt_redis_pubsub_commands[verb][subs]), NULL);
      return;
    }
  for (guint i = 0; i < op->n_names; i++)
    if (!g_utf8_validate (op->names[i], -1, NULL))
      {
        dt_redis_pubsub_op_finish (self, op, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                          _("%s: a channel or pattern name is not UTF-8"),
                                          dt_redis_pubsub_commands[verb][subs]), NULL);
        return;
      }

  if (subs == SUBS_SHARD && verb != OP_PING && self->shards != NULL)
    dt_redis_pubsub_shards_call (self->shards, op, cancellable);
  else
    dt_redis_pubsub_submit (self, op, cancellable);
}

/* An _async call from a thread that does not own the context. */
static void
report_wrong_thread (DtRedisPubSub       *self,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data,
                     gpointer             source_tag)
{
  g_task_report_new_error (self, callback, user_data, source_tag, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("A DtRedisPubSub was used from a thread that does not own its main context"));
}

typedef struct
{
  GAsyncResult *result;
} SyncWait;

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SyncWait *wait = user_data;

  wait->result = g_object_ref (result);
}

/* Runs a call to its end, iterating the object's context. */
static GAsyncResult *
run_sync (DtRedisPubSub      *self,
          Verb                verb,
          SubsKind            subs,
          const char * const *names,
          const char         *ping_arg,
          GCancellable       *cancellable,
          gpointer            source_tag)
{
  SyncWait wait = { NULL };

  g_main_context_push_thread_default (self->context);
  start_call (self, verb, subs, names, ping_arg, cancellable, source_tag, sync_done, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (self->context, TRUE);
  g_main_context_pop_thread_default (self->context);

  return wait.result;
}

/* The sync, async and finish functions of one subscription call. */
#define DEFINE_CALL(name, verb, subs)                                                           \
gboolean                                                                                        \
dt_redis_pubsub_##name (DtRedisPubSub       *self,                                              \
                        const char * const  *names,                                             \
                        GCancellable        *cancellable,                                       \
                        GError             **error)                                             \
{                                                                                               \
  g_autoptr(GAsyncResult) result = NULL;                                                        \
                                                                                                \
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), FALSE);                                      \
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);          \
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);                                \
                                                                                                \
  if (!dt_redis_pubsub_enter (self))                                                            \
    return FALSE;                                                                               \
  result = run_sync (self, verb, subs, names, NULL, cancellable, dt_redis_pubsub_##name);       \
  dt_redis_pubsub_leave (self);                                                                 \
                                                                                                \
  return g_task_propagate_boolean (G_TASK (result), error);                                     \
}                                                                                               \
                                                                                                \
void                                                                                            \
dt_redis_pubsub_##name##_async (DtRedisPubSub       *self,                                      \
                                const char * const  *names,                                     \
                                GCancellable        *cancellable,                               \
                                GAsyncReadyCallback  callback,                                  \
                                gpointer             user_data)                                 \
{                                                                                               \
  g_return_if_fail (DT_REDIS_IS_PUBSUB (self));                                                 \
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));                     \
                                                                                                \
  if (!dt_redis_pubsub_enter (self))                                                            \
    {                                                                                           \
      report_wrong_thread (self, callback, user_data, dt_redis_pubsub_##name##_async);          \
      return;                                                                                   \
    }                                                                                           \
  start_call (self, verb, subs, names, NULL, cancellable, dt_redis_pubsub_##name##_async,       \
              callback, user_data);                                                             \
  dt_redis_pubsub_leave (self);                                                                 \
}                                                                                               \
                                                                                                \
gboolean                                                                                        \
dt_redis_pubsub_##name##_finish (DtRedisPubSub  *self,                                          \
                                 GAsyncResult   *result,                                        \
                                 GError        **error)                                         \
{                                                                                               \
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);                                 \
  g_return_val_if_fail (g_async_result_is_tagged (result, dt_redis_pubsub_##name##_async), FALSE); \
                                                                                                \
  return g_task_propagate_boolean (G_TASK (result), error);                                     \
}

/**
 * dt_redis_pubsub_subscribe:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1): the channels, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Subscribes to channels (`SUBSCRIBE`), opening the connection on first
 * use, and waits until the server confirmed each one, iterating the
 * object's main context meanwhile.
 *
 * A subscription the server confirmed lasts until it is unsubscribed,
 * across reconnects. When the call fails, what it added is undone.
 * Cancelling works until the command is sent; after that the server's
 * answer decides.
 *
 * Returns: %TRUE once every channel is confirmed
 */
/**
 * dt_redis_pubsub_subscribe_async:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1): the channels, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every channel is confirmed
 * @user_data: data for @callback
 *
 * Subscribes to channels without blocking; see
 * [method@DtRedis.PubSub.subscribe].
 */
/**
 * dt_redis_pubsub_subscribe_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.subscribe_async].
 *
 * Returns: %TRUE once every channel is confirmed
 */
DEFINE_CALL (subscribe, OP_SUBSCRIBE, SUBS_CHANNEL)

/**
 * dt_redis_pubsub_psubscribe:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1): the patterns, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Subscribes to glob-style patterns (`PSUBSCRIBE`); messages to matching channels arrive as `pmessage`, and waits until the server
 * confirmed each one; see [method@DtRedis.PubSub.subscribe].
 *
 * Returns: %TRUE once every name is confirmed
 */
/**
 * dt_redis_pubsub_psubscribe_async:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1): the patterns, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every name is confirmed
 * @user_data: data for @callback
 *
 * Subscribes to patterns without blocking; see [method@DtRedis.PubSub.psubscribe].
 */
/**
 * dt_redis_pubsub_psubscribe_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.psubscribe_async].
 *
 * Returns: %TRUE once every name is confirmed
 */
DEFINE_CALL (psubscribe, OP_SUBSCRIBE, SUBS_PATTERN)

/**
 * dt_redis_pubsub_ssubscribe:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1): the shard channels, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Subscribes to shard channels (`SSUBSCRIBE`, Redis 7); their messages arrive as `smessage`, and waits until the server
 * confirmed each one; see [method@DtRedis.PubSub.subscribe].
 *
 * Returns: %TRUE once every name is confirmed
 */
/**
 * dt_redis_pubsub_ssubscribe_async:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1): the shard channels, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every name is confirmed
 * @user_data: data for @callback
 *
 * Subscribes to shard channels without blocking; see [method@DtRedis.PubSub.ssubscribe].
 */
/**
 * dt_redis_pubsub_ssubscribe_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.ssubscribe_async].
 *
 * Returns: %TRUE once every name is confirmed
 */
DEFINE_CALL (ssubscribe, OP_SUBSCRIBE, SUBS_SHARD)

/**
 * dt_redis_pubsub_unsubscribe:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1) (nullable): the channels; empty or %NULL for all
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Unsubscribes from channels (`UNSUBSCRIBE`), and waits until the server
 * confirmed each one, iterating the object's main context meanwhile.
 * Unsubscribing from the last subscription closes the connection.
 *
 * Returns: %TRUE once every name is confirmed
 */
/**
 * dt_redis_pubsub_unsubscribe_async:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1) (nullable): the channels; empty or %NULL for all
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every name is confirmed
 * @user_data: data for @callback
 *
 * Unsubscribes from channels without blocking; see [method@DtRedis.PubSub.unsubscribe].
 */
/**
 * dt_redis_pubsub_unsubscribe_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.unsubscribe_async].
 *
 * Returns: %TRUE once every name is confirmed
 */
DEFINE_CALL (unsubscribe, OP_UNSUBSCRIBE, SUBS_CHANNEL)

/**
 * dt_redis_pubsub_punsubscribe:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1) (nullable): the patterns; empty or %NULL for all
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Unsubscribes from patterns (`PUNSUBSCRIBE`), and waits until the server
 * confirmed each one, iterating the object's main context meanwhile.
 * Unsubscribing from the last subscription closes the connection.
 *
 * Returns: %TRUE once every name is confirmed
 */
/**
 * dt_redis_pubsub_punsubscribe_async:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1) (nullable): the patterns; empty or %NULL for all
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every name is confirmed
 * @user_data: data for @callback
 *
 * Unsubscribes from patterns without blocking; see [method@DtRedis.PubSub.punsubscribe].
 */
/**
 * dt_redis_pubsub_punsubscribe_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.punsubscribe_async].
 *
 * Returns: %TRUE once every name is confirmed
 */
DEFINE_CALL (punsubscribe, OP_UNSUBSCRIBE, SUBS_PATTERN)

/**
 * dt_redis_pubsub_sunsubscribe:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1) (nullable): the shard channels; empty or %NULL for all
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Unsubscribes from shard channels (`SUNSUBSCRIBE`), and waits until the server
 * confirmed each one, iterating the object's main context meanwhile.
 * Unsubscribing from the last subscription closes the connection.
 *
 * Returns: %TRUE once every name is confirmed
 */
/**
 * dt_redis_pubsub_sunsubscribe_async:
 * @self: a [class@DtRedis.PubSub]
 * @names: (array zero-terminated=1) (nullable): the shard channels; empty or %NULL for all
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every name is confirmed
 * @user_data: data for @callback
 *
 * Unsubscribes from shard channels without blocking; see [method@DtRedis.PubSub.sunsubscribe].
 */
/**
 * dt_redis_pubsub_sunsubscribe_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.sunsubscribe_async].
 *
 * Returns: %TRUE once every name is confirmed
 */
DEFINE_CALL (sunsubscribe, OP_UNSUBSCRIBE, SUBS_SHARD)

/**
 * dt_redis_pubsub_ping:
 * @self: a [class@DtRedis.PubSub]
 * @message: (nullable): text for the server to echo
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends `PING` on the subscribed connection (opening it if needed) and
 * waits for its `pong`, iterating the object's main context meanwhile:
 * a check that the connection is alive, answered in order with the
 * messages.
 *
 * Returns: (transfer full): the `pong`, whose text is @message (or empty;
 *   `PONG` when the connection held no subscription), or %NULL on error
 */
DtRedisMessage *
dt_redis_pubsub_ping (DtRedisPubSub  *self,
                      const char     *message,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!dt_redis_pubsub_enter (self))
    return NULL;
  result = run_sync (self, OP_PING, SUBS_CHANNEL, NULL, message, cancellable, dt_redis_pubsub_ping);
  dt_redis_pubsub_leave (self);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_redis_pubsub_ping_async:
 * @self: a [class@DtRedis.PubSub]
 * @message: (nullable): text for the server to echo
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the `pong`
 * @user_data: data for @callback
 *
 * Sends `PING` without blocking; see [method@DtRedis.PubSub.ping].
 */
void
dt_redis_pubsub_ping_async (DtRedisPubSub       *self,
                            const char          *message,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (DT_REDIS_IS_PUBSUB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  if (!dt_redis_pubsub_enter (self))
    {
      report_wrong_thread (self, callback, user_data, dt_redis_pubsub_ping_async);
      return;
    }
  start_call (self, OP_PING, SUBS_CHANNEL, NULL, message, cancellable, dt_redis_pubsub_ping_async,
              callback, user_data);
  dt_redis_pubsub_leave (self);
}

/**
 * dt_redis_pubsub_ping_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.ping_async].
 *
 * Returns: (transfer full): the `pong`, or %NULL on error
 */
DtRedisMessage *
dt_redis_pubsub_ping_finish (DtRedisPubSub  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, dt_redis_pubsub_ping_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * dt_redis_pubsub_close:
 * @self: a [class@DtRedis.PubSub]
 *
 * Drops every subscription and closes the connection at once, without
 * waiting for the server. Calls still waiting fail with
 * %DT_REDIS_ERROR_CLOSED; events already in the pull queue stay there.
 * The object can subscribe again afterwards.
 */
void
dt_redis_pubsub_close (DtRedisPubSub *self)
{
  g_return_if_fail (DT_REDIS_IS_PUBSUB (self));

  if (!dt_redis_pubsub_enter (self))
    return;

  g_object_ref (self);
  if (self->opening != NULL)
    {
      self->opening->self = NULL;
      g_cancellable_cancel (self->opening->cancellable);
      self->opening = NULL;
    }
  dt_redis_pubsub_close_connection (self);
  for (guint i = 0; i < N_SUBS; i++)
    g_hash_table_remove_all (self->subs[i]);
  g_queue_clear_full (&self->held, (GDestroyNotify) dt_redis_message_unref);
  self->lost_at = 0;
  self->resubscribing = 0;
  self->attempt = 0;
  dt_redis_pubsub_set_state (self, STATE_IDLE);

  while (!g_queue_is_empty (&self->ops))
    dt_redis_pubsub_op_finish (self, g_queue_peek_head (&self->ops),
               g_error_new_literal (DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                                    _("The subscribed connection was closed")), NULL);
  while (!g_queue_is_empty (&self->waiters))
    {
      g_autoptr(GTask) task = g_queue_pop_head (&self->waiters);

      g_task_return_new_error (task, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                               _("The subscribed connection was closed"));
    }
  dt_redis_pubsub_arm_timer (self);
  g_object_unref (self);
  dt_redis_pubsub_leave (self);
}

