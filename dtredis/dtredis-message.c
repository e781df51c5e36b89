/* dtredis-message.c: one event received by a DtRedisPubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-message-private.h"

/**
 * DtRedisMessage:
 *
 * One event of a subscribed connection, as [class@DtRedis.PubSub] hands
 * it over: a published message (`message`, `pmessage`, `smessage`), a
 * subscription confirmation, or a `pong`.
 *
 * A message is immutable and reference counted; it shares the bytes read
 * from the socket rather than copying them. Channel names and payloads are
 * binary safe: [method@DtRedis.Message.get_text] gives the payload as text
 * only when it is valid UTF-8 without NUL bytes, and
 * [method@DtRedis.Message.get_bytes] always gives it.
 */
struct _DtRedisMessage
{
  gatomicrefcount     ref_count;
  DtRedisMessageKind  kind;
  DtRedisReply       *reply;    /* the array pushed by the server (or the PONG status) */
  DtRedisReply       *channel;  /* elements of reply, borrowed; NULL when absent */
  DtRedisReply       *pattern;
  DtRedisReply       *payload;
  gint64              count;    /* confirmations: the subscriptions left on the connection */
};

/**
 * dt_redis_message_get_type:
 *
 * Gets the [alias@GObject.Type] of [struct@DtRedis.Message], a boxed type
 * whose copy takes a reference.
 *
 * Returns: the type
 */
G_DEFINE_BOXED_TYPE (DtRedisMessage, dt_redis_message,
                     dt_redis_message_ref, dt_redis_message_unref)

static const struct
{
  const char         *name;
  DtRedisMessageKind  kind;
  guint               n_elements;
} kinds[] = {
  { "message",      DT_REDIS_MESSAGE_KIND_MESSAGE,      3 },
  { "pmessage",     DT_REDIS_MESSAGE_KIND_PMESSAGE,     4 },
  { "smessage",     DT_REDIS_MESSAGE_KIND_SMESSAGE,     3 },
  { "subscribe",    DT_REDIS_MESSAGE_KIND_SUBSCRIBE,    3 },
  { "unsubscribe",  DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE,  3 },
  { "psubscribe",   DT_REDIS_MESSAGE_KIND_PSUBSCRIBE,   3 },
  { "punsubscribe", DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE, 3 },
  { "ssubscribe",   DT_REDIS_MESSAGE_KIND_SSUBSCRIBE,   3 },
  { "sunsubscribe", DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE, 3 },
  { "pong",         DT_REDIS_MESSAGE_KIND_PONG,         2 },
};

static gboolean
is_string (DtRedisReply *reply)
{
  return dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_STRING;
}

