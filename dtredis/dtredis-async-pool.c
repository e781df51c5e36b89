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
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-async-pool-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-error.h"

/* Bytes read from a socket per read(); large enough that a deep pipeline
 * of small replies needs one syscall per iteration. */
#define READ_CHUNK (64 * 1024)
/* Reads per dispatch before other sources get a turn. */
#define MAX_READS_PER_DISPATCH 16
/* Commands a shared connection carries before the pool opens another
 * (while below max-connections): deeper pipelines are cheaper for the
 * server, more connections cut head-of-line waits. */
#define SPREAD_THRESHOLD 256
/* An output buffer bigger than this is given back once it is drained. */
#define OUTBUF_KEEP (256 * 1024)

typedef struct _Conn Conn;
typedef struct _Request Request;

typedef enum
{
  REQUEST_NEW,       /* not in any queue */
  REQUEST_INCOMING,  /* in pool->incoming, from another thread */
  REQUEST_WAITING,   /* in pool->waiting: no connection slot for it yet */
  REQUEST_PENDING,   /* in conn->pending: assigned, not written */
  REQUEST_WRITTEN,   /* in conn->in_flight: in the output buffer or on the wire */
} RequestState;

struct _Request
{
  gatomicrefcount           ref_count;
  GList                     link;       /* in whichever queue state names */
  RequestState              state;
  DtRedisAsyncPool         *pool;       /* strong */
  DtRedisCommand           *cmd;
  DtRedisAsyncPoolCallback  callback;
  gpointer                  user_data;
  GCancellable             *cancellable;
  gulong                    cancel_id;
  Conn                     *conn;       /* PENDING or WRITTEN: where */
  gint64                    deadline;   /* WRITTEN: reply deadline; WAITING: wait deadline; 0: none */
  guint                     n_got;      /* replies read so far */
  DtRedisReply            **replies;
  DtRedisReply             *reply_inline; /* replies for the usual n_replies == 1 */
  gboolean                  completed;  /* the callback ran; late replies are dropped */
  gboolean                  cancel_queued; /* under pool->lock */
  /* WRITTEN: where its bytes start in conn->outbuf, while that buffer is
   * generation out_gen; bytes at or past conn->out_pos never left. */
  guint                     out_gen;
  gsize                     out_offset;
};

typedef enum
{
  CONN_CONNECTING,
  CONN_READY,
  CONN_CLOSED,
} ConnState;

struct _Conn
{
  guint              ref_count;  /* pool context only */
  GList              link;       /* in pool->conns */
  GList              dirty_link; /* in pool->dirty */
  gboolean           dirty;
  DtRedisAsyncPool  *pool;
  ConnState          state;
  DtRedisConnection *connection; /* NULL while connecting */
  GCancellable      *open_cancellable;
  gboolean           closing_counted; /* closed while connecting during a pool close */

  GQueue             pending;    /* Request: assigned, not yet written */
  GQueue             in_flight;  /* Request: written, replies awaited in order */
  GByteArray        *outbuf;
  gsize              out_pos;    /* bytes of outbuf already written */
  guint              out_gen;    /* bumped each time outbuf is emptied */

  GSource           *in_source;
  GSource           *out_source; /* only while the socket buffer is full */
  GSource           *timer;      /* the head's deadline */

  Request           *owner;      /* exclusive: the one command it serves */
  gboolean           reserved;   /* draining for an exclusive waiter: no new shared commands */
  gboolean           counted_idle;
  gboolean           used;       /* has carried a command */
  gint64             last_active;
};

struct _DtRedisAsyncPool
{
  gatomicrefcount   ref_count;
  DtRedisEndpoint  *endpoint;
  GMainContext     *context;
  char             *description;

  /* Pool context only. */
  GQueue            conns;       /* Conn */
  GQueue            waiting;     /* Request */
  GQueue            dirty;       /* Conn with commands to flush */
  GSource          *flush_source;
  GSource          *incoming_source;
  GSource          *wait_timer;
  guint8           *read_buf;
  guint             n_exclusive_waiting;
  gboolean          in_process_waiting;
  gboolean          closed;
  GPtrArray        *close_tasks; /* GTask, waiting for connects to end */
  guint             n_closing;   /* connects still being cancelled */
  guint             dispatch_depth;
  GThread          *dispatch_thread; /* while dispatch_depth > 0 */

  /* Other threads hand work over under this lock. */
  GMutex            lock;
  GQueue            incoming;    /* Request */
  GPtrArray        *incoming_cancels; /* Request, a ref each */
  GPtrArray        *incoming_closes;  /* GTask */
  gboolean          wakeup_pending;

