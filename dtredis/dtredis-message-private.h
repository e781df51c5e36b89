/* dtredis-message-private.h: making messages from the pushes of a
 * subscribed connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-message.h"
#include "dtredis-reply.h"

G_BEGIN_DECLS

/* The message that @reply (an array the server pushed to a subscribed
 * connection) is, keeping a reference to it; NULL when @reply is not one
 * of the shapes Redis sends (a kind it does not use, a missing or
 * mistyped element). */
DtRedisMessage *dt_redis_message_new_from_reply (DtRedisReply *reply);
/* The answer to a PING sent outside subscribed mode: +PONG, or its
 * argument echoed as a bulk string. */
DtRedisMessage *dt_redis_message_new_pong       (DtRedisReply *payload);

/* Whether @kind is one of the three kinds published messages have. */
static inline gboolean
dt_redis_message_kind_is_message (DtRedisMessageKind kind)
{
  return kind <= DT_REDIS_MESSAGE_KIND_SMESSAGE;
}

G_END_DECLS