static DtRedisMessage *
message_new (DtRedisMessageKind  kind,
             DtRedisReply       *reply)
{
  DtRedisMessage *self = g_new0 (DtRedisMessage, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->kind = kind;
  self->reply = dt_redis_reply_ref (reply);

  return self;
}

DtRedisMessage *
dt_redis_message_new_from_reply (DtRedisReply *reply)
{
  DtRedisMessage *self;
  DtRedisReply *first;
  const char *name;
  gsize name_len = 0;
  guint n, i;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    return NULL;
  n = dt_redis_reply_get_n_elements (reply);
  if (n < 2)
    return NULL;
  first = dt_redis_reply_get_element (reply, 0);
  if (!is_string (first))
    return NULL;
  name = dt_redis_reply_get_string (first, &name_len);

  for (i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strlen (kinds[i].name) == name_len && memcmp (kinds[i].name, name, name_len) == 0)
      break;
  if (i == G_N_ELEMENTS (kinds) || n != kinds[i].n_elements)
    return NULL;

  self = message_new (kinds[i].kind, reply);
  switch (self->kind)
    {
    case DT_REDIS_MESSAGE_KIND_MESSAGE:
    case DT_REDIS_MESSAGE_KIND_SMESSAGE:
      self->channel = dt_redis_reply_get_element (reply, 1);
      self->payload = dt_redis_reply_get_element (reply, 2);
      break;

    case DT_REDIS_MESSAGE_KIND_PMESSAGE:
      self->pattern = dt_redis_reply_get_element (reply, 1);
      self->channel = dt_redis_reply_get_element (reply, 2);
      self->payload = dt_redis_reply_get_element (reply, 3);
      if (!is_string (self->pattern))
        goto bad;
      break;

    case DT_REDIS_MESSAGE_KIND_PONG:
      self->payload = dt_redis_reply_get_element (reply, 1);
      if (!is_string (self->payload))
        goto bad;
      return self;

    case DT_REDIS_MESSAGE_KIND_SUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_PSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_SSUBSCRIBE:
    case DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE:
    default:
      {
        DtRedisReply *name_reply = dt_redis_reply_get_element (reply, 1);
        DtRedisReply *count = dt_redis_reply_get_element (reply, 2);

        if (dt_redis_reply_get_reply_type (count) != DT_REDIS_REPLY_INTEGER)
          goto bad;
        self->count = dt_redis_reply_get_integer (count);
        /* UNSUBSCRIBE with nothing subscribed names no channel. */
        if (dt_redis_reply_is_nil (name_reply) &&
            (self->kind == DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE ||
             self->kind == DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE ||
             self->kind == DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE))
          return self;
        self->channel = name_reply;
      }
      break;
    }

  if (!is_string (self->channel) ||
      (self->payload != NULL && !is_string (self->payload)))
    goto bad;

  return self;

bad:
  dt_redis_message_unref (self);
  return NULL;
}

DtRedisMessage *
dt_redis_message_new_pong (DtRedisReply *payload)
{
  DtRedisMessage *self = message_new (DT_REDIS_MESSAGE_KIND_PONG, payload);

  self->payload = payload;

  return self;
}

/**
 * dt_redis_message_ref:
 * @self: a [struct@DtRedis.Message]
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 */
DtRedisMessage *
dt_redis_message_ref (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * dt_redis_message_unref:
 * @self: (transfer full): a [struct@DtRedis.Message]
 *
 * Drops a reference; the last one frees the message.
 */
void
dt_redis_message_unref (DtRedisMessage *self)
{
  g_return_if_fail (self != NULL);

  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      dt_redis_reply_unref (self->reply);
      g_free (self);
    }
}

/**
 * dt_redis_message_get_kind:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets what the message is.
 *
 * Returns: the kind
 */
DtRedisMessageKind
dt_redis_message_get_kind (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, DT_REDIS_MESSAGE_KIND_MESSAGE);

  return self->kind;
}

/**
 * dt_redis_message_get_kind_name:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the kind's name as Redis sends it: `message`, `pmessage`,
 * `smessage`, `subscribe`, `unsubscribe`, `psubscribe`, `punsubscribe`,
 * `ssubscribe`, `sunsubscribe` or `pong`.
 *
 * Returns: the name, a static string
 */
const char *
dt_redis_message_get_kind_name (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].kind == self->kind)
      return kinds[i].name;

  g_return_val_if_reached (NULL);
}

/**
 * dt_redis_message_get_channel:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the channel a message was published to, or the channel or pattern
 * a confirmation is about. Channel names are binary safe: a name that is
 * not UTF-8 is given as %NULL here, and always by
 * [method@DtRedis.Message.get_channel_bytes].
 *
 * Returns: (nullable): the channel, owned by @self; %NULL for a `pong`,
 *   for an unsubscribe confirmation sent when nothing was subscribed, and
 *   for a name that is not text
 */
const char *
dt_redis_message_get_channel (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->channel != NULL ? dt_redis_reply_get_text (self->channel, NULL) : NULL;
}

/**
 * dt_redis_message_get_channel_bytes:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the channel's name as bytes; see [method@DtRedis.Message.get_channel].
 *
 * Returns: (transfer full) (nullable): the name, or %NULL when the message
 *   names no channel
 */
GBytes *
dt_redis_message_get_channel_bytes (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->channel != NULL ? dt_redis_reply_get_bytes (self->channel) : NULL;
}

