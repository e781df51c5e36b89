/* dtredis-connection.c: one connection to a Redis server
 *
 * Opening is asynchronous underneath: dt_redis_connection_open() runs
 * dt_redis_connection_open_async() in a private main context, so the
 * connect, the TLS handshake and the Redis handshake are written once and
 * both engines get the same deadlines and error messages.
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

/* hiredis reads 16 KiB at a time too; a reply that fills the buffer makes
 * it grow, up to READ_BUF_MAX, for the rest of that command only. */
#define READ_BUF_SIZE ((gsize) 16 * 1024)
#define READ_BUF_MAX  ((gsize) 1024 * 1024)

/* The process id, cached: glibc's getpid() is a system call, and the pool
 * asks for it on every command. */
static pid_t current_pid;
static pid_t first_pid;

static void
refresh_pid_in_child (void)
{
  current_pid = getpid ();
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

static GError *
new_closed_error (const char *description)
{
  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                      _("The server at %s closed the connection"), description);
}

/* Maps a GIO error of connect (@connecting) or of I/O to DT_REDIS_ERROR. */
static GError *
wrap_error (const char *description,
            GError     *error,
            gboolean    connecting)
{
  GError *wrapped;

  if (error->domain == DT_REDIS_ERROR ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_EOF))
    wrapped = new_closed_error (description);
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

  return wrap_error (self->description, error, FALSE);
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

static DtRedisConnection *
connection_new (DtRedisEndpoint *endpoint)
{
  DtRedisConnection *self = g_new0 (DtRedisConnection, 1);

  self->endpoint = dt_redis_endpoint_ref (endpoint);
  self->description = dt_redis_endpoint_describe (endpoint);
  self->reader = dt_redis_resp_reader_new (endpoint->max_bulk_len, endpoint->max_elements);
  self->buf_size = READ_BUF_SIZE;
  self->buf = g_malloc (self->buf_size);
  self->fd = -1;
  self->created_at = self->last_used = g_get_monotonic_time ();
  self->pid = dt_redis_connection_current_pid ();

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
      (self->broken || self->pid != dt_redis_connection_current_pid ()))
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

