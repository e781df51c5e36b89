/* dtredis-pubsub-shards.c: the shard channels of a Cluster pub/sub follow
 * their slots' owners
 *
 * Each node that holds shard channels gets a DtRedisPubSub of its own (a
 * "node object": a standalone object on the node's address whose signals
 * are passed on to the owner). A call is split by slot, since a server
 * refuses SSUBSCRIBE across slots, and each part goes to the owner of its
 * slot, following MOVED and waiting out the rest like any routed command
 * (subscribing twice does no harm, so a part that may have been sent is
 * sent again too).
 *
 * What the owner wants is the set of shard channels its calls confirmed
 * and did not unsubscribe. A node object that loses some (its connection
 * broke, or its server dropped a channel whose slot moved) forgets them
 * and says so; then every wanted channel that no node object holds is
 * subscribed again where its slot lives, retried with backoff (and a map
 * refresh) until it is, and the owner emits ::reconnected with the gap.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-cluster-keys-private.h"
#include "dtredis-config-private.h"
#include "dtredis-error.h"
#include "dtredis-key-slot.h"
#include "dtredis-pubsub-private.h"
#include "dtredis-pubsub-shards-private.h"
#include "dtredis-source-private.h"

#define MAX_REDIRECTS        16
#define RESTORE_FIRST_US     (100 * G_TIME_SPAN_MILLISECOND)
#define RESTORE_MAX_US       (1 * G_TIME_SPAN_SECOND)
/* How long a node that dropped a channel is not asked to take it back
 * while the map still says it owns the slot. */
#define AVOID_US             (3 * G_TIME_SPAN_SECOND)

typedef struct
{
  DtRedisPubSub      *pubsub;
  DtRedisClusterNode *node;
} Child;

struct _DtRedisPubSubShards
{
  guint           ref_count;     /* the owner's, and one per call part or restore in flight */
  DtRedisPubSub  *owner;         /* NULL once closed */
  DtRedisCluster *cluster;
  GHashTable     *children;      /* node address -> Child */
  GHashTable     *wanted;        /* shard channel names */
  GHashTable     *restoring;     /* names in a restore in flight */
  GHashTable     *avoid;         /* name -> Avoid: the node that dropped it */
  gint64          lost_at;       /* 0, or when a wanted channel was lost */
  guint           attempt;       /* failed restores since */
  GSource        *timer;         /* the next restore */
};

/* One call of the owner. */
typedef struct
{
  DtRedisPubSubShards *shards;
  Op                  *op;       /* the owner's, with its task */
  GCancellable        *cancellable;
  GSource             *cancel_source;
  gboolean             cancelled;
  gint64               deadline;
  GPtrArray           *parts;    /* Part: ended ones stay, with done set */
  guint                pending;
  GError              *error;    /* the first part's that failed */
} Call;

/* The names of one slot (or, for SUNSUBSCRIBE from everything, all of
 * one node object's). */
typedef struct
{
  Call     *call;
  gint      slot;       /* DT_REDIS_SLOT_ANY: everything on @child */
  char    **names;
  Child    *child;      /* where it goes; NULL: the slot's owner */
  Op       *child_op;   /* in flight on child */
  GPtrArray *added;     /* SSUBSCRIBE: names it made wanted, NULL until it succeeded */
  GSource  *retry;      /* waiting to go again */
  guint     redirects;
  guint     attempt;
  gboolean  done;
} Part;

typedef struct
{
  DtRedisPubSubShards *shards;
  Child               *child;
  char               **names;
} Restore;

/* A node dropped the channel: the slot left it, for another shard or
 * because the node became a replica. A replica takes SSUBSCRIBE too, but
 * gets the shard's messages only when its primary passes them on, which
 * Redis 7.0 did not do reliably after a failover (tests/test-cluster-pubsub.c
 * saw it miss them). So the channel waits for a map that knows where the
 * slot went, or for AVOID_US to pass. */
typedef struct
{
  char   *address;
  gint64  until;
} Avoid;

static void
avoid_free (Avoid *avoid)
{
  g_free (avoid->address);
  g_free (avoid);
}

static void schedule_restore (DtRedisPubSubShards *self,
                              gint64               delay_us);

static DtRedisPubSubShards *
shards_ref (DtRedisPubSubShards *self)
{
  self->ref_count++;
  return self;
}

