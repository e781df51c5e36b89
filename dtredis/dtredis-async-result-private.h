/* dtredis-async-result-private.h: the GAsyncResult of an async client's
 * command
 *
 * What GTask does for one command, without what a command never uses
 * (task threads, priorities, properties, return-on-cancel), and used again
 * when nothing else holds it: an async GET at 1,000 in flight went from
 * 8,528 instructions with GTask to 4,985 (bench/instructions-by-depth).
 * The rules are GTask's:
 * - the callback runs in the thread-default main context of the thread
 *   that made the result, never from within the _async call: a result
 *   completed in the same main-loop iteration that made it, or in another
 *   thread or context, is delivered from an idle source there;
 * - the result holds a reference to its source object until it is
 *   finalized;
 * - when its cancellable was cancelled, the result is
 *   G_IO_ERROR_CANCELLED, whatever came back;
 * - g_async_result_is_tagged() knows its source tag.
 *
 * A client keeps a cache of them: a result nobody else holds once its
 * callback returned (one reference, no qdata, no signal handler: nothing
 * a caller or a binding attached) is emptied and used again for a later
 * command, instead of being finalized and a new one made.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dtredis-value-private.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_ASYNC_RESULT (dt_redis_async_result_get_type ())
G_DECLARE_FINAL_TYPE (DtRedisAsyncResult, dt_redis_async_result, DT_REDIS, ASYNC_RESULT, GObject)

typedef struct _DtRedisAsyncResultCache DtRedisAsyncResultCache;

DtRedisAsyncResultCache *dt_redis_async_result_cache_new   (void);
/* The owner is going: frees what is cached; results in flight are
 * finalized when they are done. */
void                     dt_redis_async_result_cache_close (DtRedisAsyncResultCache *cache);

/* The reference returned belongs to the operation: return_value() or
 * return_error() takes it. @cache: where to take it from and give it back
 * (nullable). */
DtRedisAsyncResult *dt_redis_async_result_new          (DtRedisAsyncResultCache *cache,
                                                        gpointer             source_object,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data,
                                                        gpointer             source_tag);
/* Data for the finish function; @destroy frees it with the result. */
void                dt_redis_async_result_set_data     (DtRedisAsyncResult  *self,
                                                        gpointer             data,
                                                        GDestroyNotify       destroy);
gpointer            dt_redis_async_result_get_data     (DtRedisAsyncResult  *self);
/* Completes with @value (its contents taken). */
void                dt_redis_async_result_return_value (DtRedisAsyncResult  *self,
                                                        DtRedisValue        *value);
/* Completes with @error (taken). */
void                dt_redis_async_result_return_error (DtRedisAsyncResult  *self,
                                                        GError              *error);
/* Whether @result is one of these, made for @source_object and
 * @source_tag. */
gboolean            dt_redis_async_result_is_valid     (GAsyncResult        *result,
                                                        gpointer             source_object,
                                                        gpointer             source_tag);
/* How many results were ever made (not taken from a cache): for tests. */
guint               dt_redis_async_result_count_made   (void);
/* The value (moved into @value) or the error; once. */
gboolean            dt_redis_async_result_propagate    (DtRedisAsyncResult  *self,
                                                        DtRedisValue        *value,
                                                        GError             **error);

G_END_DECLS
