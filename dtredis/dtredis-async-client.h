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

G_END_DECLS