static void
shards_unref (DtRedisPubSubShards *self)
{
  if (--self->ref_count > 0)
    return;

  g_assert (self->owner == NULL);
  g_hash_table_unref (self->children);
  g_hash_table_unref (self->wanted);
  g_hash_table_unref (self->restoring);
  g_hash_table_unref (self->avoid);
  dt_redis_cluster_unref (self->cluster);
  g_free (self);
}

static void
child_free (Child *child)
{
  g_signal_handlers_disconnect_by_data (child->pubsub, child);
  child->pubsub->shard_owner = NULL;
  g_object_unref (child->pubsub);
  dt_redis_cluster_node_unref (child->node);
  g_free (child);
}

DtRedisPubSubShards *
dt_redis_pubsub_shards_new (DtRedisPubSub  *owner,
                            DtRedisCluster *cluster)
{
  DtRedisPubSubShards *self = g_new0 (DtRedisPubSubShards, 1);

  self->ref_count = 1;
  self->owner = owner;
  self->cluster = dt_redis_cluster_ref (cluster);
  self->children = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) child_free);
  self->wanted = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->restoring = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->avoid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) avoid_free);

  return self;
}

void
dt_redis_pubsub_shards_close (DtRedisPubSubShards *self)
{
  self->owner = NULL;
  dt_redis_source_clear (&self->timer);
  /* Their calls in flight end now, with G_IO_ERROR_CLOSED. */
  g_hash_table_remove_all (self->children);
  shards_unref (self);
}

/* Node objects */

static void
child_event (DtRedisPubSub  *pubsub,
             DtRedisMessage *message,
             guint           signal_id,
             Child          *child)
{
  DtRedisPubSubShards *shards = pubsub->shard_owner;

  if (shards != NULL && shards->owner != NULL)
    dt_redis_pubsub_deliver (shards->owner, signal_id, message);
}

static void
child_message (DtRedisPubSub  *pubsub,
               DtRedisMessage *message,
               Child          *child)
{
  child_event (pubsub, message, SIGNAL_MESSAGE, child);
}

static void
child_subscribed (DtRedisPubSub  *pubsub,
                  DtRedisMessage *message,
                  Child          *child)
{
  child_event (pubsub, message, SIGNAL_SUBSCRIBED, child);
}

static void
child_unsubscribed (DtRedisPubSub  *pubsub,
                    DtRedisMessage *message,
                    Child          *child)
{
  child_event (pubsub, message, SIGNAL_UNSUBSCRIBED, child);
}

static void
child_notify_connected (DtRedisPubSub *pubsub,
                        GParamSpec    *pspec,
                        Child         *child)
{
  DtRedisPubSubShards *shards = pubsub->shard_owner;

  if (shards != NULL && shards->owner != NULL)
    dt_redis_pubsub_update_connected (shards->owner);
}

/* The node object of the owner of @slot, made on first use. */
static Child *
ensure_child (DtRedisPubSubShards *self,
              gint                 slot)
{
  g_autoptr(DtRedisClusterNode) node = dt_redis_cluster_pick (self->cluster, slot);
  g_autoptr(DtRedisConfig) config = NULL;
  Child *child = g_hash_table_lookup (self->children, node->address);

  if (child != NULL)
    return child;

  config = dt_redis_config_new_for_cluster_node (self->owner->config, node->host, node->port);
  child = g_new0 (Child, 1);
  child->node = g_steal_pointer (&node);
  child->pubsub = dt_redis_pubsub_new (config, NULL);
  child->pubsub->shard_owner = self;
  /* The owner's context, whichever this thread calls its default. */
  g_main_context_unref (child->pubsub->context);
  child->pubsub->context = g_main_context_ref (self->owner->context);
  g_signal_connect (child->pubsub, "message", G_CALLBACK (child_message), child);
  g_signal_connect (child->pubsub, "subscribed", G_CALLBACK (child_subscribed), child);
  g_signal_connect (child->pubsub, "unsubscribed", G_CALLBACK (child_unsubscribed), child);
  g_signal_connect (child->pubsub, "notify::connected", G_CALLBACK (child_notify_connected), child);
  g_hash_table_insert (self->children, child->node->address, child);

  return child;
}

