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
gboolean         dt_redis_client_get_single_connection (DtRedisClient *self);

G_END_DECLS
