/* dtredis-connection-open.c: opening a connection (connect, TLS, handshake)
 *
 * The open path of DtRedisConnection, sync and async; the command I/O is
 * in dtredis-connection.c, and what both use is in
 * dtredis-connection-io-private.h.
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
  dt_redis_handshake_clear (&data->handshake);
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
  if (dt_redis_conn_in_forked_child ())
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
  dt_redis_connection_set_state (data->conn, DT_REDIS_CONNECTION_BROKEN);

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
      error = dt_redis_conn_wrap_error_full (data->conn->description, error, data->phase != PHASE_HANDSHAKE);
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
  dt_redis_connection_set_state (conn, DT_REDIS_CONNECTION_READY);
  g_task_return_pointer (task, conn, (GDestroyNotify) dt_redis_connection_free);
  g_object_unref (task);
}

static void handshake_read (GTask *task);

static GError *
handshake_stray_error (DtRedisConnection *conn)
{
  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                      _("%s sent more than the replies to the connection handshake"),
                      conn->description);
}

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
      open_fail (task, dt_redis_conn_closed_error (data->conn->description));
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
      error = dt_redis_handshake_check_reply (&data->handshake, data->conn->endpoint,
                                              data->conn->description, data->n_got, reply);
      if (error != NULL)
        {
          open_fail (task, error);
          return;
        }
      data->n_got++;
    }

  /* More than the handshake's replies: they would be taken for the first
   * command's. */
  if (dt_redis_resp_reader_has_buffered (data->conn->reader))
    {
      dt_redis_connection_set_state (data->conn, DT_REDIS_CONNECTION_STRAY);
      open_fail (task, handshake_stray_error (data->conn));
      return;
    }

  open_succeed (task);
}

static void
handshake_read (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);

  g_input_stream_read_async (data->conn->input, data->conn->buf, READ_BUF_SIZE,
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
  dt_redis_handshake_init (&data->handshake, data->conn->endpoint);
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

/* What making the TLS client connection needs, for the worker thread:
 * its own references, as the open may give up on it meanwhile. */
typedef struct
{
  GIOStream       *base;
  DtRedisEndpoint *endpoint;
  char            *description;
} TlsSetup;

static void
tls_setup_free (TlsSetup *setup)
{
  g_clear_object (&setup->base);
  dt_redis_endpoint_unref (setup->endpoint);
  g_free (setup->description);
  g_free (setup);
}

/* The client connection with its trust store and certificate. */
static GIOStream *
create_tls (TlsSetup  *setup,
            GError   **error)
{
  DtRedisEndpoint *endpoint = setup->endpoint;
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) local_error = NULL;

  /* The identity is the host name as given, so that the certificate is
   * checked against it (and SNI carries it). */
  identity = g_network_address_new (endpoint->host, endpoint->port);
  tls = g_tls_client_connection_new (setup->base, identity, &local_error);
  if (tls == NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                   _("TLS is not available for %s: %s"), setup->description, local_error->message);
      return NULL;
    }

  if (endpoint->tls_ca_file != NULL)
    {
      g_autoptr(GTlsDatabase) database = g_tls_file_database_new (endpoint->tls_ca_file, &local_error);

      if (database == NULL)
        {
          g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TLS,
                       _("Could not load the CA certificates from “%s”: %s"),
                       endpoint->tls_ca_file, local_error->message);
          return NULL;
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
          return NULL;
        }
      g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), certificate);
    }

  return g_steal_pointer (&tls);
}

/* On a worker thread: making a GTlsClientConnection sets up the TLS
 * library and loads the system's trust store, and the CA and certificate
 * files are read from disk, none of which may stall the main context
 * that waits for the open (a few ms, seconds under sanitizers). */
static void
create_tls_in_thread (GTask        *worker,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GError *error = NULL;
  GIOStream *tls = create_tls (task_data, &error);

  if (tls == NULL)
    g_task_return_error (worker, error);
  else
    g_task_return_pointer (worker, tls, g_object_unref);
}

/* Back in the open's context: the handshake. */
static void
tls_created_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  OpenData *data = g_task_get_task_data (task);
  g_autoptr(GIOStream) tls = NULL;
  GError *error = NULL;

  tls = g_task_propagate_pointer (G_TASK (result), &error);
  if (open_was_abandoned (task))
    {
      g_clear_error (&error);
      return;
    }
  if (tls == NULL || g_cancellable_set_error_if_cancelled (data->cancellable, &error))
    {
      open_fail (task, error);
      return;
    }

  if (data->conn->endpoint->tls_insecure)
    warn_insecure_once ();
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (accept_certificate_cb), data);

  dt_redis_conn_set_stream (data->conn, g_steal_pointer (&tls));
  g_tls_connection_handshake_async (G_TLS_CONNECTION (data->conn->stream), g_task_get_priority (task),
                                    data->cancellable, tls_handshake_cb, task);
}

