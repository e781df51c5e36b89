/* dtredis-connection-io-private.h: what the files of DtRedisConnection
 * share (dtredis-connection.c, -open.c, -state.c): the struct itself,
 * which nothing else sees (white-box tests aside), and the I/O helpers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-connection-private.h"

G_BEGIN_DECLS

/* The sync path's read buffer. hiredis reads 16 KiB at a time too. A
 * buffer that grew for a big reply and shrank after it cost more than the
 * reads it saved: with a 100 KiB value per GET, malloc handed the memory
 * back and faulted it in again on every command. */
#define READ_BUF_SIZE ((gsize) 16 * 1024)

struct _DtRedisConnection
{
  DtRedisEndpoint   *endpoint;
  GSocketConnection *socket_connection;
  GSocket           *socket;
  GIOStream         *stream;   /* socket_connection, or the TLS connection on it */
  GInputStream      *input;    /* pollable */
  GOutputStream     *output;   /* pollable */
  DtRedisRespReader *reader;
  gint64             created_at; /* g_get_monotonic_time () */
  gint64             last_used;
  pid_t              pid;        /* the process that opened it */
  DtRedisConnectionState state; /* dt_redis_connection_set_state () */
  GList              idle_link;  /* the sync pool's idle list (data: this connection),
                                  * so that a lease allocates no list node */

  char              *description; /* dt_redis_endpoint_describe () */
  int                fd;
  gboolean           fd_blocking; /* plain socket in blocking mode (sync open) */
  gint64             rcvtimeo_us; /* SO_RCVTIMEO now set on fd; 0: none */
  guint8            *buf;         /* read buffer (READ_BUF_SIZE), kept between commands */
};

/* The handshake's commands (HELLO/AUTH, CLIENT SETNAME, SELECT), as one
 * payload, and how many replies they get. */
typedef struct
{
  GByteArray *payload;
  guint       n_replies;
} Handshake;

/* One command's run on the sync path: its cancellable's fd, its deadline,
 * and whether bytes of it reached the socket. */
typedef struct
{
  GCancellable *cancellable;
  GPollFD       cancel_fd;
  gboolean      have_cancel_fd;
  gint64        now;
  gint64        deadline;   /* the reply's; 0: none */
  gboolean      sent;       /* bytes of the command were handed to the socket */
} RunContext;

typedef enum
{
  WAIT_READ,
  WAIT_WRITE,
  WAIT_CONNECT,
} WaitFor;

DtRedisConnection *dt_redis_conn_new              (DtRedisEndpoint       *endpoint);
void               dt_redis_conn_setup_socket     (DtRedisConnection     *self,
                                                   GSocketConnection     *socket_connection);
void               dt_redis_conn_set_stream       (DtRedisConnection     *self,
                                                   GIOStream             *stream);
gboolean           dt_redis_conn_make_blocking    (DtRedisConnection     *self,
                                                   GError               **error);
/* Sends @payload and reads @n_replies replies into @replies. */
gboolean           dt_redis_conn_exchange         (DtRedisConnection     *self,
                                                   const guint8          *payload,
                                                   gsize                  len,
                                                   guint                  n_replies,
                                                   DtRedisReply         **replies,
                                                   const DtRedisCommand  *cmd,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
GError            *dt_redis_conn_closed_error     (const char            *description);
GError            *dt_redis_conn_wrap_error_full  (const char            *description,
                                                   GError                *error,
                                                   gboolean               connecting);
/* Whether this process is a child of fork() made after the first connection. */
gboolean           dt_redis_conn_in_forked_child  (void);

/* dtredis-connection-open.c: opening a connection to @endpoint's own
 * address; dt_redis_connection_open() and _open_async() route first. */
DtRedisConnection *dt_redis_conn_open_direct      (DtRedisEndpoint       *endpoint,
                                                   GCancellable          *cancellable,
                                                   GError               **error);
void               dt_redis_conn_open_direct_async (DtRedisEndpoint      *endpoint,
                                                   GCancellable          *cancellable,
                                                   GAsyncReadyCallback    callback,
                                                   gpointer               user_data);
DtRedisConnection *dt_redis_conn_open_direct_finish (GAsyncResult        *result,
                                                   GError               **error);
void               dt_redis_handshake_init        (Handshake             *hs,
                                                   DtRedisEndpoint       *endpoint);
void               dt_redis_handshake_clear       (Handshake             *hs);
GError            *dt_redis_handshake_check_reply (const Handshake       *hs,
                                                   DtRedisEndpoint       *endpoint,
                                                   const char            *description,
                                                   guint                  index,
                                                   DtRedisReply          *reply);
void               dt_redis_run_context_clear     (RunContext            *ctx);
/* Waits until @fd can be read or written (or is connected), until
 * @deadline (monotonic, 0: none) or @ctx's cancellable. */
gboolean           dt_redis_conn_wait_fd          (int                    fd,
                                                   const char            *description,
                                                   RunContext            *ctx,
                                                   WaitFor                what,
                                                   gint64                 deadline,
                                                   GError               **error);

G_END_DECLS