  /* Statistics: written in the pool context, read from any thread. */
  gint              n_conns;
  gint              n_idle;
  gint              n_in_flight;
  gsize             hits;
  gsize             misses;
  gsize             waits;
  gsize             timeouts;
  gsize             stale_closed;
};

static void route            (DtRedisAsyncPool *self,
                              Request          *req);
static void process_waiting  (DtRedisAsyncPool *self);
static void conn_close       (Conn             *conn,
                              const GError     *head_error,
                              const GError     *rest_error);
static void conn_flush       (Conn             *conn);
static void conn_write       (Conn             *conn);
static void pool_teardown    (DtRedisAsyncPool *self);
static void finish_close_if_done (DtRedisAsyncPool *self);

#define STAT_ADD(field, n) ((void) g_atomic_pointer_add (&(field), (n)))

/* Brackets the pool's own code. While it runs, this thread owns the
 * context, so commands sent from callbacks need not acquire it; and the
 * last unref knows not to pull the pool from under it. */
static inline void
enter (DtRedisAsyncPool *self)
{
  if (self->dispatch_depth++ == 0)
    g_atomic_pointer_set (&self->dispatch_thread, g_thread_self ());
}

static inline void
leave (DtRedisAsyncPool *self)
{
  if (--self->dispatch_depth == 0)
    g_atomic_pointer_set (&self->dispatch_thread, NULL);
}

/* Requests */

static Request *
request_ref (Request *req)
{
  g_atomic_ref_count_inc (&req->ref_count);
  return req;
}

static void
request_unref (Request *req)
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
  g_clear_object (&req->cancellable);
  dt_redis_command_free (req->cmd);
  dt_redis_async_pool_unref (req->pool);
  g_free (req);
}

/* Blocking commands and transactions are flagged EXCLUSIVE too; asking
 * for all three keeps that true whatever the classifier does. */
static gboolean
request_is_exclusive (const Request *req)
{
  return (req->cmd->flags & (DT_REDIS_COMMAND_FLAG_EXCLUSIVE |
                             DT_REDIS_COMMAND_FLAG_BLOCKING |
                             DT_REDIS_COMMAND_FLAG_TRANSACTION)) != 0;
}

/* Runs the callback, once. The replies (if any) go to the callee. */
static void
request_complete (Request       *req,
                  DtRedisReply **replies,
                  const GError  *error)
{
  DtRedisAsyncPool *pool = req->pool;

  g_assert (!req->completed);
  req->completed = TRUE;

  /* Disconnecting waits for a handler running in another thread, which
   * only takes pool->lock: never held here. */
  if (req->cancel_id != 0)
    {
      g_cancellable_disconnect (req->cancellable, req->cancel_id);
      req->cancel_id = 0;
    }
  g_atomic_int_add (&pool->n_in_flight, -1);

  req->callback (req->cmd, replies, error, req->user_data);
}

static void
request_fail (Request      *req,
              const GError *error)
{
  request_complete (req, NULL, error);
}

static GError *
closed_error (void)
{
  return g_error_new_literal (DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                              _("The connection pool was closed"));
}

/* Connections: bookkeeping */

static Conn *
conn_ref (Conn *conn)
{
  conn->ref_count++;
  return conn;
}

static void
conn_unref (Conn *conn)
{
  if (--conn->ref_count > 0)
    return;

  g_assert (conn->state == CONN_CLOSED);
  g_assert (g_queue_is_empty (&conn->pending) && g_queue_is_empty (&conn->in_flight));
  g_clear_pointer (&conn->outbuf, g_byte_array_unref);
  g_clear_object (&conn->open_cancellable);
  g_free (conn);
}

static guint
conn_load (const Conn *conn)
{
  return conn->pending.length + conn->in_flight.length;
}

static gboolean
conn_is_idle (const Conn *conn)
{
  return conn->state == CONN_READY && conn->owner == NULL && conn_load (conn) == 0 &&
         conn->out_pos == conn->outbuf->len;
}

/* Keeps the idle count for the stats in step; called where the load changes. */
static void
conn_update_idle (Conn *conn)
{
  gboolean idle = conn_is_idle (conn);

  if (idle != conn->counted_idle)
    {
      conn->counted_idle = idle;
      g_atomic_int_add (&conn->pool->n_idle, idle ? 1 : -1);
    }
}

static void
conn_mark_dirty (Conn *conn)
{
  if (conn->dirty || conn->state != CONN_READY)
    return;

  conn->dirty = TRUE;
  conn_ref (conn);
  g_queue_push_tail_link (&conn->pool->dirty, &conn->dirty_link);
}

