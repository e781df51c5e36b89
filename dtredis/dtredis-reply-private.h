/* dtredis-reply-private.h: building replies in place, for the RESP reader
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-reply.h"

G_BEGIN_DECLS

DtRedisReply *_dt_redis_reply_new_text        (DtRedisReplyType  type,
                                               const char       *data,
                                               gsize             len);
/* An array whose elements are filled in afterwards, each exactly once. */
DtRedisReply *_dt_redis_reply_new_empty_array (guint             n_elements);
void          _dt_redis_reply_set_element     (DtRedisReply     *array,
                                               guint             index_,
                                               DtRedisReply     *element);

G_END_DECLS
