/* dtredis-async-conn.c: one multiplexed connection of the async pool
 *
 * Its bookkeeping, opening, reads and writes, deadline timer and close.
 * Which connection a command goes to is the router's business
 * (dtredis-async-pool.c), which sees the struct only through the
 * functions at the end of this file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib-unix.h>
#include <string.h>

#include "dtredis-async-pool-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-error.h"

#include "dtredis-async-pool-structs-private.h"

/* A connection's requests are in its two queues; its state and role
 * change only through dt_redis_async_conn_set_state() and _set_role(). */
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

  ConnRole           role;
  Request           *owner;      /* EXCLUSIVE: the one command it serves; NULL otherwise */
  gboolean           counted_idle;
  gboolean           used;       /* has carried a command */
  gint64             last_active;
};

/* Connections: bookkeeping */

static Conn *
conn_ref (Conn *conn)
{
  conn->ref_count++;
  return conn;
}

void
dt_redis_async_conn_unref (Conn *conn)
{
  if (--conn->ref_count > 0)
    return;

  g_assert (conn->state == CONN_CLOSED);
  g_assert (g_queue_is_empty (&conn->pending) && g_queue_is_empty (&conn->in_flight));
  g_clear_pointer (&conn->outbuf, g_byte_array_unref);
  g_clear_object (&conn->open_cancellable);
  g_free (conn);
}

void
dt_redis_async_conn_set_state (Conn      *conn,
                               ConnState  state)
{
  switch (state)
    {
    case CONN_READY:
      g_assert (conn->state == CONN_CONNECTING);
      break;
    case CONN_CLOSED:
      g_assert (conn->state == CONN_CONNECTING || conn->state == CONN_READY);
      break;
    case CONN_CONNECTING:
    default:
      g_assert_not_reached ();
    }
  conn->state = state;
}

void
dt_redis_async_conn_set_role (Conn     *conn,
                              ConnRole  role,
                              Request  *owner)
{
  g_assert ((role == CONN_ROLE_EXCLUSIVE) == (owner != NULL));
  switch (role)
    {
    case CONN_ROLE_RESERVED:
      /* Only an open, shared one drains for a waiter. */
      g_assert (conn->role == CONN_ROLE_SHARED && conn->state == CONN_READY);
      break;
    case CONN_ROLE_EXCLUSIVE:
      /* Taken idle (reserved for it or not), or opened for it. */
      g_assert (conn->role != CONN_ROLE_EXCLUSIVE && conn->state != CONN_CLOSED);
      break;
    case CONN_ROLE_SHARED:
      g_assert (conn->role != CONN_ROLE_SHARED);
      break;
    default:
      g_assert_not_reached ();
    }
  conn->role = role;
  conn->owner = owner;
}

guint
dt_redis_async_conn_load (const Conn *conn)
{
  return conn->pending.length + conn->in_flight.length;
}

gboolean
dt_redis_async_conn_is_idle (const Conn *conn)
{
  return conn->state == CONN_READY && conn->role != CONN_ROLE_EXCLUSIVE && dt_redis_async_conn_load (conn) == 0 &&
         conn->out_pos == conn->outbuf->len;
}

