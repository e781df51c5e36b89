/* dtredis-cluster.c: the Redis Cluster router: nodes, the current slot
 * map, and the refresh thread
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dtredis-cluster-keys-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-config-fields-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-error.h"

/* At most one refresh starts per this long, even when refresh-interval
 * is longer: a MOVED storm asks once, a failover is still learned fast. */
#define MAX_REFRESH_GAP_US G_USEC_PER_SEC

typedef struct
{
  char    *host;
  guint16  port;
} Seed;

struct _DtRedisCluster
{
  gatomicrefcount  ref_count;
  DtRedisConfig   *config;          /* URL applied */
  Seed            *seeds;
  guint            n_seeds;
  gboolean         tls;
  gboolean         read_from_replicas;
  gint64           refresh_interval_us;
  gint64           refresh_gap_us;
  gint64           budget_us;

  /* The current map: read with dup_map(), without a lock; replaced under
   * the lock, which then waits until no reader can still be taking a
   * reference to the old one (two counters, flipped by epoch). */
  DtRedisClusterMap *map;
  gint             epoch;
  gint             readers[2];
  gint64           created_us;      /* g_get_monotonic_time () at creation */
  gint             map_time_ms;     /* when the last full map came, ms after creation (atomic) */
  guint            round_robin;     /* atomic */

  GMutex           lock;            /* guards what follows, and map writes */
  GHashTable      *nodes;           /* address -> DtRedisClusterNode */
  GThread         *refresher;
  gboolean         refresh_wanted;
  gint64           last_refresh_start;
  gboolean         closing;
  GCancellable    *cancellable;     /* cancelled when closing */
  GCond            cond;            /* closing: the refresher waits on it */
  DtRedisClusterTopologyFunc topology_func;
  gpointer         topology_data;
  GDestroyNotify   topology_destroy;
  pid_t            pid;             /* the process the refresher belongs to */

  /* Statistics (atomic). */
  gint             refreshes;
  gint             refresh_errors;
  gint             moved;
  gint             asked;
  gint             retried;
};

DtRedisCluster *
dt_redis_cluster_new (DtRedisConfig  *config,
                      GError        **error)
{
  g_autoptr(DtRedisCluster) self = g_new0 (DtRedisCluster, 1);
  const char * const *addresses = dt_redis_config_get_redis_cluster_nodes (config);
  gdouble interval = dt_redis_config_get_redis_refresh_interval (config);

  g_return_val_if_fail (addresses != NULL, NULL);

  g_atomic_ref_count_init (&self->ref_count);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->config = g_object_ref (config);
  self->nodes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) dt_redis_cluster_node_unref);
  self->cancellable = g_cancellable_new ();
  self->pid = dt_redis_connection_current_pid ();
  self->created_us = g_get_monotonic_time ();
  self->tls = dt_redis_config_get_redis_ssl (config);
  self->read_from_replicas = dt_redis_config_get_redis_read_from_replicas (config);
  self->refresh_interval_us = (gint64) (interval * G_USEC_PER_SEC);
  self->refresh_gap_us = MIN (self->refresh_interval_us, MAX_REFRESH_GAP_US);
  self->budget_us = (gint64) (dt_redis_config_get_redis_socket_timeout (config) * G_USEC_PER_SEC);
  self->n_seeds = g_strv_length ((char **) addresses);
  self->seeds = g_new0 (Seed, self->n_seeds);
  for (guint i = 0; i < self->n_seeds; i++)
    if (!dt_redis_endpoint_parse_address (addresses[i], DEFAULT_PORT,
                                          &self->seeds[i].host, &self->seeds[i].port, error))
      {
        g_prefix_error (error, _("Bad cluster node address: "));
        return NULL;
      }

  return g_steal_pointer (&self);
}

/* In a child of fork() the refresher is gone, and a lock it held at the
 * fork stays held: start over with a fresh lock and no refresher (the
 * map and the nodes stay; their pools check for the fork themselves).
 * Called before anything that takes the lock; right after a fork the
 * child has one thread. */
static void
check_fork (DtRedisCluster *self)
{
  pid_t pid = dt_redis_connection_current_pid ();

  if (G_LIKELY (self->pid == pid))
    return;

  self->pid = pid;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  /* The lost thread's GThread is left as it is: it cannot be joined. */
  self->refresher = NULL;
  self->refresh_wanted = FALSE;
  self->last_refresh_start = 0;
}

