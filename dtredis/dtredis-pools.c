/* dtredis-pools.c: the lazy sync and async pools of one instance
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-pools-private.h"

struct _DtRedisPools
{
  gatomicrefcount   ref_count;
  DtRedisConfig    *config;

  GMutex            mutex;          /* guards what follows */
  DtRedisEndpoint  *endpoint;       /* resolved on first use */
  DtRedisSyncPool  *sync_pool;
  DtRedisAsyncPool *async_pool;
  pid_t             async_pool_pid; /* the process whose main context it runs on */
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

  return self;
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
    self->async_pool = NULL;
}

void
dt_redis_pools_unref (DtRedisPools *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (self->sync_pool != NULL)
    dt_redis_sync_pool_close (self->sync_pool);
  g_clear_pointer (&self->sync_pool, dt_redis_sync_pool_unref);
  forget_async_pool_after_fork_locked (self);
  /* Async connections live on the pool's context; dropping our reference
   * lets the pool close them when its last command is done. */
  g_clear_pointer (&self->async_pool, dt_redis_async_pool_unref);
  g_clear_pointer (&self->endpoint, dt_redis_endpoint_unref);
  g_clear_object (&self->config);
  g_mutex_clear (&self->mutex);
  g_free (self);
}

/* Called with the mutex held. */
static DtRedisEndpoint *
ensure_endpoint (DtRedisPools  *self,
                 GError       **error)
{
  if (self->endpoint == NULL)
    self->endpoint = dt_redis_endpoint_new_from_config (self->config, error);

  return self->endpoint;
}

DtRedisSyncPool *
dt_redis_pools_dup_sync (DtRedisPools  *self,
                         GError       **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

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
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  forget_async_pool_after_fork_locked (self);
  if (self->async_pool == NULL)
    {
      DtRedisEndpoint *endpoint = ensure_endpoint (self, error);
      g_autoptr(GMainContext) context = NULL;

      if (endpoint == NULL)
        return NULL;
      context = g_main_context_ref_thread_default ();
      self->async_pool = dt_redis_async_pool_new (endpoint, context);
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
  return g_steal_pointer (&self->async_pool);
}

void
dt_redis_pools_get_sync_stats (DtRedisPools     *self,
                               DtRedisPoolStats *stats)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  memset (stats, 0, sizeof *stats);
  if (self->sync_pool != NULL)
    dt_redis_sync_pool_get_stats (self->sync_pool, stats);
}

void
dt_redis_pools_get_async_stats (DtRedisPools     *self,
                                DtRedisPoolStats *stats)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->mutex);

  memset (stats, 0, sizeof *stats);
  forget_async_pool_after_fork_locked (self);
  if (self->async_pool != NULL)
    dt_redis_async_pool_get_stats (self->async_pool, stats);
}
