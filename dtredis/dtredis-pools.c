/* dtredis-pools.c: the lazy sync and async pools of one instance
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-config-fields-private.h"
#include "dtredis-config-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-pools-private.h"
#include "dtredis-sentinel-private.h"
#include "dtredis-url-private.h"

struct _DtRedisPools
{
  gatomicrefcount   ref_count;
  DtRedisConfig    *config;

  GMutex            mutex;          /* guards what follows */
  DtRedisEndpoint  *endpoint;       /* resolved on first use */
  DtRedisSyncPool  *sync_pool;
  DtRedisAsyncPool *async_pool;
  GMainContext     *async_context;  /* the one it runs on */
  pid_t             async_pool_pid; /* the process whose main context it runs on */

  /* Sentinel: the endpoint's, watched from the first use on; set once,
   * read without the mutex. */
  DtRedisSentinel  *sentinel;
  DtRedisPoolsMasterChangedFunc master_changed;
  DtRedisPoolsTopologyChangedFunc topology_changed;
  gpointer          master_changed_data;
  GDestroyNotify    master_changed_destroy;

  /* Cluster: set at creation from the config; the router is made on
   * first use (under the mutex) and never replaced. */
  gboolean          is_cluster;
  DtRedisCluster   *cluster;
  /* A Cluster node's pools, when the cluster reads from replicas. */
  gboolean          cluster_readonly;
};