static void
conn_enqueue (Conn    *conn,
              Request *req)
{
  req->state = REQUEST_PENDING;
  req->conn = conn;
  g_queue_push_tail_link (&conn->pending, &req->link);
  conn_mark_dirty (conn);
  conn_update_idle (conn);
}

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* The deadline timer is lazy: armed for the head when unarmed, and when it
 * fires at a deadline the head has since left, re-armed for the new head.
 * That is one wakeup per socket-timeout per busy connection, whatever the
 * command rate. */
static void
conn_arm_timer (Conn *conn)
{
  Request *head;

  if (conn->timer == NULL || g_source_get_ready_time (conn->timer) != -1)
    return;

  head = g_queue_peek_head (&conn->in_flight);
  if (head != NULL && head->deadline != 0)
    g_source_set_ready_time (conn->timer, head->deadline);
}

/* Connections: opening */

static void conn_opened (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data);

static Conn *
conn_open (DtRedisAsyncPool *self,
           Request          *owner)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->ref_count = 1;  /* the pool's list */
  conn->pool = self;
  conn->state = CONN_CONNECTING;
  conn->outbuf = g_byte_array_new ();
  conn->owner = owner;
  conn->open_cancellable = g_cancellable_new ();
  conn->link.data = conn;
  conn->dirty_link.data = conn;
  g_queue_push_tail_link (&self->conns, &conn->link);
  g_atomic_int_inc (&self->n_conns);

  /* The open holds the connection and the pool until its callback; the
   * GIO sources behind it must land on the pool context, whichever
   * context this thread calls its default. */
  conn_ref (conn);
  dt_redis_async_pool_ref (self);
  g_main_context_push_thread_default (self->context);
  dt_redis_connection_open_async (self->endpoint, conn->open_cancellable, conn_opened, conn);
  g_main_context_pop_thread_default (self->context);

  return conn;
}

/* Connections: I/O */

static gboolean conn_readable (GObject  *stream,
                               gpointer  user_data);
static gboolean conn_writable (GObject  *stream,
                               gpointer  user_data);
static gboolean conn_timer_dispatch (gpointer user_data);

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  return callback (user_data);
}

/* A source that fires at its ready time and nothing else. */
static GSourceFuncs timer_source_funcs = {
  NULL, NULL, timer_source_dispatch, NULL, NULL, NULL,
};

static GSource *
timer_source_new (GSourceFunc  func,
                  gpointer     data,
                  GMainContext *context,
                  const char  *name)
{
  GSource *source = g_source_new (&timer_source_funcs, sizeof (GSource));

  g_source_set_callback (source, func, data, NULL);
  g_source_set_ready_time (source, -1);
  g_source_set_static_name (source, name);
  g_source_attach (source, context);

  return source;
}

static void
conn_start_io (Conn *conn)
{
  DtRedisAsyncPool *self = conn->pool;

  conn->in_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (conn->connection->input), NULL);
  g_source_set_callback (conn->in_source, G_SOURCE_FUNC (conn_readable), conn, NULL);
  g_source_set_static_name (conn->in_source, "[dtredis] async read");
  g_source_attach (conn->in_source, self->context);

  conn->timer = timer_source_new (conn_timer_dispatch, conn, self->context, "[dtredis] reply deadline");
}

static GError *
connection_lost_error (DtRedisAsyncPool *self)
{
  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                      _("The connection to %s was lost"), self->description);
}

/* An I/O error or EOF on @conn: every command whose bytes left fails
 * with CONNECTION, saying that it may have been executed: it is never
 * sent again. Takes @error (NULL for EOF). */
static void
conn_fail_io (Conn   *conn,
              GError *error)
{
  DtRedisAsyncPool *self = conn->pool;
  g_autoptr(GError) wrapped = NULL;
  g_autoptr(GError) sent = NULL;

  if (error == NULL)
    wrapped = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                           _("The server at %s closed the connection"), self->description);
  else
    wrapped = dt_redis_connection_wrap_error (conn->connection, error);
  sent = dt_redis_connection_maybe_executed_error (wrapped);

  conn->connection->broken = TRUE;
  if (g_queue_is_empty (&conn->in_flight))
    STAT_ADD (self->stale_closed, 1);

  conn_close (conn, sent, sent);
}

static void
conn_fail_protocol (Conn         *conn,
                    const GError *error)
{
  g_autoptr(GError) lost = connection_lost_error (conn->pool);
  g_autoptr(GError) head = dt_redis_connection_maybe_executed_error (error);
  g_autoptr(GError) rest = dt_redis_connection_maybe_executed_error (lost);

  conn->connection->broken = TRUE;
  conn_close (conn, head, rest);
}

/* After an exclusive command completed on @conn. */
static void
conn_release_exclusive (Conn    *conn,
                        Request *req)
{
  /* Blocking commands and whole MULTI/EXEC batches leave the connection
   * as they found it; SELECT, SUBSCRIBE, CLIENT REPLY... do not. */
  gboolean reusable = (req->cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL) == 0;

  conn->owner = NULL;
  if (reusable)
    {
      conn_update_idle (conn);
      process_waiting (conn->pool);
    }
  else
    {
      conn_close (conn, NULL, NULL);
    }
}

