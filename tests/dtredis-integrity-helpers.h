/* dtredis-integrity-helpers.h: what test-at-most-once and test-integrity-guards share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Instances with a given socket-timeout, waits on the thread-default main
 * context for async results, commands through the library's sync and async
 * paths, commands through the harness's own RESP client (server_integer,
 * server_ok), the record of what the client said about each INCR on a
 * fresh key and its check against the server's counters (check_outcomes),
 * and the "killer" thread that sends CLIENT KILL TYPE normal in a loop.
 * Upper time bounds are multiplied by dt_test_time_scale().
 */

#pragma once

#include <dtredis.h>

#include "dtredis-test-server.h"

G_BEGIN_DECLS

#define STRV(...) ((const char * const []) { __VA_ARGS__, NULL })

/* The wording the engine uses for a command lost after it was sent. */
#define MAYBE_EXECUTED "may have been executed"

/* The socket-timeout of the bounds and SIGSTOP tests, in seconds. */
#define BOUND_TIMEOUT 0.5

/* -- helpers ----------------------------------------------------------------- */

gint64           usec_bound             (gdouble              seconds);
gdouble          seconds_since          (gint64               start);
DtRedisInstance *new_instance           (const char          *url,
                                         guint                max_connections,
                                         gdouble              socket_timeout,
                                         const char          *client_name,
                                         const char          *password);
/* A GAsyncReadyCallback that stores a ref on the result in *(GAsyncResult **) user_data. */
void             store_result_cb        (GObject             *source,
                                         GAsyncResult        *result,
                                         gpointer             user_data);
/* A GSourceFunc that does nothing but keeps the main context waking up. */
gboolean         tick_cb                (gpointer             data);
/* Runs the thread-default main context until *@slot is set or @timeout_s
 * (scaled) passed; FALSE on timeout. */
gboolean         wait_result_until      (GAsyncResult       **slot,
                                         gdouble              timeout_s);
/* The same with 30 s; a timeout is fatal. */
GAsyncResult    *wait_result            (GAsyncResult       **slot);
/* Runs the main context for @ms milliseconds. */
void             iterate_for            (guint                ms);
/* The callback of dt_redis_instance_reset_async_pool_async(): sets *(gboolean *) user_data. */
void             reset_done_cb          (GObject             *source,
                                         GAsyncResult        *result,
                                         gpointer             user_data);
/* Resets both pools, waiting for the async one on the thread-default context. */
void             close_pools            (DtRedisInstance     *instance);
DtRedisReply    *async_execute          (DtRedisInstance     *instance,
                                         const char * const  *argv,
                                         GError             **error);
DtRedisReply    *sync_execute           (DtRedisInstance     *instance,
                                         const char * const  *argv,
                                         GError             **error);
GPtrArray       *async_pipeline_execute (DtRedisPipeline     *pipe,
                                         GError             **error);

/* A command through the harness's own RESP client; its integer reply
 * (":5" or "$1 5"; 0 for nil). */
gint64           server_integer         (DtTestServer        *server,
                                         const char          *first,
                                         ...) G_GNUC_NULL_TERMINATED;
/* A command through the harness's own RESP client that must answer +OK. */
void             server_ok              (DtTestServer        *server,
                                         const char          *first,
                                         ...) G_GNUC_NULL_TERMINATED;

/* -- execution outcomes and their check -------------------------------------- */

/* What the client said about one INCR on a fresh key. */
typedef struct
{
  char     key[48];
  gint     group;     /* the transaction it was part of, or -1 */
  gboolean ok;
  gint64   value;     /* the reply when ok (must be 1) */
  gint     code;      /* the DtRedisError code when not ok (-1: other domain) */
  gboolean maybe;     /* the error says it may have been executed */
} Outcome;

void             outcome_set_error      (Outcome             *o,
                                         const GError        *error);

typedef struct
{
  guint ok;
  guint failed;
  guint failed_ran;       /* failed, and the server ran it (once) */
  guint failed_maybe;     /* failed with "may have been executed" */
} Tally;

/* The property of the issue: a success ran exactly once and returned 1; a
 * failure ran at most once, and one that ran says it may have been
 * executed; a transaction ran all or nothing. */
Tally            check_outcomes         (DtTestServer        *server,
                                         GArray              *outcomes,
                                         const char          *what);

/* -- the killer: CLIENT KILL TYPE normal from its own connections ------------ */

typedef struct
{
  DtTestServer *server;
  gint          stop;
  guint         kills;     /* CLIENT KILL commands sent */
  guint         killed;    /* connections they closed */
  GThread      *thread;
} Killer;

void             killer_start           (Killer              *k,
                                         DtTestServer        *server);
void             killer_stop            (Killer              *k);

G_END_DECLS
