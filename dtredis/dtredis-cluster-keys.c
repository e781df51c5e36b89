/* dtredis-cluster-keys.c: which hash slot a command belongs to
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dtredis-cluster-keys-private.h"
#include "dtredis-command-table.h"
#include "dtredis-error.h"
#include "dtredis-key-slot.h"

void
dt_redis_request_args_init (DtRedisRequestArgs *args)
{
  args->argc = 0;
  args->argv = args->argv_inline;
  args->lens = args->lens_inline;
  args->capacity = G_N_ELEMENTS (args->argv_inline);
}

void
dt_redis_request_args_clear (DtRedisRequestArgs *args)
{
  if (args->argv != args->argv_inline)
    {
      g_free (args->argv);
      g_free (args->lens);
    }
  dt_redis_request_args_init (args);
}

static void
reserve (DtRedisRequestArgs *args,
         guint               n)
{
  if (n <= args->capacity)
    return;

  if (args->argv == args->argv_inline)
    {
      args->argv = g_new (const char *, n);
      args->lens = g_new (gsize, n);
    }
  else
    {
      args->argv = g_renew (const char *, args->argv, n);
      args->lens = g_renew (gsize, args->lens, n);
    }
  args->capacity = n;
}

/* Reads "<prefix><digits>\r\n" at *@p. */
static gboolean
read_header (const char  **p,
             const char   *end,
             char          prefix,
             guint64      *value)
{
  const char *q = *p;
  guint64 n = 0;

  if (q >= end || *q != prefix)
    return FALSE;
  for (q++; q < end && *q >= '0' && *q <= '9'; q++)
    n = n * 10 + (guint64) (*q - '0');
  if (q + 2 > end || q[0] != '\r' || q[1] != '\n')
    return FALSE;

  *p = q + 2;
  *value = n;
  return TRUE;
}

gboolean
dt_redis_request_args_next (DtRedisRequestArgs *args,
                            const DtRedisPayload *payload,
                            gsize              *offset)
{
  const char *p = (const char *) payload->data + *offset;
  const char *end = (const char *) payload->data + payload->len;
  guint64 argc;

  args->argc = 0;
  if (!read_header (&p, end, '*', &argc) || argc == 0 || argc > G_MAXUINT / 2)
    return FALSE;

  reserve (args, (guint) argc);
  for (guint i = 0; i < argc; i++)
    {
      guint64 len;

      if (!read_header (&p, end, '$', &len) || len > (guint64) (end - p) || end - p - len < 2)
        return FALSE;
      args->argv[i] = p;
      args->lens[i] = len;
      p += len + 2;
    }

  args->argc = (guint) argc;
  *offset = (gsize) (p - (const char *) payload->data);
  return TRUE;
}

static gboolean
arg_is (const DtRedisRequestArgs *args,
        guint                     index,
        const char               *word)
{
  gsize len = strlen (word);

  return args->lens[index] == len && g_ascii_strncasecmp (args->argv[index], word, len) == 0;
}

/* A decimal count argument, or -1. */
static gint64
arg_count (const DtRedisRequestArgs *args,
           guint                     index)
{
  gint64 n = 0;

  if (index >= args->argc || args->lens[index] == 0 || args->lens[index] > 9)
    return -1;
  for (gsize i = 0; i < args->lens[index]; i++)
    {
      char c = args->argv[index][i];

      if (c < '0' || c > '9')
        return -1;
      n = n * 10 + (c - '0');
    }
  return n;
}

typedef struct
{
  gint slot;     /* DT_REDIS_SLOT_ANY until the first key */
  gboolean crossed;
} SlotFold;

static void
fold_key (SlotFold                 *fold,
          const DtRedisRequestArgs *args,
          guint                     index)
{
  gint slot;

  if (index >= args->argc)
    return;
  slot = (gint) dt_redis_key_slot_data ((const guint8 *) args->argv[index], args->lens[index]);
  if (fold->slot == DT_REDIS_SLOT_ANY)
    fold->slot = slot;
  else if (fold->slot != slot)
    fold->crossed = TRUE;
}

/* @count keys starting at @first (a count that is not a number: none;
 * the server will refuse the command). */
static void
fold_counted (SlotFold                 *fold,
              const DtRedisRequestArgs *args,
              guint                     count_index,
              guint                     first)
{
  gint64 n = arg_count (args, count_index);

  for (gint64 i = 0; i < n && first + i < args->argc; i++)
    fold_key (fold, args, first + (guint) i);
}

static void
fold_after_keyword (SlotFold                 *fold,
                    const DtRedisRequestArgs *args,
                    guint                     from,
                    const char               *keyword)
{
  for (guint i = from; i + 1 < args->argc; i++)
    if (arg_is (args, i, keyword))
      fold_key (fold, args, i + 1);
}

