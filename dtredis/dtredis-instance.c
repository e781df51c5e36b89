/* dtredis-instance.c: owner of the lazy sync and async pools
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-client-private.h"
#include "dtredis-client-commands.h"
#include "dtredis-async-client-commands.h"
#include "dtredis-error.h"
#include "dtredis-instance.h"
#include "dtredis-cluster-private.h"
#include "dtredis-pools-private.h"
#include "dtredis-monitor-private.h"
#include "dtredis-pubsub-private.h"
#include "dtredis-url-private.h"

/**
 * DtRedisInstance:
 *
 * The entry point of dtredis: one instance per configuration, shared by
 * the whole application.
 *
 * An instance takes a snapshot of its [class@DtRedis.Config] and owns two
 * connection pools, both created on first use and never in the
 * constructor: a thread-safe pool of blocking connections behind
 * [class@DtRedis.Client], and a multiplexed pool on a
 * [struct@GLib.MainContext] behind [class@DtRedis.AsyncClient].
 *
 * ```c
 * g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
 * dt_redis_config_set_redis_host (config, "localhost");
 * g_autoptr(DtRedisInstance) redis = dt_redis_instance_new (config);
 * g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis);
 * ```
 */

struct _DtRedisInstance
{
  GObject           parent_instance;

  DtRedisConfig    *config;      /* our own copy: later changes to the caller's do not reach it */
  char             *redis_url;

  DtRedisPools     *pools;       /* handed to every client and pipeline */
};

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_REDIS_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MASTER_CHANGED,
  TOPOLOGY_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * dt_redis_instance_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.Instance].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisInstance, dt_redis_instance, G_TYPE_OBJECT)

static void
dt_redis_instance_finalize (GObject *object)
{
  DtRedisInstance *self = (DtRedisInstance *) object;

  g_clear_pointer (&self->pools, dt_redis_pools_unref);
  g_clear_object (&self->config);
  /* The URL carries the password. */
  g_clear_pointer (&self->redis_url, dt_redis_url_free_secret);

  G_OBJECT_CLASS (dt_redis_instance_parent_class)->finalize (object);
}

