/* dtredis-commands.c: the one definition of each typed command
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dtredis-commands-private.h"

/* Enough for the longest fixed-arity command here (ZRANGE key a b WITHSCORES). */
#define MAX_FIXED_ARGS 5

/* Arguments of a fixed-arity command, on the stack: most helpers are one
 * short command and should not pay for heap arrays. */
typedef struct
{
  guint       argc;
  const char *argv[MAX_FIXED_ARGS];
  gsize       lens[MAX_FIXED_ARGS];
} FixedArgs;

static void
add_string (FixedArgs  *args,
            const char *arg)
{
  g_assert (args->argc < MAX_FIXED_ARGS);

  args->argv[args->argc] = arg;
  args->lens[args->argc] = strlen (arg);
  args->argc++;
}

static void
add_bytes (FixedArgs *args,
           GBytes    *arg)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (arg, &len);

  g_assert (args->argc < MAX_FIXED_ARGS);

  /* An empty GBytes may have no data pointer; the empty string is the same value. */
  args->argv[args->argc] = data != NULL ? data : "";
  args->lens[args->argc] = len;
  args->argc++;
}

static DtRedisCommand *
fixed_command (DtRedisValueKind  kind,
               FixedArgs        *args)
{
  DtRedisCommand *cmd = dt_redis_command_new (kind);

  dt_redis_command_append_argv (cmd, args->argc, args->argv, args->lens);
  return cmd;
}

/* NAME KEY, the shape of most one-key commands. */
static DtRedisCommand *
key_command (DtRedisValueKind  kind,
             const char       *name,
             const char       *key)
{
  FixedArgs args = { 0, };

  add_string (&args, name);
  add_string (&args, key);
  return fixed_command (kind, &args);
}

/* NAME KEY ARG, with a C string argument. */
static DtRedisCommand *
key_arg_command (DtRedisValueKind  kind,
                 const char       *name,
                 const char       *key,
                 const char       *arg)
{
  FixedArgs args = { 0, };

  add_string (&args, name);
  add_string (&args, key);
  add_string (&args, arg);
  return fixed_command (kind, &args);
}

/* NAME [KEY] ITEM..., for the commands taking a NULL-terminated list. */
static DtRedisCommand *
list_command (DtRedisValueKind    kind,
              const char         *name,
              const char         *key,
              const char * const *items)
{
  guint n_items = g_strv_length ((char **) items);
  guint argc = 0;
  g_autofree const char **argv = g_new (const char *, n_items + 2);
  g_autofree gsize *lens = g_new (gsize, n_items + 2);
  DtRedisCommand *cmd;

  argv[argc] = name;
  lens[argc++] = strlen (name);
  if (key != NULL)
    {
      argv[argc] = key;
      lens[argc++] = strlen (key);
    }
  for (guint i = 0; i < n_items; i++)
    {
      argv[argc] = items[i];
      lens[argc++] = strlen (items[i]);
    }

  cmd = dt_redis_command_new (kind);
  dt_redis_command_append_argv (cmd, argc, argv, lens);
  return cmd;
}

static const char *
format_int64 (char   *buf,
              gsize   size,
              gint64  value)
{
  g_snprintf (buf, size, "%" G_GINT64_FORMAT, value);
  return buf;
}

/* Big enough for G_MININT64 and its sign. */
#define INT64_BUF_SIZE 24

const char *
dt_redis_commands_format_double (char    *buf,
                                 gdouble  value)
{
  /* Redis reads "inf" and "-inf"; printf's spelling of them is not
   * guaranteed to match on every libc. */
  if (isinf (value))
    return value > 0 ? "inf" : "-inf";

  /* %.17g: parses back to the same double. A NaN goes out as "nan" and
   * the server refuses it with its own message. */
  return g_ascii_dtostr (buf, G_ASCII_DTOSTR_BUF_SIZE, value);
}

/* Generic */

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

/* Strings */

DtRedisCommand *
dt_redis_commands_set (const char *key,
                       GBytes     *value)
{
  FixedArgs args = { 0, };

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  add_string (&args, "SET");
  add_string (&args, key);
  add_bytes (&args, value);
  return fixed_command (DT_REDIS_VALUE_OK, &args);
}

DtRedisCommand *
dt_redis_commands_get (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_BYTES, "GET", key);
}

DtRedisCommand *
dt_redis_commands_setex (const char *key,
                         gint64      seconds,
                         GBytes     *value)
{
  FixedArgs args = { 0, };
  char buf[INT64_BUF_SIZE];

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  add_string (&args, "SETEX");
  add_string (&args, key);
  add_string (&args, format_int64 (buf, sizeof buf, seconds));
  add_bytes (&args, value);
  return fixed_command (DT_REDIS_VALUE_OK, &args);
}

DtRedisCommand *
dt_redis_commands_incr (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_INTEGER, "INCR", key);
}

DtRedisCommand *
dt_redis_commands_incrby (const char *key,
                          gint64      amount)
{
  char buf[INT64_BUF_SIZE];

  g_return_val_if_fail (key != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_INTEGER, "INCRBY", key,
                          format_int64 (buf, sizeof buf, amount));
}

