/* dtredis-commands.c: the generic commands (execute, execute_bytes,
 * command): argv as given, the reply as it comes. The typed commands are
 * generated from redis-commands.txt (gen-typed-methods.py).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-commands-private.h"

DtRedisCommand *
dt_redis_commands_execute (const char * const *argv)
{
  DtRedisCommand *cmd;

  g_return_val_if_fail (argv != NULL && argv[0] != NULL, NULL);

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, argv);
  return cmd;
}

DtRedisCommand *
dt_redis_commands_execute_bytes (GBytes * const *argv,
                                 guint           n_argv)
{
  DtRedisCommand *cmd;

  g_return_val_if_fail (argv != NULL && n_argv > 0, NULL);
  for (guint i = 0; i < n_argv; i++)
    g_return_val_if_fail (argv[i] != NULL, NULL);

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_bytes (cmd, argv, n_argv);
  return cmd;
}

DtRedisCommand *
dt_redis_commands_execute_valist (const char *first,
                                  va_list     args)
{
  g_autoptr(GPtrArray) argv = NULL;
  DtRedisCommand *cmd;

  g_return_val_if_fail (first != NULL, NULL);

  argv = g_ptr_array_new ();
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, (const char * const *) argv->pdata);
  return cmd;
}