static void
dt_redis_instance_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  DtRedisInstance *self = DT_REDIS_INSTANCE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_object (value, self->config);
      break;

    case PROP_REDIS_URL:
      g_value_set_string (value, self->redis_url);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_instance_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  DtRedisInstance *self = DT_REDIS_INSTANCE (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      {
        DtRedisConfig *config = g_value_get_object (value);

        /* A snapshot: the caller may keep changing theirs. */
        self->config = config != NULL ? dt_redis_config_copy (config) : dt_redis_config_new ();
        self->redis_url = dt_redis_config_build_url (self->config);
      }
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Where master-changed is emitted: the thread-default main context of the
 * thread that made the instance. The source is made there, up front; the
 * watcher's thread only leaves the address under the mutex and wakes the
 * source, so nothing it allocates is freed elsewhere without the mutex in
 * between, and it never holds the instance itself (dropping the last
 * reference there would have the instance stop that very thread). */
typedef struct
{
  GSource   source;
  GWeakRef  instance;
  GMutex    mutex;
  char     *address;   /* the latest switch not yet emitted */
  gboolean  topology_changed; /* a Cluster change not yet emitted */
} SignalSource;

static gboolean
signal_source_dispatch (GSource     *source,
                        GSourceFunc  callback,
                        gpointer     user_data)
{
  SignalSource *self = (SignalSource *) source;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autofree char *address = NULL;
  gboolean topology_changed;

  g_source_set_ready_time (source, -1);
  g_mutex_lock (&self->mutex);
  address = g_steal_pointer (&self->address);
  topology_changed = self->topology_changed;
  self->topology_changed = FALSE;
  g_mutex_unlock (&self->mutex);

  instance = g_weak_ref_get (&self->instance);
  if (instance != NULL && address != NULL)
    g_signal_emit (instance, signals[MASTER_CHANGED], 0, address);
  if (instance != NULL && topology_changed)
    g_signal_emit (instance, signals[TOPOLOGY_CHANGED], 0);
  return G_SOURCE_CONTINUE;
}

static void
signal_source_finalize (GSource *source)
{
  SignalSource *self = (SignalSource *) source;

  g_weak_ref_clear (&self->instance);
  g_mutex_clear (&self->mutex);
  g_free (self->address);
}

static GSourceFuncs signal_source_funcs = {
  .dispatch = signal_source_dispatch,
  .finalize = signal_source_finalize,
};

static GSource *
signal_source_new (DtRedisInstance *instance)
{
  GSource *source = g_source_new (&signal_source_funcs, sizeof (SignalSource));
  SignalSource *self = (SignalSource *) source;
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

  g_weak_ref_init (&self->instance, instance);
  g_mutex_init (&self->mutex);
  g_source_set_static_name (source, "[dtredis] topology signals");
  g_source_attach (source, context);
  return source;
}

static void
signal_source_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

/* In the sentinel watcher's thread. */
static void
master_changed_cb (const char *address,
                   gpointer    user_data)
{
  SignalSource *self = user_data;

  g_mutex_lock (&self->mutex);
  g_free (self->address);
  self->address = g_strdup (address);
  g_mutex_unlock (&self->mutex);
  g_source_set_ready_time (&self->source, 0);
}

/* In the cluster's refresh thread. */
static void
topology_changed_cb (gpointer user_data)
{
  SignalSource *self = user_data;

  g_mutex_lock (&self->mutex);
  self->topology_changed = TRUE;
  g_mutex_unlock (&self->mutex);
  g_source_set_ready_time (&self->source, 0);
}

static void
dt_redis_instance_constructed (GObject *object)
{
  DtRedisInstance *self = DT_REDIS_INSTANCE (object);

  G_OBJECT_CLASS (dt_redis_instance_parent_class)->constructed (object);

  /* Made without a config: the defaults. */
  if (self->config == NULL)
    {
      self->config = dt_redis_config_new ();
      self->redis_url = dt_redis_config_build_url (self->config);
    }
  /* Created lazily by the first command, never here. */
  self->pools = dt_redis_pools_new (self->config);
  dt_redis_pools_set_change_funcs (self->pools, master_changed_cb, topology_changed_cb,
                                   signal_source_new (self), signal_source_free);
}

static void
dt_redis_instance_class_init (DtRedisInstanceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = dt_redis_instance_constructed;
  object_class->finalize = dt_redis_instance_finalize;
  object_class->get_property = dt_redis_instance_get_property;
  object_class->set_property = dt_redis_instance_set_property;

  /**
   * DtRedisInstance:config:
   *
   * A copy of the configuration the instance was made with. Changing it
   * does not affect the instance.
   */
  properties[PROP_CONFIG] =
    g_param_spec_object ("config", NULL, NULL,
                         DT_REDIS_TYPE_CONFIG,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DtRedisInstance:redis-url:
   *
   * The URL built from the configuration, as
   * [method@DtRedis.Config.build_url] gives it.
   */
  properties[PROP_REDIS_URL] =
    g_param_spec_string ("redis-url", NULL, NULL,
                         NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * DtRedisInstance::master-changed:
   * @self: the instance
   * @address: the new master, `host:port`
   *
   * With a Sentinel config ([property@DtRedis.Config:sentinels]): the
   * master moved (a failover), and every command from now on goes to the
   * new one. Commands that were already sent to the old master finish
   * there; none is sent twice.
   *
   * Emitted in the thread-default main context of the thread that created
   * the instance, after the pools were switched; the switch itself does
   * not wait for that context to run.
   */
  signals[MASTER_CHANGED] =
    g_signal_new ("master-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * DtRedisInstance::topology-changed:
   * @self: the instance
   *
   * With a Cluster config ([property@DtRedis.Config:cluster-nodes]): the
   * slot map learned from the cluster differs from the one before (a
   * failover, a reshard, a node added or removed).
   * [method@DtRedis.Instance.list_cluster_nodes] gives the new nodes.
   * Commands do not wait for it: a `MOVED` reply already sends them to
   * the new owner.
   *
   * Emitted in the thread-default main context of the thread that created
   * the instance; several changes in a row may be emitted once.
   */
  signals[TOPOLOGY_CHANGED] =
    g_signal_new ("topology-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
dt_redis_instance_init (DtRedisInstance *self)
{
}

/**
 * dt_redis_instance_new:
 * @config: the connection settings
 *
 * Creates an instance for @config. This never fails and does no I/O: the
 * configuration is checked, and connections made, by the first command.
 * The instance keeps a copy of @config, so later changes to @config do not
 * affect it.
 *
 * Returns: (transfer full): a new instance
 */
DtRedisInstance *
dt_redis_instance_new (DtRedisConfig *config)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (config), NULL);

  return g_object_new (DT_REDIS_TYPE_INSTANCE, "config", config, NULL);
}

/**
 * dt_redis_instance_get_config:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets the instance's copy of its configuration. Changing it has no effect
 * on the instance.
 *
 * Returns: (transfer none): the configuration
 */
DtRedisConfig *
dt_redis_instance_get_config (DtRedisInstance *self)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  return self->config;
}

/**
 * dt_redis_instance_get_redis_url:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets the URL the instance connects to, credentials included, as
 * [method@DtRedis.Config.build_url] builds it. Log
 * [method@DtRedis.Config.build_redacted_url] instead.
 *
 * Returns: (transfer none): the URL
 */
const char *
dt_redis_instance_get_redis_url (DtRedisInstance *self)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  return self->redis_url;
}

/**
 * dt_redis_instance_get_redis_client:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets a blocking client over the instance's sync pool. Clients are cheap
 * and hold no connection of their own: each command borrows one from the
 * pool for its duration. A client may be shared between threads.
 *
 * Returns: (transfer full): a new client
 */
DtRedisClient *
dt_redis_instance_get_redis_client (DtRedisInstance *self)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  return dt_redis_client_new (self, self->pools);
}

/**
 * dt_redis_instance_get_single_connection_client:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets a blocking client that keeps one connection for all its commands,
 * as redis-py's `Redis.client()`: `SELECT`, `CLIENT SETNAME`, `WATCH` and
 * other state its commands give the connection stay in force until
 * [method@DtRedis.Client.close]. Its first command leases the connection
 * from the sync pool, where it counts as in use until the client is
 * closed or finalized; it is then closed, not lent again. Commands from
 * several threads run one at a time. See [class@DtRedis.Client] for what
 * happens when the connection is lost.
 *
 * This does no I/O.
 *
 * Returns: (transfer full): a new client
 */
DtRedisClient *
dt_redis_instance_get_single_connection_client (DtRedisInstance *self)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  return dt_redis_client_new_single_connection (self, self->pools);
}