static void
setup_socket (DtRedisConnection *self,
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

static void
set_stream (DtRedisConnection *self,
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
static gboolean
make_blocking (DtRedisConnection  *self,
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

/* The Redis handshake, shared by both ways of opening */

typedef struct
{
  GByteArray *payload;
  guint       n_replies;
} Handshake;

static void
append_command (GByteArray *out,
                guint       argc,
                const char *argv0,
                const char *argv1,
                const char *argv2)
{
  const char *argv[3] = { argv0, argv1, argv2 };
  gsize lens[3];

  for (guint i = 0; i < argc; i++)
    lens[i] = strlen (argv[i]);
  dt_redis_resp_append_command (out, argc, argv, lens);
}

/* AUTH, SELECT and CLIENT SETNAME in one buffer: one write, one round trip. */
static void
handshake_init (Handshake       *hs,
                DtRedisEndpoint *endpoint)
{
  hs->payload = g_byte_array_new ();
  hs->n_replies = 0;

  if (endpoint->password != NULL || endpoint->username != NULL)
    {
      /* A user without a password is an ACL user with nopass, which
       * accepts any password. */
      if (endpoint->username != NULL)
        append_command (hs->payload, 3, "AUTH", endpoint->username,
                        endpoint->password != NULL ? endpoint->password : "");
      else
        append_command (hs->payload, 2, "AUTH", endpoint->password, NULL);
      hs->n_replies++;
    }

  if (endpoint->db != 0)
    {
      char db[16];

      g_snprintf (db, sizeof db, "%u", endpoint->db);
      append_command (hs->payload, 2, "SELECT", db, NULL);
      hs->n_replies++;
    }

  if (endpoint->client_name != NULL)
    {
      append_command (hs->payload, 3, "CLIENT", "SETNAME", endpoint->client_name);
      hs->n_replies++;
    }
}

static void
handshake_clear (Handshake *hs)
{
  /* The payload holds the password. */
  if (hs->payload != NULL && hs->payload->len > 0)
    memset (hs->payload->data, 0, hs->payload->len);
  g_clear_pointer (&hs->payload, g_byte_array_unref);
}

/* @text with the password, should a server ever echo it, masked. */
static char *
scrub_password (const char *text,
                const char *password)
{
  g_auto(GStrv) parts = NULL;

  if (password == NULL || *password == '\0' || strstr (text, password) == NULL)
    return g_strdup (text);

  parts = g_strsplit (text, password, -1);
  return g_strjoinv ("***", parts);
}

/* The error for a handshake reply, NULL when it is no error. */
static GError *
handshake_check_reply (DtRedisEndpoint *endpoint,
                       DtRedisReply    *reply)
{
  g_autofree char *scrubbed = NULL;

  if (!dt_redis_reply_is_error (reply))
    return NULL;

  scrubbed = scrub_password (dt_redis_reply_get_string (reply, NULL), endpoint->password);

  /* Not every refusal of AUTH is about the credentials: a full server
   * answers "max number of clients", a starting one LOADING. */
  return g_error_new_literal (DT_REDIS_ERROR, dt_redis_value_error_code_for_text (scrubbed, TRUE),
                              scrubbed);
}

/* Blocking I/O */

typedef struct
{
  GCancellable *cancellable;
  GPollFD       cancel_fd;
  gboolean      have_cancel_fd;
  gint64        now;
  gint64        deadline;   /* the reply's; 0: none */
  gboolean      sent;       /* bytes of the command were handed to the socket */
} RunContext;

static void
run_context_clear (RunContext *ctx)
{
  if (ctx->have_cancel_fd)
    g_cancellable_release_fd (ctx->cancellable);
  ctx->have_cancel_fd = FALSE;
}

typedef enum
{
  WAIT_READ,
  WAIT_WRITE,
  WAIT_CONNECT,
} WaitFor;

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
static gboolean
wait_fd (int                 fd,
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
  return wait_fd (self->fd, self->description, ctx,
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

      n = recv (self->fd, self->buf, self->buf_size, 0);
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

      n = recv (self->fd, self->buf, self->buf_size, MSG_DONTWAIT);
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
          g_propagate_error (error, wrap_error (self->description, local_error, FALSE));
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
                                                    self->buf, self->buf_size, NULL, &local_error);
      if (n >= 0)
        return n;
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          g_propagate_error (error, wrap_error (self->description, local_error, FALSE));
          return -1;
        }
      g_error_free (local_error);
      if (!wait_socket (self, ctx, POLLIN, ctx->deadline, error))
        return -1;
    }
}

static void
reset_read_buffer (DtRedisConnection *self)
{
  if (self->buf_size != READ_BUF_SIZE)
    {
      g_free (self->buf);
      self->buf_size = READ_BUF_SIZE;
      self->buf = g_malloc (self->buf_size);
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
static gboolean
exchange (DtRedisConnection     *self,
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
          g_propagate_error (error, new_closed_error (self->description));
          goto fail;
        }
      received = TRUE;

      if (!dt_redis_resp_reader_feed (self->reader, (const char *) self->buf, (gsize) n, error))
        goto fail;

      /* A full buffer means more is coming: read it in fewer calls. */
      if ((gsize) n == self->buf_size && self->buf_size < READ_BUF_MAX)
        {
          g_free (self->buf);
          self->buf_size *= 4;
          self->buf = g_malloc (self->buf_size);
        }
    }

  /* Bytes after the last reply answer nothing we sent: they would be
   * taken for the next command's reply. The replies are good; the
   * connection is not. */
  if (dt_redis_resp_reader_has_buffered (self->reader))
    {
      self->broken = TRUE;
      self->stray = TRUE;
    }

  run_context_clear (&ctx);
  reset_read_buffer (self);
  self->last_used = ctx.now;

  return TRUE;

fail:
  self->broken = TRUE;
  if (ctx.sent && cmd != NULL)
    note_maybe_executed (error);
  for (guint i = 0; i < got; i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
  run_context_clear (&ctx);
  reset_read_buffer (self);

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

  if (self->broken)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                   _("The connection to %s is broken"), self->description);
      return FALSE;
    }
  /* Nothing is sent yet: the connection stays usable. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  return exchange (self, cmd->payload->data, cmd->payload->len, cmd->n_replies,
                   replies, cmd, cancellable, error);
}

gboolean
dt_redis_connection_is_stale (DtRedisConnection *self)
{
  g_return_val_if_fail (self != NULL, TRUE);

  if (self->broken || self->pid != dt_redis_connection_current_pid ())
    return TRUE;

  /* Bytes nobody asked for: the next reply would be misread. */
  if (dt_redis_resp_reader_has_buffered (self->reader))
    {
      self->broken = TRUE;
      self->stray = TRUE;
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
  self->broken = TRUE;
  return TRUE;
}

/* Opening, asynchronously
 *
 * GIO does the work: GSocketClient, the TLS handshake, stream reads and
 * writes, all on the thread-default main context. One timer bounds the
 * connect and the TLS handshake (connect-timeout), then the handshake
 * replies (socket-timeout).
 */

/* How long an operation may take to report its cancellation before the
 * open gives up on it. Only a broken process needs this: in a child of
 * fork(), GLib's thread pool may count threads the child does not have,
 * and a TLS handshake (or a DNS lookup) queued there never runs. */
#define ABANDON_GRACE_MS 1000

typedef enum
{
  PHASE_CONNECT,
  PHASE_TLS,
  PHASE_HANDSHAKE,
} OpenPhase;

typedef struct
{
  DtRedisConnection    *conn;
  /* Ours: cancelled by the caller's cancellable and by the timer, so a
   * timeout can be told from a cancellation. */
  GCancellable         *cancellable;
  GCancellable         *caller_cancellable;
  gulong                cancel_id;
  GSource              *timer;
  gboolean              timed_out;
  gboolean              abandoned; /* returned while an operation is pending */
  OpenPhase             phase;
  Handshake             handshake;
  guint                 n_got;
  GTlsCertificateFlags  tls_errors;
} OpenData;

static void
stop_timer (OpenData *data)
{
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_clear_pointer (&data->timer, g_source_unref);
    }
}

