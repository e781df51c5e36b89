/* dtredis-pubsub-queue.c: the pull queue and the accessors of DtRedisPubSub
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n-lib.h>

#include "dtredis-pubsub-engine-private.h"
#include "dtredis-pubsub-shards-private.h"

/* The pull queue */

/**
 * dt_redis_pubsub_pop_message:
 * @self: a [class@DtRedis.PubSub]
 *
 * Takes the oldest event from the pull queue, without waiting and without
 * doing any I/O. Events go to the queue when their signal has no handler.
 *
 * Returns: (transfer full) (nullable): the event, or %NULL when the queue
 *   is empty
 */
DtRedisMessage *
dt_redis_pubsub_pop_message (DtRedisPubSub *self)
{
  DtRedisMessage *message;

  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), NULL);

  message = g_queue_pop_head (&self->queue);
  dt_redis_pubsub_maybe_resume (self);

  return message;
}

static gboolean
wake_up (gpointer user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;

  return G_SOURCE_REMOVE;
}

/**
 * dt_redis_pubsub_next_message:
 * @self: a [class@DtRedis.PubSub]
 * @timeout_ms: how long to wait, in milliseconds; 0 does not wait, -1
 *   waits without limit
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Takes the oldest event from the pull queue, iterating the object's main
 * context until one arrives or @timeout_ms passes. This is how a program
 * without a running main loop receives messages.
 *
 * Returns: (transfer full) (nullable): the event, or %NULL when none
 *   arrived in time (without an error) or on cancellation (with
 *   %G_IO_ERROR_CANCELLED)
 */
DtRedisMessage *
dt_redis_pubsub_next_message (DtRedisPubSub  *self,
                              int             timeout_ms,
                              GCancellable   *cancellable,
                              GError        **error)
{
  DtRedisMessage *message;
  GSource *timeout = NULL;
  GSource *cancel = NULL;
  gboolean fired = FALSE;

  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!dt_redis_pubsub_enter (self))
    return NULL;

  /* What is queued comes first; else whatever is already readable. */
  while (g_queue_is_empty (&self->queue) && g_main_context_iteration (self->context, FALSE))
    ;

  if (g_queue_is_empty (&self->queue) && timeout_ms != 0)
    {
      if (timeout_ms > 0)
        {
          timeout = g_timeout_source_new (timeout_ms);
          g_source_set_callback (timeout, wake_up, &fired, NULL);
          g_source_attach (timeout, self->context);
        }
      if (cancellable != NULL)
        {
          cancel = g_cancellable_source_new (cancellable);
          g_source_set_callback (cancel, wake_up, &fired, NULL);
          g_source_attach (cancel, self->context);
        }
      while (g_queue_is_empty (&self->queue) && !fired && !g_cancellable_is_cancelled (cancellable))
        g_main_context_iteration (self->context, TRUE);
      dt_redis_source_clear (&timeout);
      dt_redis_source_clear (&cancel);
    }

  message = g_queue_pop_head (&self->queue);
  dt_redis_pubsub_maybe_resume (self);
  dt_redis_pubsub_leave (self);

  if (message == NULL)
    g_cancellable_set_error_if_cancelled (cancellable, error);

  return message;
}

static gboolean
waiter_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GTask *task = user_data;
  DtRedisPubSub *self = g_task_get_source_object (task);

  if (g_queue_remove (&self->waiters, task))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
      g_object_unref (task);
    }

  return G_SOURCE_REMOVE;
}

static void
destroy_source (gpointer source)
{
  dt_redis_source_clear ((GSource **) &source);
}

/**
 * dt_redis_pubsub_next_message_async:
 * @self: a [class@DtRedis.PubSub]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the next event
 * @user_data: data for @callback
 *
 * Takes the oldest event from the pull queue, or the next one to arrive.
 * A cancelled call takes no event: the next one stays for the next call.
 */
void
dt_redis_pubsub_next_message_async (DtRedisPubSub       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  DtRedisMessage *message;

  g_return_if_fail (DT_REDIS_IS_PUBSUB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_pubsub_next_message_async);

  if (!dt_redis_pubsub_enter (self))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("A DtRedisPubSub was used from a thread that does not own its main context"));
      return;
    }

  message = g_queue_pop_head (&self->queue);
  if (message != NULL)
    {
      dt_redis_pubsub_maybe_resume (self);
      g_task_return_pointer (task, message, (GDestroyNotify) dt_redis_message_unref);
    }
  else if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
    }
  else
    {
      if (cancellable != NULL)
        {
          GSource *source = g_cancellable_source_new (cancellable);

          g_source_set_callback (source, G_SOURCE_FUNC (waiter_cancelled), task, NULL);
          g_source_attach (source, self->context);
          g_task_set_task_data (task, source, destroy_source);
        }
      g_queue_push_tail (&self->waiters, g_steal_pointer (&task));
    }

  dt_redis_pubsub_leave (self);
}

/**
 * dt_redis_pubsub_next_message_finish:
 * @self: a [class@DtRedis.PubSub]
 * @result: the [iface@Gio.AsyncResult]
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.PubSub.next_message_async].
 *
 * Returns: (transfer full): the event, or %NULL on error
 */