/* Keeps the idle count for the stats in step; called where the load changes. */
void
dt_redis_async_conn_update_idle (Conn *conn)
{
  gboolean idle = dt_redis_async_conn_is_idle (conn);

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

void
dt_redis_async_conn_enqueue (Conn    *conn,
                             Request *req)
{
  req->state = REQUEST_PENDING;
  req->conn = conn;
  g_queue_push_tail_link (&conn->pending, &req->link);
  conn_mark_dirty (conn);
  dt_redis_async_conn_update_idle (conn);
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

Conn *
dt_redis_async_conn_open (DtRedisAsyncPool *self,
                          Request          *owner)
{
  Conn *conn = g_new0 (Conn, 1);

  conn->ref_count = 1;  /* the pool's list */
  conn->pool = self;
  conn->state = CONN_CONNECTING;
  conn->role = CONN_ROLE_SHARED;
  if (owner != NULL)
    dt_redis_async_conn_set_role (conn, CONN_ROLE_EXCLUSIVE, owner);
  conn->outbuf = g_byte_array_new ();
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
static gboolean conn_fd_readable (gint          fd,
                                  GIOCondition  condition,
                                  gpointer      user_data);
static gboolean conn_writable (GObject  *stream,
                               gpointer  user_data);
static gboolean conn_timer_dispatch (gpointer user_data);

static void
conn_start_io (Conn *conn)
{
  DtRedisAsyncPool *self = conn->pool;

  int fd = dt_redis_connection_get_plain_fd (conn->connection);

  /* A plain socket is watched directly: one poll record, no child source.
   * TLS needs its stream's source, which also sees what the TLS layer
   * buffered. */
  if (fd >= 0)
    {
      conn->in_source = g_unix_fd_source_new (fd, G_IO_IN);
      g_source_set_callback (conn->in_source, G_SOURCE_FUNC (conn_fd_readable), conn, NULL);
    }
  else
    {
      GInputStream *input = dt_redis_connection_get_input (conn->connection);

      conn->in_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (input), NULL);
      g_source_set_callback (conn->in_source, G_SOURCE_FUNC (conn_readable), conn, NULL);
    }
  /* GLib takes a source that may not recurse out of the poll set while it
   * dispatches and puts it back after, waking its own loop up each time
   * (an eventfd write, and a read in the next iteration): system calls
   * per dispatch, and one dispatch per GET at low depth. conn_readable()
   * is safe to re-enter from a nested iteration: it reads, feeds and
   * completes in the order of the one FIFO, and checks the connection's
   * state after every callback. */
  g_source_set_can_recurse (conn->in_source, TRUE);
  g_source_set_static_name (conn->in_source, "[dtredis] async read");
  g_source_attach (conn->in_source, self->context);

  conn->timer = dt_redis_timer_source_new (conn_timer_dispatch, conn, self->context, "[dtredis] reply deadline");
}

static GError *
connection_lost_error (DtRedisAsyncPool *self)
{
  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                      _("The connection to %s was lost"), self->description);
}

/* Closes @conn, which can carry nothing more (an I/O or protocol error,
 * a deadline, a command cut short): its socket goes without a goodbye. */
static void
conn_close_broken (Conn         *conn,
                   const GError *head_error,
                   const GError *rest_error)
{
  dt_redis_connection_set_state (conn->connection, DT_REDIS_CONNECTION_BROKEN);
  dt_redis_async_conn_close (conn, head_error, rest_error);
}

/* An I/O error or EOF on @conn: every command whose bytes left fails
 * with CONNECTION, saying that it may have been executed: it is never
 * sent again. Takes @error: the I/O error, or CONNECTION for EOF. */
static void
conn_fail_io (Conn   *conn,
              GError *error)
{
  DtRedisAsyncPool *self = conn->pool;
  g_autoptr(GError) wrapped = dt_redis_connection_wrap_error (conn->connection, error);
  g_autoptr(GError) sent = dt_redis_connection_maybe_executed_error (wrapped);

  if (g_queue_is_empty (&conn->in_flight))
    STAT_ADD (self->stale_closed, 1);

  conn_close_broken (conn, sent, sent);
}

static void
conn_fail_protocol (Conn         *conn,
                    const GError *error)
{
  g_autoptr(GError) lost = connection_lost_error (conn->pool);
  g_autoptr(GError) head = dt_redis_connection_maybe_executed_error (error);
  g_autoptr(GError) rest = dt_redis_connection_maybe_executed_error (lost);

  conn_close_broken (conn, head, rest);
}

/* After an exclusive command completed on @conn. */
static void
conn_release_exclusive (Conn    *conn,
                        Request *req)
{
  /* Blocking commands and whole MULTI/EXEC batches leave the connection
   * as they found it; SELECT, SUBSCRIBE, CLIENT REPLY... do not. */
  gboolean reusable = (req->cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL) == 0;

  dt_redis_async_conn_set_role (conn, CONN_ROLE_SHARED, NULL);
  if (reusable)
    {
      dt_redis_async_conn_update_idle (conn);
      dt_redis_async_pool_process_waiting (conn->pool);
    }
  else
    {
      dt_redis_async_conn_close (conn, NULL, NULL);
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
      dt_redis_async_request_unref (head);
      return TRUE;
    }

  if (conn->owner == head)
    conn_release_exclusive (conn, head);

  {
    DtRedisReply **replies = head->replies;

    /* The callee owns the replies now. */
    head->replies = NULL;
    head->n_got = 0;
    dt_redis_async_request_complete (head, replies, NULL);
    if (replies != &head->reply_inline)
      g_free (replies);
  }
  dt_redis_async_request_unref (head);

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
      gsize n;

      switch (dt_redis_connection_read_available (conn->connection, self->read_buf, READ_CHUNK,
                                                  &n, &error))
        {
        case DT_REDIS_READ_NOTHING:
          goto done;
        case DT_REDIS_READ_LOST:
          conn_fail_io (conn, error);
          goto done;
        case DT_REDIS_READ_BAD_DATA:
          conn_fail_protocol (conn, error);
          g_error_free (error);
          goto done;
        case DT_REDIS_READ_FED:
        default:
          break;
        }

      conn->last_active = g_get_monotonic_time ();

      while (conn->state == CONN_READY)
        {
          DtRedisReply *reply = NULL;

          if (!dt_redis_resp_reader_pop (dt_redis_connection_get_reader (conn->connection), &reply, &error))
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
done:

  /* A partial reply with nothing outstanding answers no command: the
   * next one's reply would be read after it. */
  if (conn->state == CONN_READY && g_queue_is_empty (&conn->in_flight) &&
      dt_redis_resp_reader_has_buffered (dt_redis_connection_get_reader (conn->connection)))
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
      dt_redis_async_conn_update_idle (conn);
      if (dt_redis_async_conn_load (conn) == 0 && !g_queue_is_empty (&self->waiting))
        dt_redis_async_pool_process_waiting (self);
    }

  /* The callbacks of these replies may have sent more commands: written
   * now, they leave with no further main-loop iteration (one per command
   * saved when they go one at a time). */
  dt_redis_async_pool_flush_dirty (self);

  dt_redis_async_conn_unref (conn);
  leave (self);

  return G_SOURCE_CONTINUE;
}

/* The plain socket's watch: G_IO_IN, or HUP/ERR, which the read reports. */
static gboolean
conn_fd_readable (gint          fd,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  return conn_readable (NULL, user_data);
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
  dt_redis_source_clear (&conn->out_source);
  dt_redis_async_conn_write (conn);

  dt_redis_async_conn_unref (conn);
  leave (self);

  return G_SOURCE_REMOVE;
}

void
dt_redis_async_conn_write (Conn *conn)
{
  GPollableOutputStream *output = G_POLLABLE_OUTPUT_STREAM (dt_redis_connection_get_output (conn->connection));

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
  dt_redis_async_conn_update_idle (conn);
}

/* Moves every pending command into the output buffer, in order, and
 * writes what the socket takes. */
void
dt_redis_async_conn_flush (Conn *conn)
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
          dt_redis_async_conn_close (conn, NULL, NULL);  /* pending go elsewhere */
          return;
        }
    }

  now = g_get_monotonic_time ();
  while ((l = g_queue_pop_head_link (&conn->pending)) != NULL)
    {
      Request *req = l->data;
      const DtRedisPayload *payload = &req->cmd->payload;

      req->out_gen = conn->out_gen;
      req->out_offset = conn->outbuf->len;
      req->cmd->written = TRUE;
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
    dt_redis_async_conn_write (conn);
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
    conn_close_broken (conn, head_error, rest_error);
  }
  dt_redis_async_conn_unref (conn);
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

      if (conn->state == CONN_READY && conn->role != CONN_ROLE_EXCLUSIVE)
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
          dt_redis_async_pool_finish_close_if_done (self);
        }
    }
  else if (connection == NULL)
    {
      GQueue pending = conn->pending;
      GList *l;

      /* Its commands were never sent. They fail with the reason, unless
       * another connection is up: then this was a fluke and they move. */
      g_queue_init (&conn->pending);
      dt_redis_async_conn_close (conn, NULL, NULL);
      while ((l = g_queue_pop_head_link (&pending)) != NULL)
        {
          Request *req = l->data;

          req->state = REQUEST_NEW;
          req->conn = NULL;
          if (!dt_redis_async_request_is_exclusive (req) && have_ready_shared_conn (self))
            {
              dt_redis_async_pool_route (self, req);
            }
          else
            {
              dt_redis_async_request_fail (req, error);
              dt_redis_async_request_unref (req);
            }
        }
    }
  else
    {
      conn->connection = connection;
      dt_redis_async_conn_set_state (conn, CONN_READY);
      conn->last_active = g_get_monotonic_time ();
      conn_start_io (conn);
      /* Commands queued while connecting leave now rather than next
       * iteration. */
      dt_redis_async_conn_flush (conn);
      if (conn->state == CONN_READY)
        dt_redis_async_conn_update_idle (conn);
      dt_redis_async_pool_process_waiting (self);
    }

  dt_redis_async_conn_unref (conn);
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

