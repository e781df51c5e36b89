/* dtredis-connection-private.h: one connection to a Redis server
 *
 * Transport is GIO (GSocketClient for TCP and Unix sockets, a
 * GTlsClientConnection on top for rediss://); replies are parsed by a
 * DtRedisRespReader fed in socket-read-sized chunks. Opening includes the
 * handshake (AUTH, SELECT, CLIENT SETNAME, pipelined in one round trip).
 *
 * A connection belongs to one pool and is used by one caller at a time:
 * the sync pool through the blocking calls below, the async pool through
 * the pollable streams and the reader.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sys/types.h>

#include "dtredis-endpoint-private.h"
#include "dtredis-resp-private.h"
#include "dtredis-command-private.h"

G_BEGIN_DECLS

typedef struct _DtRedisConnection DtRedisConnection;

/* A connection's life. Only dt_redis_connection_set_state() changes it,
 * and it asserts the move:
 *
 *   OPENING -> READY      the handshake was answered (the open functions)
 *   OPENING -> BROKEN     the open failed
 *   READY   -> RETIRED    healthy, but it carries session state the next
 *                         user must not inherit (SELECT, WATCH, a lone
 *                         MULTI, a held connection's commands)
 *   READY, RETIRED -> BROKEN   an I/O, protocol or deadline error, or a
 *                         command cut short
 *   OPENING, READY, RETIRED -> STRAY   bytes that answer no command
 *                         arrived (after the handshake's replies, the last
 *                         reply, or while idle)
 *
 * Only READY takes commands and is given back to an idle list; the others
 * are closed by whoever holds them, without a goodbye on the wire. A
 * connection never becomes more usable: asking for RETIRED or BROKEN when
 * it is already past that changes nothing (the first cause stays). The
 * pools count STRAY connections as stale. */
typedef enum
{
  DT_REDIS_CONNECTION_OPENING,
  DT_REDIS_CONNECTION_READY,
  DT_REDIS_CONNECTION_RETIRED,
  DT_REDIS_CONNECTION_BROKEN,
  DT_REDIS_CONNECTION_STRAY,
} DtRedisConnectionState;

void                   dt_redis_connection_set_state   (DtRedisConnection      *self,
                                                        DtRedisConnectionState  state);
DtRedisConnectionState dt_redis_connection_get_state   (const DtRedisConnection *self);
/* Whether it takes commands: READY. */
gboolean               dt_redis_connection_is_usable   (const DtRedisConnection *self);

/* What the pools and engines read; the struct is private to the
 * connection's files (dtredis-connection-io-private.h). */
/* dt_redis_endpoint_describe () of its endpoint, for messages. */
const char            *dt_redis_connection_get_description (const DtRedisConnection *self);
/* The pollable streams (the async pool, pub/sub), non-blocking unless it
 * was opened by dt_redis_connection_open() on a plain socket. */
GInputStream          *dt_redis_connection_get_input   (const DtRedisConnection *self);
GOutputStream         *dt_redis_connection_get_output  (const DtRedisConnection *self);
/* The socket's descriptor when nothing sits between it and the streams
 * (no TLS, whose layer buffers bytes the descriptor does not show): an
 * engine may watch it directly. -1 with TLS. */
int                    dt_redis_connection_get_plain_fd (const DtRedisConnection *self);
/* Where dt_redis_connection_read_available() feeds the bytes it reads. */
DtRedisRespReader     *dt_redis_connection_get_reader  (const DtRedisConnection *self);
/* The process that opened it. */
pid_t                  dt_redis_connection_get_pid     (const DtRedisConnection *self);
/* g_get_monotonic_time () when a command last completed on it (or when it
 * was opened). */
gint64                 dt_redis_connection_get_last_used (const DtRedisConnection *self);
/* A list node whose data is this connection, for the sync pool's idle
 * list: a lease allocates no node. In one list at most. */
GList                 *dt_redis_connection_get_idle_link (DtRedisConnection     *self);

/* The endpoint pools and connections use for @config: the plain one, or
 * with a Sentinel config one that routes each connect through a new
 * DtRedisSentinel (dtredis-connection-route.c). INVALID_CONFIG naming the
 * bad part. */
