/* dtredis-cluster-node.c: one server of a Redis Cluster and its pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-cluster-map-private.h"
#include "dtredis-config-private.h"

char *
dt_redis_cluster_address (const char *host,
                          guint16     port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}

DtRedisClusterNode *
dt_redis_cluster_node_new (DtRedisConfig *cluster_config,
                           const char    *host,
                           guint16        port)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_for_cluster_node (cluster_config, host, port);
  DtRedisClusterNode *self = g_new0 (DtRedisClusterNode, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->host = g_strdup (host);
  self->port = port;
  self->address = dt_redis_cluster_address (host, port);
  self->pools = dt_redis_pools_new (config);
  /* A node may be a primary now and a replica later: with replica reads,
   * every connection says READONLY, which a primary ignores. */
  if (dt_redis_config_get_redis_read_from_replicas (cluster_config))
    dt_redis_pools_set_cluster_readonly (self->pools);

  return self;
}

DtRedisClusterNode *
dt_redis_cluster_node_ref (DtRedisClusterNode *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dt_redis_cluster_node_unref (DtRedisClusterNode *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  dt_redis_pools_unref (self->pools);
  g_free (self->address);
  g_free (self->host);
  g_free (self);
}
