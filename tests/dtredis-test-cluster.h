/* dtredis-test-cluster.h: a private Redis Cluster for one test program
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   g_autoptr(DtTestCluster) lab = dt_test_cluster_start (3, 1);
 *   g_auto(GStrv) seeds = dt_test_cluster_dup_seeds (lab);
 *
 * Primaries and replicas are DtTestServers (each in its own tmpdir, on
 * free 127.0.0.1 ports, with a cluster bus port of its own), joined with
 * `redis-cli --cluster create ... --cluster-yes`, with a short
 * cluster-node-timeout (1 s) so that failovers take seconds. Forming the
 * cluster takes 2-3 s: share one per program. free() stops every node.
 */

#pragma once

#include "dtredis-test-server.h"

G_BEGIN_DECLS

#define DT_TEST_CLUSTER_NODE_TIMEOUT_MS 1000

/* A 127.0.0.1 TCP port that was free a moment ago. */
guint16        dt_test_free_port              (void);

typedef struct _DtTestCluster DtTestCluster;

DtTestCluster *dt_test_cluster_start          (guint          n_primaries,
                                               guint          replicas_per_primary);
void           dt_test_cluster_free           (DtTestCluster *self);
guint          dt_test_cluster_get_n_nodes    (DtTestCluster *self);
DtTestServer  *dt_test_cluster_get_node       (DtTestCluster *self,
                                               guint          index);
/* "127.0.0.1:port" of every node. */
char         **dt_test_cluster_dup_seeds      (DtTestCluster *self);
/* Waits until every running node says cluster_state:ok with all slots
 * assigned, and every replica is in sync; fails the test after
 * @timeout_s. */
void           dt_test_cluster_wait_until_ok  (DtTestCluster *self,
                                               gdouble        timeout_s);
/* The running primary that owns @slot by its own account; fails the test
 * when none does. */
DtTestServer  *dt_test_cluster_owner_of_slot  (DtTestCluster *self,
                                               guint          slot);
/* A running replica of @primary (by its own account), or NULL. */
DtTestServer  *dt_test_cluster_replica_of     (DtTestCluster *self,
                                               DtTestServer  *primary);
/* Another running primary than @primary. */
DtTestServer  *dt_test_cluster_other_primary  (DtTestCluster *self,
                                               DtTestServer  *primary);
/* CLUSTER MYID of @node (transfer full). */
char          *dt_test_cluster_node_id        (DtTestServer  *node);
/* The text of a bulk or status reply from dt_test_server_command(). */
char          *dt_test_reply_text             (const char    *raw);
/* The strings of an array reply from dt_test_server_command(). */
char         **dt_test_reply_strv             (const char    *raw);
/* An integer reply from dt_test_server_command(). */
gint64         dt_test_reply_integer          (const char    *raw);
/* A field of an INFO section ("cmdstat_mget" of commandstats: its calls),
 * 0 when absent. */
guint64        dt_test_server_info_calls      (DtTestServer  *node,
                                               const char    *command);

/* The count of error replies starting with @code (MOVED, ASK) @node
 * sent (INFO errorstats), 0 when none. */
guint64        dt_test_server_info_errors     (DtTestServer  *node,
                                               const char    *code);
/* Resharding by hand, as redis-cli --cluster reshard does: @slot is
 * marked IMPORTING on @dst and MIGRATING on @src; then up to @max_keys of
 * its keys move (MIGRATE); finishing assigns it to @dst on every running
 * primary. */
void           dt_test_cluster_begin_migration  (DtTestServer  *src,
                                                 DtTestServer  *dst,
                                                 guint          slot);
guint          dt_test_cluster_migrate_keys     (DtTestServer  *src,
                                                 DtTestServer  *dst,
                                                 guint          slot,
                                                 guint          max_keys);
void           dt_test_cluster_finish_migration (DtTestCluster *self,
                                                 DtTestServer  *dst,
                                                 guint          slot);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtTestCluster, dt_test_cluster_free)

G_END_DECLS