/* One reply for the head of @conn's FIFO. FALSE when @conn was closed. */
static gboolean
conn_take_reply (Conn         *conn,
                 DtRedisReply *reply)
{
  Request *head = g_queue_peek_head (&conn->in_flight);
  guint n_replies;

  if (head == NULL)
    {
      g_autoptr(GError) error = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                                             _("The server at %s sent a reply to no command"),
                                             conn->pool->description);
      STAT_ADD (conn->pool->stale_closed, 1);
      dt_redis_reply_unref (reply);
      conn_fail_protocol (conn, error);
      return FALSE;
    }

  n_replies = head->cmd->n_replies;
  if (head->replies == NULL)
    head->replies = n_replies == 1 ? &head->reply_inline : g_new0 (DtRedisReply *, n_replies);
  head->replies[head->n_got++] = reply;
  if (head->n_got < n_replies)
    return TRUE;

  g_queue_unlink (&conn->in_flight, &head->link);
  head->state = REQUEST_NEW;
  head->conn = NULL;

  if (head->completed)
    {
      /* Cancelled after it was written: its reply kept us in step. */
      request_unref (head);
      return TRUE;
    }

  if (conn->owner == head)
    conn_release_exclusive (conn, head);

  {
    DtRedisReply **replies = head->replies;

    /* The callee owns the replies now. */
    head->replies = NULL;
    head->n_got = 0;
    request_complete (head, replies, NULL);
    if (replies != &head->reply_inline)
      g_free (replies);
  }
  request_unref (head);

  return conn->state == CONN_READY;
}

static gboolean
conn_readable (GObject  *stream,
               gpointer  user_data)
{
  Conn *conn = user_data;
  DtRedisAsyncPool *self = conn->pool;

  enter (self);
  conn_ref (conn);

  for (guint i = 0; i < MAX_READS_PER_DISPATCH && conn->state == CONN_READY; i++)
    {
      GError *error = NULL;
      gssize n;

      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (conn->connection->input),
                                                    self->read_buf, READ_CHUNK, NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_error_free (error);
          else
            conn_fail_io (conn, error);
          break;
        }
      if (n == 0)
        {
          conn_fail_io (conn, NULL);
          break;
        }

      conn->last_active = g_get_monotonic_time ();
      if (!dt_redis_resp_reader_feed (conn->connection->reader, (const char *) self->read_buf, n, &error))
        {
          conn_fail_protocol (conn, error);
          g_error_free (error);
          break;
        }

      while (conn->state == CONN_READY)
        {
          DtRedisReply *reply = NULL;

          if (!dt_redis_resp_reader_pop (conn->connection->reader, &reply, &error))
            {
              conn_fail_protocol (conn, error);
              g_error_free (error);
              break;
            }
          if (reply == NULL)
            break;
          if (!conn_take_reply (conn, reply))
            break;
        }

      if (n < READ_CHUNK)
        break;
    }

  /* A partial reply with nothing outstanding answers no command: the
   * next one's reply would be read after it. */
  if (conn->state == CONN_READY && g_queue_is_empty (&conn->in_flight) &&
      dt_redis_resp_reader_has_buffered (conn->connection->reader))
    {
      g_autoptr(GError) error = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                                             _("The server at %s sent a reply to no command"),
                                             self->description);
      STAT_ADD (self->stale_closed, 1);
      conn_fail_protocol (conn, error);
    }

  if (conn->state == CONN_READY)
    {
      conn_arm_timer (conn);
      conn_update_idle (conn);
      if (conn_load (conn) == 0 && !g_queue_is_empty (&self->waiting))
        process_waiting (self);
    }

  conn_unref (conn);
  leave (self);

  return G_SOURCE_CONTINUE;
}

static gboolean
conn_writable (GObject  *stream,
               gpointer  user_data)
{
  Conn *conn = user_data;
  DtRedisAsyncPool *self = conn->pool;

  enter (self);
  conn_ref (conn);

  /* Destroying the dispatching source is fine; conn_write makes a new
   * one if the buffer fills up again. */
  destroy_source (&conn->out_source);
  conn_write (conn);

  conn_unref (conn);
  leave (self);

  return G_SOURCE_REMOVE;
}