/* Takes @conn out of the pool's lists and counts, marks it CLOSED and
 * closes its socket (or abandons its connect). Its queues stay. */
static void
conn_detach (Conn *conn)
{
  DtRedisAsyncPool *self = conn->pool;
  gboolean was_connecting = conn->state == CONN_CONNECTING;

  if (conn->counted_idle)
    g_atomic_int_add (&self->n_idle, -1);
  conn->counted_idle = FALSE;
  if (conn->dirty)
    {
      g_queue_unlink (&self->dirty, &conn->dirty_link);
      conn->dirty = FALSE;
      dt_redis_async_conn_unref (conn);
    }
  g_queue_unlink (&self->conns, &conn->link);
  g_atomic_int_add (&self->n_conns, -1);

  dt_redis_async_conn_set_state (conn, CONN_CLOSED);
  if (conn->role != CONN_ROLE_SHARED)
    dt_redis_async_conn_set_role (conn, CONN_ROLE_SHARED, NULL);
  /* Its callback, whenever it runs, sees CLOSED and drops the result. */
  if (was_connecting)
    g_cancellable_cancel (conn->open_cancellable);
  dt_redis_source_clear (&conn->in_source);
  dt_redis_source_clear (&conn->out_source);
  dt_redis_source_clear (&conn->timer);
  g_clear_pointer (&conn->connection, dt_redis_connection_free);
}

