/* dtredis-command-traits.h: what the command table says about a command
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

/**
 * DtRedisCommandTraits:
 * @DT_REDIS_COMMAND_TRAIT_NONE: nothing is known about the command
 * @DT_REDIS_COMMAND_TRAIT_KNOWN: the command is in dtredis's table
 * @DT_REDIS_COMMAND_TRAIT_READONLY: it only reads
 * @DT_REDIS_COMMAND_TRAIT_WRITE: it may change data
 * @DT_REDIS_COMMAND_TRAIT_BLOCKING: it may wait on the server (`BLPOP`,
 *   `XREAD BLOCK`, `WAIT`): the pools give it a connection of its own
 * @DT_REDIS_COMMAND_TRAIT_STATEFUL: it changes the connection's state or
 *   takes the connection over (`SELECT`, `MULTI`, `SUBSCRIBE`...): the
 *   pools never lend that connection again
 * @DT_REDIS_COMMAND_TRAIT_PUBSUB: it belongs to publish/subscribe
 * @DT_REDIS_COMMAND_TRAIT_ADMIN: an administrative command
 * @DT_REDIS_COMMAND_TRAIT_MOVABLE_KEYS: its keys are not at fixed positions
 * @DT_REDIS_COMMAND_TRAIT_DEPRECATED: Redis deprecates it
 * @DT_REDIS_COMMAND_TRAIT_SUBCOMMANDS: it is a container (`CLIENT`,
 *   `CONFIG`...) whose subcommands have traits of their own: ask about one
 *
 * What dtredis's command table, the one source of these facts, says about
 * a command of Redis 7.0.
 */
typedef enum /*< flags >*/
{
  DT_REDIS_COMMAND_TRAIT_NONE         = 0,
  DT_REDIS_COMMAND_TRAIT_KNOWN        = 1 << 0,
  DT_REDIS_COMMAND_TRAIT_READONLY     = 1 << 1,
  DT_REDIS_COMMAND_TRAIT_WRITE        = 1 << 2,
  DT_REDIS_COMMAND_TRAIT_BLOCKING     = 1 << 3,
  DT_REDIS_COMMAND_TRAIT_STATEFUL     = 1 << 4,
  DT_REDIS_COMMAND_TRAIT_PUBSUB       = 1 << 5,
  DT_REDIS_COMMAND_TRAIT_ADMIN        = 1 << 6,
  DT_REDIS_COMMAND_TRAIT_MOVABLE_KEYS = 1 << 7,
  DT_REDIS_COMMAND_TRAIT_DEPRECATED   = 1 << 8,
  DT_REDIS_COMMAND_TRAIT_SUBCOMMANDS  = 1 << 9,
} DtRedisCommandTraits;

DT_REDIS_AVAILABLE_IN_ALL
DtRedisCommandTraits dt_redis_command_get_traits (const char *command,
                                                  const char *subcommand);

G_END_DECLS