DtRedisCluster *
dt_redis_cluster_ref (DtRedisCluster *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dt_redis_cluster_unref (DtRedisCluster *self)
{
  GThread *refresher;

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  check_fork (self);
  g_mutex_lock (&self->lock);
  self->closing = TRUE;
  refresher = g_steal_pointer (&self->refresher);
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
  g_cancellable_cancel (self->cancellable);
  if (refresher != NULL)
    g_thread_join (refresher);

  if (self->topology_destroy != NULL)
    self->topology_destroy (self->topology_data);
  g_clear_pointer (&self->map, dt_redis_cluster_map_unref);
  g_clear_pointer (&self->nodes, g_hash_table_unref);
  for (guint i = 0; self->seeds != NULL && i < self->n_seeds; i++)
    g_free (self->seeds[i].host);
  g_free (self->seeds);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->config);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
dt_redis_cluster_set_topology_func (DtRedisCluster            *self,
                                    DtRedisClusterTopologyFunc func,
                                    gpointer                   user_data,
                                    GDestroyNotify             destroy)
{
  g_return_if_fail (self->topology_func == NULL);

  self->topology_func = func;
  self->topology_data = user_data;
  self->topology_destroy = destroy;
}

/* The map */

DtRedisClusterMap *
dt_redis_cluster_dup_map (DtRedisCluster *self)
{
  gint e = g_atomic_int_get (&self->epoch) & 1;
  DtRedisClusterMap *map;

  g_atomic_int_inc (&self->readers[e]);
  map = g_atomic_pointer_get (&self->map);
  if (map != NULL)
    dt_redis_cluster_map_ref (map);
  (void) g_atomic_int_dec_and_test (&self->readers[e]);

  return map;
}

/* Takes @map. Called with the lock held. A reader that loaded the old
 * pointer incremented a counter before the exchange; once each counter
 * was seen at zero after the exchange, every such reader holds its own
 * reference. The flips keep new readers off the counter being waited
 * for, so the wait is as short as one reader's. */
static void
publish_map_locked (DtRedisCluster    *self,
                    DtRedisClusterMap *map)
{
  DtRedisClusterMap *old = g_atomic_pointer_exchange (&self->map, map);

  for (guint phase = 0; phase < 2; phase++)
    {
      gint e = g_atomic_int_get (&self->epoch) & 1;

      g_atomic_int_set (&self->epoch, e ^ 1);
      while (g_atomic_int_get (&self->readers[e]) != 0)
        g_thread_yield ();
    }

  if (old != NULL)
    dt_redis_cluster_map_unref (old);
}

/* Nodes */

static DtRedisClusterNode *
ensure_node_locked (DtRedisCluster *self,
                    const char     *host,
                    guint16         port)
{
  g_autofree char *address = dt_redis_cluster_address (host, port);
  DtRedisClusterNode *node = g_hash_table_lookup (self->nodes, address);

  if (node == NULL)
    {
      node = dt_redis_cluster_node_new (self->config, host, port);
      g_hash_table_insert (self->nodes, node->address, node);
    }
  return dt_redis_cluster_node_ref (node);
}

DtRedisClusterNode *
dt_redis_cluster_ensure_node (DtRedisCluster *self,
                              const char     *host,
                              guint16         port)
{
  g_autoptr(GMutexLocker) locker = NULL;

  check_fork (self);
  locker = g_mutex_locker_new (&self->lock);

  return ensure_node_locked (self, host, port);
}

static DtRedisClusterNode *
lookup_locked_cb (const char *host,
                  guint16     port,
                  gpointer    user_data)
{
  return ensure_node_locked (user_data, host, port);
}

static DtRedisClusterNode *
seed_node (DtRedisCluster *self,
           guint           index)
{
  const Seed *seed = &self->seeds[index % self->n_seeds];

  return dt_redis_cluster_ensure_node (self, seed->host, seed->port);
}

/* The safety net: a map older than refresh-interval is asked again. */
static void
maybe_refresh_periodically (DtRedisCluster    *self,
                            DtRedisClusterMap *map)
{
  gint64 made = self->created_us + (gint64) g_atomic_int_get (&self->map_time_ms) * 1000;

  if (map == NULL || g_get_monotonic_time () - made > self->refresh_interval_us)
    dt_redis_cluster_refresh_soon (self);
}

DtRedisClusterNode *
dt_redis_cluster_pick (DtRedisCluster *self,
                       gint            slot)
{
  g_autoptr(DtRedisClusterMap) map = dt_redis_cluster_dup_map (self);
  DtRedisClusterNode *node = NULL;

  maybe_refresh_periodically (self, map);

  /* A command without keys goes to one node, the same each time while
   * the topology holds: the owner of slot 0 (a SCAN cursor, SCRIPT
   * EXISTS after SCRIPT LOAD... must meet the node they came from). */
  if (map != NULL)
    node = dt_redis_cluster_map_get_owner (map, slot >= 0 ? (guint) slot : 0);
  if (node == NULL && map != NULL && slot < 0 && map->n_primaries > 0)
    node = g_ptr_array_index (map->nodes, 0);

  if (node != NULL)
    return dt_redis_cluster_node_ref (node);

  /* Nothing known of the slot: any node redirects to its owner. */
  dt_redis_cluster_refresh_soon (self);
  return seed_node (self, 0);
}

DtRedisClusterNode *
dt_redis_cluster_pick_for (DtRedisCluster       *self,
                           gint                  slot,
                           const DtRedisCommand *cmd)
{
  g_autoptr(DtRedisClusterMap) map = NULL;
  DtRedisClusterNode *replica;

  if (!self->read_from_replicas || slot < 0 || !dt_redis_cluster_command_reads_only (cmd))
    return dt_redis_cluster_pick (self, slot);

  map = dt_redis_cluster_dup_map (self);
  replica = map != NULL ? dt_redis_cluster_map_get_replica (map, (guint) slot,
                                                            (guint) g_atomic_int_add ((gint *) &self->round_robin, 1))
                        : NULL;
  return replica != NULL ? dt_redis_cluster_node_ref (replica) : dt_redis_cluster_pick (self, slot);
}

DtRedisClusterNode *
dt_redis_cluster_pick_other (DtRedisCluster     *self,
                             DtRedisClusterNode *failed,
                             guint               attempt)
{
  g_autoptr(DtRedisClusterMap) map = dt_redis_cluster_dup_map (self);
  guint n_map = map != NULL ? map->nodes->len : 0;
  guint n = n_map + self->n_seeds;

  /* The map's nodes (primaries first), then the seeds, in turn. */
  for (guint i = 0; i < n; i++)
    {
      guint k = (attempt + i) % n;
      DtRedisClusterNode *node;

      if (k < n_map)
        node = dt_redis_cluster_node_ref (g_ptr_array_index (map->nodes, k));
      else
        node = seed_node (self, k - n_map);
      if (strcmp (node->address, failed->address) != 0)
        return node;
      dt_redis_cluster_node_unref (node);
    }

  return dt_redis_cluster_node_ref (failed);
}

void
dt_redis_cluster_note_moved (DtRedisCluster     *self,
                             guint               slot,
                             DtRedisClusterNode *node)
{
  check_fork (self);
  g_mutex_lock (&self->lock);
  if (self->map == NULL || dt_redis_cluster_map_get_owner (self->map, slot) == NULL ||
      strcmp (dt_redis_cluster_map_get_owner (self->map, slot)->address, node->address) != 0)
    {
      DtRedisClusterMap *empty = NULL;
      DtRedisClusterMap *base = self->map;

      if (base == NULL)
        {
          /* Nothing learned yet: a map of this one slot until the full one. */
          DtRedisReply *none = dt_redis_reply_new_array (NULL, 0);

          empty = dt_redis_cluster_map_new_from_slots (none, lookup_locked_cb, self, NULL);
          dt_redis_reply_unref (none);
          base = empty;
        }
      publish_map_locked (self, dt_redis_cluster_map_new_moved (base, slot, node));
      g_clear_pointer (&empty, dt_redis_cluster_map_unref);
    }
  g_mutex_unlock (&self->lock);

  dt_redis_cluster_refresh_soon (self);
}

/* Refreshing */

static const char * const shards_argv[] = { "CLUSTER", "SHARDS", NULL };
static const char * const slots_argv[] = { "CLUSTER", "SLOTS", NULL };

/* Asks @node for the map; NULL with @error when it did not give one. */
static DtRedisClusterMap *
ask_node (DtRedisCluster     *self,
          DtRedisClusterNode *node,
          GError            **error)
{
  g_autoptr(DtRedisSyncPool) pool = dt_redis_pools_dup_sync (node->pools, error);
  g_autoptr(DtRedisCommand) cmd = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  DtRedisClusterMap *map;
  gboolean shards = TRUE;

  if (pool == NULL)
    return NULL;

again:
  g_clear_pointer (&cmd, dt_redis_command_free);
  g_clear_pointer (&reply, dt_redis_reply_unref);
  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, shards ? shards_argv : slots_argv);
  if (!dt_redis_sync_pool_run (pool, cmd, &reply, self->cancellable, error))
    return NULL;
  if (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_ERROR)
    {
      /* Before Redis 7: no CLUSTER SHARDS. */
      if (shards && g_str_has_prefix (dt_redis_reply_get_string (reply, NULL), "ERR unknown subcommand"))
        {
          shards = FALSE;
          goto again;
        }
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER, "%s",
                   dt_redis_reply_get_string (reply, NULL));
      return NULL;
    }

  g_mutex_lock (&self->lock);
  map = shards ? dt_redis_cluster_map_new_from_shards (reply, self->tls, lookup_locked_cb, self, error)
               : dt_redis_cluster_map_new_from_slots (reply, lookup_locked_cb, self, error);
  g_mutex_unlock (&self->lock);

  return map;
}