static void
open_data_free (OpenData *data)
{
  stop_timer (data);
  if (data->cancel_id != 0)
    g_cancellable_disconnect (data->caller_cancellable, data->cancel_id);
  g_clear_object (&data->caller_cancellable);
  g_clear_object (&data->cancellable);
  handshake_clear (&data->handshake);
  g_clear_pointer (&data->conn, dt_redis_connection_free);
  g_free (data);
}

static void
caller_cancelled_cb (GCancellable *caller,
                     GCancellable *ours)
{
  g_cancellable_cancel (ours);
}

static GError *
new_timeout_error (OpenData *data)
{
  const char *description = data->conn->description;

  switch (data->phase)
    {
    case PHASE_HANDSHAKE:
      return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                          _("Timed out waiting for %s to answer the connection handshake"),
                          description);
    case PHASE_TLS:
      /* Typically a plain server, waiting for the end of a line. */
      return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                          _("Timed out in the TLS handshake with %s; is TLS enabled on that port?"),
                          description);
    case PHASE_CONNECT:
    default:
      return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                          _("Timed out connecting to %s"), description);
    }
}

static void arm_timer (GTask  *task,
                       gint64  timeout_us);

static gboolean
open_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  OpenData *data = g_task_get_task_data (task);

  if (!data->timed_out)
    {
      /* The pending operation ends with CANCELLED, which open_fail()
       * turns into a timeout. */
      data->timed_out = TRUE;
      g_cancellable_cancel (data->cancellable);
      arm_timer (task, ABANDON_GRACE_MS * 1000);
      return G_SOURCE_REMOVE;
    }

  /* It did not: answer now and let its callback, if it ever comes, drop
   * the task. */
  data->abandoned = TRUE;
  g_clear_pointer (&data->timer, g_source_unref);
  if (dt_redis_connection_current_pid () != first_pid)
    g_task_return_new_error (task, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                             _("Timed out connecting to %s: the operation never ran, "
                               "as GLib’s worker threads do not survive fork(); "
                               "open TLS connections in the parent or before it uses them"),
                             data->conn->description);
  else
    g_task_return_error (task, new_timeout_error (data));

  return G_SOURCE_REMOVE;
}

