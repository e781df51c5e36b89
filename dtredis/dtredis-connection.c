/* dtredis-connection.c: one connection to a Redis server
 *
 * Opening is in dtredis-connection-open.c (the connect and TLS), with the
 * Redis handshake in dtredis-connection-handshake.c and the choice of node
 * for a routed endpoint (Sentinel) in dtredis-connection-route.c; both
 * engines get the same deadlines and error messages.
 *
 * Running a command is the sync engine's hot path and is written against
 * the file descriptor: on a plain socket a command costs one send() and,
 * for a reply that fits the read buffer, one recv(), as in a hiredis
 * blocking loop. The socket is in blocking mode with SO_RCVTIMEO set to
 * the usual read timeout, so no poll() is needed before the reply arrives;
 * poll() only comes in for replies spread over several reads (to keep one
 * deadline for the whole command), for writes that fill the socket buffer,
 * and when a GCancellable must be watched. TLS goes through the pollable
 * streams of the GTlsConnection, waiting with poll() on the socket.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <gio/gunixsocketaddress.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "dtredis-error.h"
#include "dtredis-connection-private.h"
#include "dtredis-value-private.h"
#include "dtredis-connection-io-private.h"

/* The process id, cached: glibc's getpid() is a system call, and the pool
 * asks for it on every command. */
static pid_t current_pid;
static pid_t first_pid;

static void
refresh_pid_in_child (void)
{
  current_pid = getpid ();
}

gboolean
dt_redis_conn_in_forked_child (void)
{
  return dt_redis_connection_current_pid () != first_pid;
}

pid_t
dt_redis_connection_current_pid (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      first_pid = current_pid = getpid ();
      pthread_atfork (NULL, NULL, refresh_pid_in_child);
      g_once_init_leave (&initialized, 1);
    }

  return current_pid;
}

/* Errors */

/* The reason part of a message: GIO's texts for socket errors carry
 * prefixes of their own ("Error connecting: ..."), strerror() does not. */
static const char *
error_reason (const GError *error)
{
  if (error->domain == G_IO_ERROR)
    {
      switch (error->code)
        {
        case G_IO_ERROR_CONNECTION_REFUSED:
          return g_strerror (ECONNREFUSED);
        case G_IO_ERROR_HOST_UNREACHABLE:
          return g_strerror (EHOSTUNREACH);
        case G_IO_ERROR_NETWORK_UNREACHABLE:
          return g_strerror (ENETUNREACH);
        case G_IO_ERROR_NOT_FOUND:
          return g_strerror (ENOENT);
        case G_IO_ERROR_PERMISSION_DENIED:
          return g_strerror (EACCES);
        default:
          break;
        }
    }

  return error->message;
}

GError *
dt_redis_conn_closed_error (const char *description)
{
  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                      _("The server at %s closed the connection"), description);
}

/* Maps a GIO error of connect (@connecting) or of I/O to DT_REDIS_ERROR. */
GError *
dt_redis_conn_wrap_error_full (const char *description,
                               GError     *error,
                               gboolean    connecting)
{
  GError *wrapped;

  if (error->domain == DT_REDIS_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    wrapped = dt_redis_conn_closed_error (description);
  else if (error->domain == G_TLS_ERROR)
    wrapped = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                           connecting ? _("TLS handshake with %s failed: %s")
                                      : _("TLS error on the connection to %s: %s"),
                           description, error->message);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    wrapped = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                           connecting ? _("Timed out connecting to %s")
                                      : _("Timed out waiting for %s"),
                           description);
  else
    wrapped = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                           connecting ? _("Could not connect to %s: %s")
                                      : _("Lost the connection to %s: %s"),
                           description, error_reason (error));

  g_error_free (error);

  return wrapped;
}

GError *
dt_redis_connection_wrap_error (DtRedisConnection *self,
                                GError            *error)
{
  g_return_val_if_fail (self != NULL, error);
  g_return_val_if_fail (error != NULL, NULL);

  return dt_redis_conn_wrap_error_full (self->description, error, FALSE);
}

static void
set_errno_error (DtRedisConnection  *self,
                 int                 errsv,
                 GError            **error)
{
  g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
               _("Lost the connection to %s: %s"), self->description, g_strerror (errsv));
}

