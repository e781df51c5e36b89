/* dtredis-sync-pool.c: the thread-safe, lazy, capped blocking pool
 *
 * One mutex guards the counts, the idle stack and the queue of waiters;
 * connecting, the stale check and the command itself happen outside it.
 *
 * Fairness: a caller that finds the pool full queues a Waiter with its own
 * GCond. A returned connection (or the room left by a closed one) is handed
 * to the waiter at the head of the queue directly, never put where a caller
 * arriving later could take it first, so waiters are served in the order
 * they came.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-error.h"
#include "dtredis-connection-private.h"
#include "dtredis-sync-pool-private.h"

struct _DtRedisSyncPool
{
  gatomicrefcount  ref_count;
  DtRedisEndpoint *endpoint;

  GMutex           mutex;
  GQueue           idle;      /* DtRedisConnection, the most recently returned first */
  GQueue           waiters;   /* Waiter, in arrival order */
  guint            n_total;   /* open or being opened, idle or leased */
  guint            n_in_use;  /* leased, including those being opened */
  gboolean         closed;
  pid_t            pid;       /* the process whose connections these are */

  guint64          hits;
  guint64          misses;
  guint64          waits;
  guint64          timeouts;
  guint64          stale_closed;
};

typedef struct
{
  DtRedisSyncPool   *pool;
  GCond              cond;
  GList              link;      /* in pool->waiters while queued */
  gboolean           queued;
  /* Set by whoever dequeues the waiter: exactly one of them. */
  DtRedisConnection *conn;      /* an idle connection, handed over */
  gboolean           slot;      /* room to open a connection */
  gboolean           closed;    /* the pool was closed */
  gboolean           cancelled; /* set by the cancellable, waiter stays queued */
} Waiter;