static gboolean
same_topology (const DtRedisClusterMap *a,
               const DtRedisClusterMap *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (a->n_primaries != b->n_primaries || a->nodes->len != b->nodes->len)
    return FALSE;
  for (guint i = 0; i < DT_REDIS_CLUSTER_SLOTS; i++)
    {
      DtRedisClusterNode *x = dt_redis_cluster_map_get_owner (a, i);
      DtRedisClusterNode *y = dt_redis_cluster_map_get_owner (b, i);

      if ((x == NULL) != (y == NULL) || (x != NULL && strcmp (x->address, y->address) != 0))
        return FALSE;
    }
  for (guint i = 0; i < a->nodes->len; i++)
    if (!dt_redis_cluster_map_has_node (b, ((DtRedisClusterNode *) g_ptr_array_index (a->nodes, i))->address))
      return FALSE;
  return TRUE;
}

/* Drops the nodes that are in no map now: their pools close when the
 * last command using them is done. Called with the lock held. */
static void
prune_nodes_locked (DtRedisCluster *self)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      DtRedisClusterNode *node = value;
      gboolean is_seed = FALSE;

      for (guint i = 0; i < self->n_seeds && !is_seed; i++)
        is_seed = self->seeds[i].port == node->port && strcmp (self->seeds[i].host, node->host) == 0;
      if (!is_seed && !dt_redis_cluster_map_has_node (self->map, node->address))
        g_hash_table_iter_remove (&iter);
    }
}