static void
arm_timer (GTask  *task,
           gint64  timeout_us)
{
  OpenData *data = g_task_get_task_data (task);

  stop_timer (data);
  /* Round up: a deadline that fires early would be a false timeout. */
  data->timer = g_timeout_source_new ((guint) CLAMP ((timeout_us + 999) / 1000, 0, G_MAXUINT));
  /* The task outlives the source: open_data_free() destroys it. */
  g_source_set_callback (data->timer, open_timer_cb, task, NULL);
  g_source_set_static_name (data->timer, "[dtredis] connect deadline");
  g_source_attach (data->timer, g_task_get_context (task));
}

/* For each callback, first thing: TRUE (and the task dropped) when the
 * open already answered without this operation. */
static gboolean
open_was_abandoned (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);

  if (!data->abandoned)
    return FALSE;

  g_object_unref (task);
  return TRUE;
}

static char *
describe_certificate_errors (GTlsCertificateFlags  flags,
                             const char           *host)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    g_ptr_array_add (parts, g_strdup (_("it is not signed by a trusted certificate authority")));
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    g_ptr_array_add (parts, g_strdup_printf (_("it is not valid for the host name “%s”"), host));
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    g_ptr_array_add (parts, g_strdup (_("it is not valid yet")));
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    g_ptr_array_add (parts, g_strdup (_("it has expired")));
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    g_ptr_array_add (parts, g_strdup (_("it has been revoked")));
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    g_ptr_array_add (parts, g_strdup (_("it uses an insecure algorithm")));
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup (_("it is invalid")));
  g_ptr_array_add (parts, NULL);

  return g_strjoinv ("; ", (char **) parts->pdata);
}

static void
open_fail (GTask  *task,
           GError *error)
{
  OpenData *data = g_task_get_task_data (task);

  stop_timer (data);
  /* No goodbye on a failed open: close the socket, not the TLS session. */
  data->conn->broken = TRUE;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) && data->timed_out)
    {
      g_clear_error (&error);
      error = new_timeout_error (data);
    }
  else if (data->phase == PHASE_TLS && data->tls_errors != 0 &&
           g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
    {
      g_autofree char *why = describe_certificate_errors (data->tls_errors,
                                                          data->conn->endpoint->host);

      g_clear_error (&error);
      error = g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                           _("The TLS certificate of %s was refused: %s"),
                           data->conn->description, why);
    }
  else
    {
      error = wrap_error (data->conn->description, error, data->phase != PHASE_HANDSHAKE);
    }

  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
open_succeed (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);
  DtRedisConnection *conn = g_steal_pointer (&data->conn);

  stop_timer (data);
  conn->created_at = conn->last_used = g_get_monotonic_time ();
  g_task_return_pointer (task, conn, (GDestroyNotify) dt_redis_connection_free);
  g_object_unref (task);
}

static void handshake_read (GTask *task);

static void
handshake_read_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  OpenData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (open_was_abandoned (task))
    {
      g_clear_error (&error);
      return;
    }
  if (n < 0)
    {
      open_fail (task, error);
      return;
    }
  if (n == 0)
    {
      open_fail (task, new_closed_error (data->conn->description));
      return;
    }

  if (!dt_redis_resp_reader_feed (data->conn->reader, (const char *) data->conn->buf, (gsize) n, &error))
    {
      open_fail (task, error);
      return;
    }

  while (data->n_got < data->handshake.n_replies)
    {
      g_autoptr(DtRedisReply) reply = NULL;

      if (!dt_redis_resp_reader_pop (data->conn->reader, &reply, &error))
        {
          open_fail (task, error);
          return;
        }
      if (reply == NULL)
        {
          handshake_read (task);
          return;
        }
      error = handshake_check_reply (data->conn->endpoint, reply);
      if (error != NULL)
        {
          open_fail (task, error);
          return;
        }
      data->n_got++;
    }

  open_succeed (task);
}

static void
handshake_read (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->conn->input, data->conn->buf, data->conn->buf_size,
                             g_task_get_priority (task), data->cancellable,
                             handshake_read_cb, task);
}