/* The commands whose keys the table cannot place. */
static void
fold_movable (SlotFold                 *fold,
              const DtRedisRequestArgs *args,
              const char               *name)
{
  if (g_str_has_prefix (name, "EVAL") || g_str_has_prefix (name, "FCALL"))
    fold_counted (fold, args, 2, 3);
  else if (strcmp (name, "ZUNION") == 0 || strcmp (name, "ZINTER") == 0 ||
           strcmp (name, "ZDIFF") == 0 || strcmp (name, "SINTERCARD") == 0 ||
           strcmp (name, "ZINTERCARD") == 0 || strcmp (name, "LMPOP") == 0 ||
           strcmp (name, "ZMPOP") == 0)
    fold_counted (fold, args, 1, 2);
  else if (strcmp (name, "BLMPOP") == 0 || strcmp (name, "BZMPOP") == 0 ||
           strcmp (name, "ZUNIONSTORE") == 0 || strcmp (name, "ZINTERSTORE") == 0 ||
           strcmp (name, "ZDIFFSTORE") == 0)
    fold_counted (fold, args, 2, 3);
  else if (strcmp (name, "XREAD") == 0 || strcmp (name, "XREADGROUP") == 0)
    {
      for (guint i = 1; i < args->argc; i++)
        if (arg_is (args, i, "STREAMS"))
          {
            guint n = (args->argc - i - 1) / 2;

            for (guint k = 0; k < n; k++)
              fold_key (fold, args, i + 1 + k);
            break;
          }
    }
  else if (strcmp (name, "SORT") == 0 || strcmp (name, "SORT_RO") == 0)
    fold_after_keyword (fold, args, 2, "STORE");
  else if (strcmp (name, "GEORADIUS") == 0 || strcmp (name, "GEORADIUSBYMEMBER") == 0)
    {
      fold_after_keyword (fold, args, 2, "STORE");
      fold_after_keyword (fold, args, 2, "STOREDIST");
    }
  else if (strcmp (name, "MIGRATE") == 0)
    fold_after_keyword (fold, args, 6, "KEYS");
}

static void
fold_command (SlotFold                 *fold,
              const DtRedisRequestArgs *args)
{
  const DtRedisCommandEntry *entry;

  if (args->argc == 0)
    return;
  entry = dt_redis_command_table_lookup (args->argv[0], args->lens[0]);
  if (entry == NULL)
    return;   /* unknown: any node; a node that does not own its keys says MOVED */
  if (entry->n_subcommands > 0)
    {
      if (args->argc < 2)
        return;
      entry = dt_redis_command_table_lookup_sub (entry, args->argv[1], args->lens[1]);
      if (entry == NULL)
        return;
    }

  if (entry->first_key > 0)
    {
      gint last = entry->last_key >= 0 ? entry->last_key : (gint) args->argc + entry->last_key;
      gint step = MAX (entry->key_step, 1);

      /* MIGRATE's key is "" when it moves several (KEYS ...). */
      if (!(strcmp (entry->name, "MIGRATE") == 0 && args->argc > 3 && args->lens[3] == 0))
        for (gint i = entry->first_key; i <= last && i < (gint) args->argc; i += step)
          fold_key (fold, args, (guint) i);
    }
  if (entry->traits & DT_REDIS_COMMAND_TRAIT_MOVABLE_KEYS)
    fold_movable (fold, args, entry->name);
}

static gboolean
finish (const SlotFold           *fold,
        const DtRedisRequestArgs *args,
        gint                     *slot,
        GError                  **error)
{
  if (fold->crossed)
    {
      g_autofree char *name = args->argc > 0 ? g_strndup (args->argv[0], args->lens[0])
                                              : g_strdup ("");

      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CROSS_SLOT,
                   /* Translators: %s is a Redis command such as MGET */
                   _("The keys of %s are in different cluster hash slots; nothing was sent "
                     "(use a hash tag such as {user:1} in every key)"), name);
      return FALSE;
    }

  *slot = fold->slot;
  return TRUE;
}

gboolean
dt_redis_cluster_args_slot (const DtRedisRequestArgs *args,
                            gint                     *slot,
                            GError                  **error)
{
  SlotFold fold = { DT_REDIS_SLOT_ANY, FALSE };

  fold_command (&fold, args);
  return finish (&fold, args, slot, error);
}

gboolean
dt_redis_cluster_command_slot (const DtRedisCommand  *cmd,
                               gint                  *slot,
                               GError               **error)
{
  SlotFold fold = { DT_REDIS_SLOT_ANY, FALSE };
  DtRedisRequestArgs args;
  gsize offset = 0;
  gboolean ok;

  dt_redis_request_args_init (&args);
  while (!fold.crossed && dt_redis_request_args_next (&args, &cmd->payload, &offset))
    fold_command (&fold, &args);
  ok = finish (&fold, &args, slot, error);
  dt_redis_request_args_clear (&args);

  return ok;
}

gboolean
dt_redis_cluster_command_reads_only (const DtRedisCommand *cmd)
{
  const DtRedisCommandEntry *entry = NULL;
  DtRedisRequestArgs args;
  gsize offset = 0;

  if (cmd->n_replies != 1 || (cmd->flags & (DT_REDIS_COMMAND_FLAG_TRANSACTION |
                                            DT_REDIS_COMMAND_FLAG_EXCLUSIVE)))
    return FALSE;

  dt_redis_request_args_init (&args);
  if (dt_redis_request_args_next (&args, &cmd->payload, &offset))
    {
      entry = dt_redis_command_table_lookup (args.argv[0], args.lens[0]);
      if (entry != NULL && entry->n_subcommands > 0)
        entry = args.argc >= 2 ? dt_redis_command_table_lookup_sub (entry, args.argv[1], args.lens[1]) : NULL;
    }
  dt_redis_request_args_clear (&args);

  return entry != NULL && (entry->traits & DT_REDIS_COMMAND_TRAIT_READONLY) &&
         !(entry->traits & DT_REDIS_COMMAND_TRAIT_WRITE);
}
