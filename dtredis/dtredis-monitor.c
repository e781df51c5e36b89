/* dtredis-monitor.c: a connection in MONITOR mode
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-monitor-private.h"
#include "dtredis-command-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-error.h"
#include "dtredis-reply.h"
#include "dtredis-value-private.h"

/**
 * DtRedisMonitor:
 *
 * Every command the server runs, as `MONITOR` reports it: redis-py's
 * `Monitor`.
 *
 * Get one with [method@DtRedis.Instance.get_monitor]; it does no I/O
 * until [method@DtRedis.Monitor.start], which opens a connection of its
 * own (never one of the pools', with the instance's endpoint, TLS,
 * credentials and timeouts) and sends `MONITOR`. Then each call to
 * [method@DtRedis.Monitor.next_command] returns the server's next line,
 * in its format:
 *
 * ```
 * 1700000000.123456 [0 127.0.0.1:51234] "SET" "key" "value"
 * ```
 *
 * that is, the time in seconds, the database and the client (`lua` for
 * a script, `unix:/path` for a Unix socket), then each argument quoted,
 * with `\"`, `\\`, `\n`, `\r`, `\t` and `\xHH` escapes. Lines are never
 * lost or reordered: what arrives while nobody asks waits in the socket
 * and the server's output buffer (which the server limits with
 * `client-output-buffer-limit normal`; beyond it, it closes the
 * connection, and the next call fails).
 *
 * A monitor is used from one thread at a time. A
 * [method@DtRedis.Monitor.next_command] that waits is stopped by its
 * cancellable or its timeout, neither of which loses a line or ends the
 * monitor. Any other error ends it: the connection is closed and
 * [property@DtRedis.Monitor:active] is %FALSE until the next
 * [method@DtRedis.Monitor.start]. Monitoring costs the server: close the
 * monitor as soon as it is not needed ([method@DtRedis.Monitor.close], or
 * drop the last reference).
 */

struct _DtRedisMonitor
{
  GObject            parent_instance;

  GMutex             mutex;
  DtRedisConfig     *config;
  DtRedisEndpoint   *endpoint;  /* resolved at the first start */
  DtRedisConnection *conn;      /* NULL unless started */
};

enum {
  PROP_0,
  PROP_ACTIVE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * dt_redis_monitor_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.Monitor].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisMonitor, dt_redis_monitor, G_TYPE_OBJECT)

static void
dt_redis_monitor_finalize (GObject *object)
{
  DtRedisMonitor *self = (DtRedisMonitor *) object;

  g_clear_pointer (&self->conn, dt_redis_connection_free);
  g_clear_pointer (&self->endpoint, dt_redis_endpoint_unref);
  g_clear_object (&self->config);
  g_mutex_clear (&self->mutex);

  G_OBJECT_CLASS (dt_redis_monitor_parent_class)->finalize (object);
}

static void
dt_redis_monitor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  DtRedisMonitor *self = DT_REDIS_MONITOR (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, dt_redis_monitor_get_active (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_monitor_class_init (DtRedisMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = dt_redis_monitor_finalize;
  object_class->get_property = dt_redis_monitor_get_property;

  /**
   * DtRedisMonitor:active:
   *
   * Whether the monitor is started and its connection is up, as far as
   * the last call knows. It is not notified.
   */
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dt_redis_monitor_init (DtRedisMonitor *self)
{
  g_mutex_init (&self->mutex);
}

DtRedisMonitor *
dt_redis_monitor_new (DtRedisConfig *config)
{
  DtRedisMonitor *self = g_object_new (DT_REDIS_TYPE_MONITOR, NULL);

  self->config = g_object_ref (config);
  return self;
}

/* With the mutex held: the connection is closed, the monitor ended. */
static void
end_locked (DtRedisMonitor *self)
{
  g_clear_pointer (&self->conn, dt_redis_connection_free);
}

static gboolean
start_locked (DtRedisMonitor  *self,
              GCancellable    *cancellable,
              GError         **error)
{
  g_autoptr(DtRedisCommand) cmd = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  gint64 deadline;

  if (self->endpoint == NULL)
    {
      self->endpoint = dt_redis_routed_endpoint_new (self->config, error);
      if (self->endpoint == NULL)
        return FALSE;
    }

  self->conn = dt_redis_connection_open (self->endpoint, cancellable, error);
  if (self->conn == NULL)
    return FALSE;

  cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "MONITOR", NULL);
  deadline = g_get_monotonic_time () + self->endpoint->socket_timeout_us;
  if (!dt_redis_connection_send (self->conn, cmd, cancellable, error) ||
      !dt_redis_connection_read_pushed (self->conn, deadline, &reply, cancellable, error))
    goto fail;

  if (reply == NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT,
                   _("Timed out waiting for a reply from %s"), dt_redis_connection_get_description (self->conn));
      goto fail;
    }
  if (dt_redis_reply_is_error (reply))
    {
      g_propagate_error (error, dt_redis_value_error_from_reply (reply));
      goto fail;
    }
  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_STATUS ||
      g_strcmp0 (dt_redis_reply_get_string (reply, NULL), "OK") != 0)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("%s did not answer MONITOR with OK"), dt_redis_connection_get_description (self->conn));
      goto fail;
    }

  return TRUE;

