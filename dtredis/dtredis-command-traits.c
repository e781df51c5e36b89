/* dtredis-command-traits.c: what the command table says about a command
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-command-table.h"
#include "dtredis-command-traits.h"

/**
 * dt_redis_command_get_traits:
 * @command: a command name, in any case (`"GET"`, `"client"`)
 * @subcommand: (nullable): its subcommand (`"REPLY"` for `CLIENT REPLY`),
 *   or %NULL
 *
 * Looks @command up in dtredis's command table, the one the pools use to
 * decide which commands get a connection of their own. The bindings use
 * it too (the Python layer batches only commands that are neither
 * blocking nor stateful).
 *
 * A subcommand the table does not know gives its container's traits; an
 * unknown command gives %DT_REDIS_COMMAND_TRAIT_NONE.
 *
 * Returns: the traits, with %DT_REDIS_COMMAND_TRAIT_KNOWN when the table
 *   has the command
 */
DtRedisCommandTraits
dt_redis_command_get_traits (const char *command,
                             const char *subcommand)
{
  const DtRedisCommandEntry *entry;
  const DtRedisCommandEntry *sub;

  g_return_val_if_fail (command != NULL, DT_REDIS_COMMAND_TRAIT_NONE);

  entry = dt_redis_command_table_lookup (command, strlen (command));
  if (entry == NULL)
    return DT_REDIS_COMMAND_TRAIT_NONE;

  if (subcommand != NULL &&
      (sub = dt_redis_command_table_lookup_sub (entry, subcommand, strlen (subcommand))) != NULL)
    entry = sub;

  return entry->traits | DT_REDIS_COMMAND_TRAIT_KNOWN;
}
