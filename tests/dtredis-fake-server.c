/* dtredis-fake-server.c: an in-process RESP server that misbehaves on purpose
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * One thread accepts, one thread per connection serves it, all with
 * blocking GSockets and one GCancellable that dt_fake_server_free() fires,
 * so no client behaviour can keep the test from finishing.
 */

#include "config.h"

#include "dtredis-fake-server.h"

#include <string.h>

#define MAX_BULK_LEN (512 * 1024 * 1024)

struct _DtFakeServer
{
  DtFakeMode    mode;
  GPtrArray    *replies;      /* GBytes; one entry unless SCRIPT */
  DtFakeHandler handler;      /* HANDLER */
  gpointer      handler_data;
  guint         delay_ms;     /* atomic */

  GSocket      *listener;
  guint16       port;
  GCancellable *cancellable;
  GThread      *accept_thread;

  GMutex        lock;
  GCond         cond;
  gboolean      stopping;
  GPtrArray    *conn_threads; /* GThread */
  GPtrArray    *commands;     /* char *, every command received, args joined by ' ' */
  guint         n_accepted;
  guint         n_commands;
};

typedef struct
{
  DtFakeServer *server;
  GSocket      *socket;
} Connection;

/* Sleeps unless the server stops first; returns FALSE if it did. */
static gboolean
fake_sleep (DtFakeServer *self,
            guint         ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  gboolean stopping;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    if (!g_cond_wait_until (&self->cond, &self->lock, end))
      break;
  stopping = self->stopping;
  g_mutex_unlock (&self->lock);

  return !stopping;
}

static gboolean
send_all (DtFakeServer *self,
          GSocket      *socket,
          GBytes       *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  while (len > 0)
    {
      gssize n = g_socket_send (socket, data, len, self->cancellable, NULL);

      if (n <= 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

static const guint8 *
find_crlf (const guint8 *p,
           const guint8 *end)
{
  for (; p + 1 < end; p++)
    if (p[0] == '\r' && p[1] == '\n')
      return p;
  return NULL;
}

static gboolean
parse_length (const guint8 *p,
              const guint8 *eol,
              gint64       *out)
{
  g_autofree char *text = g_strndup ((const char *) p, eol - p);
  char *endptr = NULL;

  *out = g_ascii_strtoll (text, &endptr, 10);
  return *text != '\0' && endptr != NULL && *endptr == '\0';
}

typedef enum {
  PARSE_INCOMPLETE,
  PARSE_COMMAND,
  PARSE_MALFORMED,
} ParseResult;

/* Takes one command off the front of @buf: a RESP array of bulk strings,
 * or an inline command (one line).  Sets *consumed in all but
 * PARSE_INCOMPLETE; a malformed command is consumed up to its first line end. */
static ParseResult
parse_command (const guint8 *data,
               gsize         len,
               gsize        *consumed,
               GPtrArray    *args)
{
  const guint8 *p = data;
  const guint8 *end = data + len;
  const guint8 *eol = find_crlf (p, end);
  gint64 n, i;

  if (len == 0)
    return PARSE_INCOMPLETE;

  if (data[0] != '*')
    {
      const guint8 *nl = memchr (data, '\n', len);
      g_autofree char *line = NULL;
      g_auto(GStrv) words = NULL;

      if (nl == NULL)
        return PARSE_INCOMPLETE;
      line = g_strstrip (g_strndup ((const char *) data, nl - data));
      words = g_strsplit_set (line, " \t", -1);
      for (i = 0; words[i] != NULL; i++)
        if (*words[i] != '\0')
          g_ptr_array_add (args, g_strdup (words[i]));
      *consumed = nl + 1 - data;
      return PARSE_COMMAND;
    }

  if (eol == NULL)
    return PARSE_INCOMPLETE;
  if (!parse_length (p + 1, eol, &n) || n < 0 || n > 1024 * 1024)
    {
      *consumed = eol + 2 - data;
      return PARSE_MALFORMED;
    }
  p = eol + 2;

  for (i = 0; i < n; i++)
    {
      gint64 blen;

      eol = find_crlf (p, end);
      if (eol == NULL)
        return PARSE_INCOMPLETE;
      if (*p != '$' || !parse_length (p + 1, eol, &blen) || blen < 0 || blen > MAX_BULK_LEN)
        {
          *consumed = eol + 2 - data;
          return PARSE_MALFORMED;
        }
      p = eol + 2;
      if ((gint64) (end - p) < blen + 2)
        return PARSE_INCOMPLETE;
      g_ptr_array_add (args, g_strndup ((const char *) p, blen));
      p += blen + 2;
    }

  *consumed = p - data;
  return PARSE_COMMAND;
}

static guint
record_command (DtFakeServer *self,
                GPtrArray    *args)
{
  char *joined;
  guint index;

  g_ptr_array_add (args, NULL);
  joined = g_strjoinv (" ", (char **) args->pdata);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->commands, joined);
  index = self->n_commands++;
  g_mutex_unlock (&self->lock);

  return index;
}

static gboolean
send_text (DtFakeServer *self,
           GSocket      *socket,
           const char   *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));

  return send_all (self, socket, bytes);
}

