/* dtredis-async-request.c: one command's passage through the async pool
 *
 * A request is made by dt_redis_async_pool_submit(), moves through the
 * pool's queues (its state names the one it is in: see Request), and
 * completes once, by its callback: with the replies, an error, or
 * G_IO_ERROR_CANCELLED. It holds a reference on its pool and owns its
 * command. Its reference count is atomic because a cancellation from
 * another thread holds one while the pool context takes the cancel over;
 * everything else about it belongs to the pool context.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-async-pool-private.h"

#include "dtredis-async-pool-structs-private.h"

Request *
dt_redis_async_request_new (DtRedisAsyncPool         *pool,
                            DtRedisCommand           *cmd,
                            DtRedisAsyncPoolCallback  callback,
                            gpointer                  user_data)
{
  Request *req = g_new0 (Request, 1);

  g_atomic_ref_count_init (&req->ref_count);
  req->link.data = req;
  req->pool = dt_redis_async_pool_ref (pool);
  req->cmd = cmd;
  req->callback = callback;
  req->user_data = user_data;
  g_atomic_int_inc (&pool->n_in_flight);

  return req;
}

static Request *
request_ref (Request *req)
{
  g_atomic_ref_count_inc (&req->ref_count);
  return req;
}

void
dt_redis_async_request_unref (Request *req)
{
  if (!g_atomic_ref_count_dec (&req->ref_count))
    return;

  g_assert (req->completed);
  if (req->replies != NULL)
    {
      /* Only a cancelled command keeps replies it read before: drop them. */
      for (guint i = 0; i < req->n_got; i++)
        dt_redis_reply_unref (req->replies[i]);
      if (req->replies != &req->reply_inline)
        g_free (req->replies);
    }
  if (req->cancel != NULL)
    {
      g_object_unref (req->cancel->cancellable);
      g_free (req->cancel);
    }
  dt_redis_command_free (req->cmd);
  dt_redis_async_pool_unref (req->pool);
  g_free (req);
}

/* Runs the callback, once. The replies (if any) go to the callee. */
void
dt_redis_async_request_complete (Request       *req,
                                 DtRedisReply **replies,
                                 const GError  *error)
{
  DtRedisAsyncPool *pool = req->pool;

  g_assert (!req->completed);
  req->completed = TRUE;

  /* Disconnecting waits for a handler running in another thread, which
   * only takes pool->lock: never held here. */
  if (req->cancel != NULL && req->cancel->handler_id != 0)
    {
      g_cancellable_disconnect (req->cancel->cancellable, req->cancel->handler_id);
      req->cancel->handler_id = 0;
    }
  g_atomic_int_add (&pool->n_in_flight, -1);

  req->callback (req->cmd, replies, error, req->user_data);
}

void
dt_redis_async_request_fail (Request      *req,
                             const GError *error)
{
  dt_redis_async_request_complete (req, NULL, error);
}

/* Cancellation: the handler only hands the cancel to the pool context,
 * which decides what it means where the request is (cancel_request() in
 * dtredis-async-pool.c). */

/* May run in any thread, inside g_cancellable_cancel(). */
static void
request_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  Request *req = user_data;
  DtRedisAsyncPool *self = req->pool;
  gboolean wake = FALSE;

  g_mutex_lock (&self->lock);
  if (!req->cancel_queued)
    {
      req->cancel_queued = TRUE;
      g_ptr_array_add (self->incoming_cancels, request_ref (req));
      wake = handover_needs_wakeup_locked (self);
    }
  g_mutex_unlock (&self->lock);

  if (wake)
    g_source_set_ready_time (self->incoming_source, 0);
}

void
dt_redis_async_request_watch (Request      *req,
                              GCancellable *cancellable)
{
  g_assert (req->cancel == NULL);

  req->cancel = g_new0 (RequestCancel, 1);
  req->cancel->cancellable = g_object_ref (cancellable);
  /* Already cancelled: the handler runs now and queues the cancel. */
  req->cancel->handler_id = g_cancellable_connect (cancellable, G_CALLBACK (request_cancelled_cb),
                                                   req, NULL);
}