static inline gboolean
would_block (int errsv)
{
#if EAGAIN != EWOULDBLOCK
  if (errsv == EWOULDBLOCK)
    return TRUE;
#endif
  return errsv == EAGAIN;
}

/* Construction and destruction */

DtRedisConnection *
dt_redis_conn_new (DtRedisEndpoint *endpoint)
{
  DtRedisConnection *self = g_new0 (DtRedisConnection, 1);

  self->endpoint = dt_redis_endpoint_ref (endpoint);
  self->description = dt_redis_endpoint_describe (endpoint);
  self->reader = dt_redis_resp_reader_new (endpoint->max_bulk_len, endpoint->max_elements);
  self->buf = g_malloc (READ_BUF_SIZE);
  self->fd = -1;
  self->created_at = self->last_used = g_get_monotonic_time ();
  self->pid = dt_redis_connection_current_pid ();
  self->idle_link.data = self;

  return self;
}

void
dt_redis_connection_free (DtRedisConnection *self)
{
  if (self == NULL)
    return;

  /* After fork() the socket is shared with the parent: only drop our
   * descriptor (close(), never shutdown() or a TLS close_notify, which
   * would end the parent's session). A broken connection is not worth a
   * goodbye either, and writing one to a dead peer could block. Closing
   * the GSocket first turns the TLS layer's close_notify into a no-op. */
  if (self->socket != NULL &&
      (self->state != DT_REDIS_CONNECTION_READY || self->pid != dt_redis_connection_current_pid ()))
    g_socket_close (self->socket, NULL);

  if (self->stream != NULL)
    g_io_stream_close (self->stream, NULL, NULL);

  g_clear_object (&self->stream);
  g_clear_object (&self->socket_connection);
  dt_redis_resp_reader_free (self->reader);
  dt_redis_endpoint_unref (self->endpoint);
  g_free (self->description);
  g_free (self->buf);
  g_free (self);
}

/* Socket setup */

void
dt_redis_conn_setup_socket (DtRedisConnection *self,
                            GSocketConnection *socket_connection)
{
  self->socket_connection = socket_connection;
  self->socket = g_socket_connection_get_socket (socket_connection);
  self->fd = g_socket_get_fd (self->socket);

  if (g_socket_get_family (self->socket) != G_SOCKET_FAMILY_UNIX)
    {
      /* Commands are written whole; Nagle would only delay them. */
      g_socket_set_option (self->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
      g_socket_set_keepalive (self->socket, TRUE);
    }
}

void
dt_redis_conn_set_stream (DtRedisConnection *self,
                          GIOStream         *stream)
{
  self->stream = stream;
  self->input = g_io_stream_get_input_stream (stream);
  self->output = g_io_stream_get_output_stream (stream);
}

static gboolean
is_tls (DtRedisConnection *self)
{
  return self->stream != G_IO_STREAM (self->socket_connection);
}

static gboolean
set_timeout_option (DtRedisConnection  *self,
                    int                 option,
                    gint64              timeout_us,
                    GError            **error)
{
  struct timeval tv;

  tv.tv_sec = timeout_us / G_USEC_PER_SEC;
  tv.tv_usec = timeout_us % G_USEC_PER_SEC;
  if (setsockopt (self->fd, SOL_SOCKET, option, &tv, sizeof tv) < 0)
    {
      set_errno_error (self, errno, error);
      return FALSE;
    }

  return TRUE;
}

/* For the sync engine: blocking reads and writes bounded by socket-timeout
 * through SO_RCVTIMEO/SO_SNDTIMEO, so that waiting for a reply is the
 * recv() itself. GSocket keeps its descriptors non-blocking, so this is
 * done on the descriptor; the pollable streams are not used afterwards. */
gboolean
dt_redis_conn_make_blocking (DtRedisConnection  *self,
                             GError            **error)
{
  int flags = fcntl (self->fd, F_GETFL);

  if (flags < 0 || fcntl (self->fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
    {
      set_errno_error (self, errno, error);
      return FALSE;
    }
  if (!set_timeout_option (self, SO_RCVTIMEO, self->endpoint->socket_timeout_us, error) ||
      !set_timeout_option (self, SO_SNDTIMEO, self->endpoint->socket_timeout_us, error))
    return FALSE;

  self->rcvtimeo_us = self->endpoint->socket_timeout_us;
  self->fd_blocking = TRUE;

  return TRUE;
}

/* Blocking I/O */

void
dt_redis_run_context_clear (RunContext *ctx)
{
  if (ctx->have_cancel_fd)
    g_cancellable_release_fd (ctx->cancellable);
  ctx->have_cancel_fd = FALSE;
}

static void
set_wait_timeout_error (WaitFor      what,
                        const char  *description,
                        GError     **error)
{
  switch (what)
    {
    case WAIT_READ:
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                   _("Timed out waiting for a reply from %s"), description);
      break;
    case WAIT_WRITE:
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                   _("Timed out sending a command to %s"), description);
      break;
    case WAIT_CONNECT:
    default:
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                   _("Timed out connecting to %s"), description);
      break;
    }
}