DtRedisPools *
dt_redis_pools_new (DtRedisConfig *config)
{
  DtRedisPools *self;

  g_return_val_if_fail (DT_REDIS_IS_CONFIG (config), NULL);

  self = g_new0 (DtRedisPools, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->config = g_object_ref (config);
  g_mutex_init (&self->mutex);
  self->is_cluster = dt_redis_config_get_redis_cluster_nodes (config) != NULL ||
                     dt_redis_url_is_cluster (dt_redis_config_get_redis_url (config));

  return self;
}

void
dt_redis_pools_set_cluster_readonly (DtRedisPools *self)
{
  g_return_if_fail (self->endpoint == NULL);

  self->cluster_readonly = TRUE;
}

DtRedisPools *
dt_redis_pools_ref (DtRedisPools *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/* In a child after fork(), the async pool belongs to a main context that
 * only the parent iterates: nothing it holds can complete here. It is
 * abandoned rather than freed, since freeing would run its teardown on
 * that context and touch the parent's connections. Called locked. */
static void
forget_async_pool_after_fork_locked (DtRedisPools *self)
{
  if (self->async_pool != NULL &&
      self->async_pool_pid != dt_redis_connection_current_pid ())
    {
      self->async_pool = NULL;
      g_clear_pointer (&self->async_context, g_main_context_unref);
    }
}

void
dt_redis_pools_unref (DtRedisPools *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  /* First, so that no switch comes while the rest goes. */
  if (self->sentinel != NULL)
    dt_redis_sentinel_unwatch (self->sentinel);
  g_clear_pointer (&self->cluster, dt_redis_cluster_unref);
  if (self->master_changed_destroy != NULL)
    self->master_changed_destroy (self->master_changed_data);

  if (self->sync_pool != NULL)
    dt_redis_sync_pool_close (self->sync_pool);
  g_clear_pointer (&self->sync_pool, dt_redis_sync_pool_unref);
  forget_async_pool_after_fork_locked (self);
  /* Async connections live on the pool's context; dropping our reference
   * lets the pool close them when its last command is done. */
  g_clear_pointer (&self->async_pool, dt_redis_async_pool_unref);
  g_clear_pointer (&self->async_context, g_main_context_unref);
  g_clear_pointer (&self->endpoint, dt_redis_endpoint_unref);
  g_clear_pointer (&self->cluster, dt_redis_cluster_unref);
  g_clear_object (&self->config);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Orders what the watcher's thread did before handing an async pool to
 * its context (the idle source it made) with the dispatch there, for
 * ThreadSanitizer too, which does not see GLib's own locks. */
static GMutex handoff_mutex;

static gboolean
release_async_pool_cb (gpointer pool)
{
  g_mutex_lock (&handoff_mutex);
  g_mutex_unlock (&handoff_mutex);

  /* Its commands in flight keep it until they are done; its idle
   * connections close now. */
  dt_redis_async_pool_unref (pool);
  return G_SOURCE_REMOVE;
}

static void
release_async_pool_later (DtRedisAsyncPool *pool,
                          GMainContext     *context)
{
  GSource *idle;

  g_mutex_lock (&handoff_mutex);
  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_HIGH);
  g_source_set_callback (idle, release_async_pool_cb, pool, NULL);
  g_source_set_static_name (idle, "[dtredis] old async pool");
  g_source_attach (idle, context);
  g_source_unref (idle);
  g_mutex_unlock (&handoff_mutex);
}

/* Called by the sentinel's watcher after a failover: new commands go to
 * new pools, which connect to the new master; the old pools finish what
 * they have (a command already sent is never sent again) and close. This
 * thread never runs the async pool's code: that pool is released on its
 * own context. */
static void
master_changed_cb (const char *address,
                   gpointer    user_data)
{
  DtRedisPools *self = user_data;
  DtRedisSyncPool *sync_pool;
  DtRedisAsyncPool *async_pool;
  GMainContext *async_context;

  g_mutex_lock (&self->mutex);
  sync_pool = g_steal_pointer (&self->sync_pool);
  forget_async_pool_after_fork_locked (self);
  async_pool = g_steal_pointer (&self->async_pool);
  async_context = g_steal_pointer (&self->async_context);
  g_mutex_unlock (&self->mutex);

  if (sync_pool != NULL)
    {
      dt_redis_sync_pool_close (sync_pool);
      dt_redis_sync_pool_unref (sync_pool);
    }
  if (async_pool != NULL)
    {
      release_async_pool_later (async_pool, async_context);
      g_main_context_unref (async_context);
    }

  if (self->master_changed != NULL)
    self->master_changed (address, self->master_changed_data);
}

/* Called with the mutex held. */
static DtRedisEndpoint *
ensure_endpoint (DtRedisPools  *self,
                 GError       **error)
{
  if (self->endpoint == NULL)
    {
      self->endpoint = dt_redis_routed_endpoint_new (self->config, error);
      if (self->endpoint != NULL)
        self->endpoint->cluster_readonly = self->cluster_readonly;
      if (self->endpoint != NULL && self->endpoint->sentinel != NULL)
        {
          g_atomic_pointer_set (&self->sentinel, self->endpoint->sentinel);
          dt_redis_sentinel_watch (self->sentinel, master_changed_cb, self);
        }
    }

  return self->endpoint;
}

void
dt_redis_pools_set_change_funcs (DtRedisPools                    *self,
                                 DtRedisPoolsMasterChangedFunc    master_changed,
                                 DtRedisPoolsTopologyChangedFunc  topology_changed,
                                 gpointer                         user_data,
                                 GDestroyNotify                   destroy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->master_changed_destroy == NULL);

  self->master_changed = master_changed;
  self->topology_changed = topology_changed;
  self->master_changed_data = user_data;
  self->master_changed_destroy = destroy;
}

void
dt_redis_pools_note_error_reply (DtRedisPools *self,
                                 DtRedisReply *reply)
{
  DtRedisSentinel *sentinel = g_atomic_pointer_get (&self->sentinel);
  const char *text;

  if (sentinel == NULL)
    return;

  /* A write reached a node that is a replica now: the master moved. The
   * command was refused, not run; the caller gets the error. */
  text = dt_redis_reply_get_string (reply, NULL);
  if (text != NULL && g_str_has_prefix (text, "READONLY "))
    dt_redis_sentinel_check_soon (sentinel);
}

/* Called with the mutex held. */
static DtRedisCluster *
ensure_cluster_locked (DtRedisPools  *self,
                       GError       **error)
{
  if (self->cluster == NULL)
    {
      g_autoptr(DtRedisConfig) effective = NULL;
      DtRedisCluster *cluster;
      const char *url = dt_redis_config_get_redis_url (self->config);

      if (!dt_redis_config_validate (self->config, error))
        return NULL;
      effective = dt_redis_config_copy (self->config);
      if (url != NULL && !dt_redis_config_apply_url (effective, url, NULL, error))
        return NULL;
      cluster = dt_redis_cluster_new (effective, error);
      if (cluster == NULL)
        return NULL;
      if (self->topology_changed != NULL)
        dt_redis_cluster_set_topology_func (cluster, self->topology_changed,
                                            self->master_changed_data, NULL);
      g_atomic_pointer_set (&self->cluster, cluster);
    }

  return self->cluster;
}

gboolean
dt_redis_pools_get_cluster (DtRedisPools    *self,
                            DtRedisCluster **cluster,
                            GError         **error)
{
  DtRedisCluster *known;

  *cluster = NULL;
  if (G_LIKELY (!self->is_cluster))
    return TRUE;

  known = g_atomic_pointer_get (&self->cluster);
  if (known == NULL)
    {
      g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

      known = ensure_cluster_locked (self, error);
      if (known == NULL)
        return FALSE;
    }

  *cluster = known;
  return TRUE;
}

/* A Cluster config's pools for what is not routed by slot (keyless
 * commands such as PING): those of any primary. */
static DtRedisPools *
dup_any_node_pools (DtRedisPools  *self,
                    GError       **error)
{
  DtRedisCluster *cluster;
  g_autoptr(DtRedisClusterNode) node = NULL;

  if (!dt_redis_pools_get_cluster (self, &cluster, error))
    return NULL;
  node = dt_redis_cluster_pick (cluster, DT_REDIS_SLOT_ANY);
  return dt_redis_pools_ref (node->pools);
}

DtRedisSyncPool *
dt_redis_pools_dup_sync (DtRedisPools  *self,
                         GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  if (G_UNLIKELY (self->is_cluster))
    {
      g_autoptr(DtRedisPools) node_pools = dup_any_node_pools (self, error);

      return node_pools != NULL ? dt_redis_pools_dup_sync (node_pools, error) : NULL;
    }

  locker = g_mutex_locker_new (&self->mutex);

  if (self->sync_pool == NULL)
    {
      DtRedisEndpoint *endpoint = ensure_endpoint (self, error);

      if (endpoint == NULL)
        return NULL;
      self->sync_pool = dt_redis_sync_pool_new (endpoint);
    }

  return dt_redis_sync_pool_ref (self->sync_pool);
}

DtRedisAsyncPool *
dt_redis_pools_dup_async (DtRedisPools  *self,
                          GError       **error)
{
  g_autoptr(GMutexLocker) locker = NULL;

  if (G_UNLIKELY (self->is_cluster))
    {
      g_autoptr(DtRedisPools) node_pools = dup_any_node_pools (self, error);

      return node_pools != NULL ? dt_redis_pools_dup_async (node_pools, error) : NULL;
    }

  locker = g_mutex_locker_new (&self->mutex);

  forget_async_pool_after_fork_locked (self);
  if (self->async_pool == NULL)
    {
      DtRedisEndpoint *endpoint = ensure_endpoint (self, error);

      if (endpoint == NULL)
        return NULL;
      self->async_context = g_main_context_ref_thread_default ();
      self->async_pool = dt_redis_async_pool_new (endpoint, self->async_context);
      self->async_pool_pid = dt_redis_connection_current_pid ();
    }

  return dt_redis_async_pool_ref (self->async_pool);
}

DtRedisConnection *
dt_redis_pools_lease_sync (DtRedisPools     *self,
                           DtRedisSyncPool **pool,
                           GCancellable     *cancellable,
                           GError          **error)
{
  DtRedisConnection *conn;

  *pool = dt_redis_pools_dup_sync (self, error);
  if (*pool == NULL)
    return NULL;
  conn = dt_redis_sync_pool_lease (*pool, cancellable, error);
  if (conn == NULL)
    g_clear_pointer (pool, dt_redis_sync_pool_unref);
  return conn;
}

DtRedisSyncPool *
dt_redis_pools_steal_sync (DtRedisPools *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  return g_steal_pointer (&self->sync_pool);
}

DtRedisAsyncPool *
dt_redis_pools_steal_async (DtRedisPools *self)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  forget_async_pool_after_fork_locked (self);
  g_clear_pointer (&self->async_context, g_main_context_unref);
  return g_steal_pointer (&self->async_pool);
}

