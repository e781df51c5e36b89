/* dtredis-pubsub.h: a subscribed connection, delivering messages as signals
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <gio/gio.h>

#include "dtredis-version-macros.h"
#include "dtredis-message.h"

G_BEGIN_DECLS

/**
 * DT_REDIS_PUBSUB_DEFAULT_QUEUE_LIMIT:
 *
 * How many events [class@DtRedis.PubSub]'s pull queue holds unless
 * [property@DtRedis.PubSub:queue-limit] says otherwise.
 */
#define DT_REDIS_PUBSUB_DEFAULT_QUEUE_LIMIT 10000

/**
 * DtRedisPubSubOverflow:
 * @DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST: a full pull queue drops its
 *   oldest event for each new one, and counts it
 *   ([method@DtRedis.PubSub.get_dropped])
 * @DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING: a full pull queue stops the
 *   reading of the socket until it is below its limit again, so that the
 *   server holds what follows (up to its `client-output-buffer-limit
 *   pubsub`, beyond which it closes the connection: a reconnect). The
 *   queue may exceed its limit by what one read brought in; while a call
 *   waits for its answer, reading goes on and the queue drops as with
 *   %DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST.
 *
 * What [class@DtRedis.PubSub]'s pull queue does when it is full.
 */
typedef enum
{
  DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST,
  DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING,
} DtRedisPubSubOverflow;

#define DT_REDIS_TYPE_PUBSUB (dt_redis_pubsub_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisPubSub, dt_redis_pubsub, DT_REDIS, PUBSUB, GObject)

DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_subscribe            (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_subscribe_async      (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_subscribe_finish     (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_psubscribe           (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_psubscribe_async     (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_psubscribe_finish    (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_ssubscribe           (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_ssubscribe_async     (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_ssubscribe_finish    (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_unsubscribe          (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_unsubscribe_async    (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_unsubscribe_finish   (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_punsubscribe         (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_punsubscribe_async   (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_punsubscribe_finish  (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_sunsubscribe         (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_sunsubscribe_async   (DtRedisPubSub        *self,
                                                      const char * const   *names,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_sunsubscribe_finish  (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessage *dt_redis_pubsub_ping                 (DtRedisPubSub        *self,
                                                      const char           *message,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_ping_async           (DtRedisPubSub        *self,
                                                      const char           *message,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessage *dt_redis_pubsub_ping_finish          (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessage *dt_redis_pubsub_pop_message          (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessage *dt_redis_pubsub_next_message         (DtRedisPubSub        *self,
                                                      int                   timeout_ms,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_next_message_async   (DtRedisPubSub        *self,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisMessage *dt_redis_pubsub_next_message_finish  (DtRedisPubSub        *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_close                (DtRedisPubSub        *self);

DT_REDIS_AVAILABLE_IN_ALL
char          **dt_redis_pubsub_get_channels         (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
char          **dt_redis_pubsub_get_patterns         (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
char          **dt_redis_pubsub_get_shard_channels   (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean        dt_redis_pubsub_get_connected        (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
guint           dt_redis_pubsub_get_queue_limit      (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_set_queue_limit      (DtRedisPubSub        *self,
                                                      guint                 limit);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisPubSubOverflow dt_redis_pubsub_get_overflow   (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
void            dt_redis_pubsub_set_overflow         (DtRedisPubSub        *self,
                                                      DtRedisPubSubOverflow overflow);
DT_REDIS_AVAILABLE_IN_ALL
guint           dt_redis_pubsub_get_queue_length     (DtRedisPubSub        *self);
DT_REDIS_AVAILABLE_IN_ALL
guint64         dt_redis_pubsub_get_dropped          (DtRedisPubSub        *self);

G_END_DECLS