/* The node object subscribed to @name, or NULL. */
static Child *
find_holder (DtRedisPubSubShards *self,
             const char          *name)
{
  GHashTableIter iter;
  Child *child;

  g_hash_table_iter_init (&iter, self->children);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &child))
    if (g_hash_table_contains (child->pubsub->subs[SUBS_SHARD], name))
      return child;

  return NULL;
}

static gboolean
any_held (DtRedisPubSubShards *self,
          char               **names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (find_holder (self, names[i]) != NULL)
      return TRUE;

  return FALSE;
}

DtRedisPubSubShardsState
dt_redis_pubsub_shards_get_state (DtRedisPubSubShards *self)
{
  GHashTableIter iter;
  Child *child;

  if (g_hash_table_size (self->wanted) == 0)
    return DT_REDIS_PUBSUB_SHARDS_NONE;
  if (self->lost_at != 0)
    return DT_REDIS_PUBSUB_SHARDS_DOWN;

  g_hash_table_iter_init (&iter, self->children);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &child))
    if (g_hash_table_size (child->pubsub->subs[SUBS_SHARD]) > 0 && !child->pubsub->connected)
      return DT_REDIS_PUBSUB_SHARDS_DOWN;

  return DT_REDIS_PUBSUB_SHARDS_UP;
}

void
dt_redis_pubsub_shards_set_paused (DtRedisPubSubShards *self,
                                   gboolean             paused)
{
  GHashTableIter iter;
  Child *child;

  g_hash_table_iter_init (&iter, self->children);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &child))
    {
      DtRedisPubSub *pubsub = child->pubsub;

      if (!paused)
        {
          /* Its own queue is empty: it reads again. */
          dt_redis_pubsub_maybe_resume (pubsub);
        }
      else if (!pubsub->paused && pubsub->in_source != NULL)
        {
          dt_redis_source_clear (&pubsub->in_source);
          pubsub->paused = TRUE;
        }
    }
}

GHashTable *
dt_redis_pubsub_shards_get_names (DtRedisPubSubShards *self)
{
  return self->wanted;
}

/* Errors */

/* Whether @error means the part did not take effect and may go again
 * (after *@delay_us): MOVED (the map is told), ASK, TRYAGAIN and the
 * like, or a node that could not be reached (a refresh is asked for). */
static gboolean
may_go_again (DtRedisPubSubShards *self,
              const GError        *error,
              Child               *child,
              guint               *redirects,
              guint               *attempt,
              gint64              *delay_us)
{
  if (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER))
    {
      g_autoptr(DtRedisClusterNode) target = NULL;
      guint slot;

      switch (dt_redis_cluster_classify_text (self->cluster, error->message, child->node, &slot, &target))
        {
        case DT_REDIS_CLUSTER_REPLY_MOVED:
          dt_redis_cluster_count (self->cluster, DT_REDIS_CLUSTER_REPLY_MOVED);
          dt_redis_cluster_note_moved (self->cluster, slot, target);
          *delay_us = 0;
          return ++*redirects <= MAX_REDIRECTS;

        case DT_REDIS_CLUSTER_REPLY_ASK:
          /* The slot is moving: wait until it has moved. */
        case DT_REDIS_CLUSTER_REPLY_RETRY:
          dt_redis_cluster_count (self->cluster, DT_REDIS_CLUSTER_REPLY_RETRY);
          *delay_us = dt_redis_cluster_backoff_us ((*attempt)++);
          return TRUE;

        case DT_REDIS_CLUSTER_REPLY_FINAL:
        default:
          return FALSE;
        }
    }

  if (dt_redis_cluster_error_is_unreachable (error))
    {
      dt_redis_cluster_refresh_soon (self->cluster);
      *delay_us = dt_redis_cluster_backoff_us ((*attempt)++);
      return TRUE;
    }

  return FALSE;
}

/* Restoring what was lost */

static void restore_done (gpointer  data,
                          GError   *error);

static gint64
restore_delay (guint attempt)
{
  gint64 delay = RESTORE_FIRST_US << MIN (attempt, 5);

  delay = MIN (delay, RESTORE_MAX_US);
  return delay / 2 + g_random_int_range (0, (gint32) (delay / 2) + 1);
}

/* Every wanted channel no node object holds and no restore is bringing
 * back goes to its slot's owner, one SSUBSCRIBE per slot. When nothing is
 * missing any more, the owner hears that it is back. */
