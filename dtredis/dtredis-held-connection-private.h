/* dtredis-held-connection-private.h: one connection held by one client
 *
 * What a single-connection client ([method@DtRedis.Instance.get_single_connection_client])
 * runs its commands on: a connection leased from the sync pool at the
 * first command and kept until released, so that SELECT, CLIENT SETNAME,
 * WATCH and the like stay in force between commands. Thread-safe: one
 * command at a time.
 *
 * When the connection is lost (an I/O error, stray bytes, the peer gone
 * while idle) and nothing that changes a connection's state has run on
 * it, the next command quietly leases a new one: it would have looked
 * the same. Once such a command has run, the state would be gone without
 * a word, so every later command fails with %DT_REDIS_ERROR_CLOSED until
 * the holder is released. A command that may have reached the server is
 * never sent again.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dtredis-command-private.h"
#include "dtredis-pools-private.h"

G_BEGIN_DECLS

typedef struct _DtRedisHeldConnection DtRedisHeldConnection;

DtRedisHeldConnection *dt_redis_held_connection_new     (DtRedisPools          *pools);
/* Gives the connection back (closed). */
void                   dt_redis_held_connection_free    (DtRedisHeldConnection *self);
/* Runs @cmd on the held connection, leasing one first when none is held. */
gboolean               dt_redis_held_connection_run     (DtRedisHeldConnection *self,
                                                         const DtRedisCommand  *cmd,
                                                         DtRedisReply         **replies,
                                                         GCancellable          *cancellable,
                                                         GError               **error);
/* Closes the connection and forgets a loss: the next command starts
 * afresh. Waits for a command in progress. */
void                   dt_redis_held_connection_release (DtRedisHeldConnection *self);
/* Whether a connection is held now. */
gboolean               dt_redis_held_connection_is_open (DtRedisHeldConnection *self);

G_END_DECLS
