/* dtredis-value-private.h: reply to typed value conversion
 *
 * One converter per return shape, shared by the sync client, the async
 * client and the pipeline, so a command is defined once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "dtredis-error.h"
#include "dtredis-reply.h"

G_BEGIN_DECLS

typedef enum
{
  DT_REDIS_VALUE_REPLY,        /* the DtRedisReply itself */
  DT_REDIS_VALUE_BYTES,        /* bulk string or NIL -> GBytes or NULL */
  DT_REDIS_VALUE_INTEGER,      /* integer */
  DT_REDIS_VALUE_INTEGER_OR_NIL, /* integer, NIL -> -1 (ZRANK) */
  DT_REDIS_VALUE_BOOLEAN,      /* integer 0/1 */
  DT_REDIS_VALUE_OK,           /* status OK (or PONG) -> TRUE */
  DT_REDIS_VALUE_DOUBLE,       /* bulk string holding a double */
  DT_REDIS_VALUE_DOUBLE_OR_NIL, /* as DOUBLE, NIL -> found = FALSE (ZSCORE) */
  DT_REDIS_VALUE_BYTES_LIST,   /* array of bulk strings -> GPtrArray<GBytes> */
  /* Text first: a value that is not UTF-8 text fails with ENCODING. */
  DT_REDIS_VALUE_TEXT,         /* bulk string or NIL -> char * or NULL */
  DT_REDIS_VALUE_TEXT_LIST,    /* array of bulk strings -> GStrv */
  DT_REDIS_VALUE_TEXT_LIST_NULLABLE, /* the same with nils -> GPtrArray<char *> */
  DT_REDIS_VALUE_TEXT_MAP,     /* flat field/value array -> GHashTable<utf8,utf8> */
  DT_REDIS_VALUE_BYTES_TEXT_MAP, /* the same -> GHashTable<utf8,GBytes>, fields as text */
  DT_REDIS_VALUE_SCORED_MEMBERS, /* member/score pairs -> GPtrArray<DtRedisScoredMember> */
  DT_REDIS_VALUE_INTEGER_LIST, /* array of integers -> GArray<gint64> */
} DtRedisValueKind;

typedef struct
{
  DtRedisValueKind kind;
  gboolean         found;   /* DOUBLE_OR_NIL: whether the member existed */
  gint64           integer; /* INTEGER, INTEGER_OR_NIL, BOOLEAN, OK */
  gdouble          number;  /* DOUBLE, DOUBLE_OR_NIL */
  /* One at most, the one kind names: an async result holds a value per
   * command in flight, and 48 bytes of six NULL pointers each added up. */
  union
  {
    GBytes        *bytes;   /* BYTES */
    GPtrArray     *list;    /* BYTES_LIST, TEXT_LIST_NULLABLE, SCORED_MEMBERS */
    GArray        *scores;  /* INTEGER_LIST */
    GHashTable    *map;     /* TEXT_MAP, BYTES_TEXT_MAP */
    DtRedisReply  *reply;   /* REPLY */
    char          *text;    /* TEXT */
    char         **strv;    /* TEXT_LIST */
  };
} DtRedisValue;

/* Converts @reply (not consumed). A top-level ERROR reply becomes a GError
 * (SERVER, or AUTH for NOAUTH/WRONGPASS); a reply of the wrong shape is
 * PROTOCOL. On success every pointer in @out is owned by @out. */
gboolean dt_redis_value_from_reply (DtRedisValueKind  kind,
                                    DtRedisReply     *reply,
                                    DtRedisValue     *out,
                                    GError          **error);
void     dt_redis_value_clear      (DtRedisValue     *value);
/* ENCODING: the value of @key (nullable) is not text; @twin is the
 * function that reads it as bytes. */
GError  *dt_redis_value_new_encoding_error (const char *key,
                                            const char *twin);
/* Whether every value of @mapping (utf8 to utf8) is UTF-8 text. */
gboolean dt_redis_value_mapping_is_text (GHashTable *mapping);
/* ENCODING for an argument (@what: "value"...) of a text method that is
 * not UTF-8, for @key (nullable). */
GError  *dt_redis_value_new_argument_encoding_error (const char *key,
                                                     const char *what,
                                                     const char *twin);
/* The GError for a top-level error reply: SERVER with the server's text,
 * AUTH for NOAUTH/WRONGPASS/WRONGPASS-like replies. */
GError  *dt_redis_value_error_from_reply (const DtRedisReply *reply);
/* The code for an error reply's text: AUTH, LOADING, CONNECTION (no room
 * on the server) or SERVER. @handshake: the reply answers AUTH, SELECT or
 * CLIENT SETNAME while connecting, where NOPERM and the old "invalid
 * password" texts are about the credentials too. */
DtRedisError dt_redis_value_error_code_for_text (const char *text,
                                                 gboolean    handshake);

G_END_DECLS