/* Waits until @fd is readable (WAIT_READ) or writable. FALSE with TIMEOUT
 * at @deadline (0: none), or CANCELLED. */
gboolean
dt_redis_conn_wait_fd (int                 fd,
                       const char         *description,
                       RunContext         *ctx,
                       WaitFor             what,
                       gint64              deadline,
                       GError            **error)
{
  struct pollfd fds[2];
  nfds_t nfds = 1;

  fds[0].fd = fd;
  fds[0].events = what == WAIT_READ ? POLLIN : POLLOUT;
  if (ctx->cancellable != NULL)
    {
      if (!ctx->have_cancel_fd)
        ctx->have_cancel_fd = g_cancellable_make_pollfd (ctx->cancellable, &ctx->cancel_fd);
      if (ctx->have_cancel_fd)
        {
          fds[1].fd = ctx->cancel_fd.fd;
          fds[1].events = POLLIN;
          nfds = 2;
        }
    }

  for (;;)
    {
      int timeout_ms = -1;
      int n;

      if (deadline != 0)
        {
          gint64 remaining = deadline - g_get_monotonic_time ();

          if (remaining <= 0)
            {
              set_wait_timeout_error (what, description, error);
              return FALSE;
            }
          /* Round up, or the last millisecond would spin. */
          timeout_ms = (int) MIN ((remaining + 999) / 1000, G_MAXINT);
        }

      fds[0].revents = 0;
      if (nfds == 2)
        fds[1].revents = 0;
      n = poll (fds, nfds, timeout_ms);
      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                       _("Lost the connection to %s: %s"), description, g_strerror (errsv));
          return FALSE;
        }
      if (nfds == 2 && fds[1].revents != 0 &&
          g_cancellable_set_error_if_cancelled (ctx->cancellable, error))
        return FALSE;
      /* POLLERR and POLLHUP too: the next call says what. */
      if (fds[0].revents != 0)
        return TRUE;
    }
}

static gboolean
wait_socket (DtRedisConnection  *self,
             RunContext         *ctx,
             short               events,
             gint64              deadline,
             GError            **error)
{
  return dt_redis_conn_wait_fd (self->fd, self->description, ctx,
                  events == POLLIN ? WAIT_READ : WAIT_WRITE, deadline, error);
}

static gboolean
plain_send_all (DtRedisConnection  *self,
                RunContext         *ctx,
                const guint8       *data,
                gsize               len,
                GError            **error)
{
  /* Without a cancellable to watch, a blocking send() is bounded by
   * SO_SNDTIMEO; otherwise wait in poll() with the cancellable. */
  int flags = MSG_NOSIGNAL | (self->fd_blocking && ctx->cancellable == NULL ? 0 : MSG_DONTWAIT);
  gint64 deadline = g_get_monotonic_time () + self->endpoint->socket_timeout_us;
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = send (self->fd, data + done, len - done, flags);
      int errsv;

      if (n >= 0)
        {
          done += (gsize) n;
          ctx->sent = TRUE;
          /* Short: SO_SNDTIMEO or a signal cut it; poll for the rest. */
          flags |= MSG_DONTWAIT;
          continue;
        }

      errsv = errno;
      if (errsv == EINTR)
        continue;
      if (would_block (errsv))
        {
          flags |= MSG_DONTWAIT;
          if (!wait_socket (self, ctx, POLLOUT, deadline, error))
            return FALSE;
          continue;
        }
      set_errno_error (self, errsv, error);
      return FALSE;
    }

  return TRUE;
}

