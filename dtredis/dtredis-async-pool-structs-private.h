/* dtredis-async-pool-structs-private.h: the async pool's requests,
 * connections and pool, shared by the request (dtredis-async-request.c),
 * the router (dtredis-async-pool.c) and the multiplexed connection
 * (dtredis-async-conn.c, whose struct is its own)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-async-pool-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-source-private.h"
#include "dtredis-tsan-private.h"

G_BEGIN_DECLS

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

/* What a request given a cancellable keeps: most have none, and every
 * byte of Request is held once per command in flight. */
typedef struct
{
  GCancellable *cancellable;
  gulong        handler_id;
} RequestCancel;

struct _Request
{
  /* Ordered so that no field pads another: 120 bytes (malloc takes 128),
   * not 152 (160), for every command in flight. */
  gatomicrefcount           ref_count;
  RequestState              state;
  GList                     link;       /* in whichever queue state names */
  DtRedisAsyncPool         *pool;       /* strong */
  DtRedisCommand           *cmd;
  DtRedisAsyncPoolCallback  callback;
  gpointer                  user_data;
  RequestCancel            *cancel;     /* NULL without a cancellable */
  Conn                     *conn;       /* PENDING or WRITTEN: where */
  gint64                    deadline;   /* WRITTEN: reply deadline; WAITING: wait deadline; 0: none */
  DtRedisReply            **replies;
  DtRedisReply             *reply_inline; /* replies for the usual n_replies == 1 */
  guint                     n_got;      /* replies read so far */
  /* WRITTEN: where its bytes start in conn->outbuf, while that buffer is
   * generation out_gen; bytes at or past conn->out_pos never left. */
  guint                     out_gen;
  guint                     out_offset; /* conn->outbuf is a GByteArray: its length is a guint */
  /* Bytes, not bits: pool->lock guards one and not the other. */
  guint8                    completed;  /* the callback ran; late replies are dropped */
  guint8                    cancel_queued; /* under pool->lock */
};

/* A connection's life: CONNECTING -> READY -> CLOSED, or CONNECTING ->
 * CLOSED. Only dt_redis_async_conn_set_state() changes it, and it asserts
 * the move. */
typedef enum
{
  CONN_CONNECTING,
  CONN_READY,
  CONN_CLOSED,
} ConnState;

/* What a connection carries, whatever its state. SHARED: any number of
 * pipelined commands. RESERVED: an exclusive command waits for a
 * connection, and this one drains for it (no new shared commands).
 * EXCLUSIVE: it serves one command, conn->owner, alone. Only
 * dt_redis_async_conn_set_role() changes it, and it asserts the move. */
typedef enum
{
  CONN_ROLE_SHARED,
  CONN_ROLE_RESERVED,
  CONN_ROLE_EXCLUSIVE,
} ConnRole;


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

#define STAT_ADD(field, n) ((void) g_atomic_pointer_add (&(field), (n)))

/* Brackets the pool's own code. While it runs, this thread owns the
 * context, so commands sent from callbacks need not acquire it; and the
 * last unref knows not to pull the pool from under it. Owning the context
 * orders everything the pool does in one thread with what it did in
 * another before (GLib's lock, which ThreadSanitizer is told about). */
static inline void
enter (DtRedisAsyncPool *self)
{
  DT_TSAN_ACQUIRE (self);
  if (self->dispatch_depth++ == 0)
    g_atomic_pointer_set (&self->dispatch_thread, g_thread_self ());
}

static inline void
leave (DtRedisAsyncPool *self)
{
  if (--self->dispatch_depth == 0)
    g_atomic_pointer_set (&self->dispatch_thread, NULL);
  DT_TSAN_RELEASE (self);
}

/* Another thread hands work over: with pool->lock held, after queueing
 * it, whether the pool context must be woken (once per batch: the
 * incoming source clears the flag when it takes the batch). */
static inline gboolean
handover_needs_wakeup_locked (DtRedisAsyncPool *self)
{
  gboolean wake = !self->wakeup_pending;

  self->wakeup_pending = TRUE;
  return wake;
}

/* Requests (dtredis-async-request.c) */

/* Blocking commands and transactions are flagged EXCLUSIVE too; asking
 * for all three keeps that true whatever the classifier does. Inline: the
 * router asks for every command. */