/* Fails each request of @written (bytes of it left) not completed yet:
 * @head_error for the first, @rest_error for the others. */
static void
fail_written (GQueue       *written,
              const GError *head_error,
              const GError *rest_error)
{
  gboolean is_head = TRUE;
  GList *l;

  while ((l = g_queue_pop_head_link (written)) != NULL)
    {
      Request *req = l->data;
      gboolean was_head = is_head;

      is_head = FALSE;
      req->state = REQUEST_NEW;
      req->conn = NULL;

      if (req->completed)
        {
          dt_redis_async_request_unref (req);
          continue;
        }

      /* Replies of a multi-reply command read before the failure. */
      for (guint i = 0; i < req->n_got; i++)
        dt_redis_reply_unref (req->replies[i]);
      req->n_got = 0;

      g_assert (head_error != NULL && rest_error != NULL);
      dt_redis_async_request_fail (req, was_head ? head_error : rest_error);
      dt_redis_async_request_unref (req);
    }
}

/* Nothing of @unsent was sent: another connection takes each request not
 * completed (cancelled) yet, in their order. */
static void
reroute (DtRedisAsyncPool *self,
         GQueue           *unsent)
{
  GList *l;

  while ((l = g_queue_pop_head_link (unsent)) != NULL)
    {
      Request *req = l->data;

      req->state = REQUEST_NEW;
      req->conn = NULL;
      if (req->completed)
        {
          dt_redis_async_request_unref (req);
          continue;
        }
      dt_redis_async_pool_route (self, req);
    }
}