/* One read into self->buf: > 0 bytes, 0 at EOF, -1 on error. @first: the
 * command's first read, when nothing can have arrived yet. */
static gssize
plain_receive (DtRedisConnection  *self,
               RunContext         *ctx,
               gboolean            first,
               GError            **error)
{
  gboolean wait_first = first;

  if (first && self->fd_blocking && ctx->cancellable == NULL)
    {
      gint64 timeout_us = ctx->deadline != 0 ? ctx->deadline - ctx->now : 0;
      ssize_t n;
      int errsv;

      /* Usually equal (socket-timeout): a system call only around
       * blocking commands, whose deadline is longer. */
      if (timeout_us != self->rcvtimeo_us)
        {
          if (!set_timeout_option (self, SO_RCVTIMEO, timeout_us, error))
            return -1;
          self->rcvtimeo_us = timeout_us;
        }

      n = recv (self->fd, self->buf, READ_BUF_SIZE, 0);
      if (n >= 0)
        return n;

      errsv = errno;
      if (!would_block (errsv) && errsv != EINTR)
        {
          set_errno_error (self, errsv, error);
          return -1;
        }
      /* SO_RCVTIMEO ran out, or a signal: the deadline decides. */
    }

  for (;;)
    {
      ssize_t n;
      int errsv;

      if (wait_first && !wait_socket (self, ctx, POLLIN, ctx->deadline, error))
        return -1;

      n = recv (self->fd, self->buf, READ_BUF_SIZE, MSG_DONTWAIT);
      if (n >= 0)
        return n;

      errsv = errno;
      if (errsv == EINTR)
        {
          wait_first = FALSE;
          continue;
        }
      if (would_block (errsv))
        {
          wait_first = TRUE;
          continue;
        }
      set_errno_error (self, errsv, error);
      return -1;
    }
}

static gboolean
stream_send_all (DtRedisConnection  *self,
                 RunContext         *ctx,
                 const guint8       *data,
                 gsize               len,
                 GError            **error)
{
  gint64 deadline = g_get_monotonic_time () + self->endpoint->socket_timeout_us;
  gsize done = 0;

  while (done < len)
    {
      GError *local_error = NULL;
      gssize n;

      n = g_pollable_output_stream_write_nonblocking (G_POLLABLE_OUTPUT_STREAM (self->output),
                                                      data + done, len - done, NULL, &local_error);
      if (n >= 0)
        {
          done += (gsize) n;
          ctx->sent = TRUE;
          continue;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, dt_redis_conn_wrap_error_full (self->description, local_error, FALSE));
          return FALSE;
        }
      g_error_free (local_error);
      if (!wait_socket (self, ctx, POLLOUT, deadline, error))
        return FALSE;
    }

  return TRUE;
}

static gssize
stream_receive (DtRedisConnection  *self,
                RunContext         *ctx,
                GError            **error)
{
  for (;;)
    {
      GError *local_error = NULL;
      gssize n;

      /* Read before polling: the TLS layer may hold decrypted bytes that
       * the socket no longer shows. */
      n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->input),
                                                    self->buf, READ_BUF_SIZE, NULL, &local_error);
      if (n >= 0)
        return n;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, dt_redis_conn_wrap_error_full (self->description, local_error, FALSE));
          return -1;
        }
      g_error_free (local_error);
      if (!wait_socket (self, ctx, POLLIN, ctx->deadline, error))
        return -1;
    }
}

static gint64
reply_deadline (DtRedisConnection    *self,
                const DtRedisCommand *cmd,
                gint64                now)
{
  return cmd != NULL ? dt_redis_command_deadline (cmd, now, self->endpoint->socket_timeout_us)
                     : now + self->endpoint->socket_timeout_us;
}

GError *
dt_redis_connection_maybe_executed_error (const GError *error)
{
  if (error->domain != DT_REDIS_ERROR)
    return g_error_copy (error);

  return g_error_new (error->domain, error->code,
                      /* Translators: %s is the reason the command failed */
                      _("%s (after the command was sent: it may have been executed)"),
                      error->message);
}