static void
handshake_written_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  gboolean ok;

  ok = g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  if (open_was_abandoned (task))
    {
      g_clear_error (&error);
      return;
    }
  if (!ok)
    {
      open_fail (task, error);
      return;
    }

  handshake_read (task);
}

static void
start_handshake (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);

  data->phase = PHASE_HANDSHAKE;
  handshake_init (&data->handshake, data->conn->endpoint);
  if (data->handshake.n_replies == 0)
    {
      open_succeed (task);
      return;
    }

  /* The handshake replies are ordinary replies: socket-timeout applies. */
  arm_timer (task, data->conn->endpoint->socket_timeout_us);
  g_output_stream_write_all_async (data->conn->output,
                                   data->handshake.payload->data, data->handshake.payload->len,
                                   g_task_get_priority (task), data->cancellable,
                                   handshake_written_cb, task);
}

static void
tls_handshake_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  OpenData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gboolean ok;

  /* The handler points at @data, which does not outlive the open. */
  g_signal_handlers_disconnect_by_data (source, data);

  ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  if (open_was_abandoned (task))
    {
      g_clear_error (&error);
      return;
    }
  if (!ok)
    {
      open_fail (task, error);
      return;
    }

  start_handshake (task);
}

static gboolean
accept_certificate_cb (GTlsConnection       *tls,
                       GTlsCertificate      *peer_certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  OpenData *data = user_data;

  /* Only called when verification failed: keep why, for the message. */
  data->tls_errors = errors;

  return data->conn->endpoint->tls_insecure;
}

static void
warn_insecure_once (void)
{
  static gsize warned = 0;

  if (g_once_init_enter (&warned))
    {
      g_warning ("tls-insecure is set: TLS certificates and host names are not verified, "
                 "so the connection can be intercepted");
      g_once_init_leave (&warned, 1);
    }
}

static gboolean
start_tls (GTask   *task,
           GError **error)
{
  OpenData *data = g_task_get_task_data (task);
  DtRedisConnection *conn = data->conn;
  DtRedisEndpoint *endpoint = conn->endpoint;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) local_error = NULL;

  data->phase = PHASE_TLS;

  /* The identity is the host name as given, so that the certificate is
   * checked against it (and SNI carries it). */
  identity = g_network_address_new (endpoint->host, endpoint->port);
  tls = g_tls_client_connection_new (G_IO_STREAM (conn->socket_connection), identity, &local_error);
  if (tls == NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                   _("TLS is not available for %s: %s"), conn->description, local_error->message);
      return FALSE;
    }

  if (endpoint->tls_ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (endpoint->tls_ca_file, &local_error);

      if (database == NULL)
        {
          g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                       _("Could not load the CA certificates from “%s”: %s"),
                       endpoint->tls_ca_file, local_error->message);
          return FALSE;
        }
      g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
    }

  if (endpoint->tls_cert_file != NULL)
    {
      const char *key_file = endpoint->tls_key_file != NULL ? endpoint->tls_key_file : endpoint->tls_cert_file;
      g_autoptr(GTlsCertificate) certificate = g_tls_certificate_new_from_files (endpoint->tls_cert_file,
                                                                                 key_file, &local_error);

      if (certificate == NULL)
        {
          g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                       _("Could not load the TLS client certificate “%s”: %s"),
                       endpoint->tls_cert_file, local_error->message);
          return FALSE;
        }
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), certificate);
    }

  if (endpoint->tls_insecure)
    warn_insecure_once ();
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), data);

  set_stream (conn, g_steal_pointer (&tls));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (conn->stream), g_task_get_priority (task),
                                    data->cancellable, tls_handshake_cb, task);

  return TRUE;
}

/* The socket is connected: TLS if asked for, then the Redis handshake. */
static void
open_connected (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (data->conn->endpoint->tls)
    {
      if (!start_tls (task, &error))
        open_fail (task, error);
      return;
    }

  set_stream (data->conn, G_IO_STREAM (g_object_ref (data->conn->socket_connection)));
  start_handshake (task);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  OpenData *data = g_task_get_task_data (task);
  GSocketConnection *socket_connection;
  GError *error = NULL;

  socket_connection = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (open_was_abandoned (task))
    {
      g_clear_object (&socket_connection);
      g_clear_error (&error);
      return;
    }
  if (socket_connection == NULL)
    {
      open_fail (task, error);
      return;
    }

  setup_socket (data->conn, socket_connection);
  open_connected (task);
}

