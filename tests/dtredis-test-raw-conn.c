/* dtredis-test-raw-conn.c: a tiny blocking RESP client for the test
 * harness, independent of the library under test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-test-raw-conn.h"

#include <string.h>

void
dt_test_raw_conn_close (RawConn *conn)
{
  if (conn->socket != NULL)
    g_socket_close (conn->socket, NULL);
  g_clear_object (&conn->socket);
  if (conn->buf != NULL)
    g_string_free (conn->buf, TRUE);
  conn->buf = NULL;
}

gboolean
dt_test_raw_conn_open (RawConn   *conn,
                       guint16    port,
                       guint      timeout_seconds,
                       GError   **error)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, port);

  conn->pos = 0;
  conn->buf = g_string_new (NULL);
  conn->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                               G_SOCKET_PROTOCOL_TCP, error);
  if (conn->socket == NULL)
    return FALSE;
  g_socket_set_timeout (conn->socket, timeout_seconds);

  return g_socket_connect (conn->socket, address, NULL, error);
}

static gboolean
raw_conn_send (RawConn     *conn,
               const char  *data,
               gsize        len,
               GError     **error)
{
  while (len > 0)
    {
      gssize n = g_socket_send (conn->socket, data, len, NULL, error);

      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static gboolean
raw_conn_fill (RawConn  *conn,
               GError  **error)
{
  char chunk[4096];
  gssize n = g_socket_receive (conn->socket, chunk, sizeof chunk, NULL, error);

  if (n < 0)
    return FALSE;
  if (n == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "redis-server closed the connection");
      return FALSE;
    }
  g_string_append_len (conn->buf, chunk, n);
  return TRUE;
}

/* Reads one "\r\n"-terminated line; returns its length without "\r\n". */
static gssize
raw_conn_read_line (RawConn  *conn,
                    GString  *out,
                    GError  **error)
{
  for (;;)
    {
      const char *start = conn->buf->str + conn->pos;
      const char *crlf = g_strstr_len (start, conn->buf->len - conn->pos, "\r\n");

      if (crlf != NULL)
        {
          gsize len = crlf - start;

          g_string_append_len (out, start, len + 2);
          conn->pos += len + 2;
          return len;
        }
      if (!raw_conn_fill (conn, error))
        return -1;
    }
}

static gboolean
raw_conn_read_exact (RawConn  *conn,
                     GString  *out,
                     gsize     len,
                     GError  **error)
{
  while (conn->buf->len - conn->pos < len)
    if (!raw_conn_fill (conn, error))
      return FALSE;
  g_string_append_len (out, conn->buf->str + conn->pos, len);
  conn->pos += len;
  return TRUE;
}

/* Appends one complete reply, verbatim, to @out. */
static gboolean
raw_conn_read_reply (RawConn  *conn,
                     GString  *out,
                     GError  **error)
{
  gsize line_start = out->len;
  gssize len = raw_conn_read_line (conn, out, error);
  gint64 count, i;
  char type;

  if (len < 0)
    return FALSE;
  if (len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "empty RESP line");
      return FALSE;
    }

  type = out->str[line_start];
  count = g_ascii_strtoll (out->str + line_start + 1, NULL, 10);

  switch (type)
    {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(':
      return TRUE;
    case '$': case '=': case '!':
      return count < 0 || raw_conn_read_exact (conn, out, count + 2, error);
    case '*': case '~': case '>': case '%': case '|':
      if (type == '%' || type == '|')
        count *= 2;
      for (i = 0; i < count; i++)
        if (!raw_conn_read_reply (conn, out, error))
          return FALSE;
      if (type == '|')  /* attributes precede the reply they describe */
        return raw_conn_read_reply (conn, out, error);
      return TRUE;
    default:
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "unknown RESP type byte 0x%02x", (guchar) type);
      return FALSE;
    }
}

static GString *
encode_command (const char * const *argv)
{
  GString *out = g_string_new (NULL);
  guint n = g_strv_length ((char **) argv);
  guint i;

  g_string_append_printf (out, "*%u\r\n", n);
  for (i = 0; i < n; i++)
    {
      g_string_append_printf (out, "$%zu\r\n", strlen (argv[i]));
      g_string_append (out, argv[i]);
      g_string_append (out, "\r\n");
    }
  return out;
}

char *
dt_test_raw_conn_roundtrip (RawConn             *conn,
                            const char * const  *argv,
                            GError             **error)
{
  g_autoptr(GString) request = encode_command (argv);
  g_autoptr(GString) reply = g_string_new (NULL);

  if (!raw_conn_send (conn, request->str, request->len, error)
      || !raw_conn_read_reply (conn, reply, error))
    return NULL;

  return g_string_free (g_steal_pointer (&reply), FALSE);
}

/* Up means it answers PING: +PONG, -NOAUTH when a password is set, or
 * -LOADING while it loads a dump.rdb a test saved (it listens and answers,
 * which is what the test needs: see test-integrity-guards.c). */
