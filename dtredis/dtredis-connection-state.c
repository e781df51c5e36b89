/* dtredis-connection-state.c: a connection's state, and what the pools
 * and engines read of a connection (its struct is private to the
 * dtredis-connection*.c files)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-connection-io-private.h"

void
dt_redis_connection_set_state (DtRedisConnection      *self,
                               DtRedisConnectionState  state)
{
  DtRedisConnectionState from = self->state;

  switch (state)
    {
    case DT_REDIS_CONNECTION_READY:
      g_assert (from == DT_REDIS_CONNECTION_OPENING);
      break;
    case DT_REDIS_CONNECTION_RETIRED:
      g_assert (from != DT_REDIS_CONNECTION_OPENING);
      if (from != DT_REDIS_CONNECTION_READY)
        return;   /* already out of service */
      break;
    case DT_REDIS_CONNECTION_BROKEN:
      if (from == DT_REDIS_CONNECTION_BROKEN || from == DT_REDIS_CONNECTION_STRAY)
        return;   /* the first cause stays */
      break;
    case DT_REDIS_CONNECTION_STRAY:
      /* Found by reading or checking a connection still in service. */
      g_assert (from == DT_REDIS_CONNECTION_OPENING || from == DT_REDIS_CONNECTION_READY ||
                from == DT_REDIS_CONNECTION_RETIRED);
      break;
    case DT_REDIS_CONNECTION_OPENING:
    default:
      g_assert_not_reached ();
    }
  self->state = state;
}

DtRedisConnectionState
dt_redis_connection_get_state (const DtRedisConnection *self)
{
  return self->state;
}

gboolean
dt_redis_connection_is_usable (const DtRedisConnection *self)
{
  return self->state == DT_REDIS_CONNECTION_READY;
}

/* Accessors */

const char *
dt_redis_connection_get_description (const DtRedisConnection *self)
{
  return self->description;
}

GInputStream *
dt_redis_connection_get_input (const DtRedisConnection *self)
{
  return self->input;
}

GOutputStream *
dt_redis_connection_get_output (const DtRedisConnection *self)
{
  return self->output;
}

DtRedisRespReader *
dt_redis_connection_get_reader (const DtRedisConnection *self)
{
  return self->reader;
}

pid_t
dt_redis_connection_get_pid (const DtRedisConnection *self)
{
  return self->pid;
}

gint64
dt_redis_connection_get_last_used (const DtRedisConnection *self)
{
  return self->last_used;
}

GList *
dt_redis_connection_get_idle_link (DtRedisConnection *self)
{
  return &self->idle_link;
}

int
dt_redis_connection_get_plain_fd (const DtRedisConnection *self)
{
  return self->stream == G_IO_STREAM (self->socket_connection) ? self->fd : -1;
}
