/* dtredis-cluster-map.c: the immutable snapshot of who owns which slot
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "dtredis-cluster-map-private.h"
#include "dtredis-error.h"

static DtRedisClusterMap *
map_alloc (void)
{
  DtRedisClusterMap *self = g_new (DtRedisClusterMap, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_cluster_node_unref);
  self->n_primaries = 0;
  self->replicas = NULL;
  self->n_owned = 0;
  for (guint i = 0; i < DT_REDIS_CLUSTER_SLOTS; i++)
    self->owner[i] = DT_REDIS_CLUSTER_NO_OWNER;

  return self;
}

DtRedisClusterMap *
dt_redis_cluster_map_ref (DtRedisClusterMap *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dt_redis_cluster_map_unref (DtRedisClusterMap *self)
{
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  if (self->replicas != NULL)
    for (guint i = 0; i < self->n_primaries; i++)
      g_ptr_array_unref (self->replicas[i]);
  g_free (self->replicas);
  g_ptr_array_unref (self->nodes);
  g_free (self);
}

static gint
find_node (const DtRedisClusterMap *self,
           const char              *address,
           guint                    from,
           guint                    to)
{
  for (guint i = from; i < to; i++)
    {
      DtRedisClusterNode *node = g_ptr_array_index (self->nodes, i);

      if (strcmp (node->address, address) == 0)
        return (gint) i;
    }
  return -1;
}

gboolean
dt_redis_cluster_map_has_node (const DtRedisClusterMap *self,
                               const char              *address)
{
  return find_node (self, address, 0, self->nodes->len) >= 0;
}

DtRedisClusterNode *
dt_redis_cluster_map_get_owner (const DtRedisClusterMap *self,
                                guint                    slot)
{
  guint16 index;

  g_return_val_if_fail (slot < DT_REDIS_CLUSTER_SLOTS, NULL);

  index = self->owner[slot];
  return index == DT_REDIS_CLUSTER_NO_OWNER ? NULL : g_ptr_array_index (self->nodes, index);
}

DtRedisClusterNode *
dt_redis_cluster_map_get_replica (const DtRedisClusterMap *self,
                                  guint                    slot,
                                  guint                    pick)
{
  guint16 index;
  GPtrArray *replicas;

  g_return_val_if_fail (slot < DT_REDIS_CLUSTER_SLOTS, NULL);

  index = self->owner[slot];
  if (index == DT_REDIS_CLUSTER_NO_OWNER || self->replicas == NULL)
    return NULL;
  replicas = self->replicas[index];
  if (replicas->len == 0)
    return NULL;
  return g_ptr_array_index (replicas, pick % replicas->len);
}

/* Building a map: primaries are added with their slot ranges, replicas
 * after them, each naming its primary. */
typedef struct
{
  DtRedisClusterMap        *map;
  GPtrArray                *pending_replicas; /* node, then its primary's index as a pointer */
  DtRedisClusterNodeLookup  lookup;
  gpointer                  user_data;
} Builder;

static gint
add_primary (Builder    *b,
             const char *host,
             guint16     port)
{
  g_autofree char *address = dt_redis_cluster_address (host, port);
  gint index = find_node (b->map, address, 0, b->map->n_primaries);

  if (index >= 0)
    return index;
  if (b->map->n_primaries >= DT_REDIS_CLUSTER_NO_OWNER)
    return -1;

  g_ptr_array_add (b->map->nodes, b->lookup (host, port, b->user_data));
  return (gint) b->map->n_primaries++;
}

static void
add_replica (Builder    *b,
             const char *host,
             guint16     port,
             gint        primary)
{
  g_ptr_array_add (b->pending_replicas, b->lookup (host, port, b->user_data));
  g_ptr_array_add (b->pending_replicas, GINT_TO_POINTER (primary));
}