/**
 * dt_redis_message_get_pattern:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the pattern that a `pmessage`'s channel matched.
 *
 * Returns: (nullable): the pattern, owned by @self, or %NULL for every
 *   other kind (and for a pattern that is not UTF-8)
 */
const char *
dt_redis_message_get_pattern (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->pattern != NULL ? dt_redis_reply_get_text (self->pattern, NULL) : NULL;
}

/**
 * dt_redis_message_get_pattern_bytes:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the pattern of a `pmessage` as bytes.
 *
 * Returns: (transfer full) (nullable): the pattern, or %NULL for every
 *   other kind
 */
GBytes *
dt_redis_message_get_pattern_bytes (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->pattern != NULL ? dt_redis_reply_get_bytes (self->pattern) : NULL;
}

/**
 * dt_redis_message_get_text:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the payload as text.
 *
 * Returns: (nullable): the payload, owned by @self, or %NULL when it is not
 *   valid UTF-8, holds a NUL byte, or the message has no payload (a
 *   confirmation)
 */
const char *
dt_redis_message_get_text (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->payload != NULL ? dt_redis_reply_get_text (self->payload, NULL) : NULL;
}

/**
 * dt_redis_message_get_bytes:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the payload, whatever bytes it holds, without copying them.
 *
 * Returns: (transfer full) (nullable): the payload, or %NULL for a
 *   confirmation
 */
GBytes *
dt_redis_message_get_bytes (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->payload != NULL ? dt_redis_reply_get_bytes (self->payload) : NULL;
}

static const guint8 *
element_data (DtRedisReply *element,
              gsize        *length)
{
  gsize len = 0;
  const char *data = element != NULL ? dt_redis_reply_get_string (element, &len) : NULL;

  if (length != NULL)
    *length = len;

  return (const guint8 *) data;
}

/**
 * dt_redis_message_get_data:
 * @self: a [struct@DtRedis.Message]
 * @length: (out) (optional): where to store the payload's length in bytes
 *
 * Gets the payload's bytes without a [struct@GLib.Bytes] around them: for
 * bindings, which copy them into a string of their own in one call.
 *
 * Returns: (array length=length) (element-type guint8) (transfer none) (nullable):
 *   the payload, owned by @self, or %NULL for a confirmation
 */
const guint8 *
dt_redis_message_get_data (DtRedisMessage *self,
                           gsize          *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  return element_data (self->payload, length);
}

/**
 * dt_redis_message_get_channel_data:
 * @self: a [struct@DtRedis.Message]
 * @length: (out) (optional): where to store the name's length in bytes
 *
 * Gets the channel's name as bytes, as [method@DtRedis.Message.get_data]
 * gives the payload.
 *
 * Returns: (array length=length) (element-type guint8) (transfer none) (nullable):
 *   the name, owned by @self, or %NULL when the message names no channel
 */
const guint8 *
dt_redis_message_get_channel_data (DtRedisMessage *self,
                                   gsize          *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  return element_data (self->channel, length);
}

/**
 * dt_redis_message_get_pattern_data:
 * @self: a [struct@DtRedis.Message]
 * @length: (out) (optional): where to store the pattern's length in bytes
 *
 * Gets the pattern of a `pmessage` as bytes, as
 * [method@DtRedis.Message.get_data] gives the payload.
 *
 * Returns: (array length=length) (element-type guint8) (transfer none) (nullable):
 *   the pattern, owned by @self, or %NULL for every other kind
 */
const guint8 *
dt_redis_message_get_pattern_data (DtRedisMessage *self,
                                   gsize          *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  return element_data (self->pattern, length);
}

/**
 * dt_redis_message_get_count:
 * @self: a [struct@DtRedis.Message]
 *
 * Gets the number of subscriptions the connection holds after a
 * confirmation, as the server counts them (channels and patterns
 * together; shard channels on their own).
 *
 * Returns: the count; 0 for messages and pongs
 */
gint64
dt_redis_message_get_count (DtRedisMessage *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->count;
}
