/* dtredis-commands-private.h: the generic commands
 *
 * execute, execute_bytes and command send argv as given; the reply comes
 * back as it is (DT_REDIS_VALUE_REPLY). Each builder returns a new
 * command (transfer full) with n_replies == 1, or NULL (after a critical)
 * for arguments that make no command. The typed commands are generated
 * from redis-commands.txt: see dtredis-command-builders.h in the build
 * tree.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stdarg.h>
#include <glib.h>

#include "dtredis-command-private.h"

G_BEGIN_DECLS

/* Generic commands: the reply is returned as it is (DT_REDIS_VALUE_REPLY). */
DtRedisCommand *dt_redis_commands_execute      (const char * const *argv);
DtRedisCommand *dt_redis_commands_execute_bytes (GBytes * const    *argv,
                                                 guint              n_argv);
/* The arguments from @first to the NULL that ends @args. */
DtRedisCommand *dt_redis_commands_execute_valist (const char       *first,
                                                  va_list           args);

G_END_DECLS