/* The pools a reset or the statistics cover: @self itself, or every
 * node's of a cluster. */
static GPtrArray *
dup_all_pools (DtRedisPools *self)
{
  DtRedisCluster *cluster = self->is_cluster ? g_atomic_pointer_get (&self->cluster) : NULL;
  GPtrArray *all;

  if (cluster != NULL)
    return dt_redis_cluster_dup_node_pools (cluster);
  all = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_pools_unref);
  if (!self->is_cluster)
    g_ptr_array_add (all, dt_redis_pools_ref (self));
  return all;
}

void
dt_redis_pools_reset_sync (DtRedisPools *self)
{
  g_autoptr(GPtrArray) all = dup_all_pools (self);

  for (guint i = 0; i < all->len; i++)
    {
      DtRedisSyncPool *pool = dt_redis_pools_steal_sync (g_ptr_array_index (all, i));

      if (pool != NULL)
        {
          dt_redis_sync_pool_close (pool);
          dt_redis_sync_pool_unref (pool);
        }
    }
}

GPtrArray *
dt_redis_pools_steal_all_async (DtRedisPools *self)
{
  g_autoptr(GPtrArray) all = dup_all_pools (self);
  GPtrArray *stolen = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_async_pool_unref);

  for (guint i = 0; i < all->len; i++)
    {
      DtRedisAsyncPool *pool = dt_redis_pools_steal_async (g_ptr_array_index (all, i));

      if (pool != NULL)
        g_ptr_array_add (stolen, pool);
    }
  return stolen;
}