static gboolean
own_range (Builder  *b,
           gint64    start,
           gint64    end,
           gint      primary,
           GError  **error)
{
  if (start < 0 || end < start || end >= DT_REDIS_CLUSTER_SLOTS)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("The cluster's slot map has an invalid range %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT),
                   start, end);
      return FALSE;
    }
  for (gint64 slot = start; slot <= end; slot++)
    {
      if (b->map->owner[slot] == DT_REDIS_CLUSTER_NO_OWNER)
        b->map->n_owned++;
      b->map->owner[slot] = (guint16) primary;
    }
  return TRUE;
}

static DtRedisClusterMap *
builder_finish (Builder *b)
{
  DtRedisClusterMap *map = b->map;

  map->replicas = g_new (GPtrArray *, MAX (map->n_primaries, 1));
  for (guint i = 0; i < map->n_primaries; i++)
    map->replicas[i] = g_ptr_array_new ();
  for (guint i = 0; i + 1 < b->pending_replicas->len; i += 2)
    {
      DtRedisClusterNode *node = g_ptr_array_index (b->pending_replicas, i);
      gint primary = GPOINTER_TO_INT (g_ptr_array_index (b->pending_replicas, i + 1));

      /* A node listed twice (as a primary too, in a map caught halfway
       * through a failover) counts once. */
      if (find_node (map, node->address, 0, map->nodes->len) >= 0)
        {
          dt_redis_cluster_node_unref (node);
          continue;
        }
      g_ptr_array_add (map->nodes, node);
      g_ptr_array_add (map->replicas[primary], node);
    }
  g_ptr_array_unref (b->pending_replicas);

  return map;
}

static void
builder_init (Builder                  *b,
              DtRedisClusterNodeLookup  lookup,
              gpointer                  user_data)
{
  b->map = map_alloc ();
  b->pending_replicas = g_ptr_array_new ();
  b->lookup = lookup;
  b->user_data = user_data;
}

static void
builder_clear (Builder *b)
{
  for (guint i = 0; i + 1 < b->pending_replicas->len; i += 2)
    dt_redis_cluster_node_unref (g_ptr_array_index (b->pending_replicas, i));
  g_ptr_array_unref (b->pending_replicas);
  dt_redis_cluster_map_unref (b->map);
}

static GError *
bad_reply (const char *command)
{
  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                      /* Translators: %s is CLUSTER SHARDS or CLUSTER SLOTS */
                      _("The reply to %s is not a slot map"), command);
}

/* The value after @name in a flat key-value array (RESP2's form of a
 * map), NULL when absent. */
static const DtRedisReply *
field (const DtRedisReply *pairs,
       const char         *name)
{
  guint n = dt_redis_reply_get_n_elements (pairs);

  for (guint i = 0; i + 1 < n; i += 2)
    {
      const char *key = dt_redis_reply_get_string (dt_redis_reply_get_element (pairs, i), NULL);

      if (key != NULL && strcmp (key, name) == 0)
        return dt_redis_reply_get_element (pairs, i + 1);
    }
  return NULL;
}

static const char *
field_string (const DtRedisReply *pairs,
              const char         *name)
{
  const DtRedisReply *value = field (pairs, name);

  return value != NULL ? dt_redis_reply_get_string (value, NULL) : NULL;
}

static gint64
field_integer (const DtRedisReply *pairs,
               const char         *name)
{
  const DtRedisReply *value = field (pairs, name);

  if (value == NULL || dt_redis_reply_get_reply_type (value) != DT_REDIS_REPLY_INTEGER)
    return -1;
  return dt_redis_reply_get_integer (value);
}

/* Where to reach a node of CLUSTER SHARDS: its endpoint ("?" when the
 * cluster does not know it: then its ip) and port. */
static gboolean
shard_node_address (const DtRedisReply  *node,
                    gboolean             tls,
                    const char         **host,
                    guint16             *port)
{
  const char *endpoint = field_string (node, "endpoint");
  gint64 p = tls ? field_integer (node, "tls-port") : -1;

  if (p <= 0)
    p = field_integer (node, "port");
  if (endpoint == NULL || *endpoint == '\0' || strcmp (endpoint, "?") == 0)
    endpoint = field_string (node, "ip");
  if (endpoint == NULL || *endpoint == '\0' || p <= 0 || p > G_MAXUINT16)
    return FALSE;

  *host = endpoint;
  *port = (guint16) p;
  return TRUE;
}