static void
restore_missing (DtRedisPubSubShards *self)
{
  g_autoptr(GHashTable) by_slot = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  /* Keys are slot + 1: NULL is not a key a table can tell from none. */
  GHashTableIter iter;
  const char *name;
  gpointer key;
  GPtrArray *names;
  gboolean waiting = FALSE;
  gint64 now = g_get_monotonic_time ();

  g_hash_table_iter_init (&iter, self->wanted);
  while (g_hash_table_iter_next (&iter, (gpointer *) &name, NULL))
    {
      Avoid *avoid = g_hash_table_lookup (self->avoid, name);
      guint slot;

      if (g_hash_table_contains (self->restoring, name) || find_holder (self, name) != NULL)
        continue;
      slot = dt_redis_key_slot (name);
      if (avoid != NULL && avoid->until > now)
        {
          g_autoptr(DtRedisClusterNode) node = dt_redis_cluster_pick (self->cluster, (gint) slot);

          if (g_strcmp0 (node->address, avoid->address) == 0)
            {
              waiting = TRUE;
              continue;
            }
        }
      g_hash_table_remove (self->avoid, name);
      names = g_hash_table_lookup (by_slot, GUINT_TO_POINTER (slot + 1));
      if (names == NULL)
        {
          names = g_ptr_array_new_with_free_func (g_free);
          g_hash_table_insert (by_slot, GUINT_TO_POINTER (slot + 1), names);
        }
      g_ptr_array_add (names, g_strdup (name));
    }

  if (waiting)
    {
      dt_redis_cluster_refresh_soon (self->cluster);
      schedule_restore (self, restore_delay (0));
    }
  if (g_hash_table_size (by_slot) == 0 && g_hash_table_size (self->restoring) == 0 && !waiting)
    {
      if (self->lost_at != 0)
        {
          gint64 gap = g_get_monotonic_time () - self->lost_at;

          self->lost_at = 0;
          self->attempt = 0;
          dt_redis_pubsub_update_connected (self->owner);
          g_signal_emit (self->owner, dt_redis_pubsub_signals[SIGNAL_RECONNECTED], 0, gap);
        }
      return;
    }

  g_hash_table_iter_init (&iter, by_slot);
  while (g_hash_table_iter_next (&iter, &key, (gpointer *) &names))
    {
      Restore *restore = g_new0 (Restore, 1);
      Op *op;

      g_ptr_array_add (names, NULL);
      restore->shards = shards_ref (self);
      restore->child = ensure_child (self, (gint) GPOINTER_TO_UINT (key) - 1);
      restore->names = g_strdupv ((char **) names->pdata);
      for (guint i = 0; restore->names[i] != NULL; i++)
        g_hash_table_add (self->restoring, g_strdup (restore->names[i]));
      /* Internal: its confirmations are not the owner's caller's. */
      op = dt_redis_pubsub_op_new (OP_SUBSCRIBE, SUBS_SHARD, g_strdupv (restore->names),
                                   TRUE, restore_done, restore);
      dt_redis_pubsub_submit (restore->child->pubsub, op, NULL);
    }
}

static void
restore_done (gpointer  data,
              GError   *error)
{
  Restore *restore = data;
  DtRedisPubSubShards *self = restore->shards;

  for (guint i = 0; restore->names[i] != NULL; i++)
    g_hash_table_remove (self->restoring, restore->names[i]);

  if (self->owner != NULL)
    {
      if (error != NULL)
        {
          guint redirects = 0;
          gint64 delay_us;

          /* MOVED goes on at once, a few times; anything else waits,
           * longer each time, for the cluster to settle. */
          g_debug ("Restoring shard channel %s failed: %s", restore->names[0], error->message);
          if (may_go_again (self, error, restore->child, &redirects, &self->attempt, &delay_us) &&
              delay_us == 0 && self->attempt++ < MAX_REDIRECTS)
            schedule_restore (self, 0);
          else
            schedule_restore (self, restore_delay (self->attempt++));
        }
      else
        {
          /* Unsubscribed meanwhile: that call went to the same node
           * object after this, unless the slot moved since. */
          g_autoptr(GPtrArray) unwanted = g_ptr_array_new ();

          for (guint i = 0; restore->names[i] != NULL; i++)
            if (!g_hash_table_contains (self->wanted, restore->names[i]))
              g_ptr_array_add (unwanted, g_strdup (restore->names[i]));
          if (unwanted->len > 0)
            {
              g_ptr_array_add (unwanted, NULL);
              dt_redis_pubsub_submit (restore->child->pubsub,
                                      dt_redis_pubsub_op_new (OP_UNSUBSCRIBE, SUBS_SHARD,
                                                              (char **) g_ptr_array_free (g_steal_pointer (&unwanted), FALSE),
                                                              TRUE, NULL, NULL),
                                      NULL);
            }
          schedule_restore (self, 0);
        }
    }

  g_clear_error (&error);
  g_strfreev (restore->names);
  shards_unref (restore->shards);
  g_free (restore);
}