/* One refresh: the map's nodes first (the primaries, then replicas), then
 * the seeds, until one answers. */
static gboolean
refresh (DtRedisCluster  *self,
         GError         **error)
{
  g_autoptr(DtRedisClusterMap) current = dt_redis_cluster_dup_map (self);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_cluster_node_unref);
  g_autoptr(GString) tried = g_string_new (NULL);
  g_autoptr(GError) last_error = NULL;
  DtRedisClusterMap *map = NULL;
  gboolean changed;

  if (current != NULL)
    for (guint i = 0; i < current->nodes->len; i++)
      g_ptr_array_add (candidates, dt_redis_cluster_node_ref (g_ptr_array_index (current->nodes, i)));
  for (guint i = 0; i < self->n_seeds; i++)
    g_ptr_array_add (candidates, seed_node (self, i));

  g_atomic_int_inc (&self->refreshes);
  for (guint i = 0; i < candidates->len && map == NULL; i++)
    {
      DtRedisClusterNode *node = g_ptr_array_index (candidates, i);

      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;
      g_clear_error (&last_error);
      map = ask_node (self, node, &last_error);
      /* A node that knows no slots yet (just started) is not believed. */
      if (map != NULL && map->n_owned == 0)
        {
          g_clear_pointer (&map, dt_redis_cluster_map_unref);
          g_set_error_literal (&last_error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                               _("it serves no slots"));
        }
      if (map == NULL)
        g_string_append_printf (tried, "%s%s (%s)", tried->len > 0 ? ", " : "",
                                node->address, last_error->message);
    }
  if (map == NULL)
    {
      g_atomic_int_inc (&self->refresh_errors);
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                   /* Translators: %s lists the nodes tried, with the reason each failed */
                   _("No cluster node gave the slot map; tried %s"), tried->str);
      return FALSE;
    }

  g_mutex_lock (&self->lock);
  changed = !same_topology (self->map, map);
  publish_map_locked (self, map);
  g_atomic_int_set (&self->map_time_ms, (gint) MIN ((g_get_monotonic_time () - self->created_us) / 1000,
                                                    (gint64) G_MAXINT));
  prune_nodes_locked (self);
  g_mutex_unlock (&self->lock);

  if (changed && self->topology_func != NULL)
    self->topology_func (self->topology_data);
  return TRUE;
}