fail:
  end_locked (self);
  return FALSE;
}

/**
 * dt_redis_monitor_start:
 * @self: a [class@DtRedis.Monitor]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Opens the monitor's connection and sends `MONITOR`, then waits for the
 * server to confirm it, within the connect and socket timeouts: commands
 * the server runs after that are reported. Does nothing when the monitor
 * is already active.
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains; %DT_REDIS_ERROR_SERVER when the server refuses (an ACL
 * without `MONITOR`, for instance).
 *
 * Returns: %TRUE once the server monitors for this connection
 */
gboolean
dt_redis_monitor_start (DtRedisMonitor  *self,
                        GCancellable    *cancellable,
                        GError         **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (DT_REDIS_IS_MONITOR (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->mutex);
  if (self->conn != NULL && !dt_redis_connection_is_usable (self->conn))
    end_locked (self);
  if (self->conn == NULL)
    ok = start_locked (self, cancellable, error);
  g_mutex_unlock (&self->mutex);

  return ok;
}

/**
 * dt_redis_monitor_next_command:
 * @self: a [class@DtRedis.Monitor]
 * @timeout_ms: how long to wait, in milliseconds; -1 for no limit, 0 for
 *   what has already arrived
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Waits for the next command the server reports, and returns its line
 * as the server wrote it (see [class@DtRedis.Monitor] for the format).
 *
 * When @timeout_ms runs out first, returns %NULL without an error. A
 * cancel fails with %G_IO_ERROR_CANCELLED. Neither ends the monitor: a
 * line that was arriving is read whole by the next call. A monitor that
 * is not started fails with %DT_REDIS_ERROR_CLOSED; a lost connection
 * with %DT_REDIS_ERROR_CONNECTION, and ends the monitor.
 *
 * Returns: (transfer full) (nullable): the line, or %NULL
 */
char *
dt_redis_monitor_next_command (DtRedisMonitor  *self,
                               gint             timeout_ms,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_autoptr(DtRedisReply) reply = NULL;
  GError *local_error = NULL;
  char *line = NULL;
  gint64 deadline = 0;

  g_return_val_if_fail (DT_REDIS_IS_MONITOR (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (timeout_ms >= 0)
    deadline = g_get_monotonic_time () + (gint64) timeout_ms * G_TIME_SPAN_MILLISECOND;
  /* deadline 0 means no limit: a zero timeout must not become one. */
  if (deadline == 0 && timeout_ms >= 0)
    deadline = 1;

  g_mutex_lock (&self->mutex);

  if (self->conn == NULL)
    {
      g_set_error_literal (&local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                           _("The monitor is not started"));
      goto out;
    }

  if (!dt_redis_connection_read_pushed (self->conn, deadline, &reply, cancellable, &local_error) ||
      reply == NULL)
    goto out;

  if (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_STATUS)
    {
      line = g_strdup (dt_redis_reply_get_string (reply, NULL));
      goto out;
    }
  if (dt_redis_reply_is_error (reply))
    local_error = dt_redis_value_error_from_reply (reply);
  else
    g_set_error (&local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                 _("%s sent a reply that is not a MONITOR line"), dt_redis_connection_get_description (self->conn));
  dt_redis_connection_set_state (self->conn, DT_REDIS_CONNECTION_BROKEN);

out:
  if (self->conn != NULL && !dt_redis_connection_is_usable (self->conn))
    end_locked (self);
  g_mutex_unlock (&self->mutex);

  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return line;
}

/**
 * dt_redis_monitor_close:
 * @self: a [class@DtRedis.Monitor]
 *
 * Closes the monitor's connection, which ends the monitoring. It can be
 * started again. Waits for a [method@DtRedis.Monitor.next_command] in
 * progress in another thread: cancel that one first.
 */
void
dt_redis_monitor_close (DtRedisMonitor *self)
{
  g_return_if_fail (DT_REDIS_IS_MONITOR (self));

  g_mutex_lock (&self->mutex);
  end_locked (self);
  g_mutex_unlock (&self->mutex);
}

/**
 * dt_redis_monitor_get_active:
 * @self: a [class@DtRedis.Monitor]
 *
 * Gets [property@DtRedis.Monitor:active].
 *
 * Returns: whether the monitor is started and not known to be lost
 */
gboolean
dt_redis_monitor_get_active (DtRedisMonitor *self)
{
  gboolean active;

  g_return_val_if_fail (DT_REDIS_IS_MONITOR (self), FALSE);

  g_mutex_lock (&self->mutex);
  active = self->conn != NULL && dt_redis_connection_is_usable (self->conn);
  g_mutex_unlock (&self->mutex);
  return active;
}