static void
conn_write (Conn *conn)
{
  GPollableOutputStream *output = G_POLLABLE_OUTPUT_STREAM (conn->connection->output);

  while (conn->out_pos < conn->outbuf->len)
    {
      GError *error = NULL;
      gssize n;

      n = g_pollable_output_stream_write_nonblocking (output,
                                                      conn->outbuf->data + conn->out_pos,
                                                      conn->outbuf->len - conn->out_pos,
                                                      NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              g_error_free (error);
              conn->out_source = g_pollable_output_stream_create_source (output, NULL);
              g_source_set_callback (conn->out_source, G_SOURCE_FUNC (conn_writable), conn, NULL);
              g_source_set_static_name (conn->out_source, "[dtredis] async write");
              g_source_attach (conn->out_source, conn->pool->context);
            }
          else
            {
              conn_fail_io (conn, error);
            }
          return;
        }
      conn->out_pos += n;
    }

  if (conn->outbuf->len > OUTBUF_KEEP)
    {
      g_byte_array_unref (conn->outbuf);
      conn->outbuf = g_byte_array_new ();
    }
  else
    {
      g_byte_array_set_size (conn->outbuf, 0);
    }
  conn->out_pos = 0;
  conn->out_gen++;
  conn_update_idle (conn);
}

/* Moves every pending command into the output buffer, in order, and
 * writes what the socket takes. */
static void
conn_flush (Conn *conn)
{
  DtRedisAsyncPool *self = conn->pool;
  gboolean was_idle;
  gint64 now;
  GList *l;

  if (conn->state != CONN_READY || g_queue_is_empty (&conn->pending))
    return;

  was_idle = g_queue_is_empty (&conn->in_flight) && conn->out_pos == conn->outbuf->len;
  if (was_idle && conn->used)
    {
      /* The server may have gone away (restart, idle timeout) while we
       * were not looking: better to find out before writing to it. */
      if (dt_redis_connection_is_stale (conn->connection) ||
          (self->endpoint->idle_timeout_us > 0 &&
           g_get_monotonic_time () - conn->last_active > self->endpoint->idle_timeout_us))
        {
          STAT_ADD (self->stale_closed, 1);
          conn_close (conn, NULL, NULL);  /* pending go elsewhere */
          return;
        }
    }

  now = g_get_monotonic_time ();
  while ((l = g_queue_pop_head_link (&conn->pending)) != NULL)
    {
      Request *req = l->data;
      const GByteArray *payload = req->cmd->payload;

      req->out_gen = conn->out_gen;
      req->out_offset = conn->outbuf->len;
      g_byte_array_append (conn->outbuf, payload->data, payload->len);
      req->deadline = dt_redis_command_deadline (req->cmd, now, self->endpoint->socket_timeout_us);
      req->state = REQUEST_WRITTEN;
      g_queue_push_tail_link (&conn->in_flight, l);
    }
  conn->used = TRUE;
  conn->last_active = now;
  conn_arm_timer (conn);

  /* With an output source waiting, the socket is full: it will take the
   * new bytes with the rest. */
  if (conn->out_source == NULL)
    conn_write (conn);
}

static gboolean
conn_timer_dispatch (gpointer user_data)
{
  Conn *conn = user_data;
  DtRedisAsyncPool *self = conn->pool;
  Request *head = g_queue_peek_head (&conn->in_flight);
  gint64 now = g_get_monotonic_time ();

  g_source_set_ready_time (conn->timer, -1);
  if (head == NULL || head->deadline == 0)
    return G_SOURCE_CONTINUE;
  if (head->deadline > now)
    {
      g_source_set_ready_time (conn->timer, head->deadline);
      return G_SOURCE_CONTINUE;
    }

  enter (self);
  conn_ref (conn);
  {
    g_autoptr(GError) timeout = NULL;
    g_autoptr(GError) lost = NULL;
    g_autoptr(GError) head_error = NULL;
    g_autoptr(GError) rest_error = NULL;

    timeout = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                           _("The server at %s did not answer in time"),
                           self->description);
    lost = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                        _("The connection to %s was closed after a command timed out"),
                        self->description);
    head_error = dt_redis_connection_maybe_executed_error (timeout);
    rest_error = dt_redis_connection_maybe_executed_error (lost);
    conn->connection->broken = TRUE;
    conn_close (conn, head_error, rest_error);
  }
  conn_unref (conn);
  leave (self);

  return G_SOURCE_CONTINUE;
}

/* Whether a shared connection is up, so that commands need not fail with
 * a connect error. */
static gboolean
have_ready_shared_conn (DtRedisAsyncPool *self)
{
  for (GList *l = self->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;

      if (conn->state == CONN_READY && conn->owner == NULL)
        return TRUE;
    }

  return FALSE;
}