DtRedisClusterMap *
dt_redis_cluster_ensure_map (DtRedisCluster  *self,
                             GCancellable    *cancellable,
                             GError         **error)
{
  DtRedisClusterMap *map = dt_redis_cluster_dup_map (self);

  if (map != NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
    return map;
  check_fork (self);
  if (!refresh (self, error))
    return NULL;
  return dt_redis_cluster_dup_map (self);
}

static gpointer
refresher_thread (gpointer data)
{
  DtRedisCluster *self = data;

  g_mutex_lock (&self->lock);
  while (!self->closing && self->refresh_wanted)
    {
      gint64 now = g_get_monotonic_time ();
      gint64 due = self->last_refresh_start + self->refresh_gap_us;

      if (self->last_refresh_start != 0 && now < due)
        {
          g_cond_wait_until (&self->cond, &self->lock, due);
          continue;
        }
      self->refresh_wanted = FALSE;
      self->last_refresh_start = now;
      g_mutex_unlock (&self->lock);

      refresh (self, NULL);

      g_mutex_lock (&self->lock);
    }
  /* Done: the next request starts a new thread. The one that closes
   * the cluster took the handle and joins it. */
  if (!self->closing)
    {
      g_thread_unref (self->refresher);
      self->refresher = NULL;
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

void
dt_redis_cluster_refresh_soon (DtRedisCluster *self)
{
  check_fork (self);
  g_mutex_lock (&self->lock);
  if (!self->closing)
    {
      self->refresh_wanted = TRUE;
      if (self->refresher == NULL)
        self->refresher = g_thread_new ("dtredis-cluster", refresher_thread, self);
    }
  g_mutex_unlock (&self->lock);
}

/* Replies */

/* "MOVED 3999 127.0.0.1:6381": the slot and the node (an empty host is
 * the replying node's). */
static gboolean
parse_redirect (DtRedisCluster      *self,
                const char          *text,
                DtRedisClusterNode  *from,
                guint               *slot,
                DtRedisClusterNode **target)
{
  g_auto(GStrv) parts = g_strsplit (text, " ", 3);
  g_autofree char *host = NULL;
  guint64 value;
  guint16 port;

  if (g_strv_length (parts) < 3 ||
      !g_ascii_string_to_unsigned (parts[1], 10, 0, DT_REDIS_CLUSTER_SLOTS - 1, &value, NULL))
    return FALSE;
  if (parts[2][0] == ':')
    {
      guint64 p;

      if (!g_ascii_string_to_unsigned (parts[2] + 1, 10, 1, G_MAXUINT16, &p, NULL))
        return FALSE;
      host = g_strdup (from->host);
      port = (guint16) p;
    }
  else if (!dt_redis_endpoint_parse_address (parts[2], 0, &host, &port, NULL) || port == 0)
    return FALSE;

  *slot = (guint) value;
  *target = dt_redis_cluster_ensure_node (self, host, port);
  return TRUE;
}

DtRedisClusterReplyKind
dt_redis_cluster_classify (DtRedisCluster      *self,
                           const DtRedisReply  *reply,
                           DtRedisClusterNode  *from,
                           guint               *slot,
                           DtRedisClusterNode **target)
{
  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ERROR)
    return DT_REDIS_CLUSTER_REPLY_FINAL;

  return dt_redis_cluster_classify_text (self, dt_redis_reply_get_string (reply, NULL), from, slot, target);
}

DtRedisClusterReplyKind
dt_redis_cluster_classify_text (DtRedisCluster      *self,
                                const char          *text,
                                DtRedisClusterNode  *from,
                                guint               *slot,
                                DtRedisClusterNode **target)
{
  if (g_str_has_prefix (text, "MOVED "))
    return parse_redirect (self, text, from, slot, target) ? DT_REDIS_CLUSTER_REPLY_MOVED
                                                          : DT_REDIS_CLUSTER_REPLY_FINAL;
  if (g_str_has_prefix (text, "ASK "))
    return parse_redirect (self, text, from, slot, target) ? DT_REDIS_CLUSTER_REPLY_ASK
                                                          : DT_REDIS_CLUSTER_REPLY_FINAL;
  if (g_str_has_prefix (text, "READONLY "))
    {
      /* A write reached a replica: the map is out of date. */
      dt_redis_cluster_refresh_soon (self);
      return DT_REDIS_CLUSTER_REPLY_RETRY;
    }
  if (g_str_has_prefix (text, "TRYAGAIN ") || g_str_has_prefix (text, "CLUSTERDOWN ") ||
      g_str_has_prefix (text, "LOADING ") || g_str_has_prefix (text, "MASTERDOWN "))
    {
      if (g_str_has_prefix (text, "CLUSTERDOWN "))
        dt_redis_cluster_refresh_soon (self);
      return DT_REDIS_CLUSTER_REPLY_RETRY;
    }

  return DT_REDIS_CLUSTER_REPLY_FINAL;
}

void
dt_redis_cluster_count (DtRedisCluster          *self,
                        DtRedisClusterReplyKind  kind)
{
  switch (kind)
    {
    case DT_REDIS_CLUSTER_REPLY_MOVED:
      g_atomic_int_inc (&self->moved);
      break;
    case DT_REDIS_CLUSTER_REPLY_ASK:
      g_atomic_int_inc (&self->asked);
      break;
    case DT_REDIS_CLUSTER_REPLY_RETRY:
      g_atomic_int_inc (&self->retried);
      break;
    case DT_REDIS_CLUSTER_REPLY_FINAL:
    default:
      break;
    }
}

gboolean
dt_redis_cluster_error_is_unreachable (const GError *error)
{
  return g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION) ||
         g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT) ||
         g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
}

