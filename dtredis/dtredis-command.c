/* dtredis-command.c: formatted commands and what they ask of a connection
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "dtredis-command-private.h"
#include "dtredis-command-table.h"
#include "dtredis-resp-private.h"

/* The room a command gets when its size is not known in advance. */
#define DEFAULT_ROOM ((gsize) 64)

DtRedisCommand *
dt_redis_command_new_sized (DtRedisValueKind kind,
                            gsize            room)
{
  DtRedisCommand *self;

  if (room > G_MAXSIZE - sizeof (DtRedisCommand))
    g_error ("a Redis command of %" G_GSIZE_FORMAT " bytes cannot be allocated", room);
  self = g_malloc (sizeof (DtRedisCommand) + room);
  memset (self, 0, sizeof (DtRedisCommand));
  self->payload.data = self->room;
  self->payload.alloc = room;
  self->kind = kind;

  return self;
}

DtRedisCommand *
dt_redis_command_new (DtRedisValueKind kind)
{
  return dt_redis_command_new_sized (kind, DEFAULT_ROOM);
}

/* Makes room for @len more bytes at the end of the payload and counts
 * them in; where they go. */
static guint8 *
payload_grow (DtRedisCommand *self,
              gsize           len)
{
  DtRedisPayload *payload = &self->payload;
  guint8 *at;

  if (len > payload->alloc - payload->len)
    {
      gsize want;

      if (len > G_MAXSIZE / 2 - payload->len)
        g_error ("a Redis command of more than %" G_GSIZE_FORMAT " bytes cannot be allocated",
                 G_MAXSIZE / 2);
      want = MAX (MAX (payload->len + len, payload->alloc * 2), DEFAULT_ROOM);
      if (payload->data == self->room)
        {
          guint8 *data = g_malloc (want);

          memcpy (data, payload->data, payload->len);
          payload->data = data;
        }
      else
        {
          payload->data = g_realloc (payload->data, want);
        }
      payload->alloc = want;
    }

  at = payload->data + payload->len;
  payload->len += len;
  return at;
}

void
dt_redis_command_append_raw (DtRedisCommand *self,
                             const guint8   *data,
                             gsize           len)
{
  if (len > 0)
    memcpy (payload_grow (self, len), data, len);
}

DtRedisCommand *
dt_redis_command_copy_with_prefix (const DtRedisCommand *cmd,
                                   const guint8         *prefix,
                                   gsize                 prefix_len,
                                   guint                 prefix_replies)
{
  DtRedisCommand *copy = dt_redis_command_new_sized (cmd->kind, prefix_len + cmd->payload.len);

  dt_redis_command_append_raw (copy, prefix, prefix_len);
  dt_redis_command_append_raw (copy, cmd->payload.data, cmd->payload.len);
  copy->n_replies = prefix_replies + cmd->n_replies;
  copy->flags = cmd->flags;
  copy->block_us = cmd->block_us;
  return copy;
}

DtRedisCommand *
dt_redis_command_copy (const DtRedisCommand *cmd)
{
  return dt_redis_command_copy_with_prefix (cmd, NULL, 0, 0);
}

void
dt_redis_command_free (DtRedisCommand *self)
{
  if (self == NULL)
    return;

  if (self->payload.data != self->room)
    g_free (self->payload.data);
  g_free (self);
}

static gboolean
arg_is (const char  *arg,
        gsize        len,
        const char  *name)
{
  gsize name_len = strlen (name);

  return len == name_len && g_ascii_strncasecmp (arg, name, len) == 0;
}

/* A timeout argument in seconds ("1.5"), or in milliseconds when
 * @millis; returns µs, DT_REDIS_BLOCK_FOREVER for 0, -1 when unreadable. */
static gint64
parse_block_time (const char *arg,
                  gsize       len,
                  gboolean    millis)
{
  char buf[64];
  char *end = NULL;
  gdouble value;

  if (len == 0 || len >= sizeof buf)
    return -1;
  memcpy (buf, arg, len);
  buf[len] = '\0';

  value = g_ascii_strtod (buf, &end);
  if (end == buf || *end != '\0' || !isfinite (value) || value < 0)
    return -1;
  if (value == 0)
    return DT_REDIS_BLOCK_FOREVER;

  return (gint64) (value * (millis ? 1000.0 : G_USEC_PER_SEC));
}

/* What the command table says about argv[0] (and argv[1], for commands
 * with subcommands): blocking commands get their wait added to the read
 * deadline, blocking and stateful ones a connection of their own, and
 * stateful ones never go back to a pool. */
