/* dtredis-held-connection.c: one connection held by one client
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-held-connection-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-error.h"
#include "dtredis-sync-pool-private.h"

struct _DtRedisHeldConnection
{
  GMutex             mutex;    /* held for a whole command */
  DtRedisPools      *pools;
  DtRedisSyncPool   *pool;     /* the pool @conn came from */
  DtRedisConnection *conn;     /* NULL until the first command */
  gboolean           has_state; /* a state-changing command ran on @conn */
  char              *lost;     /* the endpoint of a connection lost with its state */
};

DtRedisHeldConnection *
dt_redis_held_connection_new (DtRedisPools *pools)
{
  DtRedisHeldConnection *self = g_new0 (DtRedisHeldConnection, 1);

  g_mutex_init (&self->mutex);
  self->pools = dt_redis_pools_ref (pools);
  return self;
}

/* With the mutex held. The pool closes a connection it gets back out of
 * service: what the holder's commands left on it stays with it. */
static void
give_back_locked (DtRedisHeldConnection *self)
{
  if (self->conn != NULL)
    {
      dt_redis_connection_set_state (self->conn, DT_REDIS_CONNECTION_RETIRED);
      dt_redis_sync_pool_give_back (self->pool, g_steal_pointer (&self->conn));
    }
  g_clear_pointer (&self->pool, dt_redis_sync_pool_unref);
  self->has_state = FALSE;
}

void
dt_redis_held_connection_free (DtRedisHeldConnection *self)
{
  if (self == NULL)
    return;

  give_back_locked (self);
  g_free (self->lost);
  dt_redis_pools_unref (self->pools);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

void
dt_redis_held_connection_release (DtRedisHeldConnection *self)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->mutex);
  give_back_locked (self);
  g_clear_pointer (&self->lost, g_free);
  g_mutex_unlock (&self->mutex);
}

gboolean
dt_redis_held_connection_is_open (DtRedisHeldConnection *self)
{
  gboolean open;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->mutex);
  open = self->conn != NULL;
  g_mutex_unlock (&self->mutex);
  return open;
}

/* The connection broke (or was found dead): give it back, and remember the
 * loss when it carried state nobody can restore. */
static void
drop_locked (DtRedisHeldConnection *self)
{
  if (self->has_state && self->lost == NULL)
    self->lost = g_strdup (dt_redis_connection_get_description (self->conn));
  give_back_locked (self);
}

/* A connection to run on: the one held, or a new lease. */
static gboolean
ensure_locked (DtRedisHeldConnection  *self,
               GCancellable           *cancellable,
               GError                **error)
{
  if (self->conn != NULL && dt_redis_connection_is_stale (self->conn))
    drop_locked (self);

  if (self->lost != NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED,
                   /* Translators: %s names the server, e.g. “127.0.0.1:6379” */
                   _("The connection to %s was lost, and with it the state that commands had "
                     "given it (SELECT, CLIENT SETNAME, WATCH…): close the client to start over"),
                   self->lost);
      return FALSE;
    }

  if (self->conn != NULL)
    return TRUE;

  self->conn = dt_redis_pools_lease_sync (self->pools, &self->pool, cancellable, error);
  return self->conn != NULL;
}

gboolean
dt_redis_held_connection_run (DtRedisHeldConnection  *self,
                              const DtRedisCommand   *cmd,
                              DtRedisReply          **replies,
                              GCancellable           *cancellable,
                              GError                **error)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (cmd != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->mutex);

  if (!ensure_locked (self, cancellable, error))
    goto out;

  /* Counted before the outcome is known: a state change that may have
   * happened is one the next command could depend on. */
  if (cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL)
    self->has_state = TRUE;

  ok = dt_redis_connection_run (self->conn, cmd, replies, cancellable, error);
  if (!dt_redis_connection_is_usable (self->conn))
    drop_locked (self);

out:
  g_mutex_unlock (&self->mutex);
  return ok;
}