DtRedisClusterMap *
dt_redis_cluster_map_new_from_shards (const DtRedisReply        *reply,
                                      gboolean                   tls,
                                      DtRedisClusterNodeLookup   lookup,
                                      gpointer                   user_data,
                                      GError                   **error)
{
  Builder b;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    {
      g_propagate_error (error, bad_reply ("CLUSTER SHARDS"));
      return NULL;
    }

  builder_init (&b, lookup, user_data);
  for (guint s = 0; s < dt_redis_reply_get_n_elements (reply); s++)
    {
      const DtRedisReply *shard = dt_redis_reply_get_element (reply, s);
      const DtRedisReply *slots = field (shard, "slots");
      const DtRedisReply *nodes = field (shard, "nodes");
      gint primary = -1;

      if (slots == NULL || nodes == NULL ||
          dt_redis_reply_get_reply_type (nodes) != DT_REDIS_REPLY_ARRAY)
        goto bad;

      /* A shard without slots (a node being added, or a replica this
       * node does not know as one yet) routes nothing, and its node is
       * no primary. */
      if (dt_redis_reply_get_n_elements (slots) == 0)
        continue;

      /* The shard's primary first: its replicas name it. */
      for (guint n = 0; n < dt_redis_reply_get_n_elements (nodes); n++)
        {
          const DtRedisReply *node = dt_redis_reply_get_element (nodes, n);
          const char *role = field_string (node, "role");
          const char *host;
          guint16 port;

          if (g_strcmp0 (role, "master") == 0 && shard_node_address (node, tls, &host, &port))
            primary = add_primary (&b, host, port);
        }
      /* Nor does one that lost its primary. */
      if (primary < 0)
        continue;

      for (guint n = 0; n < dt_redis_reply_get_n_elements (nodes); n++)
        {
          const DtRedisReply *node = dt_redis_reply_get_element (nodes, n);
          const char *role = field_string (node, "role");
          const char *health = field_string (node, "health");
          const char *host;
          guint16 port;

          if (g_strcmp0 (role, "master") != 0 && g_strcmp0 (health, "failed") != 0 &&
              shard_node_address (node, tls, &host, &port))
            add_replica (&b, host, port, primary);
        }

      for (guint i = 0; i + 1 < dt_redis_reply_get_n_elements (slots); i += 2)
        {
          const DtRedisReply *start = dt_redis_reply_get_element (slots, i);
          const DtRedisReply *end = dt_redis_reply_get_element (slots, i + 1);

          if (dt_redis_reply_get_reply_type (start) != DT_REDIS_REPLY_INTEGER ||
              dt_redis_reply_get_reply_type (end) != DT_REDIS_REPLY_INTEGER)
            goto bad;
          if (!own_range (&b, dt_redis_reply_get_integer (start),
                          dt_redis_reply_get_integer (end), primary, error))
            {
              builder_clear (&b);
              return NULL;
            }
        }
    }

  return builder_finish (&b);

bad:
  builder_clear (&b);
  g_propagate_error (error, bad_reply ("CLUSTER SHARDS"));
  return NULL;
}

/* [host, port, id, ...] of CLUSTER SLOTS. */
static gboolean
slots_node_address (const DtRedisReply  *node,
                    const char         **host,
                    guint16             *port)
{
  const DtRedisReply *p;

  if (dt_redis_reply_get_reply_type (node) != DT_REDIS_REPLY_ARRAY ||
      dt_redis_reply_get_n_elements (node) < 2)
    return FALSE;
  *host = dt_redis_reply_get_string (dt_redis_reply_get_element (node, 0), NULL);
  p = dt_redis_reply_get_element (node, 1);
  if (*host == NULL || **host == '\0' || strcmp (*host, "?") == 0 ||
      dt_redis_reply_get_reply_type (p) != DT_REDIS_REPLY_INTEGER ||
      dt_redis_reply_get_integer (p) <= 0 || dt_redis_reply_get_integer (p) > G_MAXUINT16)
    return FALSE;
  *port = (guint16) dt_redis_reply_get_integer (p);
  return TRUE;
}