/* Takes @conn out of the pool, closes its socket (or abandons its
 * connect), and settles its commands: those whose bytes left fail,
 * @head_error for the oldest and @rest_error for the others, and are
 * never sent again; those that provably never left (queued, or still
 * whole in the output buffer) go to another connection. The socket is
 * closed before any callback runs, so a blocking command reported as
 * failed or cancelled can no longer take anything on the server.
 * Commands already completed (cancelled) are just dropped. */
void
dt_redis_async_conn_close (Conn         *conn,
                           const GError *head_error,
                           const GError *rest_error)
{
  DtRedisAsyncPool *self = conn->pool;
  GQueue written = G_QUEUE_INIT;
  GQueue unsent = G_QUEUE_INIT;
  GList *l;

  if (conn->state == CONN_CLOSED)
    return;

  /* Split before the buffer goes: what never left goes first among the
   * unsent, the queued ones after it. */
  while ((l = g_queue_pop_head_link (&conn->in_flight)) != NULL)
    {
      if (request_left (l->data, conn))
        g_queue_push_tail_link (&written, l);
      else
        g_queue_push_tail_link (&unsent, l);
    }
  while ((l = g_queue_pop_head_link (&conn->pending)) != NULL)
    g_queue_push_tail_link (&unsent, l);

  conn_detach (conn);

  /* The connection is out of every list: callbacks below may submit
   * freely. */
  fail_written (&written, head_error, rest_error);
  reroute (self, &unsent);

  dt_redis_async_conn_unref (conn);
  dt_redis_async_pool_process_waiting (self);
}

/* What the router reads and does */

ConnState
dt_redis_async_conn_get_state (const Conn *conn)
{
  return conn->state;
}

ConnRole
dt_redis_async_conn_get_role (const Conn *conn)
{
  return conn->role;
}

gboolean
dt_redis_async_conn_is_owned_by (const Conn    *conn,
                                 const Request *req)
{
  return conn->owner == req;
}

void
dt_redis_async_conn_flush_dirty (Conn *conn)
{
  conn->dirty = FALSE;
  dt_redis_async_conn_flush (conn);
  dt_redis_async_conn_unref (conn);
}

void
dt_redis_async_conn_unqueue (Conn    *conn,
                             Request *req)
{
  g_assert (req->state == REQUEST_PENDING && req->conn == conn);

  g_queue_unlink (&conn->pending, &req->link);
  req->state = REQUEST_NEW;
  req->conn = NULL;
  if (conn->owner == req)
    dt_redis_async_conn_set_role (conn, CONN_ROLE_SHARED, NULL);
  dt_redis_async_conn_update_idle (conn);
}

void
dt_redis_async_conn_abort (Conn         *conn,
                           const GError *error)
{
  /* A blocking command would go on waiting (and might pop a value nobody
   * reads). dt_redis_async_conn_close() closes the socket before it runs
   * any callback. */
  conn_close_broken (conn, error, error);
}

void
dt_redis_async_conn_close_with_pool (Conn         *conn,
                                     const GError *error)
{
  if (conn->state == CONN_CONNECTING)
    {
      conn->closing_counted = TRUE;
      conn->pool->n_closing++;
    }
  dt_redis_async_conn_close (conn, error, error);
}

Conn *
dt_redis_async_conn_find_idle (DtRedisAsyncPool *pool)
{
  for (GList *l = pool->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;

      if (dt_redis_async_conn_is_idle (conn) && !conn->dirty)
        return conn;
    }

  return NULL;
}

Conn *
dt_redis_async_conn_find_shared (DtRedisAsyncPool *pool,
                                 guint            *load_out)
{
  Conn *best = NULL;
  guint best_load = G_MAXUINT;

  for (GList *l = pool->conns.head; l != NULL; l = l->next)
    {
      Conn *conn = l->data;
      guint load;

      if (conn->role != CONN_ROLE_SHARED)
        continue;
      load = dt_redis_async_conn_load (conn);
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

  *load_out = best_load;
  return best;
}