/**
 * dt_redis_instance_get_async_redis_client:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets an asynchronous client over the instance's async pool. This does
 * no I/O; the pool is created by the first command, on the thread-default
 * main context of the thread that sends it.
 *
 * Returns: (transfer full): a new client
 */
DtRedisAsyncClient *
dt_redis_instance_get_async_redis_client (DtRedisInstance *self)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  return dt_redis_async_client_new (self, self->pools);
}

/**
 * dt_redis_instance_get_monitor:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets a new [class@DtRedis.Monitor] for the instance's server. This does
 * no I/O: [method@DtRedis.Monitor.start] opens its connection, which is
 * its own and never one of the pools'.
 *
 * Returns: (transfer full): a new monitor
 */
DtRedisMonitor *
dt_redis_instance_get_monitor (DtRedisInstance *self)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  return dt_redis_monitor_new (self->config);
}

/**
 * dt_redis_instance_get_pubsub:
 * @self: a [class@DtRedis.Instance]
 *
 * Makes a [class@DtRedis.PubSub] for subscribing to channels with the
 * instance's settings. It does no I/O until its first subscribe, and then
 * uses a connection of its own, never one of the pools. It runs on the
 * thread-default [struct@GLib.MainContext] of the calling thread.
 *
 * With a Cluster config, channels and patterns live on the first seed
 * that answers, and each shard channel on the node that owns its slot,
 * following it when the slot moves or its node fails over.
 *
 * Returns: (transfer full): a new pub/sub object
 */
DtRedisPubSub *
dt_redis_instance_get_pubsub (DtRedisInstance *self)
{
  DtRedisCluster *cluster = NULL;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  /* A config that cannot make a router fails the first call instead. */
  if (!dt_redis_pools_get_cluster (self->pools, &cluster, NULL))
    cluster = NULL;

  return dt_redis_pubsub_new (self->config, cluster);
}