/* A failure once the command was handed to the socket: the server may
 * have run it, and the caller must know before trying again. */
static void
note_maybe_executed (GError **error)
{
  GError *original;

  if (error == NULL || *error == NULL)
    return;

  original = *error;
  *error = dt_redis_connection_maybe_executed_error (original);
  g_error_free (original);
}

/* Writes @payload, reads @n_replies replies. Each reply has its own
 * deadline (@cmd's, socket-timeout when NULL), which holds even while
 * bytes keep arriving. Marks the connection broken on failure, and when
 * bytes nobody asked for follow the last reply. */
gboolean
dt_redis_conn_exchange (DtRedisConnection     *self,
                        const guint8          *payload,
                        gsize                  len,
                        guint                  n_replies,
                        DtRedisReply         **replies,
                        const DtRedisCommand  *cmd,
                        GCancellable          *cancellable,
                        GError               **error)
{
  RunContext ctx = { .cancellable = cancellable };
  gboolean tls = is_tls (self);
  gboolean received = FALSE;
  guint got = 0;

  if (tls ? !stream_send_all (self, &ctx, payload, len, error)
          : !plain_send_all (self, &ctx, payload, len, error))
    goto fail;

  ctx.now = g_get_monotonic_time ();
  ctx.deadline = reply_deadline (self, cmd, ctx.now);

  while (got < n_replies)
    {
      DtRedisReply *reply = NULL;
      gssize n;

      if (!dt_redis_resp_reader_pop (self->reader, &reply, error))
        goto fail;
      if (reply != NULL)
        {
          replies[got++] = reply;
          if (got < n_replies)
            {
              ctx.now = g_get_monotonic_time ();
              ctx.deadline = reply_deadline (self, cmd, ctx.now);
            }
          continue;
        }

      /* A server that never stops sending is no better than a silent
       * one; the first read is bounded by SO_RCVTIMEO or poll(). */
      if (received && ctx.deadline != 0 && g_get_monotonic_time () >= ctx.deadline)
        {
          set_wait_timeout_error (WAIT_READ, self->description, error);
          goto fail;
        }

      n = tls ? stream_receive (self, &ctx, error) : plain_receive (self, &ctx, !received, error);
      if (n < 0)
        goto fail;
      if (n == 0)
        {
          g_propagate_error (error, dt_redis_conn_closed_error (self->description));
          goto fail;
        }
      received = TRUE;

      if (!dt_redis_resp_reader_feed (self->reader, (const char *) self->buf, (gsize) n, error))
        goto fail;
    }

  /* Bytes after the last reply answer nothing we sent: they would be
   * taken for the next command's reply. The replies are good; the
   * connection is not. */
  if (dt_redis_resp_reader_has_buffered (self->reader))
    {
      dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_STRAY);
    }

  dt_redis_run_context_clear (&ctx);
  self->last_used = ctx.now;

  return TRUE;

fail:
  dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_BROKEN);
  if (ctx.sent && cmd != NULL)
    note_maybe_executed (error);
  for (guint i = 0; i < got; i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
  dt_redis_run_context_clear (&ctx);

  return FALSE;
}

/* Only a READY connection takes commands: nothing is sent. */
static gboolean
check_usable (DtRedisConnection  *self,
              GError            **error)
{
  if (self->state == DT_REDIS_CONNECTION_READY)
    return TRUE;
  if (self->state == DT_REDIS_CONNECTION_RETIRED)
    g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                 _("The connection to %s was retired: it carries session state"),
                 self->description);
  else
    g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                 _("The connection to %s is broken"), self->description);
  return FALSE;
}

