/* dtredis-sentinel-private.h: where a Sentinel-managed master is
 *
 * In a Sentinel config the pools' endpoint carries a DtRedisSentinel.
 * Every connect asks it for the node to reach (the master, or a replica
 * with read-from-replicas): the node it learned last, or, when it knows
 * none, the answer of the first sentinel that gives one. The connection's
 * handshake then checks the node's role with ROLE, and a node that fails
 * the check or cannot be reached is forgotten, so the next connect asks
 * again: a stale answer never routes a command.
 *
 * The pools also have it watch (a thread of its own): it subscribes to
 * +switch-master on a sentinel, asks again every refresh-interval as a
 * safety net, and calls back on every change of master, so the pools can
 * send new commands to the new one at once.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dtredis-config.h"
#include "dtredis-endpoint-private.h"

G_BEGIN_DECLS

typedef struct _DtRedisSentinel DtRedisSentinel;

/* Called in the watching thread after the master changed, with the new
 * master's "host:port". */
typedef void (*DtRedisSentinelChangedFunc) (const char *address,
                                            gpointer    user_data);

/* @nodes: the data nodes' settings (a reference is kept); @config: a
 * validated Sentinel config (sentinels, master-name, their credentials,
 * read-from-replicas, refresh-interval). No I/O. */
DtRedisSentinel *dt_redis_sentinel_new          (DtRedisEndpoint  *nodes,
                                                 DtRedisConfig    *config);
DtRedisSentinel *dt_redis_sentinel_ref          (DtRedisSentinel  *self);
void             dt_redis_sentinel_unref        (DtRedisSentinel  *self);
/* "master “NAME” (Sentinel)": for messages. */
char            *dt_redis_sentinel_describe     (DtRedisSentinel  *self);

/* The endpoint of the node to connect to (transfer full), asking the
 * sentinels when none is known, or when the one known is @stale (a node
 * that just failed: nullable). Blocking. Errors: CONNECTION naming the
 * sentinels tried (none answered, or none knows the master),
 * G_IO_ERROR_CANCELLED. */
DtRedisEndpoint *dt_redis_sentinel_dup_node     (DtRedisSentinel  *self,
                                                 DtRedisEndpoint  *stale,
                                                 GCancellable     *cancellable,
                                                 GError          **error);
/* The node known now, without I/O (transfer full), or NULL. */
DtRedisEndpoint *dt_redis_sentinel_peek_node    (DtRedisSentinel  *self);
/* @node could not be reached or has another role: unless another node is
 * already known, the next dup_node() asks the sentinels again. Nodes are
 * compared by address. */
void             dt_redis_sentinel_forget_node  (DtRedisSentinel  *self,
                                                 DtRedisEndpoint  *node);

/* Starts the watching thread; @func runs in it on each change until
 * unwatch() returns. At most one watcher. */
void             dt_redis_sentinel_watch        (DtRedisSentinel           *self,
                                                 DtRedisSentinelChangedFunc func,
                                                 gpointer                   user_data);
/* Stops the thread and waits for it. */
void             dt_redis_sentinel_unwatch      (DtRedisSentinel  *self);
/* A node answered READONLY: the watcher asks the sentinels now rather
 * than at the next interval. */
void             dt_redis_sentinel_check_soon   (DtRedisSentinel  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisSentinel, dt_redis_sentinel_unref)

G_END_DECLS
