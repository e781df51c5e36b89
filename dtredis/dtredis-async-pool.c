/* dtredis-async-pool.c: the multiplexed pool on one GMainContext
 *
 * Ordinary commands share a few connections and are pipelined on them:
 * each connection keeps a FIFO of commands written and not yet answered,
 * and every reply belongs to the head of that FIFO. Commands queued during
 * one main-loop iteration are copied into the connection's output buffer
 * and leave in one write, from a single flush source; a pollable output
 * source is only made when the socket buffer is full. Reads take 64 KiB at
 * a time from a pollable input source and complete every whole reply.
 *
 * Commands flagged EXCLUSIVE (blocking, transactions, state changes) get a
 * connection of their own for their duration, so they never stall shared
 * ones. Deadlines cost one timer per connection, not per command: replies
 * come in order, so only the oldest command's deadline matters.
 *
 * Everything below runs with the pool's GMainContext acquired (in one of
 * its sources, or in dt_redis_async_pool_submit() after acquiring it);
 * other threads hand submits, cancellations and closes over through the
 * mutex-protected incoming queues and one wakeup per batch.
 *
 * This file is the router (which connection a command goes to, and the
 * queue of those waiting for one) and the pool's life; a request's own
 * life is in dtredis-async-request.c, a connection's in
 * dtredis-async-conn.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-async-pool-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-error.h"

#include "dtredis-async-pool-structs-private.h"

static GError *
closed_error (void)
{
  return g_error_new_literal (DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                              _("The connection pool was closed"));
}

/* Routing */

static void
arm_wait_timer (DtRedisAsyncPool *self)
{
  Request *head = g_queue_peek_head (&self->waiting);

  if (head != NULL && g_source_get_ready_time (self->wait_timer) == -1)
    g_source_set_ready_time (self->wait_timer, head->deadline);
}

static void update_reservations (DtRedisAsyncPool *self);

static void
wait_for_slot (DtRedisAsyncPool *self,
               Request          *req)
{
  req->state = REQUEST_WAITING;
  req->deadline = g_get_monotonic_time () + self->endpoint->socket_timeout_us;
  g_queue_push_tail_link (&self->waiting, &req->link);
  STAT_ADD (self->waits, 1);
  arm_wait_timer (self);
  if (dt_redis_async_request_is_exclusive (req))
    {
      self->n_exclusive_waiting++;
      update_reservations (self);
    }
}

static void
unlink_waiting (DtRedisAsyncPool *self,
                Request          *req)
{
  g_queue_unlink (&self->waiting, &req->link);
  req->state = REQUEST_NEW;
  if (dt_redis_async_request_is_exclusive (req))
    self->n_exclusive_waiting--;
}

static gboolean
try_route (DtRedisAsyncPool *self,
           Request          *req)
{
  guint max = self->endpoint->max_connections;
  guint load;
  Conn *conn;

  if (dt_redis_async_request_is_exclusive (req))
    {
      conn = dt_redis_async_conn_find_idle (self);
      if (conn != NULL)
        {
          dt_redis_async_conn_set_role (conn, CONN_ROLE_EXCLUSIVE, req);
          dt_redis_async_conn_enqueue (conn, req);
          STAT_ADD (self->hits, 1);
          return TRUE;
        }
      if (self->conns.length < max)
        {
          conn = dt_redis_async_conn_open (self, req);
          dt_redis_async_conn_enqueue (conn, req);
          STAT_ADD (self->misses, 1);
          return TRUE;
        }
      return FALSE;
    }

  conn = dt_redis_async_conn_find_shared (self, &load);
  if (conn == NULL || (load >= SPREAD_THRESHOLD && self->conns.length < max))
    {
      if (self->conns.length < max)
        {
          /* A new connection takes this command only when there is no
           * other; otherwise it joins once connected, and the command
           * does not wait for a handshake. */
          Conn *fresh = dt_redis_async_conn_open (self, NULL);

          if (conn == NULL)
            {
              dt_redis_async_conn_enqueue (fresh, req);
              STAT_ADD (self->misses, 1);
              return TRUE;
            }
        }
      if (conn == NULL)
        return FALSE;
    }

  dt_redis_async_conn_enqueue (conn, req);
  STAT_ADD (self->hits, 1);
  return TRUE;
}

