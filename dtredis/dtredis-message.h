/* dtredis-message.h: one event received by a DtRedisPubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib-object.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

/**
 * DtRedisMessageKind:
 * @DT_REDIS_MESSAGE_KIND_MESSAGE: a message published to a channel the
 *   subscriber subscribed to by name (`message`)
 * @DT_REDIS_MESSAGE_KIND_PMESSAGE: a message published to a channel that
 *   matched a pattern (`pmessage`); the pattern is set
 * @DT_REDIS_MESSAGE_KIND_SMESSAGE: a message published to a shard channel
 *   with `SPUBLISH` (`smessage`)
 * @DT_REDIS_MESSAGE_KIND_SUBSCRIBE: the server confirmed a `SUBSCRIBE`
 * @DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE: the server confirmed an `UNSUBSCRIBE`
 * @DT_REDIS_MESSAGE_KIND_PSUBSCRIBE: the server confirmed a `PSUBSCRIBE`
 * @DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE: the server confirmed a `PUNSUBSCRIBE`
 * @DT_REDIS_MESSAGE_KIND_SSUBSCRIBE: the server confirmed an `SSUBSCRIBE`
 * @DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE: the server confirmed an
 *   `SUNSUBSCRIBE`, or removed a shard channel on its own
 * @DT_REDIS_MESSAGE_KIND_PONG: the answer to [method@DtRedis.PubSub.ping]
 *
 * What a [struct@DtRedis.Message] is. The first three are the messages
 * that [signal@DtRedis.PubSub::message] carries; the confirmations are
 * what [signal@DtRedis.PubSub::subscribed] and
 * [signal@DtRedis.PubSub::unsubscribed] carry. Each keeps the name Redis
 * gives it on the wire.
 */
typedef enum
{
  DT_REDIS_MESSAGE_KIND_MESSAGE,
  DT_REDIS_MESSAGE_KIND_PMESSAGE,
  DT_REDIS_MESSAGE_KIND_SMESSAGE,
  DT_REDIS_MESSAGE_KIND_SUBSCRIBE,
  DT_REDIS_MESSAGE_KIND_UNSUBSCRIBE,
  DT_REDIS_MESSAGE_KIND_PSUBSCRIBE,
  DT_REDIS_MESSAGE_KIND_PUNSUBSCRIBE,
  DT_REDIS_MESSAGE_KIND_SSUBSCRIBE,
  DT_REDIS_MESSAGE_KIND_SUNSUBSCRIBE,
  DT_REDIS_MESSAGE_KIND_PONG,
} DtRedisMessageKind;

#define DT_REDIS_TYPE_MESSAGE (dt_redis_message_get_type ())

typedef struct _DtRedisMessage DtRedisMessage;

DT_REDIS_AVAILABLE_IN_ALL
GType               dt_redis_message_get_type          (void) G_GNUC_CONST;

DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessage     *dt_redis_message_ref               (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
void                dt_redis_message_unref             (DtRedisMessage *self);

DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessageKind  dt_redis_message_get_kind          (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
const char         *dt_redis_message_get_kind_name     (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
const char         *dt_redis_message_get_channel       (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
GBytes             *dt_redis_message_get_channel_bytes (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
const char         *dt_redis_message_get_pattern       (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
GBytes             *dt_redis_message_get_pattern_bytes (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
const char         *dt_redis_message_get_text          (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
GBytes             *dt_redis_message_get_bytes         (DtRedisMessage *self);
DT_REDIS_AVAILABLE_IN_ALL
const guint8       *dt_redis_message_get_data          (DtRedisMessage *self,
                                                        gsize          *length);
DT_REDIS_AVAILABLE_IN_ALL
const guint8       *dt_redis_message_get_channel_data  (DtRedisMessage *self,
                                                        gsize          *length);
DT_REDIS_AVAILABLE_IN_ALL
const guint8       *dt_redis_message_get_pattern_data  (DtRedisMessage *self,
                                                        gsize          *length);
DT_REDIS_AVAILABLE_IN_ALL
gint64              dt_redis_message_get_count         (DtRedisMessage *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisMessage, dt_redis_message_unref)

G_END_DECLS
