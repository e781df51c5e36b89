/* dtredis-reply.h: one RESP reply
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
 * DtRedisReplyType:
 * @DT_REDIS_REPLY_NIL: the null bulk string or null array
 * @DT_REDIS_REPLY_STATUS: a simple string such as `OK` or `PONG`
 * @DT_REDIS_REPLY_ERROR: an error reply; its text is the server's message
 * @DT_REDIS_REPLY_INTEGER: a 64-bit integer
 * @DT_REDIS_REPLY_STRING: a bulk string, binary safe
 * @DT_REDIS_REPLY_ARRAY: an array of replies, possibly nested
 *
 * What kind of value a [struct@DtRedis.Reply] holds.
 */
typedef enum
{
  DT_REDIS_REPLY_NIL,
  DT_REDIS_REPLY_STATUS,
  DT_REDIS_REPLY_ERROR,
  DT_REDIS_REPLY_INTEGER,
  DT_REDIS_REPLY_STRING,
  DT_REDIS_REPLY_ARRAY,
} DtRedisReplyType;

#define DT_REDIS_TYPE_REPLY (dt_redis_reply_get_type ())

typedef struct _DtRedisReply DtRedisReply;

DT_REDIS_AVAILABLE_IN_ALL
GType             dt_redis_reply_get_type        (void) G_GNUC_CONST;

DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_new_nil         (void);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_new_status      (const char          *status);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_new_error       (const char          *message);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_new_integer     (gint64               value);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_new_string      (const guint8        *data,
                                                  gsize                length);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_new_array       (DtRedisReply * const *elements,
                                                  guint                n_elements);

DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_ref             (DtRedisReply        *self);
DT_REDIS_AVAILABLE_IN_ALL
void              dt_redis_reply_unref           (DtRedisReply        *self);

DT_REDIS_AVAILABLE_IN_ALL
DtRedisReplyType  dt_redis_reply_get_reply_type  (const DtRedisReply  *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean          dt_redis_reply_is_nil          (const DtRedisReply  *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean          dt_redis_reply_is_error        (const DtRedisReply  *self);
DT_REDIS_AVAILABLE_IN_ALL
gint64            dt_redis_reply_get_integer     (const DtRedisReply  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char       *dt_redis_reply_get_string      (const DtRedisReply  *self,
                                                  gsize               *length);
DT_REDIS_AVAILABLE_IN_ALL
GBytes           *dt_redis_reply_get_bytes       (DtRedisReply        *self);
DT_REDIS_AVAILABLE_IN_ALL
const guint8     *dt_redis_reply_get_data        (const DtRedisReply  *self,
                                                  gsize               *length);
DT_REDIS_AVAILABLE_IN_ALL
const char       *dt_redis_reply_get_text        (const DtRedisReply  *self,
                                                  GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
char            **dt_redis_reply_dup_strv        (const DtRedisReply  *self,
                                                  GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
guint             dt_redis_reply_get_n_elements  (const DtRedisReply  *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply     *dt_redis_reply_get_element     (const DtRedisReply  *self,
                                                  guint                index_);
DT_REDIS_AVAILABLE_IN_ALL
gboolean          dt_redis_reply_equal           (const DtRedisReply  *a,
                                                  const DtRedisReply  *b);
DT_REDIS_AVAILABLE_IN_ALL
char             *dt_redis_reply_to_string       (const DtRedisReply  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisReply, dt_redis_reply_unref)

G_END_DECLS