static void
classify (DtRedisCommand     *self,
          guint               argc,
          const char * const *argv,
          const gsize        *argvlen)
{
  const DtRedisCommandEntry *entry;
  gint64 block = -1;

  if (!dt_redis_command_table_may_be_special (argv[0], argvlen[0]))
    return;

  entry = dt_redis_command_table_lookup (argv[0], argvlen[0]);
  if (entry == NULL)
    return;
  if (entry->n_subcommands > 0 && argc >= 2)
    {
      const DtRedisCommandEntry *sub = dt_redis_command_table_lookup_sub (entry, argv[1], argvlen[1]);

      if (sub != NULL)
        entry = sub;
    }

  if (entry->traits & DT_REDIS_COMMAND_TRAIT_BLOCKING)
    {
      if (entry->block_keyword != NULL)
        {
          /* Options come before STREAMS, keys and ids after it. */
          for (guint i = 1; i + 1 < argc; i++)
            {
              if (arg_is (argv[i], argvlen[i], "STREAMS"))
                break;
              if (arg_is (argv[i], argvlen[i], entry->block_keyword))
                {
                  block = parse_block_time (argv[i + 1], argvlen[i + 1], entry->block_ms);
                  break;
                }
            }
          /* Without the keyword it answers at once. */
          if (block == -1)
            goto stateful;
        }
      else
        {
          guint index = entry->block_index < 0 ? argc - 1 : (guint) entry->block_index;

          if (index > 0 && index < argc)
            block = parse_block_time (argv[index], argvlen[index], entry->block_ms);
        }

      self->flags |= DT_REDIS_COMMAND_FLAG_BLOCKING | DT_REDIS_COMMAND_FLAG_EXCLUSIVE;
      /* An unreadable timeout: the server will reject the command at once,
       * so the plain socket timeout is the right deadline. */
      self->block_us = MAX (self->block_us, block < 0 ? 0 : block);
    }

stateful:
  if (entry->traits & DT_REDIS_COMMAND_TRAIT_STATEFUL)
    self->flags |= DT_REDIS_COMMAND_FLAG_EXCLUSIVE | DT_REDIS_COMMAND_FLAG_STATEFUL;
}

/* One command of @size bytes in RESP (dt_redis_resp_command_size()). */
static void
append_sized (DtRedisCommand     *self,
              guint               argc,
              const char * const *argv,
              const gsize        *argvlen,
              gsize               size)
{
  dt_redis_resp_write_command (payload_grow (self, size), argc, argv, argvlen, size);
  self->n_replies++;
  classify (self, argc, argv, argvlen);
}

void
dt_redis_command_append_argv (DtRedisCommand     *self,
                              guint               argc,
                              const char * const *argv,
                              const gsize        *argvlen)
{
  g_return_if_fail (argc > 0);

  append_sized (self, argc, argv, argvlen, dt_redis_resp_command_size (argc, argvlen));
}

void
dt_redis_command_append_strv (DtRedisCommand     *self,
                              const char * const *argv)
{
  guint argc = g_strv_length ((char **) argv);
  gsize lens_stack[16];
  g_autofree gsize *lens_heap = NULL;
  gsize *lens = lens_stack;

  if (argc > G_N_ELEMENTS (lens_stack))
    lens = lens_heap = g_new (gsize, argc);
  for (guint i = 0; i < argc; i++)
    lens[i] = strlen (argv[i]);

  dt_redis_command_append_argv (self, argc, argv, lens);
}

void
dt_redis_command_append_bytes (DtRedisCommand *self,
                               GBytes * const *argv,
                               guint           n_argv)
{
  const char *ptrs_stack[16];
  gsize lens_stack[16];
  g_autofree const char **ptrs_heap = NULL;
  g_autofree gsize *lens_heap = NULL;
  const char **ptrs = ptrs_stack;
  gsize *lens = lens_stack;

  if (n_argv > G_N_ELEMENTS (lens_stack))
    {
      ptrs = ptrs_heap = g_new (const char *, n_argv);
      lens = lens_heap = g_new (gsize, n_argv);
    }
  for (guint i = 0; i < n_argv; i++)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (argv[i], &len);

      ptrs[i] = data != NULL ? data : "";
      lens[i] = len;
    }

  dt_redis_command_append_argv (self, n_argv, ptrs, lens);
}

DtRedisCommand *
dt_redis_command_newv (DtRedisValueKind  kind,
                       const char       *first,
                       ...)
{
  DtRedisCommand *self = dt_redis_command_new (kind);
  const char *argv_stack[16];
  gsize lens_stack[16];
  GPtrArray *argv_heap = NULL;
  guint argc = 0;
  va_list ap;

  va_start (ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (ap, const char *))
    {
      if (argc == G_N_ELEMENTS (argv_stack) && argv_heap == NULL)
        {
          argv_heap = g_ptr_array_new ();
          for (guint i = 0; i < argc; i++)
            g_ptr_array_add (argv_heap, (gpointer) argv_stack[i]);
        }
      if (argv_heap != NULL)
        g_ptr_array_add (argv_heap, (gpointer) arg);
      else
        argv_stack[argc] = arg;
      argc++;
    }
  va_end (ap);

  if (argv_heap != NULL)
    {
      g_ptr_array_add (argv_heap, NULL);
      dt_redis_command_append_strv (self, (const char * const *) argv_heap->pdata);
      g_ptr_array_unref (argv_heap);
    }
  else
    {
      for (guint i = 0; i < argc; i++)
        lens_stack[i] = strlen (argv_stack[i]);
      dt_redis_command_append_argv (self, argc, argv_stack, lens_stack);
    }

  return self;
}