static gboolean
restore_due (gpointer user_data)
{
  DtRedisPubSubShards *self = user_data;

  dt_redis_source_clear (&self->timer);
  if (self->owner != NULL)
    {
      g_object_ref (self->owner);
      restore_missing (self);
      g_object_unref (self->owner);
    }

  return G_SOURCE_REMOVE;
}

static void
schedule_restore (DtRedisPubSubShards *self,
                  gint64               delay_us)
{
  gint64 when = g_get_monotonic_time () + delay_us;

  if (self->timer != NULL && g_source_get_ready_time (self->timer) <= when)
    return;
  dt_redis_source_clear (&self->timer);
  self->timer = dt_redis_timer_source_new (restore_due, self, self->owner->context,
                                           "[dtredis] pubsub shard restore");
  g_source_set_ready_time (self->timer, when);
}

void
dt_redis_pubsub_shards_lost (DtRedisPubSubShards *self,
                             DtRedisPubSub       *pubsub,
                             const char          *dropped)
{
  if (self->owner == NULL)
    return;

  if (dropped != NULL)
    {
      GHashTableIter iter;
      Child *child;

      g_hash_table_iter_init (&iter, self->children);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &child))
        if (child->pubsub == pubsub)
          {
            Avoid *avoid = g_new0 (Avoid, 1);

            avoid->address = g_strdup (child->node->address);
            avoid->until = g_get_monotonic_time () + AVOID_US;
            g_hash_table_insert (self->avoid, g_strdup (dropped), avoid);
          }
    }

  if (self->lost_at == 0)
    self->lost_at = g_get_monotonic_time ();
  dt_redis_pubsub_update_connected (self->owner);
  /* A slot moved, or a node went: the map may be out of date. Whatever
   * goes to a node that no longer owns the slot is MOVED onwards. */
  dt_redis_cluster_refresh_soon (self->cluster);
  /* A channel dropped goes as soon as the map knows where (at once, when
   * a MOVED taught it already); a node whose connection broke may be
   * down, or restarting. */
  schedule_restore (self, dropped != NULL ? 0 : restore_delay (self->attempt));
}

/* Calls */

static void part_go (Part *part);

static void
call_free (Call *call)
{
  for (guint i = 0; i < call->parts->len; i++)
    {
      Part *part = g_ptr_array_index (call->parts, i);

      g_strfreev (part->names);
      g_clear_pointer (&part->added, g_ptr_array_unref);
      g_free (part);
    }
  g_ptr_array_unref (call->parts);
  dt_redis_source_clear (&call->cancel_source);
  g_clear_object (&call->cancellable);
  shards_unref (call->shards);
  g_free (call);
}

/* A failed SSUBSCRIBE call undoes what its parts that succeeded added. */
static void
undo_added (Call *call)
{
  DtRedisPubSubShards *self = call->shards;

  for (guint i = 0; i < call->parts->len; i++)
    {
      Part *part = g_ptr_array_index (call->parts, i);

      for (guint j = 0; part->added != NULL && j < part->added->len; j++)
        {
          const char *name = g_ptr_array_index (part->added, j);
          Child *holder = find_holder (self, name);
          char *names[] = { (char *) name, NULL };

          g_hash_table_remove (self->wanted, name);
          if (holder != NULL)
            dt_redis_pubsub_submit (holder->pubsub,
                                    dt_redis_pubsub_op_new (OP_UNSUBSCRIBE, SUBS_SHARD, g_strdupv (names),
                                                            TRUE, NULL, NULL),
                                    NULL);
        }
    }
}