DtRedisSyncPool *
dt_redis_sync_pool_new (DtRedisEndpoint *endpoint)
{
  DtRedisSyncPool *self;

  g_return_val_if_fail (endpoint != NULL, NULL);

  self = g_new0 (DtRedisSyncPool, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->endpoint = dt_redis_endpoint_ref (endpoint);
  g_mutex_init (&self->mutex);
  g_queue_init (&self->idle);
  g_queue_init (&self->waiters);
  self->pid = dt_redis_connection_current_pid ();

  return self;
}

DtRedisSyncPool *
dt_redis_sync_pool_ref (DtRedisSyncPool *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

static void
free_connections (GSList *list)
{
  g_slist_free_full (list, (GDestroyNotify) dt_redis_connection_free);
}

/* The idle list links the connections themselves
 * (dt_redis_connection_get_idle_link()). */
static DtRedisConnection *
pop_idle_locked (DtRedisSyncPool *self,
                 gboolean         oldest)
{
  GList *link = oldest ? g_queue_pop_tail_link (&self->idle) : g_queue_pop_head_link (&self->idle);

  return link != NULL ? link->data : NULL;
}

void
dt_redis_sync_pool_unref (DtRedisSyncPool *self)
{
  DtRedisConnection *conn;

  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* Callers hold a reference while they hold a connection. */
  g_warn_if_fail (g_queue_is_empty (&self->waiters) || self->pid != dt_redis_connection_current_pid ());

  while ((conn = pop_idle_locked (self, FALSE)) != NULL)
    dt_redis_connection_free (conn);
  g_mutex_clear (&self->mutex);
  dt_redis_endpoint_unref (self->endpoint);
  g_free (self);
}

/* Locked helpers. Connections to close are collected in @to_close and
 * closed after the mutex is released: a TLS goodbye is I/O. */

/* In a child after fork(), every connection is the parent's: forget them
 * (closing only drops the child's descriptors), and the waiters, which
 * were threads that the child does not have. */
static void
check_fork_locked (DtRedisSyncPool  *self,
                   GSList          **to_close)
{
  pid_t pid = dt_redis_connection_current_pid ();
  DtRedisConnection *conn;

  if (G_LIKELY (pid == self->pid))
    return;

  while ((conn = pop_idle_locked (self, FALSE)) != NULL)
    *to_close = g_slist_prepend (*to_close, conn);
  g_queue_init (&self->waiters);
  self->n_total = 0;
  self->n_in_use = 0;
  self->pid = pid;
}

static void
expire_idle_locked (DtRedisSyncPool  *self,
                    GSList          **to_close)
{
  gint64 timeout = self->endpoint->idle_timeout_us;
  gint64 now;

  if (timeout <= 0 || g_queue_is_empty (&self->idle))
    return;

  /* The stack's tail holds the connections idle the longest. */
  now = g_get_monotonic_time ();
  for (;;)
    {
      DtRedisConnection *oldest = g_queue_peek_tail (&self->idle);

      if (oldest == NULL || now - dt_redis_connection_get_last_used (oldest) <= timeout)
        break;

      pop_idle_locked (self, TRUE);
      *to_close = g_slist_prepend (*to_close, oldest);
      self->n_total--;
      self->stale_closed++;
    }
}

static Waiter *
pop_waiter_locked (DtRedisSyncPool *self)
{
  GList *link = g_queue_pop_head_link (&self->waiters);
  Waiter *waiter;

  if (link == NULL)
    return NULL;

  waiter = link->data;
  waiter->queued = FALSE;

  return waiter;
}

/* Room was made (a connection closed, a connect failed): the first waiter
 * may open a connection in its place. */
static void
hand_slot_locked (DtRedisSyncPool *self)
{
  Waiter *waiter;

  if (self->closed || self->n_total >= self->endpoint->max_connections)
    return;

  waiter = pop_waiter_locked (self);
  if (waiter == NULL)
    return;

  waiter->slot = TRUE;
  self->n_total++;
  self->n_in_use++;
  self->misses++;
  g_cond_signal (&waiter->cond);
}

static void
release_slot (DtRedisSyncPool *self)
{
  g_mutex_lock (&self->mutex);
  self->n_total--;
  self->n_in_use--;
  hand_slot_locked (self);
  g_mutex_unlock (&self->mutex);
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     Waiter       *waiter)
{
  g_mutex_lock (&waiter->pool->mutex);
  waiter->cancelled = TRUE;
  g_cond_signal (&waiter->cond);
  g_mutex_unlock (&waiter->pool->mutex);
}

static void
set_closed_error (GError **error)
{
  g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                       _("The connection pool was closed"));
}

/* Called locked with the pool full; returns unlocked. On success either
 * *out_conn is a connection handed over or the caller holds a slot. */
static gboolean
wait_for_turn (DtRedisSyncPool    *self,
               GCancellable       *cancellable,
               DtRedisConnection **out_conn,
               GError            **error)
{
  Waiter waiter = { .pool = self };
  gint64 started = g_get_monotonic_time ();
  gint64 end_time = started + self->endpoint->socket_timeout_us;
  gulong cancel_id = 0;
  gboolean ok = FALSE;

  g_cond_init (&waiter.cond);
  waiter.link.data = &waiter;
  waiter.queued = TRUE;
  g_queue_push_tail_link (&self->waiters, &waiter.link);
  self->waits++;

  if (cancellable != NULL)
    {
      /* Connected unlocked: the handler runs at once when the cancellable
       * is already cancelled, and it takes the lock. */
      g_mutex_unlock (&self->mutex);
      cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb), &waiter, NULL);
      g_mutex_lock (&self->mutex);
    }

  while (waiter.conn == NULL && !waiter.slot && !waiter.closed && !waiter.cancelled)
    {
      if (!g_cond_wait_until (&waiter.cond, &self->mutex, end_time))
        break;
    }

  if (waiter.queued)
    {
      g_queue_unlink (&self->waiters, &waiter.link);
      waiter.queued = FALSE;
    }

  /* What was handed over is used even if the wait also ran out: giving
   * it back would be the same as using it and returning it. */
  if (waiter.conn != NULL || waiter.slot)
    {
      *out_conn = waiter.conn;
      ok = TRUE;
    }
  else if (waiter.closed)
    {
      set_closed_error (error);
    }
  else if (waiter.cancelled)
    {
      g_cancellable_set_error_if_cancelled (cancellable, error);
    }
  else
    {
      guint max = self->endpoint->max_connections;

      self->timeouts++;
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_POOL_TIMEOUT,
                   g_dngettext (GETTEXT_PACKAGE,
                                "The pool's %u connection is in use; waited %.1f s",
                                "All %u connections are in use; waited %.1f s",
                                max),
                   max, (g_get_monotonic_time () - started) / (gdouble) G_USEC_PER_SEC);
    }

  g_mutex_unlock (&self->mutex);

  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);
  g_cond_clear (&waiter.cond);

  return ok;
}

/* A connection for one caller: an idle one that passed the liveness
 * check, or a new one. */
DtRedisConnection *
dt_redis_sync_pool_lease (DtRedisSyncPool  *self,
                          GCancellable     *cancellable,
                          GError          **error)
{
  DtRedisConnection *conn = NULL;
  GSList *to_close = NULL;

  g_mutex_lock (&self->mutex);
  check_fork_locked (self, &to_close);

  if (self->closed)
    {
      g_mutex_unlock (&self->mutex);
      free_connections (to_close);
      set_closed_error (error);
      return NULL;
    }

  expire_idle_locked (self, &to_close);

  if (!g_queue_is_empty (&self->idle))
    {
      conn = pop_idle_locked (self, FALSE);
      self->n_in_use++;
      self->hits++;
      g_mutex_unlock (&self->mutex);
    }
  else if (self->n_total < self->endpoint->max_connections)
    {
      self->n_total++;
      self->n_in_use++;
      self->misses++;
      g_mutex_unlock (&self->mutex);
    }
  else if (!wait_for_turn (self, cancellable, &conn, error))
    {
      free_connections (to_close);
      return NULL;
    }

  free_connections (to_close);

  /* Every lease, however recently the connection was used: a peer gone
   * since (a restart, CLIENT KILL) or bytes that answer nothing must be
   * seen before a command is written, because once written it is never
   * sent again. */
  if (conn != NULL && dt_redis_connection_is_stale (conn))
    {
      /* Open another in its place, keeping its slot. Nothing was sent on
       * it, so the command loses nothing. */
      g_mutex_lock (&self->mutex);
      self->hits--;
      self->misses++;
      self->stale_closed++;
      g_mutex_unlock (&self->mutex);
      g_clear_pointer (&conn, dt_redis_connection_free);
    }

  if (conn != NULL)
    return conn;

  conn = dt_redis_connection_open (self->endpoint, cancellable, error);
  if (conn == NULL)
    release_slot (self);

  return conn;
}

