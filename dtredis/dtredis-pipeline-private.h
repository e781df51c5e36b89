/* dtredis-pipeline-private.h: the pipeline's struct, and what its batch
 * execution (dtredis-pipeline.c) and its watch (dtredis-pipeline-watch.c)
 * share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-client-private.h"
#include "dtredis-sync-pool-private.h"

G_BEGIN_DECLS

struct _DtRedisPipeline
{
  GObject          parent_instance;

  DtRedisInstance *instance; /* for the property only */
  DtRedisPools    *pools;
  gboolean         transaction;

  DtRedisCommand  *body;     /* the queued commands, NULL while there are none */

  /* While watching: the sync pool's connection leased for WATCH. */
  DtRedisSyncPool   *watch_pool;
  DtRedisConnection *watch_conn;
  /* A command that changes connection state ran on it: close it at the end. */
  gboolean           watch_tainted;
  /* Cluster: the slot of the watched keys, which every command of the
   * transaction must share (DT_REDIS_SLOT_ANY until known). */
  gint               watch_slot;
};

/* Where the replies of one execution are: what execute and
 * execute_async share to turn the replies into the result. */
typedef struct
{
  guint    n_commands;  /* queued by the user */
  guint    n_replies;   /* read from the server, MULTI/EXEC included */
  gboolean transaction;
} BatchLayout;

/* What the worker thread of a watched _async call does. */
typedef enum
{
  WATCHED_WATCH,
  WATCHED_IMMEDIATE,
  WATCHED_EXECUTE,
} WatchedOp;

typedef struct
{
  WatchedOp       op;
  char          **keys;   /* WATCHED_WATCH */
  DtRedisCommand *cmd;    /* WATCHED_IMMEDIATE, WATCHED_EXECUTE */
  BatchLayout     layout; /* WATCHED_EXECUTE */
} WatchedCall;

/* Cluster: FALSE with CROSS_SLOT (the watch ended) when @cmd has keys
 * outside the watched slot; TRUE otherwise, and without a cluster. */
gboolean dt_redis_pipeline_check_watched_slot (DtRedisPipeline      *self,
                                               const DtRedisCommand *cmd,
                                               GError              **error);
/* Ends the watch: the connection goes back to the pool when @reusable
 * (an EXEC answered, so the server's watch is over), else it is closed. */
void       dt_redis_pipeline_end_watch       (DtRedisPipeline    *self,
                                              gboolean            reusable);
/* Runs @cmd (MULTI, the commands, EXEC) over the watched connection. */
GPtrArray *dt_redis_pipeline_execute_watched (DtRedisPipeline    *self,
                                              DtRedisCommand     *cmd,
                                              const BatchLayout  *layout,
                                              GCancellable       *cancellable,
                                              GError            **error);

/* The error of a watched call on a pipeline that watches nothing: FALSE. */
gboolean   dt_redis_pipeline_not_watching_error (GError            **error);
/* Runs @call (taken) in a GIO worker thread, as a task of @self. */
void       dt_redis_pipeline_run_watched     (DtRedisPipeline     *self,
                                              WatchedCall         *call,
                                              gpointer             source_tag,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);

G_END_DECLS
