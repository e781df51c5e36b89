/* dtredis-cluster-map-private.h: the nodes of a Redis Cluster and the
 * immutable snapshot of who owns which hash slot
 *
 * A node (DtRedisClusterNode) is one server of the cluster with the lazy
 * pools that talk to it, made from the cluster's config with the node's
 * address. A map (DtRedisClusterMap) never changes once made: a newer
 * topology is a new map, so a thread holding one reads it without a lock.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-key-slot.h"
#include "dtredis-pools-private.h"
#include "dtredis-reply.h"

G_BEGIN_DECLS

typedef struct _DtRedisClusterNode
{
  gatomicrefcount  ref_count;
  char            *address;   /* "host:port" ("[v6]:port"): the registry key */
  char            *host;
  guint16          port;
  DtRedisPools    *pools;     /* standalone pools of this node, lazy */
} DtRedisClusterNode;

/* Does no I/O. @cluster_config has its URL applied. */
DtRedisClusterNode *dt_redis_cluster_node_new   (DtRedisConfig      *cluster_config,
                                                 const char         *host,
                                                 guint16             port);
DtRedisClusterNode *dt_redis_cluster_node_ref   (DtRedisClusterNode *self);
void                dt_redis_cluster_node_unref (DtRedisClusterNode *self);
/* "host:port", with brackets around an IPv6 host. */
char               *dt_redis_cluster_address    (const char         *host,
                                                 guint16             port);

#define DT_REDIS_CLUSTER_NO_OWNER G_MAXUINT16

typedef struct _DtRedisClusterMap
{
  gatomicrefcount      ref_count;
  GPtrArray           *nodes;        /* DtRedisClusterNode: the primaries, then the replicas */
  guint                n_primaries;
  GPtrArray          **replicas;     /* per primary: its replicas (not owned) */
  guint                n_owned;      /* slots with an owner */
  guint16              owner[DT_REDIS_CLUSTER_SLOTS]; /* primary index, or NO_OWNER */
} DtRedisClusterMap;

/* Finds or makes the node at @host:@port (transfer full). */
typedef DtRedisClusterNode *(*DtRedisClusterNodeLookup) (const char *host,
                                                         guint16     port,
                                                         gpointer    user_data);

/* From a CLUSTER SHARDS reply (Redis 7). @tls: use a node's tls-port. */
DtRedisClusterMap *dt_redis_cluster_map_new_from_shards (const DtRedisReply        *reply,
                                                         gboolean                   tls,
                                                         DtRedisClusterNodeLookup   lookup,
                                                         gpointer                   user_data,
                                                         GError                   **error);
/* From a CLUSTER SLOTS reply (any version). */
DtRedisClusterMap *dt_redis_cluster_map_new_from_slots  (const DtRedisReply        *reply,
                                                         DtRedisClusterNodeLookup   lookup,
                                                         gpointer                   user_data,
                                                         GError                   **error);
/* A copy of @self where @node owns @slot (MOVED). */
DtRedisClusterMap *dt_redis_cluster_map_new_moved       (const DtRedisClusterMap   *self,
                                                         guint                      slot,
                                                         DtRedisClusterNode        *node);
DtRedisClusterMap *dt_redis_cluster_map_ref             (DtRedisClusterMap         *self);
void               dt_redis_cluster_map_unref           (DtRedisClusterMap         *self);
/* The primary that owns @slot, NULL when none does (transfer none). */
DtRedisClusterNode *dt_redis_cluster_map_get_owner      (const DtRedisClusterMap   *self,
                                                         guint                      slot);
/* A replica of @slot's owner, picked by @pick among them, NULL when it
 * has none (transfer none). */
DtRedisClusterNode *dt_redis_cluster_map_get_replica    (const DtRedisClusterMap   *self,
                                                         guint                      slot,
                                                         guint                      pick);
/* Whether @node is in the map (compared by address). */
gboolean            dt_redis_cluster_map_has_node       (const DtRedisClusterMap   *self,
                                                         const char                *address);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisClusterNode, dt_redis_cluster_node_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisClusterMap, dt_redis_cluster_map_unref)

G_END_DECLS