/* The answer of STRAY and ENDLESS_LINE to anything but GET. */
static gboolean
answer_plain (DtFakeServer *self,
              GSocket      *socket,
              GPtrArray    *args)
{
  if (args->len > 0 && g_ascii_strcasecmp (g_ptr_array_index (args, 0), "PING") == 0)
    return send_text (self, socket, "+PONG\r\n");
  return send_text (self, socket, "+OK\r\n");
}

static gboolean
is_get (GPtrArray *args)
{
  return args->len == 2 && g_ascii_strcasecmp (g_ptr_array_index (args, 0), "GET") == 0;
}

static gboolean
arg_is (GPtrArray  *args,
        guint       i,
        const char *word)
{
  return i < args->len && g_ascii_strcasecmp (g_ptr_array_index (args, i), word) == 0;
}

/* The answers of a Redis Sentinel that names the payload's "host port". */
static gboolean
answer_sentinel (DtFakeServer *self,
                 GSocket      *socket,
                 GPtrArray    *args)
{
  g_autofree char *text = NULL;

  if (arg_is (args, 0, "SENTINEL") && arg_is (args, 1, "GET-MASTER-ADDR-BY-NAME"))
    {
      g_auto(GStrv) words = NULL;
      g_autofree char *address = NULL;
      const char *data;
      gsize len;

      g_mutex_lock (&self->lock);
      data = g_bytes_get_data (g_ptr_array_index (self->replies, 0), &len);
      address = g_strndup (data, len);
      g_mutex_unlock (&self->lock);
      words = g_strsplit (address, " ", 2);
      text = g_strdup_printf ("*2\r\n$%zu\r\n%s\r\n$%zu\r\n%s\r\n",
                              strlen (words[0]), words[0], strlen (words[1]), words[1]);
    }
  else if (arg_is (args, 0, "SENTINEL"))
    text = g_strdup ("*0\r\n");
  else if (arg_is (args, 0, "SUBSCRIBE") && args->len == 2)
    text = g_strdup_printf ("*3\r\n$9\r\nsubscribe\r\n$%zu\r\n%s\r\n:1\r\n",
                            strlen (g_ptr_array_index (args, 1)),
                            (const char *) g_ptr_array_index (args, 1));
  else
    text = g_strdup ("+OK\r\n");

  return send_text (self, socket, text);
}

/* Acts on the @nth command of a connection (@args: its arguments);
 * FALSE ends the connection.  @n_gets counts the GETs answered on it. */