/**
 * dt_redis_instance_reset_sync_pool:
 * @self: a [class@DtRedis.Instance]
 *
 * Drops the sync pool: idle connections are closed at once, connections
 * in use are closed when their command finishes, and callers waiting for
 * a connection fail with %DT_REDIS_ERROR_CLOSED. The next command creates
 * a new pool.
 */
void
dt_redis_instance_reset_sync_pool (DtRedisInstance *self)
{
  g_return_if_fail (DT_REDIS_IS_INSTANCE (self));

  dt_redis_pools_reset_sync (self->pools);
}

/* The pools being closed by one reset (several with a Cluster config). */
typedef struct
{
  GPtrArray *pools;
  guint      pending;
  GError    *error;
} ResetData;

static void
reset_data_free (gpointer data)
{
  ResetData *reset = data;

  g_ptr_array_unref (reset->pools);
  g_clear_error (&reset->error);
  g_free (reset);
}

static void
async_pool_closed_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ResetData *reset = g_task_get_task_data (task);
  GError *error = NULL;

  if (!dt_redis_async_pool_close_finish (NULL, result, &error))
    {
      if (reset->error == NULL)
        reset->error = error;
      else
        g_error_free (error);
    }
  if (--reset->pending > 0)
    return;

  if (reset->error != NULL)
    g_task_return_error (task, g_steal_pointer (&reset->error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * dt_redis_instance_reset_async_pool_async:
 * @self: a [class@DtRedis.Instance]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called when every connection is closed
 * @user_data: data for @callback
 *
 * Drops the async pool: commands queued or in flight fail with
 * %DT_REDIS_ERROR_CLOSED and every connection is closed. The next command
 * creates a new pool.
 */
void
dt_redis_instance_reset_async_pool_async (DtRedisInstance     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ResetData *reset;

  g_return_if_fail (DT_REDIS_IS_INSTANCE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_instance_reset_async_pool_async);

  reset = g_new0 (ResetData, 1);
  reset->pools = dt_redis_pools_steal_all_async (self->pools);
  g_task_set_task_data (task, reset, reset_data_free);
  if (reset->pools->len == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  reset->pending = reset->pools->len;
  for (guint i = 0; i < reset->pools->len; i++)
    dt_redis_async_pool_close_async (g_ptr_array_index (reset->pools, i), cancellable,
                                     async_pool_closed_cb, g_object_ref (task));
}

/**
 * dt_redis_instance_reset_async_pool_finish:
 * @self: a [class@DtRedis.Instance]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.Instance.reset_async_pool_async].
 *
 * Returns: %TRUE once every connection is closed; %FALSE with
 *   %G_IO_ERROR_CANCELLED when the wait was cancelled (the pool is
 *   dropped all the same)
 */
gboolean
dt_redis_instance_reset_async_pool_finish (DtRedisInstance  *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_redis_instance_ping:
 * @self: a [class@DtRedis.Instance]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks that the server answers, through the sync pool: the health
 * check. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the server answered PING
 */
gboolean
dt_redis_instance_ping (DtRedisInstance  *self,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(DtRedisClient) client = NULL;
  g_autofree char *pong = NULL;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), FALSE);

  client = dt_redis_client_new (self, self->pools);
  pong = dt_redis_client_ping (client, cancellable, error);
  return pong != NULL;
}

static void
ping_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autofree char *pong = NULL;
  GError *error = NULL;

  pong = dt_redis_async_client_ping_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (pong == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * dt_redis_instance_ping_async:
 * @self: a [class@DtRedis.Instance]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the answer
 * @user_data: data for @callback
 *
 * Checks that the server answers, through the async pool.
 */
void
dt_redis_instance_ping_async (DtRedisInstance     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(DtRedisAsyncClient) client = NULL;
  GTask *task;

  g_return_if_fail (DT_REDIS_IS_INSTANCE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_instance_ping_async);

  client = dt_redis_async_client_new (self, self->pools);
  dt_redis_async_client_ping_async (client, cancellable, ping_cb, task);
}

/**
 * dt_redis_instance_ping_finish:
 * @self: a [class@DtRedis.Instance]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.Instance.ping_async].
 *
 * Returns: %TRUE when the server answered PING
 */
gboolean
dt_redis_instance_ping_finish (DtRedisInstance  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * dt_redis_instance_get_sync_pool_stats:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets the counters of the sync pool; all zero while there is none.
 *
 * Returns: (transfer full): a snapshot of the counters
 */
DtRedisPoolStats *
dt_redis_instance_get_sync_pool_stats (DtRedisInstance *self)
{
  DtRedisPoolStats *stats;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  stats = g_new0 (DtRedisPoolStats, 1);
  dt_redis_pools_get_sync_stats (self->pools, stats);

  return stats;
}

/**
 * dt_redis_instance_get_async_pool_stats:
 * @self: a [class@DtRedis.Instance]
 *
 * Gets the counters of the async pool, commands in flight included; all
 * zero while there is none.
 *
 * Returns: (transfer full): a snapshot of the counters
 */
DtRedisPoolStats *
dt_redis_instance_get_async_pool_stats (DtRedisInstance *self)
{
  DtRedisPoolStats *stats;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);

  stats = g_new0 (DtRedisPoolStats, 1);
  dt_redis_pools_get_async_stats (self->pools, stats);

  return stats;
}

/* The cluster's current map, asked of it first when none is known yet. */
static DtRedisClusterMap *
dup_cluster_map (DtRedisInstance  *self,
                 GCancellable     *cancellable,
                 GError          **error)
{
  DtRedisCluster *cluster;

  if (!dt_redis_pools_get_cluster (self->pools, &cluster, error))
    return NULL;
  if (cluster == NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("This is not a Cluster config: cluster-nodes is not set"));
      return NULL;
    }
  return dt_redis_cluster_ensure_map (cluster, cancellable, error);
}

/**
 * dt_redis_instance_list_cluster_nodes:
 * @self: a [class@DtRedis.Instance]
 * @replicas: %FALSE for the primaries, %TRUE for the replicas
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Lists the nodes of the cluster as the current slot map has them,
 * `host:port` each, primaries in the order of their first slot. When no
 * map is known yet, it is asked of the nodes first, blocking. The list
 * changes when [signal@DtRedis.Instance::topology-changed] is emitted.
 *
 * Fails with %DT_REDIS_ERROR_INVALID_CONFIG when the config is not a
 * Cluster config, and with %DT_REDIS_ERROR_CONNECTION when no node could
 * be asked.
 *
 * Returns: (transfer full) (array zero-terminated=1): the addresses, or
 *   %NULL on error
 */
char **
dt_redis_instance_list_cluster_nodes (DtRedisInstance  *self,
                                      gboolean          replicas,
                                      GCancellable     *cancellable,
                                      GError          **error)
{
  g_autoptr(DtRedisClusterMap) map = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  map = dup_cluster_map (self, cancellable, error);
  if (map == NULL)
    return NULL;

  builder = g_strv_builder_new ();
  for (guint i = replicas ? map->n_primaries : 0;
       i < (replicas ? map->nodes->len : map->n_primaries); i++)
    g_strv_builder_add (builder, ((DtRedisClusterNode *) g_ptr_array_index (map->nodes, i))->address);
  return g_strv_builder_end (builder);
}

/**
 * dt_redis_instance_get_cluster_node_for_slot:
 * @self: a [class@DtRedis.Instance]
 * @slot: a hash slot, below 16384 (see [func@DtRedis.key_slot])
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the primary that owns @slot in the current slot map, `host:port`,
 * asking the cluster for the map first when none is known yet.
 *
 * Fails as [method@DtRedis.Instance.list_cluster_nodes] does, and with
 * %DT_REDIS_ERROR_FAILED when no node owns @slot.
 *
 * Returns: (transfer full): the address, or %NULL on error
 */
char *
dt_redis_instance_get_cluster_node_for_slot (DtRedisInstance  *self,
                                             guint             slot,
                                             GCancellable     *cancellable,
                                             GError          **error)
{
  g_autoptr(DtRedisClusterMap) map = NULL;
  DtRedisClusterNode *owner;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (self), NULL);
  g_return_val_if_fail (slot < DT_REDIS_CLUSTER_SLOTS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  map = dup_cluster_map (self, cancellable, error);
  if (map == NULL)
    return NULL;

  owner = dt_redis_cluster_map_get_owner (map, slot);
  if (owner == NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_FAILED,
                   _("No node of the cluster owns slot %u"), slot);
      return NULL;
    }
  return g_strdup (owner->address);
}
