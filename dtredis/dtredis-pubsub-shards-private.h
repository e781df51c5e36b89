/* dtredis-pubsub-shards-private.h: the shard channels of a Cluster pub/sub
 *
 * With a Cluster config, a DtRedisPubSub keeps its channels and patterns
 * on a connection of its own (to the first seed that answers), and its
 * shard channels on one object per node: each shard channel lives where
 * its slot does. The node's objects hand back what they lose (a dropped
 * connection, a channel the server dropped because its slot moved), and
 * this puts it where the slot lives now. Everything here runs on the
 * owner's main context, in the thread that owns it.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-cluster-private.h"
#include "dtredis-pubsub-engine-private.h"

G_BEGIN_DECLS

typedef enum
{
  DT_REDIS_PUBSUB_SHARDS_NONE,  /* no shard channel wanted */
  DT_REDIS_PUBSUB_SHARDS_UP,    /* every one subscribed where its slot lives */
  DT_REDIS_PUBSUB_SHARDS_DOWN,  /* some being moved or restored */
} DtRedisPubSubShardsState;

/* Does no I/O. @owner is not referenced: it closes this in its dispose. */
DtRedisPubSubShards     *dt_redis_pubsub_shards_new        (DtRedisPubSub       *owner,
                                                            DtRedisCluster      *cluster);
/* The owner is going: drops the node's objects (their calls end with
 * G_IO_ERROR_CLOSED) and the owner's reference. */
void                     dt_redis_pubsub_shards_close      (DtRedisPubSubShards *self);
/* Runs the owner's SSUBSCRIBE or SUNSUBSCRIBE @op (taken): slot by slot,
 * on the slots' owners, following MOVED; ends it with
 * dt_redis_pubsub_op_finish() on the owner. */
void                     dt_redis_pubsub_shards_call       (DtRedisPubSubShards *self,
                                                            Op                  *op,
                                                            GCancellable        *cancellable);
/* A node's object @pubsub lost shard channels: its server dropped
 * @dropped (its slot left that node), or, when it is NULL, its connection
 * broke. Subscribes again where they live. */
void                     dt_redis_pubsub_shards_lost       (DtRedisPubSubShards *self,
                                                            DtRedisPubSub       *pubsub,
                                                            const char          *dropped);
DtRedisPubSubShardsState dt_redis_pubsub_shards_get_state  (DtRedisPubSubShards *self);
/* The owner's queue is full (PAUSE_READING): stop or resume reading. */
void                     dt_redis_pubsub_shards_set_paused (DtRedisPubSubShards *self,
                                                            gboolean             paused);
/* The shard channels wanted: confirmed, and not unsubscribed; some may be
 * being restored (a set of names, transfer none). */
GHashTable              *dt_redis_pubsub_shards_get_names  (DtRedisPubSubShards *self);

G_END_DECLS
