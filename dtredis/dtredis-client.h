/* dtredis-client.h: blocking command facade over the sync pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dtredis-version-macros.h"
#include "dtredis-reply.h"
#include "dtredis-pipeline.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_CLIENT (dt_redis_client_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisClient, dt_redis_client, DT_REDIS, CLIENT, GObject)

DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_client_execute       (DtRedisClient       *self,
                                                const char * const  *argv,
                                                GCancellable        *cancellable,
                                                GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_client_execute_bytes (DtRedisClient       *self,
                                                GBytes * const      *argv,
                                                guint                n_argv,
                                                GCancellable        *cancellable,
                                                GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_client_command       (DtRedisClient       *self,
                                                GCancellable        *cancellable,
                                                GError             **error,
                                                const char          *first_arg,
                                                ...) G_GNUC_NULL_TERMINATED;
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPipeline *dt_redis_client_pipeline      (DtRedisClient       *self,
                                                gboolean             transaction);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_client_close         (DtRedisClient       *self);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_set (DtRedisClient         *self,
                                const char            *key,
                                GBytes                *value,
                                GCancellable          *cancellable,
                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_client_get (DtRedisClient         *self,
                                const char            *key,
                                GCancellable          *cancellable,
                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_setex (DtRedisClient         *self,
                                  const char            *key,
                                  gint64                 seconds,
                                  GBytes                *value,
                                  GCancellable          *cancellable,
                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_incr (DtRedisClient         *self,
                                 const char            *key,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_incrby (DtRedisClient         *self,
                                   const char            *key,
                                   gint64                 amount,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_decr (DtRedisClient         *self,
                                 const char            *key,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_ttl (DtRedisClient         *self,
                                const char            *key,
                                GCancellable          *cancellable,
                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_expire (DtRedisClient         *self,
                                   const char            *key,
                                   gint64                 seconds,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_delete (DtRedisClient         *self,
                                   const char * const    *keys,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_exists (DtRedisClient         *self,
                                   const char * const    *keys,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_keys (DtRedisClient         *self,
                                 const char            *pattern,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_hset (DtRedisClient         *self,
                                 const char            *key,
                                 const char            *field,
                                 GBytes                *value,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_hset_mapping (DtRedisClient         *self,
                                         const char            *key,
                                         GHashTable            *mapping,
                                         GCancellable          *cancellable,
                                         GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_client_hget (DtRedisClient         *self,
                                 const char            *key,
                                 const char            *field,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GHashTable *dt_redis_client_hgetall (DtRedisClient         *self,
                                     const char            *key,
                                     GCancellable          *cancellable,
                                     GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_hexists (DtRedisClient         *self,
                                    const char            *key,
                                    const char            *field,
                                    GCancellable          *cancellable,
                                    GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_hdel (DtRedisClient         *self,
                                 const char            *key,
                                 const char * const    *fields,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_lpush (DtRedisClient         *self,
                                  const char            *key,
                                  const char * const    *values,
                                  GCancellable          *cancellable,
                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_rpush (DtRedisClient         *self,
                                  const char            *key,
                                  const char * const    *values,
                                  GCancellable          *cancellable,
                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_client_lpop (DtRedisClient         *self,
                                 const char            *key,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_client_rpop (DtRedisClient         *self,
                                 const char            *key,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_llen (DtRedisClient         *self,
                                 const char            *key,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_lrange (DtRedisClient         *self,
                                   const char            *key,
                                   gint64                 start,
                                   gint64                 stop,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_sadd (DtRedisClient         *self,
                                 const char            *key,
                                 const char * const    *members,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_srem (DtRedisClient         *self,
                                 const char            *key,
                                 const char * const    *members,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_smembers (DtRedisClient         *self,
                                     const char            *key,
                                     GCancellable          *cancellable,
                                     GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_sismember (DtRedisClient         *self,
                                      const char            *key,
                                      const char            *member,
                                      GCancellable          *cancellable,
                                      GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_sunion (DtRedisClient         *self,
                                   const char * const    *keys,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_sinter (DtRedisClient         *self,
                                   const char * const    *keys,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_sdiff (DtRedisClient         *self,
                                  const char * const    *keys,
                                  GCancellable          *cancellable,
                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_zadd (DtRedisClient         *self,
                                 const char            *key,
                                 gdouble                score,
                                 const char            *member,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gdouble    dt_redis_client_zincrby (DtRedisClient         *self,
                                    const char            *key,
                                    gdouble                increment,
                                    const char            *member,
                                    GCancellable          *cancellable,
                                    GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_zscore (DtRedisClient         *self,
                                   const char            *key,
                                   const char            *member,
                                   gdouble               *score,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_zrank (DtRedisClient         *self,
                                  const char            *key,
                                  const char            *member,
                                  GCancellable          *cancellable,
                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_zrevrank (DtRedisClient         *self,
                                     const char            *key,
                                     const char            *member,
                                     GCancellable          *cancellable,
                                     GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_zrange (DtRedisClient         *self,
                                   const char            *key,
                                   gint64                 start,
                                   gint64                 stop,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_zrange_with_scores (DtRedisClient         *self,
                                               const char            *key,
                                               gint64                 start,
                                               gint64                 stop,
                                               GArray               **scores,
                                               GCancellable          *cancellable,
                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_zrevrange (DtRedisClient         *self,
                                      const char            *key,
                                      gint64                 start,
                                      gint64                 stop,
                                      GCancellable          *cancellable,
                                      GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_client_zrevrange_with_scores (DtRedisClient         *self,
                                                  const char            *key,
                                                  gint64                 start,
                                                  gint64                 stop,
                                                  GArray               **scores,
                                                  GCancellable          *cancellable,
                                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_ping (DtRedisClient         *self,
                                 GCancellable          *cancellable,
                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_publish (DtRedisClient         *self,
                                    const char            *channel,
                                    GBytes                *message,
                                    GCancellable          *cancellable,
                                    GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_client_dbsize (DtRedisClient         *self,
                                   GCancellable          *cancellable,
                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_client_flushdb (DtRedisClient         *self,
                                    GCancellable          *cancellable,
                                    GError               **error);

G_END_DECLS
