/* dtredis-client-private.h: constructors used by DtRedisInstance and the clients
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-client.h"
#include "dtredis-async-client.h"
#include "dtredis-pipeline.h"
#include "dtredis-instance.h"
#include "dtredis-pools-private.h"
#include "dtredis-command-private.h"
#include "dtredis-value-private.h"

G_BEGIN_DECLS

/* The instance hands its pools down; clients and pipelines never ask
 * the instance for them. @instance is only what their "instance"
 * property reports. */
DtRedisClient      *dt_redis_client_new       (DtRedisInstance *instance,
                                               DtRedisPools    *pools);
/* A client that keeps the connection its first command leases. */
DtRedisClient      *dt_redis_client_new_single_connection (DtRedisInstance *instance,
                                                           DtRedisPools    *pools);
DtRedisAsyncClient *dt_redis_async_client_new (DtRedisInstance *instance,
                                               DtRedisPools    *pools);
DtRedisPipeline    *dt_redis_pipeline_new     (DtRedisInstance *instance,
                                               DtRedisPools    *pools,
                                               gboolean         transaction);

/* The one path of every typed command (the generated methods too): run
 * @cmd (taken) on the sync pool and convert its reply by cmd->kind. On
 * success @value owns the result; on failure it holds nothing. A reply
 * that is not text fails with an ENCODING error naming @text_key and the
 * @twin function that reads it as bytes (both nullable). */
gboolean dt_redis_client_run_command          (DtRedisClient        *self,
                                               DtRedisCommand       *cmd,
                                               const char           *text_key,
                                               const char           *twin,
                                               DtRedisValue         *value,
                                               GCancellable         *cancellable,
                                               GError              **error);
/* The same for the async client: a task tagged @source_tag in the
 * caller's context, @cmd (taken, may be NULL after a bad argument) to the
 * async pool; @key_index: where in @cmd the key an encoding error names
 * is (-1: none). And the way back. */
void     dt_redis_async_client_submit_command (DtRedisAsyncClient   *self,
                                               DtRedisCommand       *cmd,
                                               gpointer              source_tag,
                                               gint                  key_index,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean dt_redis_async_client_finish_command (DtRedisAsyncClient   *self,
                                               GAsyncResult         *result,
                                               gpointer              source_tag,
                                               const char           *twin,
                                               DtRedisValue         *value,
                                               GError              **error);

G_END_DECLS