DtRedisClusterMap *
dt_redis_cluster_map_new_from_slots (const DtRedisReply        *reply,
                                     DtRedisClusterNodeLookup   lookup,
                                     gpointer                   user_data,
                                     GError                   **error)
{
  Builder b;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    {
      g_propagate_error (error, bad_reply ("CLUSTER SLOTS"));
      return NULL;
    }

  builder_init (&b, lookup, user_data);
  for (guint r = 0; r < dt_redis_reply_get_n_elements (reply); r++)
    {
      const DtRedisReply *range = dt_redis_reply_get_element (reply, r);
      const char *host;
      guint16 port;
      gint primary;

      if (dt_redis_reply_get_reply_type (range) != DT_REDIS_REPLY_ARRAY ||
          dt_redis_reply_get_n_elements (range) < 3 ||
          dt_redis_reply_get_reply_type (dt_redis_reply_get_element (range, 0)) != DT_REDIS_REPLY_INTEGER ||
          dt_redis_reply_get_reply_type (dt_redis_reply_get_element (range, 1)) != DT_REDIS_REPLY_INTEGER ||
          !slots_node_address (dt_redis_reply_get_element (range, 2), &host, &port))
        {
          builder_clear (&b);
          g_propagate_error (error, bad_reply ("CLUSTER SLOTS"));
          return NULL;
        }

      primary = add_primary (&b, host, port);
      if (primary < 0)
        continue;
      if (!own_range (&b, dt_redis_reply_get_integer (dt_redis_reply_get_element (range, 0)),
                      dt_redis_reply_get_integer (dt_redis_reply_get_element (range, 1)),
                      primary, error))
        {
          builder_clear (&b);
          return NULL;
        }
      for (guint n = 3; n < dt_redis_reply_get_n_elements (range); n++)
        if (slots_node_address (dt_redis_reply_get_element (range, n), &host, &port))
          add_replica (&b, host, port, primary);
    }

  return builder_finish (&b);
}

/* The lookup of new_moved: the nodes are already known. */
static DtRedisClusterNode *
ref_given (const char *host,
           guint16     port,
           gpointer    user_data)
{
  return dt_redis_cluster_node_ref (user_data);
}

DtRedisClusterMap *
dt_redis_cluster_map_new_moved (const DtRedisClusterMap *self,
                                guint                    slot,
                                DtRedisClusterNode      *node)
{
  Builder b;
  gint target = -1;

  g_return_val_if_fail (slot < DT_REDIS_CLUSTER_SLOTS, NULL);

  builder_init (&b, ref_given, NULL);
  for (guint i = 0; i < self->n_primaries; i++)
    {
      DtRedisClusterNode *primary = g_ptr_array_index (self->nodes, i);

      g_ptr_array_add (b.map->nodes, dt_redis_cluster_node_ref (primary));
      if (strcmp (primary->address, node->address) == 0)
        target = (gint) i;
    }
  b.map->n_primaries = self->n_primaries;
  /* A replica that was promoted (or a node that was added) is a primary now. */
  if (target < 0)
    {
      b.user_data = node;
      target = add_primary (&b, node->host, node->port);
    }
  memcpy (b.map->owner, self->owner, sizeof self->owner);
  b.map->n_owned = self->n_owned;
  if (target >= 0)
    own_range (&b, slot, slot, target, NULL);

  for (guint i = 0; i < self->n_primaries; i++)
    for (guint r = 0; r < self->replicas[i]->len; r++)
      {
        DtRedisClusterNode *replica = g_ptr_array_index (self->replicas[i], r);

        if (strcmp (replica->address, node->address) != 0)
          {
            g_ptr_array_add (b.pending_replicas, dt_redis_cluster_node_ref (replica));
            g_ptr_array_add (b.pending_replicas, GINT_TO_POINTER (i));
          }
      }

  return builder_finish (&b);
}