DtRedisCommand *
dt_redis_commands_decr (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_INTEGER, "DECR", key);
}

/* Keys */

DtRedisCommand *
dt_redis_commands_ttl (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_INTEGER, "TTL", key);
}

DtRedisCommand *
dt_redis_commands_expire (const char *key,
                          gint64      seconds)
{
  char buf[INT64_BUF_SIZE];

  g_return_val_if_fail (key != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_BOOLEAN, "EXPIRE", key,
                          format_int64 (buf, sizeof buf, seconds));
}

DtRedisCommand *
dt_redis_commands_delete (const char * const *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "DEL", NULL, keys);
}

DtRedisCommand *
dt_redis_commands_exists (const char * const *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "EXISTS", NULL, keys);
}

DtRedisCommand *
dt_redis_commands_keys (const char *pattern)
{
  g_return_val_if_fail (pattern != NULL, NULL);

  return key_command (DT_REDIS_VALUE_BYTES_LIST, "KEYS", pattern);
}

/* Hashes */

DtRedisCommand *
dt_redis_commands_hset (const char *key,
                        const char *field,
                        GBytes     *value)
{
  FixedArgs args = { 0, };

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  add_string (&args, "HSET");
  add_string (&args, key);
  add_string (&args, field);
  add_bytes (&args, value);
  return fixed_command (DT_REDIS_VALUE_INTEGER, &args);
}

DtRedisCommand *
dt_redis_commands_hset_mapping (const char *key,
                                GHashTable *mapping)
{
  guint n_fields;
  guint argc = 0;
  g_autofree const char **argv = NULL;
  g_autofree gsize *lens = NULL;
  GHashTableIter iter;
  gpointer field, value;
  DtRedisCommand *cmd;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (mapping != NULL, NULL);

  n_fields = g_hash_table_size (mapping);
  argv = g_new (const char *, 2 + 2 * n_fields);
  lens = g_new (gsize, 2 + 2 * n_fields);

  argv[argc] = "HSET";
  lens[argc++] = 4;
  argv[argc] = key;
  lens[argc++] = strlen (key);

  /* An empty mapping goes out as "HSET key": the server's arity error
   * says what is wrong better than a critical would. */
  g_hash_table_iter_init (&iter, mapping);
  while (g_hash_table_iter_next (&iter, &field, &value))
    {
      gsize len = 0;
      const char *data;

      g_return_val_if_fail (field != NULL && value != NULL, NULL);

      data = g_bytes_get_data (value, &len);
      argv[argc] = field;
      lens[argc++] = strlen (field);
      argv[argc] = data != NULL ? data : "";
      lens[argc++] = len;
    }

  cmd = dt_redis_command_new (DT_REDIS_VALUE_INTEGER);
  dt_redis_command_append_argv (cmd, argc, argv, lens);
  return cmd;
}

DtRedisCommand *
dt_redis_commands_hget (const char *key,
                        const char *field)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_BYTES, "HGET", key, field);
}

DtRedisCommand *
dt_redis_commands_hgetall (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_BYTES_MAP, "HGETALL", key);
}

DtRedisCommand *
dt_redis_commands_hexists (const char *key,
                           const char *field)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (field != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_BOOLEAN, "HEXISTS", key, field);
}

DtRedisCommand *
dt_redis_commands_hdel (const char         *key,
                        const char * const *fields)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (fields != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "HDEL", key, fields);
}

/* Lists */

DtRedisCommand *
dt_redis_commands_lpush (const char         *key,
                         const char * const *values)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "LPUSH", key, values);
}

DtRedisCommand *
dt_redis_commands_rpush (const char         *key,
                         const char * const *values)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (values != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "RPUSH", key, values);
}

DtRedisCommand *
dt_redis_commands_lpop (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_BYTES, "LPOP", key);
}

DtRedisCommand *
dt_redis_commands_rpop (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_BYTES, "RPOP", key);
}

DtRedisCommand *
dt_redis_commands_llen (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_INTEGER, "LLEN", key);
}

/* NAME key start stop [WITHSCORES] */
static DtRedisCommand *
range_command (DtRedisValueKind  kind,
               const char       *name,
               const char       *key,
               gint64            start,
               gint64            stop,
               gboolean          with_scores)
{
  FixedArgs args = { 0, };
  char start_buf[INT64_BUF_SIZE];
  char stop_buf[INT64_BUF_SIZE];

  add_string (&args, name);
  add_string (&args, key);
  add_string (&args, format_int64 (start_buf, sizeof start_buf, start));
  add_string (&args, format_int64 (stop_buf, sizeof stop_buf, stop));
  if (with_scores)
    add_string (&args, "WITHSCORES");
  return fixed_command (kind, &args);
}

DtRedisCommand *
dt_redis_commands_lrange (const char *key,
                          gint64      start,
                          gint64      stop)
{
  g_return_val_if_fail (key != NULL, NULL);

  return range_command (DT_REDIS_VALUE_BYTES_LIST, "LRANGE", key, start, stop, FALSE);
}

/* Sets */

