/* dtredis-pipeline.h: a batch of commands sent as one unit
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

G_BEGIN_DECLS

#define DT_REDIS_TYPE_PIPELINE (dt_redis_pipeline_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisPipeline, dt_redis_pipeline, DT_REDIS, PIPELINE, GObject)

DT_REDIS_AVAILABLE_IN_ALL
DtRedisPipeline *dt_redis_pipeline_append          (DtRedisPipeline     *self,
                                                    const char * const  *argv);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPipeline *dt_redis_pipeline_append_commands (DtRedisPipeline     *self,
                                                    const char * const  *args,
                                                    const guint         *lengths,
                                                    guint                n_commands);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPipeline *dt_redis_pipeline_append_bytes    (DtRedisPipeline     *self,
                                                    GBytes * const      *argv,
                                                    guint                n_argv);
DT_REDIS_AVAILABLE_IN_ALL
gboolean         dt_redis_pipeline_watch           (DtRedisPipeline     *self,
                                                    const char * const  *keys,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_pipeline_watch_async     (DtRedisPipeline     *self,
                                                    const char * const  *keys,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean         dt_redis_pipeline_watch_finish    (DtRedisPipeline     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean         dt_redis_pipeline_get_watching    (DtRedisPipeline     *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_pipeline_execute_immediate        (DtRedisPipeline     *self,
                                                             const char * const  *argv,
                                                             GCancellable        *cancellable,
                                                             GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_pipeline_execute_immediate_bytes  (DtRedisPipeline     *self,
                                                             GBytes * const      *argv,
                                                             guint                n_argv,
                                                             GCancellable        *cancellable,
                                                             GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_pipeline_execute_immediate_async  (DtRedisPipeline     *self,
                                                             const char * const  *argv,
                                                             GCancellable        *cancellable,
                                                             GAsyncReadyCallback  callback,
                                                             gpointer             user_data);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_pipeline_execute_immediate_bytes_async (DtRedisPipeline     *self,
                                                                  GBytes * const      *argv,
                                                                  guint                n_argv,
                                                                  GCancellable        *cancellable,
                                                                  GAsyncReadyCallback  callback,
                                                                  gpointer             user_data);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisReply    *dt_redis_pipeline_execute_immediate_finish (DtRedisPipeline     *self,
                                                             GAsyncResult        *result,
                                                             GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_pipeline_unwatch         (DtRedisPipeline     *self);
DT_REDIS_AVAILABLE_IN_ALL
guint            dt_redis_pipeline_get_n_commands  (DtRedisPipeline     *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean         dt_redis_pipeline_get_transaction (DtRedisPipeline     *self);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_pipeline_clear           (DtRedisPipeline     *self);
DT_REDIS_AVAILABLE_IN_ALL
GPtrArray       *dt_redis_pipeline_execute         (DtRedisPipeline     *self,
                                                    GCancellable        *cancellable,
                                                    GError             **error);
DT_REDIS_AVAILABLE_IN_ALL
void             dt_redis_pipeline_execute_async   (DtRedisPipeline     *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
DT_REDIS_AVAILABLE_IN_ALL
GPtrArray       *dt_redis_pipeline_execute_finish  (DtRedisPipeline     *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

G_END_DECLS
