/* dtredis-cluster-keys-private.h: which hash slot a command belongs to
 *
 * The Cluster router sends each command to the node that owns the slot of
 * its keys. The keys are found from the command table's key positions,
 * and for the commands whose keys move (EVAL, ZUNION, XREAD...) by their
 * own rules. Commands are read back from the RESP bytes dtredis formatted
 * for them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "dtredis-command-private.h"

G_BEGIN_DECLS

/* The slot of a command without keys: any node can run it. */
#define DT_REDIS_SLOT_ANY (-1)

/* The arguments of one command of a payload: pointers into the payload. */
typedef struct
{
  guint        argc;
  const char **argv;
  gsize       *lens;
  const char  *argv_inline[8];
  gsize        lens_inline[8];
  guint        capacity;
} DtRedisRequestArgs;

void     dt_redis_request_args_init  (DtRedisRequestArgs *args);
void     dt_redis_request_args_clear (DtRedisRequestArgs *args);
/* Reads the command at *@offset of @payload into @args and moves *@offset
 * past it; FALSE at the end (or on bytes dtredis did not format). */
gboolean dt_redis_request_args_next  (DtRedisRequestArgs *args,
                                      const DtRedisPayload *payload,
                                      gsize              *offset);

/* The slot of one command's keys in *@slot (DT_REDIS_SLOT_ANY when it has
 * none). FALSE, with DT_REDIS_ERROR_CROSS_SLOT naming the command, when
 * its keys are in different slots. */
gboolean dt_redis_cluster_args_slot    (const DtRedisRequestArgs *args,
                                        gint                     *slot,
                                        GError                  **error);
/* The same for every command of @cmd's payload together (a transaction
 * must stay in one slot). */
gboolean dt_redis_cluster_command_slot (const DtRedisCommand     *cmd,
                                        gint                     *slot,
                                        GError                  **error);

/* Whether @cmd is one command that only reads (GET, HGETALL...), which a
 * replica may serve. */
gboolean dt_redis_cluster_command_reads_only (const DtRedisCommand     *cmd);

G_END_DECLS