static void
start_tls (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);
  GMainContext *context = g_task_get_context (task);
  g_autoptr(GTask) worker = NULL;
  TlsSetup *setup = g_new0 (TlsSetup, 1);

  data->phase = PHASE_TLS;

  setup->base = G_IO_STREAM (g_object_ref (data->conn->socket_connection));
  setup->endpoint = dt_redis_endpoint_ref (data->conn->endpoint);
  setup->description = g_strdup (data->conn->description);

  /* The result comes back to the open's context, whichever context is
   * the thread default while this runs. */
  g_main_context_push_thread_default (context);
  worker = g_task_new (NULL, NULL, tls_created_cb, task);
  g_main_context_pop_thread_default (context);
  g_task_set_source_tag (worker, start_tls);
  g_task_set_name (worker, "[dtredis] create TLS connection");
  g_task_set_task_data (worker, setup, (GDestroyNotify) tls_setup_free);
  g_task_run_in_thread (worker, create_tls_in_thread);
}

/* The socket is connected: TLS if asked for, then the Redis handshake. */
static void
open_connected (GTask *task)
{
  OpenData *data = g_task_get_task_data (task);

  if (data->conn->endpoint->tls)
    {
      start_tls (task);
      return;
    }

  dt_redis_conn_set_stream (data->conn, G_IO_STREAM (g_object_ref (data->conn->socket_connection)));
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

  dt_redis_conn_setup_socket (data->conn, socket_connection);
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
  g_task_set_source_tag (task, dt_redis_conn_open_direct_async);
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
dt_redis_conn_open_direct_async (DtRedisEndpoint     *endpoint,
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

  task = open_task_new (dt_redis_conn_new (endpoint), cancellable, callback, user_data);
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
dt_redis_conn_open_direct_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_conn_open_direct_async, NULL);

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
          last_error = dt_redis_conn_wrap_error_full (self->description, local_error, TRUE);
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
          last_error = dt_redis_conn_wrap_error_full (self->description, local_error, TRUE);
          continue;
        }
      g_clear_error (&local_error);

      /* A timeout or a cancellation ends the whole attempt. */
      if (!dt_redis_conn_wait_fd (g_socket_get_fd (socket), self->description, ctx, WAIT_CONNECT, deadline,
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
          last_error = dt_redis_conn_wrap_error_full (self->description, local_error, TRUE);
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
  DtRedisReply *replies[4] = { NULL, };
  gboolean ok = TRUE;

  dt_redis_handshake_init (&hs, self->endpoint);
  g_assert (hs.n_replies <= G_N_ELEMENTS (replies));

  if (hs.n_replies > 0)
    ok = dt_redis_conn_exchange (self, hs.payload->data, hs.payload->len, hs.n_replies, replies,
                   NULL, cancellable, error);
  if (ok && self->state == DT_REDIS_CONNECTION_STRAY)
    {
      g_propagate_error (error, handshake_stray_error (self));
      ok = FALSE;
    }

  for (guint i = 0; ok && i < hs.n_replies; i++)
    {
      GError *reply_error = dt_redis_handshake_check_reply (&hs, self->endpoint, self->description,
                                                            i, replies[i]);

      if (reply_error != NULL)
        {
          g_propagate_error (error, reply_error);
          ok = FALSE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
  dt_redis_handshake_clear (&hs);

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
  conn = dt_redis_conn_open_direct_finish (result, error);
  /* Let cancelled sub-operations finish before the context goes. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  return conn;
}

DtRedisConnection *
dt_redis_conn_open_direct (DtRedisEndpoint  *endpoint,
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

  self = dt_redis_conn_new (endpoint);
  deadline = g_get_monotonic_time () + endpoint->connect_timeout_us;
  socket = connect_socket (self, &ctx, deadline, error);
  dt_redis_run_context_clear (&ctx);
  if (socket == NULL)
    {
      dt_redis_connection_free (self);
      return NULL;
    }

  dt_redis_conn_setup_socket (self, g_socket_connection_factory_create_connection (socket));
  g_object_unref (socket);

  if (endpoint->tls)
    return finish_open_with_tls (self, deadline, cancellable, error);

  dt_redis_conn_set_stream (self, G_IO_STREAM (g_object_ref (self->socket_connection)));
  if (!dt_redis_conn_make_blocking (self, error) || !handshake_sync (self, cancellable, error))
    {
      dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_BROKEN);
      dt_redis_connection_free (self);
      return NULL;
    }
  self->created_at = self->last_used = g_get_monotonic_time ();
  dt_redis_connection_set_state (self, DT_REDIS_CONNECTION_READY);

  return self;
}