DtRedisMessage *
dt_redis_pubsub_next_message_finish (DtRedisPubSub  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, dt_redis_pubsub_next_message_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

static char **
sorted_names (GHashTable *set)
{
  char **names = dt_redis_pubsub_dup_names (set);

  qsort (names, g_strv_length (names), sizeof (char *), compare_names);

  return names;
}

/**
 * dt_redis_pubsub_get_channels:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets the channels the server confirmed, which are restored after a
 * reconnect.
 *
 * Returns: (transfer full) (array zero-terminated=1): the channels, sorted
 */
char **
dt_redis_pubsub_get_channels (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), NULL);

  return sorted_names (self->subs[SUBS_CHANNEL]);
}

/**
 * dt_redis_pubsub_get_patterns:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets the patterns the server confirmed.
 *
 * Returns: (transfer full) (array zero-terminated=1): the patterns, sorted
 */
char **
dt_redis_pubsub_get_patterns (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), NULL);

  return sorted_names (self->subs[SUBS_PATTERN]);
}

/**
 * dt_redis_pubsub_get_shard_channels:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets the shard channels the server confirmed. With a Cluster config,
 * a channel being moved to its slot's new owner is among them.
 *
 * Returns: (transfer full) (array zero-terminated=1): the shard channels,
 *   sorted
 */
char **
dt_redis_pubsub_get_shard_channels (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), NULL);

  return sorted_names (self->shards != NULL ? dt_redis_pubsub_shards_get_names (self->shards)
                                            : self->subs[SUBS_SHARD]);
}

/**
 * dt_redis_pubsub_get_connected:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets [property@DtRedis.PubSub:connected].
 *
 * Returns: whether the subscribed connection is up
 */
gboolean
dt_redis_pubsub_get_connected (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), FALSE);

  return self->connected;
}

/**
 * dt_redis_pubsub_get_queue_limit:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets [property@DtRedis.PubSub:queue-limit].
 *
 * Returns: how many events the pull queue holds at most
 */
guint
dt_redis_pubsub_get_queue_limit (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), 0);

  return self->queue_limit;
}

/**
 * dt_redis_pubsub_set_queue_limit:
 * @self: a [class@DtRedis.PubSub]
 * @limit: how many events the pull queue may hold, at least 1
 *
 * Sets [property@DtRedis.PubSub:queue-limit]; events beyond a lower limit
 * are dropped at once, oldest first, and counted.
 */
void
dt_redis_pubsub_set_queue_limit (DtRedisPubSub *self,
                                 guint          limit)
{
  g_return_if_fail (DT_REDIS_IS_PUBSUB (self));
  g_return_if_fail (limit >= 1);

  if (self->queue_limit == limit)
    return;
  self->queue_limit = limit;
  if (self->overflow == DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST)
    while (self->queue.length > self->queue_limit)
      {
        dt_redis_message_unref (g_queue_pop_head (&self->queue));
        self->dropped++;
      }
  dt_redis_pubsub_maybe_resume (self);
  g_object_notify_by_pspec (G_OBJECT (self), dt_redis_pubsub_properties[PROP_QUEUE_LIMIT]);
}

/**
 * dt_redis_pubsub_get_overflow:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets [property@DtRedis.PubSub:overflow].
 *
 * Returns: what a full pull queue does
 */
DtRedisPubSubOverflow
dt_redis_pubsub_get_overflow (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST);

  return self->overflow;
}

/**
 * dt_redis_pubsub_set_overflow:
 * @self: a [class@DtRedis.PubSub]
 * @overflow: what a full pull queue is to do
 *
 * Sets [property@DtRedis.PubSub:overflow]. Switching to
 * %DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST drops what is beyond the limit at
 * once and reads again.
 */
void
dt_redis_pubsub_set_overflow (DtRedisPubSub         *self,
                              DtRedisPubSubOverflow  overflow)
{
  g_return_if_fail (DT_REDIS_IS_PUBSUB (self));
  g_return_if_fail (overflow == DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST ||
                    overflow == DT_REDIS_PUBSUB_OVERFLOW_PAUSE_READING);

  if (self->overflow == overflow)
    return;
  self->overflow = overflow;
  if (overflow == DT_REDIS_PUBSUB_OVERFLOW_DROP_OLDEST)
    {
      while (self->queue.length > self->queue_limit)
        {
          dt_redis_message_unref (g_queue_pop_head (&self->queue));
          self->dropped++;
        }
      dt_redis_pubsub_maybe_resume (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), dt_redis_pubsub_properties[PROP_OVERFLOW]);
}

/**
 * dt_redis_pubsub_get_queue_length:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets how many events wait in the pull queue.
 *
 * Returns: the queue's length
 */
guint
dt_redis_pubsub_get_queue_length (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), 0);

  return self->queue.length;
}

/**
 * dt_redis_pubsub_get_dropped:
 * @self: a [class@DtRedis.PubSub]
 *
 * Gets how many events the pull queue dropped because it was full.
 *
 * Returns: the count since the object was made
 */
guint64
dt_redis_pubsub_get_dropped (DtRedisPubSub *self)
{
  g_return_val_if_fail (DT_REDIS_IS_PUBSUB (self), 0);

  return self->dropped;
}