void
dt_redis_sync_pool_give_back (DtRedisSyncPool   *self,
                              DtRedisConnection *conn)
{
  GSList *to_close = NULL;

  g_mutex_lock (&self->mutex);

  if (dt_redis_connection_get_pid (conn) != self->pid)
    {
      /* Leased before a fork(): not counted in this process. */
      to_close = g_slist_prepend (to_close, conn);
    }
  else
    {
      Waiter *waiter;

      self->n_in_use--;
      if (dt_redis_connection_get_state (conn) == DT_REDIS_CONNECTION_STRAY)
        self->stale_closed++;
      if (!dt_redis_connection_is_usable (conn) || self->closed)
        {
          self->n_total--;
          to_close = g_slist_prepend (to_close, conn);
          hand_slot_locked (self);
        }
      else if ((waiter = pop_waiter_locked (self)) != NULL)
        {
          waiter->conn = conn;
          self->n_in_use++;
          self->hits++;
          g_cond_signal (&waiter->cond);
        }
      else
        {
          g_queue_push_head_link (&self->idle, dt_redis_connection_get_idle_link (conn));
        }

      expire_idle_locked (self, &to_close);
    }

  g_mutex_unlock (&self->mutex);

  free_connections (to_close);
}

gboolean
dt_redis_sync_pool_run (DtRedisSyncPool      *self,
                        const DtRedisCommand *cmd,
                        DtRedisReply        **replies,
                        GCancellable         *cancellable,
                        GError              **error)
{
  return dt_redis_sync_pool_run_full (self, cmd, replies, NULL, cancellable, error);
}

gboolean
dt_redis_sync_pool_run_full (DtRedisSyncPool      *self,
                             const DtRedisCommand *cmd,
                             DtRedisReply        **replies,
                             gboolean             *unsent,
                             GCancellable         *cancellable,
                             GError              **error)
{
  DtRedisConnection *conn;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cmd != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (unsent != NULL)
    *unsent = FALSE;
  conn = dt_redis_sync_pool_lease (self, cancellable, error);
  if (conn == NULL)
    {
      if (unsent != NULL)
        *unsent = TRUE;
      return FALSE;
    }

  /* No second attempt, whatever fails: a command that may have reached
   * the server is never sent again (the lease's liveness check is what
   * keeps a dead connection from getting it in the first place). */
  ok = dt_redis_connection_run (conn, cmd, replies, cancellable, error);

  /* SELECT, a lone MULTI or WATCH...: the next borrower must not inherit
   * that state, so this connection is not given back. */
  if (ok && (cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL))
    dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_RETIRED);

  dt_redis_sync_pool_give_back (self, conn);

  return ok;
}

void
dt_redis_sync_pool_close (DtRedisSyncPool *self)
{
  GSList *to_close = NULL;
  DtRedisConnection *conn;
  Waiter *waiter;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  check_fork_locked (self, &to_close);
  self->closed = TRUE;
  while ((conn = pop_idle_locked (self, FALSE)) != NULL)
    {
      to_close = g_slist_prepend (to_close, conn);
      self->n_total--;
    }
  while ((waiter = pop_waiter_locked (self)) != NULL)
    {
      waiter->closed = TRUE;
      g_cond_signal (&waiter->cond);
    }
  g_mutex_unlock (&self->mutex);

  free_connections (to_close);
}

void
dt_redis_sync_pool_get_stats (DtRedisSyncPool  *self,
                              DtRedisPoolStats *stats)
{
  GSList *to_close = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->mutex);
  check_fork_locked (self, &to_close);
  stats->total = self->n_total;
  stats->idle = self->idle.length;
  stats->in_use = self->n_in_use;
  stats->hits = self->hits;
  stats->misses = self->misses;
  stats->waits = self->waits;
  stats->timeouts = self->timeouts;
  stats->stale_closed = self->stale_closed;
  stats->in_flight = 0;
  g_mutex_unlock (&self->mutex);

  free_connections (to_close);
}
