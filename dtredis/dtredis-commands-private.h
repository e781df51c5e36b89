/* dtredis-commands-private.h: the one definition of each typed command
 *
 * Every typed helper of DtRedisClient and DtRedisAsyncClient is built here:
 * the arguments it sends and the DtRedisValueKind its reply converts to.
 * The sync client runs the command through the sync pool, the async client
 * submits it to the async pool; both convert the reply with
 * dt_redis_value_from_reply (cmd->kind, ...) and return one field of the
 * DtRedisValue:
 *
 *   kind            field                       helpers
 *   BYTES           bytes (NULL: missing)       get hget lpop rpop
 *   OK              integer != 0                set setex ping flushdb
 *   INTEGER         integer                     incr incrby decr ttl delete
 *                                               exists hset hset_mapping hdel
 *                                               lpush rpush llen sadd srem
 *                                               zadd publish dbsize
 *   BOOLEAN         integer != 0                expire hexists sismember
 *   INTEGER_OR_NIL  integer (-1: missing)       zrank zrevrank
 *   DOUBLE          number                      zincrby
 *   DOUBLE_OR_NIL   found, number               zscore
 *   BYTES_LIST      list                        keys lrange smembers sunion
 *                                               sinter sdiff zrange zrevrange
 *   BYTES_MAP       map                         hgetall
 *   SCORED_LIST     list, scores                zrange_with_scores
 *                                               zrevrange_with_scores
 *   REPLY           reply                       execute execute_bytes command
 *
 * Every builder returns a new command (transfer full) with n_replies == 1.
 * String arguments are sent without their trailing NUL; GBytes arguments
 * are sent byte for byte.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stdarg.h>
#include <glib.h>

#include "dtredis-command-private.h"

G_BEGIN_DECLS

/* Generic commands: the reply is returned as it is (DT_REDIS_VALUE_REPLY). */
DtRedisCommand *dt_redis_commands_execute      (const char * const *argv);
DtRedisCommand *dt_redis_commands_execute_bytes (GBytes * const    *argv,
                                                 guint              n_argv);
/* The arguments from @first to the NULL that ends @args. */
DtRedisCommand *dt_redis_commands_execute_valist (const char       *first,
                                                  va_list           args);

/* Strings */
DtRedisCommand *dt_redis_commands_set          (const char         *key,
                                                GBytes             *value);
DtRedisCommand *dt_redis_commands_get          (const char         *key);
DtRedisCommand *dt_redis_commands_setex        (const char         *key,
                                                gint64              seconds,
                                                GBytes             *value);
DtRedisCommand *dt_redis_commands_incr         (const char         *key);
DtRedisCommand *dt_redis_commands_incrby       (const char         *key,
                                                gint64              amount);
DtRedisCommand *dt_redis_commands_decr         (const char         *key);

/* Keys */
DtRedisCommand *dt_redis_commands_ttl          (const char         *key);
DtRedisCommand *dt_redis_commands_expire       (const char         *key,
                                                gint64              seconds);
DtRedisCommand *dt_redis_commands_delete       (const char * const *keys);
DtRedisCommand *dt_redis_commands_exists       (const char * const *keys);
DtRedisCommand *dt_redis_commands_keys         (const char         *pattern);

/* Hashes; @mapping is GHashTable<utf8, GBytes> */
DtRedisCommand *dt_redis_commands_hset         (const char         *key,
                                                const char         *field,
                                                GBytes             *value);
DtRedisCommand *dt_redis_commands_hset_mapping (const char         *key,
                                                GHashTable         *mapping);
DtRedisCommand *dt_redis_commands_hget         (const char         *key,
                                                const char         *field);
DtRedisCommand *dt_redis_commands_hgetall      (const char         *key);
DtRedisCommand *dt_redis_commands_hexists      (const char         *key,
                                                const char         *field);
DtRedisCommand *dt_redis_commands_hdel         (const char         *key,
                                                const char * const *fields);

/* Lists */
DtRedisCommand *dt_redis_commands_lpush        (const char         *key,
                                                const char * const *values);
DtRedisCommand *dt_redis_commands_rpush        (const char         *key,
                                                const char * const *values);
DtRedisCommand *dt_redis_commands_lpop         (const char         *key);
DtRedisCommand *dt_redis_commands_rpop         (const char         *key);
DtRedisCommand *dt_redis_commands_llen         (const char         *key);
DtRedisCommand *dt_redis_commands_lrange       (const char         *key,
                                                gint64              start,
                                                gint64              stop);

/* Sets */
DtRedisCommand *dt_redis_commands_sadd         (const char         *key,
                                                const char * const *members);
DtRedisCommand *dt_redis_commands_srem         (const char         *key,
                                                const char * const *members);
DtRedisCommand *dt_redis_commands_smembers     (const char         *key);
DtRedisCommand *dt_redis_commands_sismember    (const char         *key,
                                                const char         *member);
DtRedisCommand *dt_redis_commands_sunion       (const char * const *keys);
DtRedisCommand *dt_redis_commands_sinter       (const char * const *keys);
DtRedisCommand *dt_redis_commands_sdiff        (const char * const *keys);

/* Sorted sets */
DtRedisCommand *dt_redis_commands_zadd         (const char         *key,
                                                gdouble             score,
                                                const char         *member);
DtRedisCommand *dt_redis_commands_zincrby      (const char         *key,
                                                gdouble             increment,
                                                const char         *member);
DtRedisCommand *dt_redis_commands_zscore       (const char         *key,
                                                const char         *member);
DtRedisCommand *dt_redis_commands_zrank        (const char         *key,
                                                const char         *member);
DtRedisCommand *dt_redis_commands_zrevrank     (const char         *key,
                                                const char         *member);
DtRedisCommand *dt_redis_commands_zrange       (const char         *key,
                                                gint64              start,
                                                gint64              stop);
DtRedisCommand *dt_redis_commands_zrange_with_scores    (const char *key,
                                                         gint64      start,
                                                         gint64      stop);
DtRedisCommand *dt_redis_commands_zrevrange    (const char         *key,
                                                gint64              start,
                                                gint64              stop);
DtRedisCommand *dt_redis_commands_zrevrange_with_scores (const char *key,
                                                         gint64      start,
                                                         gint64      stop);

/* Server and pub/sub */
DtRedisCommand *dt_redis_commands_ping         (void);
DtRedisCommand *dt_redis_commands_publish      (const char         *channel,
                                                GBytes             *message);
DtRedisCommand *dt_redis_commands_dbsize       (void);
DtRedisCommand *dt_redis_commands_flushdb      (void);

/* A score as Redis reads it back to the same double: "inf"/"-inf" for the
 * infinities. @buf must hold G_ASCII_DTOSTR_BUF_SIZE bytes. */
const char     *dt_redis_commands_format_double (char              *buf,
                                                 gdouble            value);

G_END_DECLS