/* Places @req (taking it) on a connection, or in the waiting queue. */
void
dt_redis_async_pool_route (DtRedisAsyncPool *self,
                           Request          *req)
{
  if (self->closed)
    {
      g_autoptr(GError) error = closed_error ();

      dt_redis_async_request_fail (req, error);
      dt_redis_async_request_unref (req);
      return;
    }

  if (req->cancel != NULL && g_cancellable_is_cancelled (req->cancel->cancellable))
    {
      /* Its cancellation may have been handled before it got here. */
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("Operation was cancelled"));

      dt_redis_async_request_fail (req, error);
      dt_redis_async_request_unref (req);
      return;
    }

  if (!try_route (self, req))
    wait_for_slot (self, req);
}

/* While exclusive commands wait for a slot, one shared connection stops
 * taking new commands so that it drains and can be handed over; when none
 * waits any more, it takes commands again. */
static void
update_reservations (DtRedisAsyncPool *self)
{
  Conn *best = NULL;

  for (GList *l = self->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;
      ConnRole role = dt_redis_async_conn_get_role (conn);

      if (role == CONN_ROLE_RESERVED)
        {
          if (self->n_exclusive_waiting > 0)
            return;
          dt_redis_async_conn_set_role (conn, CONN_ROLE_SHARED, NULL);
        }
      else if (role == CONN_ROLE_SHARED && dt_redis_async_conn_get_state (conn) == CONN_READY &&
               (best == NULL || dt_redis_async_conn_load (conn) < dt_redis_async_conn_load (best)))
        {
          best = conn;
        }
    }

  if (best != NULL && self->n_exclusive_waiting > 0)
    dt_redis_async_conn_set_role (best, CONN_ROLE_RESERVED, NULL);
}

void
dt_redis_async_pool_process_waiting (DtRedisAsyncPool *self)
{
  GQueue still = G_QUEUE_INIT;
  GList *l;

  /* Re-entered from the routing below: the outer call finishes the job. */
  if (self->in_process_waiting || self->closed)
    return;
  if (g_queue_is_empty (&self->waiting))
    {
      update_reservations (self);
      return;
    }
  self->in_process_waiting = TRUE;

  while ((l = g_queue_pop_head_link (&self->waiting)) != NULL)
    {
      Request *req = l->data;

      if (dt_redis_async_request_is_exclusive (req))
        self->n_exclusive_waiting--;
      req->state = REQUEST_NEW;
      if (try_route (self, req))
        continue;
      req->state = REQUEST_WAITING;
      g_queue_push_tail_link (&still, l);
      if (dt_redis_async_request_is_exclusive (req))
        self->n_exclusive_waiting++;
    }
  self->waiting = still;

  update_reservations (self);
  if (g_queue_is_empty (&self->waiting))
    g_source_set_ready_time (self->wait_timer, -1);

  self->in_process_waiting = FALSE;
}

static gboolean
wait_timer_dispatch (gpointer user_data)
{
  DtRedisAsyncPool *self = user_data;
  gint64 now = g_get_monotonic_time ();
  Request *head;

  enter (self);
  g_source_set_ready_time (self->wait_timer, -1);

  while ((head = g_queue_peek_head (&self->waiting)) != NULL && head->deadline <= now)
    {
      g_autoptr(GError) error = NULL;

      unlink_waiting (self, head);
      error = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_POOL_TIMEOUT,
                           _("No connection to %s became free within %.1f seconds"),
                           self->description,
                           (double) self->endpoint->socket_timeout_us / G_USEC_PER_SEC);
      STAT_ADD (self->timeouts, 1);
      dt_redis_async_request_fail (head, error);
      dt_redis_async_request_unref (head);
    }
  arm_wait_timer (self);
  update_reservations (self);

  leave (self);
  return G_SOURCE_CONTINUE;
}

/* Cancellation */