static void
call_finish (Call *call)
{
  DtRedisPubSubShards *self = call->shards;
  DtRedisPubSub *owner = g_task_get_source_object (call->op->task);
  GError *error = g_steal_pointer (&call->error);

  if (error != NULL && call->cancelled && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));
    }
  if (error != NULL && self->owner != NULL)
    undo_added (call);

  g_object_ref (owner);
  dt_redis_pubsub_op_finish (owner, call->op, error, NULL);
  if (self->owner != NULL)
    dt_redis_pubsub_update_connected (self->owner);
  g_object_unref (owner);
  call_free (call);
}

/* Ends what call->pending counts besides the parts. */
static void
part_end_guard (Call *call)
{
  if (--call->pending == 0)
    call_finish (call);
}

static void
part_end (Part   *part,
          GError *error)
{
  Call *call = part->call;

  part->done = TRUE;
  if (error != NULL && call->error == NULL)
    call->error = error;
  else
    g_clear_error (&error);

  part_end_guard (call);
}

static gboolean
part_retry_due (gpointer user_data)
{
  Part *part = user_data;

  dt_redis_source_clear (&part->retry);
  if (part->call->shards->owner == NULL)
    part_end (part, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CLOSED, _("The object was closed")));
  else
    part_go (part);

  return G_SOURCE_REMOVE;
}

static void
part_done (gpointer  data,
           GError   *error)
{
  Part *part = data;
  Call *call = part->call;
  DtRedisPubSubShards *self = call->shards;
  Child *child = part->child;
  gint64 delay_us;

  part->child_op = NULL;
  if (part->slot != DT_REDIS_SLOT_ANY)
    part->child = NULL;  /* the next try goes where the slot lives then */

  if (error == NULL)
    {
      if (call->op->verb == OP_SUBSCRIBE)
        {
          part->added = g_ptr_array_new_with_free_func (g_free);
          for (guint i = 0; part->names[i] != NULL; i++)
            if (g_hash_table_add (self->wanted, g_strdup (part->names[i])))
              g_ptr_array_add (part->added, g_strdup (part->names[i]));
        }
      part_end (part, NULL);
      return;
    }

  /* SUNSUBSCRIBE on a node object whose connection is gone: so is the
   * subscription. */
  if (call->op->verb == OP_UNSUBSCRIBE && dt_redis_cluster_error_is_unreachable (error) &&
      (part->slot == DT_REDIS_SLOT_ANY ? g_hash_table_size (child->pubsub->subs[SUBS_SHARD]) == 0
                                       : !any_held (self, part->names)))
    {
      g_error_free (error);
      part_end (part, NULL);
      return;
    }

  if (!call->cancelled && self->owner != NULL && part->slot != DT_REDIS_SLOT_ANY &&
      may_go_again (self, error, child, &part->redirects, &part->attempt, &delay_us) &&
      g_get_monotonic_time () + delay_us < call->deadline)
    {
      g_debug ("Shard channel %s goes again: %s", part->names[0], error->message);
      g_error_free (error);
      if (delay_us == 0)
        {
          part_go (part);
          return;
        }
      part->retry = dt_redis_timer_source_new (part_retry_due, part, self->owner->context,
                                               "[dtredis] pubsub shard retry");
      g_source_set_ready_time (part->retry, g_get_monotonic_time () + delay_us);
      return;
    }

  part_end (part, error);
}

static void
part_go (Part *part)
{
  Call *call = part->call;

  if (part->child == NULL)
    part->child = ensure_child (call->shards, part->slot);
  part->child_op = dt_redis_pubsub_op_new (call->op->verb, SUBS_SHARD, g_strdupv (part->names),
                                           FALSE, part_done, part);
  dt_redis_pubsub_submit (part->child->pubsub, part->child_op, NULL);
}

static gboolean
call_cancelled (GCancellable *cancellable,
                gpointer      user_data)
{
  Call *call = user_data;

  /* What was sent runs to its end; the rest ends now. */
  dt_redis_source_clear (&call->cancel_source);
  call->cancelled = TRUE;
  call->pending++;
  for (guint i = 0; i < call->parts->len; i++)
    {
      Part *part = g_ptr_array_index (call->parts, i);
      GError *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Operation was cancelled"));

      if (part->child_op != NULL && !part->child_op->sent)
        dt_redis_pubsub_op_finish (part->child->pubsub, part->child_op, error, NULL);
      else if (part->retry != NULL)
        {
          dt_redis_source_clear (&part->retry);
          part_end (part, error);
        }
      else
        g_error_free (error);
    }
  part_end_guard (call);

  return G_SOURCE_REMOVE;
}