static GTask *
open_task_new (DtRedisConnection   *conn,
               GCancellable        *cancellable,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GTask *task;
  OpenData *data;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_connection_open_async);
  g_task_set_name (task, "[dtredis] open connection");

  data = g_new0 (OpenData, 1);
  data->conn = conn;
  data->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);

  if (cancellable != NULL)
    {
      data->caller_cancellable = g_object_ref (cancellable);
      /* Runs at once if already cancelled. */
      data->cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                               g_object_ref (data->cancellable), g_object_unref);
    }

  return task;
}

void
dt_redis_connection_open_async (DtRedisEndpoint     *endpoint,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnectable) connectable = NULL;
  GTask *task;
  OpenData *data;

  g_return_if_fail (endpoint != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = open_task_new (connection_new (endpoint), cancellable, callback, user_data);
  data = g_task_get_task_data (task);

  if (endpoint->unix_path != NULL)
    connectable = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (endpoint->unix_path));
  else
    connectable = g_network_address_new (endpoint->host, endpoint->port);

  client = g_socket_client_new ();
  /* Our timer bounds the connect and the TLS handshake together; the
   * client's own timeout would also stay on the socket as an I/O timeout.
   * A Redis server is reached directly, never through a desktop proxy. */
  g_socket_client_set_timeout (client, 0);
  g_socket_client_set_enable_proxy (client, FALSE);

  data->phase = PHASE_CONNECT;
  arm_timer (task, endpoint->connect_timeout_us);
  g_socket_client_connect_async (client, connectable, data->cancellable, connected_cb, task);
}

DtRedisConnection *
dt_redis_connection_open_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_connection_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Opening, blocking
 *
 * In the caller's thread with no help from GLib's thread pool (which
 * GResolver and GSocketClient use): that pool is unusable in a child of
 * fork(), the very place a pool has to open new connections. So names are
 * resolved with getaddrinfo() and sockets connected here; only TLS, which
 * glib-networking runs on that pool, goes through the asynchronous code in
 * a private main context.
 */

static GList *
resolve (DtRedisConnection  *self,
         GError            **error)
{
  DtRedisEndpoint *endpoint = self->endpoint;
  struct addrinfo hints;
  struct addrinfo *result = NULL;
  GList *addresses = NULL;
  char port[8];
  int rc;

  if (endpoint->unix_path != NULL)
    return g_list_prepend (NULL, g_unix_socket_address_new (endpoint->unix_path));

  memset (&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  g_snprintf (port, sizeof port, "%u", (guint) endpoint->port);

  rc = getaddrinfo (endpoint->host, port, &hints, &result);
  if (rc != 0)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                   _("Could not connect to %s: %s"), self->description,
                   rc == EAI_SYSTEM ? g_strerror (errno) : gai_strerror (rc));
      return NULL;
    }

  for (struct addrinfo *ai = result; ai != NULL; ai = ai->ai_next)
    {
      GSocketAddress *address = g_socket_address_new_from_native (ai->ai_addr, ai->ai_addrlen);

      if (address != NULL)
        addresses = g_list_prepend (addresses, address);
    }
  freeaddrinfo (result);

  return g_list_reverse (addresses);
}