static gboolean
answer (DtFakeServer *self,
        GSocket      *socket,
        guint         nth,
        GPtrArray    *args,
        guint        *n_gets)
{
  GBytes *reply = self->replies->len > 0 ? g_ptr_array_index (self->replies, 0) : NULL;

  switch (self->mode)
    {
    case DT_FAKE_MODE_REPLY:
    case DT_FAKE_MODE_GARBAGE:
      return send_all (self, socket, reply);

    case DT_FAKE_MODE_DELAY:
      return fake_sleep (self, g_atomic_int_get (&self->delay_ms))
        && send_all (self, socket, reply);

    case DT_FAKE_MODE_TRUNCATE:
      send_all (self, socket, reply);
      return FALSE;

    case DT_FAKE_MODE_DROP:
    case DT_FAKE_MODE_CLOSE:
      return FALSE;

    case DT_FAKE_MODE_SILENT:
      return TRUE;

    case DT_FAKE_MODE_HUGE_BULK:
      {
        g_autoptr(GBytes) x = g_bytes_new_static ("x", 1);

        if (!send_all (self, socket, reply))
          return FALSE;
        while (fake_sleep (self, g_atomic_int_get (&self->delay_ms)))
          if (!send_all (self, socket, x))
            break;
        return FALSE;
      }

    case DT_FAKE_MODE_SCRIPT:
      if (nth < self->replies->len)
        return send_all (self, socket, g_ptr_array_index (self->replies, nth));
      return TRUE;

    case DT_FAKE_MODE_STRAY:
      {
        const char *key;
        g_autofree char *bulk = NULL;

        if (!is_get (args))
          return answer_plain (self, socket, args);
        key = g_ptr_array_index (args, 1);
        bulk = g_strdup_printf ("$%zu\r\n%s\r\n", strlen (key), key);
        if (!send_text (self, socket, bulk))
          return FALSE;
        if ((*n_gets)++ > 0)
          return TRUE;
        /* The unasked reply, on what the client sees as an idle connection. */
        return fake_sleep (self, g_atomic_int_get (&self->delay_ms))
          && send_all (self, socket, reply);
      }

    case DT_FAKE_MODE_ENDLESS_LINE:
      {
        g_autofree char *chunk = NULL;
        g_autoptr(GBytes) a = NULL;

        if (!is_get (args))
          return answer_plain (self, socket, args);
        chunk = g_malloc (64 * 1024);
        memset (chunk, 'a', 64 * 1024);
        a = g_bytes_new_take (g_steal_pointer (&chunk), 64 * 1024);
        if (!send_all (self, socket, reply))
          return FALSE;
        while (send_all (self, socket, a)
               && fake_sleep (self, g_atomic_int_get (&self->delay_ms)))
          ;
        return FALSE;
      }

    case DT_FAKE_MODE_SENTINEL:
      return answer_sentinel (self, socket, args);

    case DT_FAKE_MODE_HANDLER:
      {
        g_autofree char *text = self->handler (self, args, self->handler_data);

        return text != NULL && send_text (self, socket, text);
      }

    default:
      g_assert_not_reached ();
    }
}

/* Sends FIN, then drains what the client still sends for a moment: closing
 * with unread input would send RST, which may hide our last bytes from it. */
static void
finish_connection (DtFakeServer *self,
                   GSocket      *socket)
{
  gint64 deadline = g_get_monotonic_time () + 200 * 1000;

  g_socket_shutdown (socket, FALSE, TRUE, NULL);
  while (g_get_monotonic_time () < deadline)
    {
      char sink[4096];
      gint64 left = deadline - g_get_monotonic_time ();

      if (left <= 0
          || !g_socket_condition_timed_wait (socket, G_IO_IN, left, self->cancellable, NULL)
          || g_socket_receive (socket, sink, sizeof sink, self->cancellable, NULL) <= 0)
        break;
    }
  g_socket_close (socket, NULL);
}

static gpointer
connection_thread (gpointer data)
{
  Connection *conn = data;
  DtFakeServer *self = conn->server;
  g_autoptr(GByteArray) buf = g_byte_array_new ();
  guint nth = 0;
  guint n_gets = 0;
  gboolean alive = self->mode != DT_FAKE_MODE_CLOSE;

  while (alive)
    {
      guint8 chunk[16384];
      gssize n;

      for (;;)
        {
          g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
          gsize consumed = 0;
          ParseResult result = parse_command (buf->data, buf->len, &consumed, args);

          if (result == PARSE_INCOMPLETE)
            break;
          g_byte_array_remove_range (buf, 0, consumed);
          if (result == PARSE_MALFORMED)
            g_ptr_array_add (args, g_strdup ("(malformed)"));
          else if (args->len == 0)
            continue;  /* an empty inline line is no command */

          record_command (self, args);
          g_ptr_array_set_size (args, args->len - 1);  /* record_command's NULL */
          alive = answer (self, conn->socket, nth++, args, &n_gets);
          if (!alive)
            break;
        }
      if (!alive)
        break;

      n = g_socket_receive (conn->socket, (char *) chunk, sizeof chunk,
                            self->cancellable, NULL);
      if (n <= 0)
        break;
      g_byte_array_append (buf, chunk, n);
    }

  finish_connection (self, conn->socket);
  g_object_unref (conn->socket);
  g_free (conn);
  return NULL;
}

