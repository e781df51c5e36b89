/* dtredis-async-client.h: _async/_finish command facade over the async pool
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

#define DT_REDIS_TYPE_ASYNC_CLIENT (dt_redis_async_client_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisAsyncClient, dt_redis_async_client, DT_REDIS, ASYNC_CLIENT, GObject)

DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_async_client_execute_async        (DtRedisAsyncClient   *self,
                                                             const char * const   *argv,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_async_client_execute_finish       (DtRedisAsyncClient   *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_async_client_execute_bytes_async  (DtRedisAsyncClient   *self,
                                                             GBytes * const       *argv,
                                                             guint                 n_argv,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_async_client_execute_bytes_finish (DtRedisAsyncClient   *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPipeline *dt_redis_async_client_pipeline             (DtRedisAsyncClient   *self,
                                                             gboolean              transaction);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_async_client_close                (DtRedisAsyncClient   *self);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_set_async (DtRedisAsyncClient    *self,
                                            const char            *key,
                                            GBytes                *value,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_set_finish (DtRedisAsyncClient    *self,
                                             GAsyncResult          *result,
                                             GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_get_async (DtRedisAsyncClient    *self,
                                            const char            *key,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_async_client_get_finish (DtRedisAsyncClient    *self,
                                             GAsyncResult          *result,
                                             GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_setex_async (DtRedisAsyncClient    *self,
                                              const char            *key,
                                              gint64                 seconds,
                                              GBytes                *value,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_setex_finish (DtRedisAsyncClient    *self,
                                               GAsyncResult          *result,
                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_incr_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_incr_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_incrby_async (DtRedisAsyncClient    *self,
                                               const char            *key,
                                               gint64                 amount,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_incrby_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_decr_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_decr_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_ttl_async (DtRedisAsyncClient    *self,
                                            const char            *key,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_ttl_finish (DtRedisAsyncClient    *self,
                                             GAsyncResult          *result,
                                             GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_expire_async (DtRedisAsyncClient    *self,
                                               const char            *key,
                                               gint64                 seconds,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_expire_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_delete_async (DtRedisAsyncClient    *self,
                                               const char * const    *keys,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_delete_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_exists_async (DtRedisAsyncClient    *self,
                                               const char * const    *keys,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_exists_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_keys_async (DtRedisAsyncClient    *self,
                                             const char            *pattern,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_keys_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_hset_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             const char            *field,
                                             GBytes                *value,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_hset_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_hset_mapping_async (DtRedisAsyncClient    *self,
                                                     const char            *key,
                                                     GHashTable            *mapping,
                                                     GCancellable          *cancellable,
                                                     GAsyncReadyCallback    callback,
                                                     gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_hset_mapping_finish (DtRedisAsyncClient    *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_hget_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             const char            *field,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_async_client_hget_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_hgetall_async (DtRedisAsyncClient    *self,
                                                const char            *key,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GHashTable *dt_redis_async_client_hgetall_finish (DtRedisAsyncClient    *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_hexists_async (DtRedisAsyncClient    *self,
                                                const char            *key,
                                                const char            *field,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_hexists_finish (DtRedisAsyncClient    *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_hdel_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             const char * const    *fields,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_hdel_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_lpush_async (DtRedisAsyncClient    *self,
                                              const char            *key,
                                              const char * const    *values,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_lpush_finish (DtRedisAsyncClient    *self,
                                               GAsyncResult          *result,
                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_rpush_async (DtRedisAsyncClient    *self,
                                              const char            *key,
                                              const char * const    *values,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_rpush_finish (DtRedisAsyncClient    *self,
                                               GAsyncResult          *result,
                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_lpop_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_async_client_lpop_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_rpop_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GBytes    *dt_redis_async_client_rpop_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_llen_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_llen_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_lrange_async (DtRedisAsyncClient    *self,
                                               const char            *key,
                                               gint64                 start,
                                               gint64                 stop,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_lrange_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_sadd_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             const char * const    *members,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_sadd_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_srem_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             const char * const    *members,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_srem_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_smembers_async (DtRedisAsyncClient    *self,
                                                 const char            *key,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_smembers_finish (DtRedisAsyncClient    *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_sismember_async (DtRedisAsyncClient    *self,
                                                  const char            *key,
                                                  const char            *member,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_sismember_finish (DtRedisAsyncClient    *self,
                                                   GAsyncResult          *result,
                                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_sunion_async (DtRedisAsyncClient    *self,
                                               const char * const    *keys,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_sunion_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_sinter_async (DtRedisAsyncClient    *self,
                                               const char * const    *keys,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_sinter_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_sdiff_async (DtRedisAsyncClient    *self,
                                              const char * const    *keys,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_sdiff_finish (DtRedisAsyncClient    *self,
                                               GAsyncResult          *result,
                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zadd_async (DtRedisAsyncClient    *self,
                                             const char            *key,
                                             gdouble                score,
                                             const char            *member,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_zadd_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zincrby_async (DtRedisAsyncClient    *self,
                                                const char            *key,
                                                gdouble                increment,
                                                const char            *member,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gdouble    dt_redis_async_client_zincrby_finish (DtRedisAsyncClient    *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zscore_async (DtRedisAsyncClient    *self,
                                               const char            *key,
                                               const char            *member,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_zscore_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                gdouble               *score,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zrank_async (DtRedisAsyncClient    *self,
                                              const char            *key,
                                              const char            *member,
                                              GCancellable          *cancellable,
                                              GAsyncReadyCallback    callback,
                                              gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_zrank_finish (DtRedisAsyncClient    *self,
                                               GAsyncResult          *result,
                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zrevrank_async (DtRedisAsyncClient    *self,
                                                 const char            *key,
                                                 const char            *member,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_zrevrank_finish (DtRedisAsyncClient    *self,
                                                  GAsyncResult          *result,
                                                  GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zrange_async (DtRedisAsyncClient    *self,
                                               const char            *key,
                                               gint64                 start,
                                               gint64                 stop,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_zrange_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zrange_with_scores_async (DtRedisAsyncClient    *self,
                                                           const char            *key,
                                                           gint64                 start,
                                                           gint64                 stop,
                                                           GCancellable          *cancellable,
                                                           GAsyncReadyCallback    callback,
                                                           gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_zrange_with_scores_finish (DtRedisAsyncClient    *self,
                                                            GAsyncResult          *result,
                                                            GArray               **scores,
                                                            GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zrevrange_async (DtRedisAsyncClient    *self,
                                                  const char            *key,
                                                  gint64                 start,
                                                  gint64                 stop,
                                                  GCancellable          *cancellable,
                                                  GAsyncReadyCallback    callback,
                                                  gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_zrevrange_finish (DtRedisAsyncClient    *self,
                                                   GAsyncResult          *result,
                                                   GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_zrevrange_with_scores_async (DtRedisAsyncClient    *self,
                                                              const char            *key,
                                                              gint64                 start,
                                                              gint64                 stop,
                                                              GCancellable          *cancellable,
                                                              GAsyncReadyCallback    callback,
                                                              gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
GPtrArray *dt_redis_async_client_zrevrange_with_scores_finish (DtRedisAsyncClient    *self,
                                                               GAsyncResult          *result,
                                                               GArray               **scores,
                                                               GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_ping_async (DtRedisAsyncClient    *self,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_ping_finish (DtRedisAsyncClient    *self,
                                              GAsyncResult          *result,
                                              GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_publish_async (DtRedisAsyncClient    *self,
                                                const char            *channel,
                                                GBytes                *message,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_publish_finish (DtRedisAsyncClient    *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_dbsize_async (DtRedisAsyncClient    *self,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gint64     dt_redis_async_client_dbsize_finish (DtRedisAsyncClient    *self,
                                                GAsyncResult          *result,
                                                GError               **error);

DT_REDIS_AVAILABLE_IN_ALL
void       dt_redis_async_client_flushdb_async (DtRedisAsyncClient    *self,
                                                GCancellable          *cancellable,
                                                GAsyncReadyCallback    callback,
                                                gpointer               user_data);

DT_REDIS_AVAILABLE_IN_ALL
gboolean   dt_redis_async_client_flushdb_finish (DtRedisAsyncClient    *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);

G_END_DECLS