static void
conn_opened (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Conn *conn = user_data;
  DtRedisAsyncPool *self = conn->pool;
  g_autoptr(GError) error = NULL;
  DtRedisConnection *connection;

  connection = dt_redis_connection_open_finish (result, &error);
  enter (self);

  if (conn->state == CONN_CLOSED)
    {
      /* Closed while connecting: nothing waits on it any more. */
      g_clear_pointer (&connection, dt_redis_connection_free);
      if (conn->closing_counted)
        {
          self->n_closing--;
          finish_close_if_done (self);
        }
    }
  else if (connection == NULL)
    {
      GQueue pending = conn->pending;
      GList *l;

      /* Its commands were never sent. They fail with the reason, unless
       * another connection is up: then this was a fluke and they move. */
      g_queue_init (&conn->pending);
      conn_close (conn, NULL, NULL);
      while ((l = g_queue_pop_head_link (&pending)) != NULL)
        {
          Request *req = l->data;

          req->state = REQUEST_NEW;
          req->conn = NULL;
          if (!request_is_exclusive (req) && have_ready_shared_conn (self))
            {
              route (self, req);
            }
          else
            {
              request_fail (req, error);
              request_unref (req);
            }
        }
    }
  else
    {
      conn->connection = connection;
      conn->state = CONN_READY;
      conn->last_active = g_get_monotonic_time ();
      conn_start_io (conn);
      /* Commands queued while connecting leave now rather than next
       * iteration. */
      conn_flush (conn);
      if (conn->state == CONN_READY)
        conn_update_idle (conn);
      process_waiting (self);
    }

  conn_unref (conn);
  leave (self);
  dt_redis_async_pool_unref (self);
}

/* Whether any byte of @req (WRITTEN on @conn) was handed to the socket. */
static gboolean
request_left (const Request *req,
              const Conn    *conn)
{
  return req->out_gen != conn->out_gen || req->out_offset < conn->out_pos;
}

/* Takes @conn out of the pool, closes its socket (or abandons its
 * connect), and settles its commands: those whose bytes left fail,
 * @head_error for the oldest and @rest_error for the others, and are
 * never sent again; those that provably never left (queued, or still
 * whole in the output buffer) go to another connection. The socket is
 * closed before any callback runs, so a blocking command reported as
 * failed or cancelled can no longer take anything on the server.
 * Commands already completed (cancelled) are just dropped. */
static void
conn_close (Conn         *conn,
            const GError *head_error,
            const GError *rest_error)
{
  DtRedisAsyncPool *self = conn->pool;
  GQueue in_flight = G_QUEUE_INIT;
  GQueue pending = G_QUEUE_INIT;
  GQueue unsent = G_QUEUE_INIT;
  gboolean is_head = TRUE;
  gboolean was_connecting;
  GList *l;

  if (conn->state == CONN_CLOSED)
    return;

  /* Split before the buffer goes: what never left joins the pending. */
  for (l = conn->in_flight.head; l != NULL;)
    {
      GList *next = l->next;

      if (!request_left (l->data, conn))
        {
          g_queue_unlink (&conn->in_flight, l);
          g_queue_push_tail_link (&unsent, l);
        }
      l = next;
    }

  if (conn->counted_idle)
    g_atomic_int_add (&self->n_idle, -1);
  conn->counted_idle = FALSE;
  if (conn->dirty)
    {
      g_queue_unlink (&self->dirty, &conn->dirty_link);
      conn->dirty = FALSE;
      conn_unref (conn);
    }
  g_queue_unlink (&self->conns, &conn->link);
  g_atomic_int_add (&self->n_conns, -1);

  was_connecting = conn->state == CONN_CONNECTING;
  conn->state = CONN_CLOSED;
  conn->owner = NULL;
  /* Its callback, whenever it runs, sees CLOSED and drops the result. */
  if (was_connecting)
    g_cancellable_cancel (conn->open_cancellable);
  destroy_source (&conn->in_source);
  destroy_source (&conn->out_source);
  destroy_source (&conn->timer);
  g_clear_pointer (&conn->connection, dt_redis_connection_free);

  in_flight = conn->in_flight;
  g_queue_init (&conn->in_flight);
  pending = conn->pending;
  g_queue_init (&conn->pending);

  /* The connection is out of every list: callbacks below may submit
   * freely. */
  while ((l = g_queue_pop_head_link (&in_flight)) != NULL)
    {
      Request *req = l->data;
      gboolean was_head = is_head;

      is_head = FALSE;
      req->state = REQUEST_NEW;
      req->conn = NULL;

      if (req->completed)
        {
          request_unref (req);
          continue;
        }

      /* Replies of a multi-reply command read before the failure. */
      for (guint i = 0; i < req->n_got; i++)
        dt_redis_reply_unref (req->replies[i]);
      req->n_got = 0;

      g_assert (head_error != NULL && rest_error != NULL);
      request_fail (req, was_head ? head_error : rest_error);
      request_unref (req);
    }

  /* Nothing of these was sent: another connection can take them, in
   * their order. */
  while ((l = g_queue_pop_head_link (&unsent)) != NULL)
    {
      Request *req = l->data;

      req->state = REQUEST_NEW;
      req->conn = NULL;
      if (req->completed)
        {
          request_unref (req);
          continue;
        }
      route (self, req);
    }
  while ((l = g_queue_pop_head_link (&pending)) != NULL)
    {
      Request *req = l->data;

      req->state = REQUEST_NEW;
      req->conn = NULL;
      route (self, req);
    }

  conn_unref (conn);
  process_waiting (self);
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
  if (request_is_exclusive (req))
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
  if (request_is_exclusive (req))
    self->n_exclusive_waiting--;
}