static void
cancel_request (DtRedisAsyncPool *self,
                Request          *req)
{
  Conn *conn = req->conn;
  g_autoptr(GError) error = NULL;

  if (req->completed)
    return;

  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));

  switch (req->state)
    {
    case REQUEST_WAITING:
      unlink_waiting (self, req);
      dt_redis_async_request_fail (req, error);
      dt_redis_async_request_unref (req);
      update_reservations (self);
      break;

    case REQUEST_PENDING:
      /* Never sent: just forget it. */
      dt_redis_async_conn_unqueue (conn, req);
      dt_redis_async_request_fail (req, error);
      dt_redis_async_request_unref (req);
      dt_redis_async_pool_process_waiting (self);
      break;

    case REQUEST_WRITTEN:
      if (dt_redis_async_conn_is_owned_by (conn, req))
        {
          /* Reported only once the connection is closed. */
          dt_redis_async_conn_abort (conn, error);
          break;
        }
      /* Otherwise it stays in the FIFO and its reply is read and dropped. */
      dt_redis_async_request_fail (req, error);
      break;

    case REQUEST_NEW:
    case REQUEST_INCOMING:
    default:
      /* Not routed yet: dt_redis_async_pool_route() checks the cancellable and fails it then. */
      break;
    }
}

/* Closing */

void
dt_redis_async_pool_finish_close_if_done (DtRedisAsyncPool *self)
{
  g_autoptr(GPtrArray) tasks = NULL;

  if (!self->closed || self->n_closing > 0 || self->close_tasks->len == 0)
    return;

  tasks = g_steal_pointer (&self->close_tasks);
  self->close_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
}

static void
do_close (DtRedisAsyncPool *self,
          GTask            *task)
{
  g_autoptr(GError) error = closed_error ();
  /* Commands already written may have run: say so, so that nobody takes
   * CLOSED as "safe to send again". */
  g_autoptr(GError) sent_error =
    g_error_new_literal (DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                         _("The connection pool was closed after the command was sent: "
                           "the server may have run it"));
  GList *l;

  if (task != NULL)
    g_ptr_array_add (self->close_tasks, task);

  if (!self->closed)
    {
      self->closed = TRUE;

      while ((l = self->waiting.head) != NULL)
        {
          Request *req = l->data;

          unlink_waiting (self, req);
          dt_redis_async_request_fail (req, error);
          dt_redis_async_request_unref (req);
        }
      g_source_set_ready_time (self->wait_timer, -1);

      while ((l = self->conns.head) != NULL)
        {
          dt_redis_async_conn_close_with_pool (l->data, sent_error);
        }
    }

  dt_redis_async_pool_finish_close_if_done (self);
}

/* Handing work over from other threads */