gboolean
dt_redis_connection_run (DtRedisConnection     *self,
                         const DtRedisCommand  *cmd,
                         DtRedisReply         **replies,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cmd != NULL, FALSE);
  g_return_val_if_fail (replies != NULL || cmd->n_replies == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_usable (self, error))
    return FALSE;
  /* Nothing is sent yet: the connection stays usable. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return dt_redis_conn_exchange (self, cmd->payload.data, cmd->payload.len, cmd->n_replies,
                   replies, cmd, cancellable, error);
}

gboolean
dt_redis_connection_is_stale (DtRedisConnection *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  if (self->state != DT_REDIS_CONNECTION_READY || self->pid != dt_redis_connection_current_pid ())
    return TRUE;

  /* Bytes nobody asked for: the next reply would be misread. */
  if (dt_redis_resp_reader_has_buffered (self->reader))
    {
      dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_STRAY);
      return TRUE;
    }

  if (is_tls (self))
    {
      g_autoptr(GError) error = NULL;
      guint8 byte;

      /* Not a peek at the socket: TLS 1.3 servers send session tickets
       * after the handshake, which the TLS layer consumes here. */
      if (g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->input),
                                                    &byte, 1, NULL, &error) < 0 &&
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return FALSE;
    }
  else
    {
      guint8 byte;
      ssize_t n = recv (self->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);

      if (n < 0 && (would_block (errno) || errno == EINTR))
        return FALSE;
    }

  /* EOF, an error, or stray bytes. */
  dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_BROKEN);
  return TRUE;
}

/* The pollable engines' read */

DtRedisReadResult
dt_redis_connection_read_available (DtRedisConnection  *self,
                                    guint8             *buf,
                                    gsize               size,
                                    gsize              *n_read,
                                    GError            **error)
{
  GError *local_error = NULL;
  gssize n;

  *n_read = 0;
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (self->input),
                                                buf, size, NULL, &local_error);
  if (n < 0 && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    {
      g_error_free (local_error);
      return DT_REDIS_READ_NOTHING;
    }
  if (n <= 0)
    {
      g_propagate_error (error, n < 0 ? dt_redis_connection_wrap_error (self, local_error)
                                      : dt_redis_conn_closed_error (self->description));
      return DT_REDIS_READ_LOST;
    }
  *n_read = (gsize) n;
  if (!dt_redis_resp_reader_feed (self->reader, (const char *) buf, (gsize) n, error))
    return DT_REDIS_READ_BAD_DATA;
  return DT_REDIS_READ_FED;
}

/* Push mode (MONITOR) */

gboolean
dt_redis_connection_send (DtRedisConnection     *self,
                          const DtRedisCommand  *cmd,
                          GCancellable          *cancellable,
                          GError               **error)
{
  RunContext ctx = { .cancellable = cancellable };
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cmd != NULL, FALSE);

  if (!check_usable (self, error))
    return FALSE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  ok = is_tls (self) ? stream_send_all (self, &ctx, cmd->payload.data, cmd->payload.len, error)
                     : plain_send_all (self, &ctx, cmd->payload.data, cmd->payload.len, error);
  if (!ok)
    {
      dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_BROKEN);
      if (ctx.sent)
        note_maybe_executed (error);
    }
  dt_redis_run_context_clear (&ctx);
  return ok;
}

gboolean
dt_redis_connection_read_pushed (DtRedisConnection  *self,
                                 gint64              deadline,
                                 DtRedisReply      **reply,
                                 GCancellable       *cancellable,
                                 GError            **error)
{
  RunContext ctx = { .cancellable = cancellable, .deadline = deadline };
  gboolean tls;
  GError *local_error = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (reply != NULL, FALSE);

  *reply = NULL;
  if (!check_usable (self, error))
    return FALSE;

  tls = is_tls (self);
  for (;;)
    {
      gssize n;

      if (!dt_redis_resp_reader_pop (self->reader, reply, &local_error))
        break;
      if (*reply != NULL)
        return TRUE;
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        break;

      ctx.now = g_get_monotonic_time ();
      n = tls ? stream_receive (self, &ctx, &local_error)
              : plain_receive (self, &ctx, FALSE, &local_error);
      if (n == 0)
        local_error = dt_redis_conn_closed_error (self->description);
      if (n <= 0)
        break;
      if (!dt_redis_resp_reader_feed (self->reader, (const char *) self->buf, (gsize) n,
                                      &local_error))
        break;
    }
  dt_redis_run_context_clear (&ctx);

  /* Waiting that ends consumes nothing: bytes of a reply that has not
   * fully arrived stay in the reader for the next call. */
  if (g_error_matches (local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT) &&
      deadline != 0 && g_get_monotonic_time () >= deadline)
    {
      g_error_free (local_error);
      return TRUE;
    }
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_BROKEN);
  g_propagate_error (error, local_error);
  return FALSE;
}