static Part *
part_new (Call   *call,
          gint    slot,
          Child  *child)
{
  Part *part = g_new0 (Part, 1);

  part->call = call;
  part->slot = slot;
  part->child = child;
  part->names = g_new0 (char *, 1);
  g_ptr_array_add (call->parts, part);

  return part;
}

static void
part_add_name (Part       *part,
               const char *name)
{
  guint n = g_strv_length (part->names);

  part->names = g_renew (char *, part->names, n + 2);
  part->names[n] = g_strdup (name);
  part->names[n + 1] = NULL;
}

/* SSUBSCRIBE: one part per slot, to its owner. SUNSUBSCRIBE of names: one
 * part per slot, to the node object that holds them (else the slot's
 * owner). SUNSUBSCRIBE from everything: one part per node object holding
 * any. */
static void
split (Call *call)
{
  DtRedisPubSubShards *self = call->shards;
  Op *op = call->op;
  g_autoptr(GHashTable) parts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (op->verb == OP_UNSUBSCRIBE && op->n_names == 0)
    {
      GHashTableIter iter;
      Child *child;

      g_hash_table_remove_all (self->wanted);
      g_hash_table_remove_all (self->avoid);
      g_hash_table_iter_init (&iter, self->children);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &child))
        if (g_hash_table_size (child->pubsub->subs[SUBS_SHARD]) > 0)
          part_new (call, DT_REDIS_SLOT_ANY, child);
      return;
    }

  for (guint i = 0; i < op->n_names; i++)
    {
      const char *name = op->names[i];
      guint slot = dt_redis_key_slot (name);
      Child *holder = NULL;
      g_autofree char *key = NULL;
      Part *part;

      if (op->verb == OP_UNSUBSCRIBE)
        {
          g_hash_table_remove (self->wanted, name);
          g_hash_table_remove (self->avoid, name);
          holder = find_holder (self, name);
        }
      key = g_strdup_printf ("%u %s", slot, holder != NULL ? holder->node->address : "");
      part = g_hash_table_lookup (parts, key);
      if (part == NULL)
        {
          part = part_new (call, (gint) slot, holder);
          g_hash_table_insert (parts, g_steal_pointer (&key), part);
        }
      part_add_name (part, name);
    }
}

void
dt_redis_pubsub_shards_call (DtRedisPubSubShards *self,
                             Op                  *op,
                             GCancellable        *cancellable)
{
  DtRedisPubSub *owner = self->owner;
  g_autoptr(DtRedisClusterMap) map = dt_redis_cluster_dup_map (self->cluster);
  GError *error = NULL;
  Call *call;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      dt_redis_pubsub_op_finish (owner, op, error, NULL);
      return;
    }
  /* Before the first map, the first seed answers MOVED; meanwhile the
   * map is being learned. */
  if (map == NULL)
    dt_redis_cluster_refresh_soon (self->cluster);

  call = g_new0 (Call, 1);
  call->shards = shards_ref (self);
  call->op = op;
  call->parts = g_ptr_array_new ();
  call->deadline = g_get_monotonic_time () + dt_redis_cluster_budget_us (self->cluster);
  split (call);

  if (call->parts->len == 0)
    {
      /* SUNSUBSCRIBE from everything, with nothing subscribed. */
      call_free (call);
      dt_redis_pubsub_op_finish (owner, op, NULL, NULL);
      return;
    }

  if (cancellable != NULL)
    {
      call->cancellable = g_object_ref (cancellable);
      call->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (call->cancel_source, G_SOURCE_FUNC (call_cancelled), call, NULL);
      g_source_set_static_name (call->cancel_source, "[dtredis] pubsub shard cancel");
      g_source_attach (call->cancel_source, owner->context);
    }

  /* One more than the parts until they all went: a part may end within
   * part_go(). */
  call->pending = call->parts->len + 1;
  for (guint i = 0; i < call->parts->len; i++)
    part_go (g_ptr_array_index (call->parts, i));
  part_end_guard (call);
}