DtRedisCommand *
dt_redis_commands_sadd (const char         *key,
                        const char * const *members)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (members != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "SADD", key, members);
}

DtRedisCommand *
dt_redis_commands_srem (const char         *key,
                        const char * const *members)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (members != NULL, NULL);

  return list_command (DT_REDIS_VALUE_INTEGER, "SREM", key, members);
}

DtRedisCommand *
dt_redis_commands_smembers (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  return key_command (DT_REDIS_VALUE_BYTES_LIST, "SMEMBERS", key);
}

DtRedisCommand *
dt_redis_commands_sismember (const char *key,
                             const char *member)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_BOOLEAN, "SISMEMBER", key, member);
}

DtRedisCommand *
dt_redis_commands_sunion (const char * const *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);

  return list_command (DT_REDIS_VALUE_BYTES_LIST, "SUNION", NULL, keys);
}

DtRedisCommand *
dt_redis_commands_sinter (const char * const *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);

  return list_command (DT_REDIS_VALUE_BYTES_LIST, "SINTER", NULL, keys);
}

DtRedisCommand *
dt_redis_commands_sdiff (const char * const *keys)
{
  g_return_val_if_fail (keys != NULL, NULL);

  return list_command (DT_REDIS_VALUE_BYTES_LIST, "SDIFF", NULL, keys);
}

/* Sorted sets */

/* NAME key number member */
static DtRedisCommand *
scored_command (DtRedisValueKind  kind,
                const char       *name,
                const char       *key,
                gdouble           number,
                const char       *member)
{
  FixedArgs args = { 0, };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  add_string (&args, name);
  add_string (&args, key);
  add_string (&args, dt_redis_commands_format_double (buf, number));
  add_string (&args, member);
  return fixed_command (kind, &args);
}

DtRedisCommand *
dt_redis_commands_zadd (const char *key,
                        gdouble     score,
                        const char *member)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  return scored_command (DT_REDIS_VALUE_INTEGER, "ZADD", key, score, member);
}

DtRedisCommand *
dt_redis_commands_zincrby (const char *key,
                           gdouble     increment,
                           const char *member)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  return scored_command (DT_REDIS_VALUE_DOUBLE, "ZINCRBY", key, increment, member);
}

DtRedisCommand *
dt_redis_commands_zscore (const char *key,
                          const char *member)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_DOUBLE_OR_NIL, "ZSCORE", key, member);
}

DtRedisCommand *
dt_redis_commands_zrank (const char *key,
                         const char *member)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_INTEGER_OR_NIL, "ZRANK", key, member);
}

DtRedisCommand *
dt_redis_commands_zrevrank (const char *key,
                            const char *member)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (member != NULL, NULL);

  return key_arg_command (DT_REDIS_VALUE_INTEGER_OR_NIL, "ZREVRANK", key, member);
}

DtRedisCommand *
dt_redis_commands_zrange (const char *key,
                          gint64      start,
                          gint64      stop)
{
  g_return_val_if_fail (key != NULL, NULL);

  return range_command (DT_REDIS_VALUE_BYTES_LIST, "ZRANGE", key, start, stop, FALSE);
}

DtRedisCommand *
dt_redis_commands_zrange_with_scores (const char *key,
                                      gint64      start,
                                      gint64      stop)
{
  g_return_val_if_fail (key != NULL, NULL);

  return range_command (DT_REDIS_VALUE_SCORED_LIST, "ZRANGE", key, start, stop, TRUE);
}

DtRedisCommand *
dt_redis_commands_zrevrange (const char *key,
                             gint64      start,
                             gint64      stop)
{
  g_return_val_if_fail (key != NULL, NULL);

  /* ZREVRANGE rather than ZRANGE ... REV: the latter needs Redis 6.2. */
  return range_command (DT_REDIS_VALUE_BYTES_LIST, "ZREVRANGE", key, start, stop, FALSE);
}

DtRedisCommand *
dt_redis_commands_zrevrange_with_scores (const char *key,
                                         gint64      start,
                                         gint64      stop)
{
  g_return_val_if_fail (key != NULL, NULL);

  return range_command (DT_REDIS_VALUE_SCORED_LIST, "ZREVRANGE", key, start, stop, TRUE);
}

/* Server and pub/sub */

DtRedisCommand *
dt_redis_commands_ping (void)
{
  return dt_redis_command_newv (DT_REDIS_VALUE_OK, "PING", NULL);
}

DtRedisCommand *
dt_redis_commands_publish (const char *channel,
                           GBytes     *message)
{
  FixedArgs args = { 0, };

  g_return_val_if_fail (channel != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  add_string (&args, "PUBLISH");
  add_string (&args, channel);
  add_bytes (&args, message);
  return fixed_command (DT_REDIS_VALUE_INTEGER, &args);
}

DtRedisCommand *
dt_redis_commands_dbsize (void)
{
  return dt_redis_command_newv (DT_REDIS_VALUE_INTEGER, "DBSIZE", NULL);
}

DtRedisCommand *
dt_redis_commands_flushdb (void)
{
  return dt_redis_command_newv (DT_REDIS_VALUE_OK, "FLUSHDB", NULL);
}