/* An idle shared connection an exclusive command may take over. */
static Conn *
find_idle_conn (DtRedisAsyncPool *self)
{
  for (GList *l = self->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;

      if (conn_is_idle (conn) && !conn->dirty)
        return conn;
    }

  return NULL;
}

/* The least loaded connection shared commands may use, or NULL. */
static Conn *
find_shared_conn (DtRedisAsyncPool *self)
{
  Conn *best = NULL;
  guint best_load = G_MAXUINT;

  for (GList *l = self->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;
      guint load;

      if (conn->owner != NULL || conn->reserved)
        continue;
      load = conn_load (conn);
      /* A connecting one counts as busier: its commands wait a round trip more. */
      if (conn->state == CONN_CONNECTING)
        load += SPREAD_THRESHOLD / 2;
      if (load < best_load)
        {
          best = conn;
          best_load = load;
          if (load == 0)
            break;
        }
    }

  return best;
}

static gboolean
try_route (DtRedisAsyncPool *self,
           Request          *req)
{
  guint max = self->endpoint->max_connections;
  Conn *conn;

  if (request_is_exclusive (req))
    {
      conn = find_idle_conn (self);
      if (conn != NULL)
        {
          conn->owner = req;
          conn->reserved = FALSE;
          conn_enqueue (conn, req);
          STAT_ADD (self->hits, 1);
          return TRUE;
        }
      if (self->conns.length < max)
        {
          conn = conn_open (self, req);
          conn_enqueue (conn, req);
          STAT_ADD (self->misses, 1);
          return TRUE;
        }
      return FALSE;
    }

  conn = find_shared_conn (self);
  if (conn == NULL || (conn_load (conn) >= SPREAD_THRESHOLD && self->conns.length < max))
    {
      if (self->conns.length < max)
        {
          /* A new connection takes this command only when there is no
           * other; otherwise it joins once connected, and the command
           * does not wait for a handshake. */
          Conn *fresh = conn_open (self, NULL);

          if (conn == NULL)
            {
              conn_enqueue (fresh, req);
              STAT_ADD (self->misses, 1);
              return TRUE;
            }
        }
      if (conn == NULL)
        return FALSE;
    }

  conn_enqueue (conn, req);
  STAT_ADD (self->hits, 1);
  return TRUE;
}

/* Places @req (taking it) on a connection, or in the waiting queue. */
static void
route (DtRedisAsyncPool *self,
       Request          *req)
{
  if (self->closed)
    {
      g_autoptr(GError) error = closed_error ();

      request_fail (req, error);
      request_unref (req);
      return;
    }

  if (req->cancellable != NULL && g_cancellable_is_cancelled (req->cancellable))
    {
      /* Its cancellation may have been handled before it got here. */
      g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                     _("Operation was cancelled"));

      request_fail (req, error);
      request_unref (req);
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

      if (conn->reserved)
        {
          if (self->n_exclusive_waiting > 0)
            return;
          conn->reserved = FALSE;
        }
      else if (conn->owner == NULL && conn->state == CONN_READY &&
               (best == NULL || conn_load (conn) < conn_load (best)))
        {
          best = conn;
        }
    }

  if (best != NULL && self->n_exclusive_waiting > 0)
    best->reserved = TRUE;
}

