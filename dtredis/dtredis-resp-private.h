/* dtredis-resp-private.h: RESP2 parsing and formatting through hiredis
 *
 * The reader wraps hiredis's redisReader with object functions that build
 * DtRedisReply trees directly, and enforces size caps while parsing so a
 * hostile server cannot make us allocate without bound.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "dtredis-reply.h"

G_BEGIN_DECLS

/* Default caps: a bulk string may be up to 512 MiB (Redis's own
 * proto-max-bulk-len), an array up to 2^24 elements. */
#define DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN  ((gsize) 512 * 1024 * 1024)
#define DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS  ((guint) 1 << 24)
/* Status and error lines are short ("+OK", "-ERR ..."): one that runs on
 * without its CRLF is refused at this length, whatever max-bulk-length
 * says, so a broken or hostile server cannot make us buffer it. */
#define DT_REDIS_RESP_MAX_LINE_LEN          ((gsize) 16 * 1024)

typedef struct _DtRedisRespReader DtRedisRespReader;

DtRedisRespReader *dt_redis_resp_reader_new          (gsize               max_bulk_len,
                                                      guint               max_elements);
void               dt_redis_resp_reader_free         (DtRedisRespReader  *self);
/* Appends bytes read from the socket (copied: the caller may reuse its
 * buffer); FALSE (PROTOCOL) only after an earlier parse error. Any size
 * costs linear time: hiredis gets a big feed in slices, as pop() takes
 * the replies. */
gboolean           dt_redis_resp_reader_feed         (DtRedisRespReader  *self,
                                                      const char         *data,
                                                      gsize               len,
                                                      GError            **error);
/* TRUE with *reply set when a whole reply is buffered, TRUE with *reply
 * NULL when more bytes are needed, FALSE with PROTOCOL on malformed input
 * (the reader is then unusable: close the connection). */
gboolean           dt_redis_resp_reader_pop          (DtRedisRespReader  *self,
                                                      DtRedisReply      **reply,
                                                      GError            **error);
/* Whether unparsed bytes are buffered (a partial or an unread reply). */
gboolean           dt_redis_resp_reader_has_buffered (DtRedisRespReader  *self);

/* How many bytes one command takes in RESP (an array of bulk strings). */
gsize              dt_redis_resp_command_size        (guint               argc,
                                                      const gsize        *argvlen);
/* Writes it at @out, which has room for the @size bytes that computed. */
void               dt_redis_resp_write_command       (guint8             *out,
                                                      guint               argc,
                                                      const char * const *argv,
                                                      const gsize        *argvlen,
                                                      gsize               size);
/* Appends one command in RESP to @out. */
void               dt_redis_resp_append_command      (GByteArray         *out,
                                                      guint               argc,
                                                      const char * const *argv,
                                                      const gsize        *argvlen);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisRespReader, dt_redis_resp_reader_free)

G_END_DECLS