gint64
dt_redis_command_deadline (const DtRedisCommand *self,
                           gint64                now,
                           gint64                socket_timeout_us)
{
  if (self->flags & DT_REDIS_COMMAND_FLAG_BLOCKING)
    {
      if (self->block_us == DT_REDIS_BLOCK_FOREVER)
        return 0;
      return now + self->block_us + socket_timeout_us;
    }

  return now + socket_timeout_us;
}

char *
dt_redis_command_dup_arg (const DtRedisCommand *self,
                          guint                 index)
{
  const char *p = (const char *) self->payload.data;
  const char *end = p + self->payload.len;
  guint64 argc;
  char *next;

  /* *argc\r\n, then $len\r\ndata\r\n per argument: we wrote it. */
  if (p >= end || *p != '*')
    return NULL;
  argc = g_ascii_strtoull (p + 1, &next, 10);
  if (index >= argc)
    return NULL;
  p = next + 2;
  for (guint i = 0; p < end && *p == '$'; i++)
    {
      guint64 len = g_ascii_strtoull (p + 1, &next, 10);

      p = next + 2;
      if (p + len > end)
        return NULL;
      if (i == index)
        return g_strndup (p, len);
      p += len + 2;
    }

  return NULL;
}

/* Arguments for generated builders */

void
dt_redis_args_init (DtRedisArgs *args)
{
  args->argc = 0;
  args->capacity = G_N_ELEMENTS (args->argv_inline);
  args->argv = args->argv_inline;
  args->lens = args->lens_inline;
  args->n_numbers = 0;
  args->spill = NULL;
}

void
dt_redis_args_add (DtRedisArgs *args,
                   const char  *data,
                   gsize        len)
{
  if (args->argc == args->capacity)
    {
      guint capacity = args->capacity * 2;

      if (args->argv == args->argv_inline)
        {
          args->argv = g_memdup2 (args->argv_inline, sizeof args->argv_inline);
          args->lens = g_memdup2 (args->lens_inline, sizeof args->lens_inline);
        }
      args->argv = g_renew (const char *, args->argv, capacity);
      args->lens = g_renew (gsize, args->lens, capacity);
      args->capacity = capacity;
    }

  /* An empty GBytes may have no data pointer; the empty string is the same value. */
  args->argv[args->argc] = data != NULL ? data : "";
  args->lens[args->argc] = len;
  args->argc++;
}

void
dt_redis_args_add_text (DtRedisArgs *args,
                        const char  *text)
{
  dt_redis_args_add (args, text, strlen (text));
}

void
dt_redis_args_add_bytes (DtRedisArgs *args,
                         GBytes      *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);

  dt_redis_args_add (args, data, len);
}

/* Room for one formatted number that stays put until the args go. */
static char *
number_slot (DtRedisArgs *args)
{
  char *slot;

  if (args->n_numbers < G_N_ELEMENTS (args->numbers))
    return args->numbers[args->n_numbers++];

  if (args->spill == NULL)
    args->spill = g_ptr_array_new_with_free_func (g_free);
  slot = g_malloc (32);
  g_ptr_array_add (args->spill, slot);
  return slot;
}

void
dt_redis_args_add_int (DtRedisArgs *args,
                       gint64       value)
{
  char *slot = number_slot (args);
  int len = g_snprintf (slot, 32, "%" G_GINT64_FORMAT, value);

  dt_redis_args_add (args, slot, (gsize) len);
}

void
dt_redis_args_add_double (DtRedisArgs *args,
                          gdouble      value)
{
  char *slot = number_slot (args);

  if (isinf (value))
    g_strlcpy (slot, value > 0 ? "inf" : "-inf", 32);
  else
    g_ascii_formatd (slot, 32, "%.17g", value);
  dt_redis_args_add_text (args, slot);
}

void
dt_redis_args_clear (DtRedisArgs *args)
{
  if (args->argv != args->argv_inline)
    {
      g_free (args->argv);
      g_free (args->lens);
    }
  g_clear_pointer (&args->spill, g_ptr_array_unref);
  dt_redis_args_init (args);
}

DtRedisCommand *
dt_redis_args_finish (DtRedisArgs      *args,
                      DtRedisValueKind  kind)
{
  gsize size = dt_redis_resp_command_size (args->argc, args->lens);
  /* Exactly the room its bytes take: one allocation. */
  DtRedisCommand *cmd = dt_redis_command_new_sized (kind, size);

  append_sized (cmd, args->argc, args->argv, args->lens, size);
  dt_redis_args_clear (args);

  return cmd;
}