static gboolean
incoming_dispatch (GSource     *source,
                   GSourceFunc  callback,
                   gpointer     user_data)
{
  DtRedisAsyncPool *self = *(DtRedisAsyncPool **) (source + 1);
  GQueue incoming;
  g_autoptr(GPtrArray) cancels = NULL;
  g_autoptr(GPtrArray) closes = NULL;
  GList *l;

  /* Unarm before taking the batch, so a handover racing with us re-arms. */
  g_source_set_ready_time (source, -1);

  g_mutex_lock (&self->lock);
  incoming = self->incoming;
  g_queue_init (&self->incoming);
  cancels = g_steal_pointer (&self->incoming_cancels);
  self->incoming_cancels = g_ptr_array_new ();
  closes = g_steal_pointer (&self->incoming_closes);
  self->incoming_closes = g_ptr_array_new ();
  self->wakeup_pending = FALSE;
  g_mutex_unlock (&self->lock);

  enter (self);

  while ((l = g_queue_pop_head_link (&incoming)) != NULL)
    {
      Request *req = l->data;

      req->state = REQUEST_NEW;
      dt_redis_async_pool_route (self, req);
    }

  for (guint i = 0; i < cancels->len; i++)
    {
      Request *req = g_ptr_array_index (cancels, i);

      cancel_request (self, req);
      dt_redis_async_request_unref (req);
    }

  for (guint i = 0; i < closes->len; i++)
    do_close (self, g_ptr_array_index (closes, i));

  leave (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs incoming_source_funcs = {
  NULL, NULL, incoming_dispatch, NULL, NULL, NULL,
};

void
dt_redis_async_pool_flush_dirty (DtRedisAsyncPool *self)
{
  GList *l;

  /* Each is off the list before its flush, so error callbacks in there
   * may dirty it (or any other) again: it is then flushed in this round. */
  while ((l = g_queue_pop_head_link (&self->dirty)) != NULL)
    {
      dt_redis_async_conn_flush_dirty (l->data);
    }
}

/* The flush source is ready whenever a connection has commands to write:
 * checking a list in prepare costs nothing and needs no wakeup, because
 * only code running in the pool context marks connections dirty. */
static gboolean
flush_prepare (GSource *source,
               gint    *timeout)
{
  DtRedisAsyncPool *self = *(DtRedisAsyncPool **) (source + 1);

  *timeout = -1;
  return !g_queue_is_empty (&self->dirty);
}

static gboolean
flush_check (GSource *source)
{
  DtRedisAsyncPool *self = *(DtRedisAsyncPool **) (source + 1);

  return !g_queue_is_empty (&self->dirty);
}

static gboolean
flush_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  DtRedisAsyncPool *self = *(DtRedisAsyncPool **) (source + 1);

  enter (self);
  dt_redis_async_pool_flush_dirty (self);
  leave (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs flush_source_funcs = {
  flush_prepare, flush_check, flush_dispatch, NULL, NULL, NULL,
};

/* The pool */

DtRedisAsyncPool *
dt_redis_async_pool_new (DtRedisEndpoint *endpoint,
                         GMainContext    *context)
{
  DtRedisAsyncPool *self;

  g_return_val_if_fail (endpoint != NULL, NULL);

  self = g_new0 (DtRedisAsyncPool, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->endpoint = dt_redis_endpoint_ref (endpoint);
  self->context = context != NULL ? g_main_context_ref (context) : g_main_context_ref_thread_default ();
  self->description = dt_redis_endpoint_describe (endpoint);
  self->read_buf = g_malloc (READ_CHUNK);
  self->close_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&self->lock);
  self->incoming_cancels = g_ptr_array_new ();
  self->incoming_closes = g_ptr_array_new ();

  self->flush_source = g_source_new (&flush_source_funcs, sizeof (GSource) + sizeof (gpointer));
  *(DtRedisAsyncPool **) (self->flush_source + 1) = self;
  g_source_set_static_name (self->flush_source, "[dtredis] async flush");
  g_source_attach (self->flush_source, self->context);

  self->incoming_source = g_source_new (&incoming_source_funcs, sizeof (GSource) + sizeof (gpointer));
  *(DtRedisAsyncPool **) (self->incoming_source + 1) = self;
  /* Ahead of the flush: a command cancelled while still queued is taken
   * out before it could be written. */
  g_source_set_priority (self->incoming_source, G_PRIORITY_HIGH);
  g_source_set_static_name (self->incoming_source, "[dtredis] async handover");
  g_source_attach (self->incoming_source, self->context);

  self->wait_timer = dt_redis_timer_source_new (wait_timer_dispatch, self, self->context,
                                       "[dtredis] connection wait");

  return self;
}

DtRedisAsyncPool *
dt_redis_async_pool_ref (DtRedisAsyncPool *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

static gboolean
teardown_idle_cb (gpointer user_data)
{
  dt_redis_async_pool_teardown (user_data);
  return G_SOURCE_REMOVE;
}

/* The last reference is gone: no command and no connect is left (each
 * holds a reference), only idle connections, closed here. */
void
dt_redis_async_pool_unref (DtRedisAsyncPool *self)
{
  GSource *idle;

  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* Sockets belong to the pool context: close them there, now if nobody
   * runs it or we are in it outside the pool's own code, else soon. */
  if (g_main_context_acquire (self->context))
    {
      if (self->dispatch_depth == 0)
        {
          GMainContext *context = g_main_context_ref (self->context);

          dt_redis_async_pool_teardown (self);
          g_main_context_release (context);
          g_main_context_unref (context);
          return;
        }
      g_main_context_release (self->context);
    }

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_HIGH);
  g_source_set_callback (idle, teardown_idle_cb, self, NULL);
  g_source_set_static_name (idle, "[dtredis] async pool teardown");
  g_source_attach (idle, self->context);
  g_source_unref (idle);
}

void
dt_redis_async_pool_teardown (DtRedisAsyncPool *self)
{
  GList *l;

  self->closed = TRUE;
  while ((l = self->conns.head) != NULL)
    dt_redis_async_conn_close (l->data, NULL, NULL);

  g_assert (g_queue_is_empty (&self->waiting));
  g_assert (g_queue_is_empty (&self->dirty));
  g_assert (g_queue_is_empty (&self->incoming));
  g_assert (self->incoming_cancels->len == 0 && self->incoming_closes->len == 0);

  dt_redis_source_clear (&self->flush_source);
  dt_redis_source_clear (&self->incoming_source);
  dt_redis_source_clear (&self->wait_timer);
  g_ptr_array_unref (self->incoming_cancels);
  g_ptr_array_unref (self->incoming_closes);
  g_ptr_array_unref (self->close_tasks);
  g_mutex_clear (&self->lock);
  g_free (self->read_buf);
  g_free (self->description);
  dt_redis_endpoint_unref (self->endpoint);
  g_main_context_unref (self->context);
  g_free (self);
}

void
dt_redis_async_pool_submit (DtRedisAsyncPool         *self,
                            DtRedisCommand           *cmd,
                            GCancellable             *cancellable,
                            DtRedisAsyncPoolCallback  callback,
                            gpointer                  user_data)
{
  gboolean in_pool, acquired;
  Request *req;

  g_return_if_fail (self != NULL);
  g_return_if_fail (cmd != NULL && cmd->n_replies > 0);
  g_return_if_fail (callback != NULL);

  req = dt_redis_async_request_new (self, cmd, callback, user_data);

  /* Owning the context (we are in it, or nobody runs it) makes the pool
   * ours: route at once. Otherwise the thread running it takes over. */
  in_pool = g_atomic_pointer_get (&self->dispatch_thread) == g_thread_self ();
  acquired = !in_pool && g_main_context_acquire (self->context);
  if (!in_pool && !acquired)
    req->state = REQUEST_INCOMING;  /* before a cancellation can look */

  if (cancellable != NULL)
    dt_redis_async_request_watch (req, cancellable);

  if (in_pool)
    {
      dt_redis_async_pool_route (self, req);
    }
  else if (acquired)
    {
      enter (self);
      dt_redis_async_pool_route (self, req);
      leave (self);
      g_main_context_release (self->context);
    }
  else
    {
      gboolean wake;

      g_mutex_lock (&self->lock);
      g_queue_push_tail_link (&self->incoming, &req->link);
      wake = handover_needs_wakeup_locked (self);
      g_mutex_unlock (&self->lock);

      if (wake)
        g_source_set_ready_time (self->incoming_source, 0);
    }
}

void
dt_redis_async_pool_close_async (DtRedisAsyncPool    *self,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;
  gboolean wake;

  g_return_if_fail (self != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_async_pool_close_async);
  g_task_set_task_data (task, dt_redis_async_pool_ref (self),
                        (GDestroyNotify) dt_redis_async_pool_unref);

  /* Always through the handover, even from the pool context: closing
   * from inside a command's callback must not pull connections from
   * under the code that called it. */
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->incoming_closes, task);
  wake = handover_needs_wakeup_locked (self);
  g_mutex_unlock (&self->lock);

  if (wake)
    g_source_set_ready_time (self->incoming_source, 0);
}

gboolean
dt_redis_async_pool_close_finish (DtRedisAsyncPool  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_async_pool_close_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
dt_redis_async_pool_get_stats (DtRedisAsyncPool *self,
                               DtRedisPoolStats *stats)
{
  gint total, idle;

  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  total = g_atomic_int_get (&self->n_conns);
  idle = CLAMP (g_atomic_int_get (&self->n_idle), 0, total);

  stats->total = (guint) total;
  stats->idle = (guint) idle;
  stats->in_use = (guint) (total - idle);
  stats->hits = (gsize) g_atomic_pointer_get (&self->hits);
  stats->misses = (gsize) g_atomic_pointer_get (&self->misses);
  stats->waits = (gsize) g_atomic_pointer_get (&self->waits);
  stats->timeouts = (gsize) g_atomic_pointer_get (&self->timeouts);
  stats->stale_closed = (gsize) g_atomic_pointer_get (&self->stale_closed);
  stats->in_flight = (guint) MAX (g_atomic_int_get (&self->n_in_flight), 0);
}