gint64
dt_redis_cluster_backoff_us (guint attempt)
{
  /* 10 ms, doubling up to 160 ms, with up to half of it again at random. */
  gint64 base = (gint64) 10000 << MIN (attempt, 4);

  return base + g_random_int_range (0, (gint32) (base / 2) + 1);
}

gint64
dt_redis_cluster_budget_us (DtRedisCluster *self)
{
  return self->budget_us;
}

GPtrArray *
dt_redis_cluster_dup_node_pools (DtRedisCluster *self)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_pools_unref);
  GHashTableIter iter;
  gpointer value;

  check_fork (self);
  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->nodes);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, dt_redis_pools_ref (((DtRedisClusterNode *) value)->pools));
  g_mutex_unlock (&self->lock);

  return all;
}

void
dt_redis_cluster_get_stats (DtRedisCluster      *self,
                            DtRedisClusterStats *stats)
{
  stats->refreshes = (guint) g_atomic_int_get (&self->refreshes);
  stats->refresh_errors = (guint) g_atomic_int_get (&self->refresh_errors);
  stats->moved = (guint) g_atomic_int_get (&self->moved);
  stats->asked = (guint) g_atomic_int_get (&self->asked);
  stats->retried = (guint) g_atomic_int_get (&self->retried);
  check_fork (self);
  g_mutex_lock (&self->lock);
  stats->n_nodes = g_hash_table_size (self->nodes);
  g_mutex_unlock (&self->lock);
}

/* Commands */

DtRedisCommand *
dt_redis_cluster_asking_command (const DtRedisCommand *cmd)
{
  static const char asking[] = "*1\r\n$6\r\nASKING\r\n";

  return dt_redis_command_copy_with_prefix (cmd, (const guint8 *) asking, sizeof asking - 1, 1);
}