DtRedisEndpoint   *dt_redis_routed_endpoint_new      (DtRedisConfig        *config,
                                                      GError              **error);

/* Blocking: connect (connect-timeout), TLS handshake, AUTH/SELECT/SETNAME.
 * Errors: CONNECTION, TIMEOUT, TLS, AUTH, SERVER, G_IO_ERROR_CANCELLED.
 * Plain sockets opened this way are switched to blocking mode for the sync
 * fast path: use them with dt_redis_connection_run(), not the pollable
 * streams. */
DtRedisConnection *dt_redis_connection_open          (DtRedisEndpoint      *endpoint,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
/* The same without blocking the thread-default main context (whose
 * callbacks it uses); sockets stay non-blocking, for the pollable streams. */
void               dt_redis_connection_open_async    (DtRedisEndpoint      *endpoint,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
DtRedisConnection *dt_redis_connection_open_finish   (GAsyncResult         *result,
                                                      GError              **error);
void               dt_redis_connection_free          (DtRedisConnection    *self);

/* Blocking I/O for the sync pool. Writes all of @cmd's payload, then reads
 * its n_replies replies into @replies, each within its deadline. Only a
 * READY connection runs it (CONNECTION otherwise, nothing sent). On
 * failure the connection becomes BROKEN, and when any byte of the
 * command had left, the message says that it may have been executed: it
 * is never sent again. Bytes left over after the last reply make it
 * STRAY, though the call succeeds. */
gboolean           dt_redis_connection_run           (DtRedisConnection    *self,
                                                      const DtRedisCommand *cmd,
                                                      DtRedisReply        **replies,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
/* What dt_redis_connection_read_available() did. */
typedef enum
{
  DT_REDIS_READ_FED,      /* bytes were read and are in the reader */
  DT_REDIS_READ_NOTHING,  /* none were ready */
  DT_REDIS_READ_LOST,     /* end of stream or an I/O error: @error says which */
  DT_REDIS_READ_BAD_DATA, /* the reader refused the bytes: a PROTOCOL @error */
} DtRedisReadResult;

/* The read of the engines that use the pollable streams (the async pool,
 * pub/sub): one non-blocking read of up to @size bytes into @buf, fed to
 * the reader; *@n_read is how many bytes came. Errors name the endpoint
 * (DT_REDIS_ERROR_*). */
DtRedisReadResult  dt_redis_connection_read_available (DtRedisConnection    *self,
                                                      guint8               *buf,
                                                      gsize                 size,
                                                      gsize                *n_read,
                                                      GError              **error);
/* Push mode, for a connection the server keeps sending to (MONITOR).
 * Sends @cmd without reading anything; the connection becomes BROKEN on
 * failure. */
gboolean           dt_redis_connection_send          (DtRedisConnection    *self,
                                                      const DtRedisCommand *cmd,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
/* The next reply the server sent, waiting until @deadline (monotonic; 0:
 * no limit). Bytes after it are kept for the next call. When @deadline
 * passes first: TRUE, with *@reply NULL. Neither that nor a cancel
 * (G_IO_ERROR_CANCELLED) harms the connection; after any other error it
 * is BROKEN. */
gboolean           dt_redis_connection_read_pushed   (DtRedisConnection    *self,
                                                      gint64                deadline,
                                                      DtRedisReply        **reply,
                                                      GCancellable         *cancellable,
                                                      GError              **error);
/* The liveness check, without blocking: whether the peer closed, sent
 * stray bytes, the connection broke, or it belongs to another process.
 * One system call on a plain socket (a non-blocking peek). */
gboolean           dt_redis_connection_is_stale      (DtRedisConnection    *self);

/* Maps a GIO error from this connection's I/O to DT_REDIS_ERROR_* (keeps
 * G_IO_ERROR_CANCELLED), naming the endpoint. Takes ownership of @error. */
GError            *dt_redis_connection_wrap_error    (DtRedisConnection    *self,
                                                      GError               *error);

/* A copy of @error (of a command that failed after its bytes left) whose
 * message says that the server may have executed it. */
GError            *dt_redis_connection_maybe_executed_error (const GError *error);

/* getpid() without a system call: refreshed in the child after fork(). */
pid_t              dt_redis_connection_current_pid   (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisConnection, dt_redis_connection_free)

G_END_DECLS
