/* dtredis-command-private.h: a formatted command (or batch) ready to send
 *
 * A command carries everything a pool needs: the RESP bytes, how many
 * replies to read, whether it blocks on the server (and for how long) or
 * changes connection state, and how its reply converts to the typed value a
 * helper returns. Both clients and the pipeline build these; both pools
 * consume them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "dtredis-reply.h"
#include "dtredis-value-private.h"

G_BEGIN_DECLS

typedef enum
{
  DT_REDIS_COMMAND_FLAG_NONE      = 0,
  /* Waits on the server (BLPOP, XREAD BLOCK, WAIT...): read deadline is
   * block_us plus socket-timeout, none when block_us is DT_REDIS_BLOCK_FOREVER. */
  DT_REDIS_COMMAND_FLAG_BLOCKING  = 1 << 0,
  /* Changes connection state or takes the connection over (MULTI, WATCH,
   * SELECT, AUTH, SUBSCRIBE, MONITOR, CLIENT REPLY): the async pool gives
   * it a connection of its own. */
  DT_REDIS_COMMAND_FLAG_EXCLUSIVE = 1 << 1,
  /* A MULTI/EXEC batch whose last reply is the EXEC array. */
  DT_REDIS_COMMAND_FLAG_TRANSACTION = 1 << 2,
  /* Leaves the connection in a state later commands must not inherit
   * (SELECT, a lone MULTI or WATCH, SUBSCRIBE, CLIENT REPLY...): both
   * pools close the connection afterwards instead of reusing it. */
  DT_REDIS_COMMAND_FLAG_STATEFUL  = 1 << 3,
} DtRedisCommandFlags;

#define DT_REDIS_BLOCK_FOREVER G_MAXINT64

/* The RESP bytes of one or more commands. They live in the command's own
 * block when they fit the room it was made with (one allocation for the
 * command and its bytes); bytes that outgrow it move to a buffer of their
 * own. */
typedef struct
{
  guint8 *data;
  gsize   len;
  gsize   alloc;
} DtRedisPayload;

typedef struct _DtRedisCommand
{
  DtRedisPayload       payload;
  guint                n_replies;  /* replies to read for the payload */
  DtRedisCommandFlags  flags;
  gint64               block_us;   /* with BLOCKING: the server-side wait */
  DtRedisValueKind     kind;       /* how the (last) reply converts */
  /* Set by the async pool once its bytes went into a connection's output
   * buffer: from then on it may have reached the server. */
  gboolean             written;
  guint8               room[];     /* where payload.data starts out */
} DtRedisCommand;

DtRedisCommand *dt_redis_command_new         (DtRedisValueKind    kind);
/* With room for @room bytes of payload in the same block. */
DtRedisCommand *dt_redis_command_new_sized   (DtRedisValueKind    kind,
                                              gsize               room);
/* Appends @len bytes of RESP as they are (no reply counted). */
void            dt_redis_command_append_raw  (DtRedisCommand     *self,
                                              const guint8       *data,
                                              gsize               len);
/* Appends one command; classifies it (blocking time, exclusive). */
void            dt_redis_command_append_argv (DtRedisCommand     *self,
                                              guint               argc,
                                              const char * const *argv,
                                              const gsize        *argvlen);
/* NULL-terminated list of C strings. */
void            dt_redis_command_append_strv (DtRedisCommand     *self,
                                              const char * const *argv);
void            dt_redis_command_append_bytes (DtRedisCommand    *self,
                                               GBytes * const    *argv,
                                               guint              n_argv);
/* A single command from varargs C strings ending with NULL. */
DtRedisCommand *dt_redis_command_newv        (DtRedisValueKind    kind,
                                              const char         *first,
                                              ...) G_GNUC_NULL_TERMINATED;
void            dt_redis_command_free        (DtRedisCommand     *self);
/* A copy with the same bytes, replies and flags, to send again. */
DtRedisCommand *dt_redis_command_copy        (const DtRedisCommand *self);
/* A copy whose payload starts with @prefix_len bytes of RESP (@prefix:
 * @prefix_replies whole commands) before @self's: one allocation, the
 * same kind, flags and blocking time, the replies of both. */
DtRedisCommand *dt_redis_command_copy_with_prefix (const DtRedisCommand *self,
                                                   const guint8         *prefix,
                                                   gsize                 prefix_len,
                                                   guint                 prefix_replies);
/* The read deadline for this command, as a g_get_monotonic_time() value
 * from @now; 0 means none. */
gint64          dt_redis_command_deadline    (const DtRedisCommand *self,
                                              gint64                now,
                                              gint64                socket_timeout_us);

/* A copy of argument @index (0: the command's name) of the first command
 * in the payload, as text; NULL when there is no such argument. Slow:
 * for error messages. */
char           *dt_redis_command_dup_arg     (const DtRedisCommand *self,
                                              guint                 index);

/* The arguments of one command as a generated builder collects them:
 * pointers to the caller's strings and bytes (not copied), numbers
 * formatted into the struct itself. Lives on the builder's stack. */
typedef struct
{
  guint        argc;
  guint        capacity;
  const char **argv;
  gsize       *lens;
  const char  *argv_inline[16];
  gsize        lens_inline[16];
  char         numbers[16][32];
  guint        n_numbers;
  GPtrArray   *spill;     /* formatted numbers past the 16th */
} DtRedisArgs;

void            dt_redis_args_init       (DtRedisArgs        *args);
void            dt_redis_args_add        (DtRedisArgs        *args,
                                          const char         *data,
                                          gsize               len);
void            dt_redis_args_add_text   (DtRedisArgs        *args,
                                          const char         *text);
void            dt_redis_args_add_bytes  (DtRedisArgs        *args,
                                          GBytes             *bytes);
void            dt_redis_args_add_int    (DtRedisArgs        *args,
                                          gint64              value);
/* As Redis reads it: "inf" and "-inf" for the infinities. */
void            dt_redis_args_add_double (DtRedisArgs        *args,
                                          gdouble             value);
/* One command of @kind from the arguments; clears @args. */
DtRedisCommand *dt_redis_args_finish     (DtRedisArgs        *args,
                                          DtRedisValueKind    kind);
void            dt_redis_args_clear      (DtRedisArgs        *args);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisCommand, dt_redis_command_free)

G_END_DECLS