static gpointer
accept_thread (gpointer data)
{
  DtFakeServer *self = data;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      GSocket *socket = g_socket_accept (self->listener, self->cancellable, &error);
      Connection *conn;

      if (socket == NULL)
        {
          if (g_cancellable_is_cancelled (self->cancellable))
            break;
          g_usleep (1000);
          continue;
        }

      g_atomic_int_inc (&self->n_accepted);
      conn = g_new0 (Connection, 1);
      conn->server = self;
      conn->socket = socket;

      g_mutex_lock (&self->lock);
      g_ptr_array_add (self->conn_threads,
                       g_thread_new ("dt-fake-conn", connection_thread, conn));
      g_mutex_unlock (&self->lock);
    }

  return NULL;
}

static const char *
default_payload (DtFakeMode mode)
{
  switch (mode)
    {
    case DT_FAKE_MODE_GARBAGE:
      return "!garbage\r\n";
    case DT_FAKE_MODE_TRUNCATE:
      return "$10\r\nabc";
    case DT_FAKE_MODE_HUGE_BULK:
      return "$4294967296\r\n";
    case DT_FAKE_MODE_STRAY:
      return "$5\r\nstray\r\n";
    case DT_FAKE_MODE_ENDLESS_LINE:
      return "+";
    case DT_FAKE_MODE_SENTINEL:
      return "127.0.0.1 1";
    case DT_FAKE_MODE_REPLY:
    case DT_FAKE_MODE_DELAY:
    case DT_FAKE_MODE_SILENT:
    case DT_FAKE_MODE_CLOSE:
    case DT_FAKE_MODE_DROP:
    case DT_FAKE_MODE_SCRIPT:
    case DT_FAKE_MODE_HANDLER:
    default:
      return "+OK\r\n";
    }
}

static DtFakeServer *
fake_server_start (DtFakeMode     mode,
                   GPtrArray     *replies,
                   DtFakeHandler  handler,
                   gpointer       handler_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  DtFakeServer *self = g_new0 (DtFakeServer, 1);

  self->mode = mode;
  self->replies = replies;
  self->handler = handler;
  self->handler_data = handler_data;
  switch (mode)
    {
    case DT_FAKE_MODE_HUGE_BULK:
      self->delay_ms = 50;
      break;
    case DT_FAKE_MODE_STRAY:
      self->delay_ms = 100;
      break;
    case DT_FAKE_MODE_ENDLESS_LINE:
      self->delay_ms = 1;
      break;
    case DT_FAKE_MODE_REPLY:
    case DT_FAKE_MODE_GARBAGE:
    case DT_FAKE_MODE_TRUNCATE:
    case DT_FAKE_MODE_SILENT:
    case DT_FAKE_MODE_CLOSE:
    case DT_FAKE_MODE_DROP:
    case DT_FAKE_MODE_DELAY:
    case DT_FAKE_MODE_SCRIPT:
    case DT_FAKE_MODE_SENTINEL:
    case DT_FAKE_MODE_HANDLER:
    default:
      self->delay_ms = 1000;
      break;
    }
  self->cancellable = g_cancellable_new ();
  self->conn_threads = g_ptr_array_new ();
  self->commands = g_ptr_array_new_with_free_func (g_free);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);

  self->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (self->listener, 128);
  g_socket_bind (self->listener, any_port, TRUE, &error);
  g_assert_no_error (error);
  g_socket_listen (self->listener, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (self->listener, &error);
  g_assert_no_error (error);
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  self->accept_thread = g_thread_new ("dt-fake-accept", accept_thread, self);
  return self;
}

/**
 * dt_fake_server_new:
 * @mode: how to misbehave
 * @payload: (nullable): the bytes to answer with, or %NULL for the mode's default
 *
 * Starts listening on a free 127.0.0.1 port right away.
 *
 * Returns: (transfer full): the server; free it with dt_fake_server_free()
 */