static inline gboolean
dt_redis_async_request_is_exclusive (const Request *req)
{
  return (req->cmd->flags & (DT_REDIS_COMMAND_FLAG_EXCLUSIVE |
                             DT_REDIS_COMMAND_FLAG_BLOCKING |
                             DT_REDIS_COMMAND_FLAG_TRANSACTION)) != 0;
}

/* Counts it in pool->n_in_flight; the request owns @cmd. */
Request *dt_redis_async_request_new (DtRedisAsyncPool         *pool,
                                     DtRedisCommand           *cmd,
                                     DtRedisAsyncPoolCallback  callback,
                                     gpointer                  user_data);
/* Hands a cancel of @cancellable to the pool context (at once when it is
 * already cancelled); the request completes CANCELLED there. */
void dt_redis_async_request_watch (Request      *req,
                                   GCancellable *cancellable);
void dt_redis_async_request_unref (Request *req);
void dt_redis_async_request_complete (Request       *req,
                                      DtRedisReply **replies,
                                      const GError  *error);
void dt_redis_async_request_fail (Request      *req,
                                  const GError *error);

/* Routing and the pool (dtredis-async-pool.c) */
void dt_redis_async_pool_route (DtRedisAsyncPool *self,
                                Request          *req);
void dt_redis_async_pool_process_waiting (DtRedisAsyncPool *self);
/* Writes what every dirty connection has pending (the flush source's
 * work), for code already running in the pool context. */
void dt_redis_async_pool_flush_dirty (DtRedisAsyncPool *self);
void dt_redis_async_pool_finish_close_if_done (DtRedisAsyncPool *self);
void dt_redis_async_pool_teardown (DtRedisAsyncPool *self);

/* Connections (dtredis-async-conn.c) */
void dt_redis_async_conn_unref (Conn *conn);
void dt_redis_async_conn_set_state (Conn      *conn,
                                    ConnState  state);
/* @owner: the command of an EXCLUSIVE connection, NULL for the others. */
void dt_redis_async_conn_set_role (Conn     *conn,
                                   ConnRole  role,
                                   Request  *owner);
guint dt_redis_async_conn_load (const Conn *conn);

gboolean dt_redis_async_conn_is_idle (const Conn *conn);
void dt_redis_async_conn_update_idle (Conn *conn);
void dt_redis_async_conn_enqueue (Conn    *conn,
                                  Request *req);
Conn *dt_redis_async_conn_open (DtRedisAsyncPool *self,
                                Request          *owner);
void dt_redis_async_conn_flush (Conn *conn);
void dt_redis_async_conn_close (Conn         *conn,
                                const GError *head_error,
                                const GError *rest_error);
void dt_redis_async_conn_write (Conn *conn);
/* What the router reads; the struct is private to dtredis-async-conn.c. */
ConnState dt_redis_async_conn_get_state (const Conn *conn);
ConnRole dt_redis_async_conn_get_role (const Conn *conn);
/* Whether @conn is EXCLUSIVE for @req. */
gboolean dt_redis_async_conn_is_owned_by (const Conn    *conn,
                                          const Request *req);
/* Of @pool's connections: an idle shared one an exclusive command may
 * take over, or NULL. */
Conn *dt_redis_async_conn_find_idle (DtRedisAsyncPool *pool);
/* Of @pool's connections: the least loaded that shared commands may use
 * (one still connecting counts as busier), or NULL; its load in
 * *@load_out. */
Conn *dt_redis_async_conn_find_shared (DtRedisAsyncPool *pool,
                                       guint            *load_out);
/* For a connection just taken off pool->dirty: writes what it has
 * pending and drops the list's reference. */
void dt_redis_async_conn_flush_dirty (Conn *conn);
/* Forgets @req, PENDING on @conn (never sent): it is NEW again. */
void dt_redis_async_conn_unqueue (Conn    *conn,
                                  Request *req);
/* The command @conn serves alone (EXCLUSIVE) was cancelled after it was
 * written: closes the connection, and only then fails the command with
 * @error, so that nothing the server pushes after the caller saw the
 * cancellation can be taken. */
void dt_redis_async_conn_abort (Conn         *conn,
                                const GError *error);
/* Closes @conn as part of closing the pool (every command fails with
 * @error); a connect still running counts in pool->n_closing until its
 * callback has run. */
void dt_redis_async_conn_close_with_pool (Conn         *conn,
                                          const GError *error);

G_END_DECLS