static void
add_stats (DtRedisPoolStats       *sum,
           const DtRedisPoolStats *one)
{
  sum->total += one->total;
  sum->idle += one->idle;
  sum->in_use += one->in_use;
  sum->hits += one->hits;
  sum->misses += one->misses;
  sum->waits += one->waits;
  sum->timeouts += one->timeouts;
  sum->stale_closed += one->stale_closed;
  sum->in_flight += one->in_flight;
}

void
dt_redis_pools_get_sync_stats (DtRedisPools     *self,
                               DtRedisPoolStats *stats)
{
  g_autoptr(GPtrArray) all = dup_all_pools (self);

  memset (stats, 0, sizeof *stats);
  for (guint i = 0; i < all->len; i++)
    {
      DtRedisPools *pools = g_ptr_array_index (all, i);
      DtRedisPoolStats one;

      g_mutex_lock (&pools->mutex);
      if (pools->sync_pool != NULL)
        {
          dt_redis_sync_pool_get_stats (pools->sync_pool, &one);
          add_stats (stats, &one);
        }
      g_mutex_unlock (&pools->mutex);
    }
}

void
dt_redis_pools_get_async_stats (DtRedisPools     *self,
                                DtRedisPoolStats *stats)
{
  g_autoptr(GPtrArray) all = dup_all_pools (self);

  memset (stats, 0, sizeof *stats);
  for (guint i = 0; i < all->len; i++)
    {
      DtRedisPools *pools = g_ptr_array_index (all, i);
      DtRedisPoolStats one;

      g_mutex_lock (&pools->mutex);
      forget_async_pool_after_fork_locked (pools);
      if (pools->async_pool != NULL)
        {
          dt_redis_async_pool_get_stats (pools->async_pool, &one);
          add_stats (stats, &one);
        }
      g_mutex_unlock (&pools->mutex);
    }
}