DtFakeServer *
dt_fake_server_new (DtFakeMode  mode,
                    const char *payload)
{
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  g_return_val_if_fail (mode != DT_FAKE_MODE_SCRIPT, NULL);

  if (payload == NULL)
    payload = default_payload (mode);
  g_ptr_array_add (replies, g_bytes_new (payload, strlen (payload)));

  return fake_server_start (mode, replies, NULL, NULL);
}

/**
 * dt_fake_server_new_handler:
 * @handler: makes each answer
 * @user_data: data for @handler
 *
 * Starts a server whose answers @handler makes (%DT_FAKE_MODE_HANDLER).
 *
 * Returns: (transfer full): the server; free it with dt_fake_server_free()
 */
DtFakeServer *
dt_fake_server_new_handler (DtFakeHandler handler,
                            gpointer      user_data)
{
  return fake_server_start (DT_FAKE_MODE_HANDLER,
                            g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
                            handler, user_data);
}

void
dt_fake_server_set_payload (DtFakeServer *self,
                            const char   *payload)
{
  GBytes *bytes = g_bytes_new (payload, strlen (payload));

  g_mutex_lock (&self->lock);
  g_ptr_array_remove_index (self->replies, 0);
  g_ptr_array_insert (self->replies, 0, bytes);
  g_mutex_unlock (&self->lock);
}

/**
 * dt_fake_server_new_script:
 * @replies: %NULL-terminated raw replies, one per command, e.g.
 *   `{ "+OK\r\n", "$3\r\nbar\r\n", NULL }`
 *
 * Returns: (transfer full): a %DT_FAKE_MODE_SCRIPT server
 */
DtFakeServer *
dt_fake_server_new_script (const char * const *replies)
{
  GPtrArray *array = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  guint i;

  for (i = 0; replies != NULL && replies[i] != NULL; i++)
    g_ptr_array_add (array, g_bytes_new (replies[i], strlen (replies[i])));

  return fake_server_start (DT_FAKE_MODE_SCRIPT, array, NULL, NULL);
}

/* The delay of DELAY mode, the dribble period of HUGE_BULK and ENDLESS_LINE
 * modes, or the pause before STRAY mode's unasked reply. */
void
dt_fake_server_set_delay (DtFakeServer *self,
                          guint         delay_ms)
{
  g_atomic_int_set (&self->delay_ms, delay_ms);
}

guint16
dt_fake_server_get_port (DtFakeServer *self)
{
  return self->port;
}

/* "redis://127.0.0.1:PORT/0" */
char *
dt_fake_server_get_url (DtFakeServer *self)
{
  return g_strdup_printf ("redis://127.0.0.1:%u/0", self->port);
}

guint
dt_fake_server_get_n_accepted (DtFakeServer *self)
{
  return g_atomic_int_get (&self->n_accepted);
}

/* Whole commands received so far, on all connections. */
guint
dt_fake_server_get_n_commands (DtFakeServer *self)
{
  guint n;

  g_mutex_lock (&self->lock);
  n = self->n_commands;
  g_mutex_unlock (&self->lock);
  return n;
}

/* The last command received, arguments joined by spaces ("SET k v"), or NULL. */
char *
dt_fake_server_get_last_command (DtFakeServer *self)
{
  char *last = NULL;

  g_mutex_lock (&self->lock);
  if (self->commands->len > 0)
    last = g_strdup (g_ptr_array_index (self->commands, self->commands->len - 1));
  g_mutex_unlock (&self->lock);
  return last;
}

void
dt_fake_server_free (DtFakeServer *self)
{
  guint i;

  if (self == NULL)
    return;

  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);

  g_thread_join (self->accept_thread);
  /* No new connections from here on, so no lock needed. */
  for (i = 0; i < self->conn_threads->len; i++)
    g_thread_join (g_ptr_array_index (self->conn_threads, i));

  g_socket_close (self->listener, NULL);
  g_object_unref (self->listener);
  g_object_unref (self->cancellable);
  g_ptr_array_unref (self->conn_threads);
  g_ptr_array_unref (self->commands);
  g_ptr_array_unref (self->replies);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}