static void
process_waiting (DtRedisAsyncPool *self)
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

      if (request_is_exclusive (req))
        self->n_exclusive_waiting--;
      req->state = REQUEST_NEW;
      if (try_route (self, req))
        continue;
      req->state = REQUEST_WAITING;
      g_queue_push_tail_link (&still, l);
      if (request_is_exclusive (req))
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
      request_fail (head, error);
      request_unref (head);
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
      request_fail (req, error);
      request_unref (req);
      update_reservations (self);
      break;

    case REQUEST_PENDING:
      /* Never sent: just forget it. */
      g_queue_unlink (&conn->pending, &req->link);
      req->state = REQUEST_NEW;
      req->conn = NULL;
      if (conn->owner == req)
        conn->owner = NULL;
      conn_update_idle (conn);
      request_fail (req, error);
      request_unref (req);
      process_waiting (self);
      break;

    case REQUEST_WRITTEN:
      if (conn->owner == req)
        {
          /* A blocking command would go on waiting (and might pop a value
           * nobody reads): close the connection, and only then report the
           * cancellation (conn_close() does it in that order), so that
           * nothing pushed after the caller saw it can be taken. */
          conn->connection->broken = TRUE;
          conn_close (conn, error, error);
          break;
        }
      /* Otherwise it stays in the FIFO and its reply is read and dropped. */
      request_fail (req, error);
      break;

    case REQUEST_NEW:
    case REQUEST_INCOMING:
    default:
      /* Not routed yet: route() checks the cancellable and fails it then. */
      break;
    }
}

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
      wake = !self->wakeup_pending;
      self->wakeup_pending = TRUE;
    }
  g_mutex_unlock (&self->lock);

  if (wake)
    g_source_set_ready_time (self->incoming_source, 0);
}

/* Closing */

static void
finish_close_if_done (DtRedisAsyncPool *self)
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
          request_fail (req, error);
          request_unref (req);
        }
      g_source_set_ready_time (self->wait_timer, -1);

      while ((l = self->conns.head) != NULL)
        {
          Conn *conn = l->data;

          if (conn->state == CONN_CONNECTING)
            {
              conn->closing_counted = TRUE;
              self->n_closing++;
            }
          conn_close (conn, sent_error, sent_error);
        }
    }

  finish_close_if_done (self);
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
      route (self, req);
    }

  for (guint i = 0; i < cancels->len; i++)
    {
      Request *req = g_ptr_array_index (cancels, i);

      cancel_request (self, req);
      request_unref (req);
    }

  for (guint i = 0; i < closes->len; i++)
    do_close (self, g_ptr_array_index (closes, i));

  leave (self);

  return G_SOURCE_CONTINUE;
}

static GSourceFuncs incoming_source_funcs = {
  NULL, NULL, incoming_dispatch, NULL, NULL, NULL,
};

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
  GList *l;

  enter (self);

  /* Each is off the list before its flush, so error callbacks in there
   * may dirty it (or any other) again: it is then flushed in this round. */
  while ((l = g_queue_pop_head_link (&self->dirty)) != NULL)
    {
      Conn *conn = l->data;

      conn->dirty = FALSE;
      conn_flush (conn);
      conn_unref (conn);
    }

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

  self->wait_timer = timer_source_new (wait_timer_dispatch, self, self->context,
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
  pool_teardown (user_data);
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

          pool_teardown (self);
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

static void
pool_teardown (DtRedisAsyncPool *self)
{
  GList *l;

  self->closed = TRUE;
  while ((l = self->conns.head) != NULL)
    conn_close (l->data, NULL, NULL);

  g_assert (g_queue_is_empty (&self->waiting));
  g_assert (g_queue_is_empty (&self->dirty));
  g_assert (g_queue_is_empty (&self->incoming));
  g_assert (self->incoming_cancels->len == 0 && self->incoming_closes->len == 0);

  destroy_source (&self->flush_source);
  destroy_source (&self->incoming_source);
  destroy_source (&self->wait_timer);
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

  req = g_new0 (Request, 1);
  g_atomic_ref_count_init (&req->ref_count);
  req->link.data = req;
  req->pool = dt_redis_async_pool_ref (self);
  req->cmd = cmd;
  req->callback = callback;
  req->user_data = user_data;
  g_atomic_int_inc (&self->n_in_flight);

  /* Owning the context (we are in it, or nobody runs it) makes the pool
   * ours: route at once. Otherwise the thread running it takes over. */
  in_pool = g_atomic_pointer_get (&self->dispatch_thread) == g_thread_self ();
  acquired = !in_pool && g_main_context_acquire (self->context);
  if (!in_pool && !acquired)
    req->state = REQUEST_INCOMING;  /* before a cancellation can look */

  if (cancellable != NULL)
    {
      req->cancellable = g_object_ref (cancellable);
      /* Already cancelled: the handler runs now and queues the cancel. */
      req->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (request_cancelled_cb), req, NULL);
    }

  if (in_pool)
    {
      route (self, req);
    }
  else if (acquired)
    {
      enter (self);
      route (self, req);
      leave (self);
      g_main_context_release (self->context);
    }
  else
    {
      gboolean wake;

      g_mutex_lock (&self->lock);
      g_queue_push_tail_link (&self->incoming, &req->link);
      wake = !self->wakeup_pending;
      self->wakeup_pending = TRUE;
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
  wake = !self->wakeup_pending;
  self->wakeup_pending = TRUE;
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