/* Connects to the first address that answers, within @deadline. */
static GSocket *
connect_socket (DtRedisConnection  *self,
                RunContext         *ctx,
                gint64              deadline,
                GError            **error)
{
  GList *addresses = resolve (self, error);
  GError *last_error = NULL;
  GSocket *connected = NULL;

  if (addresses == NULL)
    return NULL;

  for (GList *l = addresses; l != NULL && connected == NULL; l = l->next)
    {
      GSocketAddress *address = l->data;
      g_autoptr(GSocket) socket = NULL;
      GError *local_error = NULL;

      socket = g_socket_new (g_socket_address_get_family (address), G_SOCKET_TYPE_STREAM,
                             G_SOCKET_PROTOCOL_DEFAULT, &local_error);
      if (socket == NULL)
        {
          g_clear_error (&last_error);
          last_error = wrap_error (self->description, local_error, TRUE);
          continue;
        }

      g_socket_set_blocking (socket, FALSE);
      if (g_socket_connect (socket, address, NULL, &local_error))
        {
          connected = g_steal_pointer (&socket);
          break;
        }
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_PENDING))
        {
          g_clear_error (&last_error);
          last_error = wrap_error (self->description, local_error, TRUE);
          continue;
        }
      g_clear_error (&local_error);

      /* A timeout or a cancellation ends the whole attempt. */
      if (!wait_fd (g_socket_get_fd (socket), self->description, ctx, WAIT_CONNECT, deadline,
                    &local_error))
        {
          g_clear_error (&last_error);
          last_error = local_error;
          break;
        }
      if (!g_socket_check_connect_result (socket, &local_error))
        {
          g_socket_close (socket, NULL);
          g_clear_error (&last_error);
          last_error = wrap_error (self->description, local_error, TRUE);
          continue;
        }
      connected = g_steal_pointer (&socket);
    }

  g_list_free_full (addresses, g_object_unref);

  if (connected == NULL)
    {
      g_propagate_error (error, last_error);
      return NULL;
    }
  g_clear_error (&last_error);

  return connected;
}

static gboolean
handshake_sync (DtRedisConnection  *self,
                GCancellable       *cancellable,
                GError            **error)
{
  Handshake hs;
  DtRedisReply *replies[3] = { NULL, };
  gboolean ok = TRUE;

  handshake_init (&hs, self->endpoint);
  g_assert (hs.n_replies <= G_N_ELEMENTS (replies));

  if (hs.n_replies > 0)
    ok = exchange (self, hs.payload->data, hs.payload->len, hs.n_replies, replies,
                   NULL, cancellable, error);

  for (guint i = 0; ok && i < hs.n_replies; i++)
    {
      GError *reply_error = handshake_check_reply (self->endpoint, replies[i]);

      if (reply_error != NULL)
        {
          g_propagate_error (error, reply_error);
          ok = FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
  handshake_clear (&hs);

  return ok;
}

static void
sync_open_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* TLS and the handshake for a connected @self, through the asynchronous
 * code in a private main context: the caller's sources do not run. */
static DtRedisConnection *
finish_open_with_tls (DtRedisConnection  *self,
                      gint64              deadline,
                      GCancellable       *cancellable,
                      GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;
  DtRedisConnection *conn;
  GTask *task;

  g_main_context_push_thread_default (context);
  task = open_task_new (self, cancellable, sync_open_cb, &result);
  arm_timer (task, MAX (deadline - g_get_monotonic_time (), 1));
  open_connected (task);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  conn = dt_redis_connection_open_finish (result, error);
  /* Let cancelled sub-operations finish before the context goes. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  return conn;
}

DtRedisConnection *
dt_redis_connection_open (DtRedisEndpoint  *endpoint,
                          GCancellable     *cancellable,
                          GError          **error)
{
  DtRedisConnection *self;
  RunContext ctx = { .cancellable = cancellable };
  GSocket *socket;
  gint64 deadline;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = connection_new (endpoint);
  deadline = g_get_monotonic_time () + endpoint->connect_timeout_us;
  socket = connect_socket (self, &ctx, deadline, error);
  run_context_clear (&ctx);
  if (socket == NULL)
    {
      dt_redis_connection_free (self);
      return NULL;
    }

  setup_socket (self, g_socket_connection_factory_create_connection (socket));
  g_object_unref (socket);

  if (endpoint->tls)
    return finish_open_with_tls (self, deadline, cancellable, error);

  set_stream (self, G_IO_STREAM (g_object_ref (self->socket_connection)));
  if (!make_blocking (self, error) || !handshake_sync (self, cancellable, error))
    {
      self->broken = TRUE;
      dt_redis_connection_free (self);
      return NULL;
    }
  self->created_at = self->last_used = g_get_monotonic_time ();

  return self;
}
