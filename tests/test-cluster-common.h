/* test-cluster-common.h: what the Cluster test programs share
 *
 * Each program (test-cluster, test-cluster-changes, test-cluster-pubsub)
 * has one lab of its own: 3 primaries with a replica each, on loopback
 * ports (dtredis-test-cluster.c). Every count is read on the servers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dtredis.h>

#include "dtredis-test-cluster.h"

G_BEGIN_DECLS

extern DtTestCluster *lab;

/* Async calls in flight and how they ended. */
typedef struct
{
  guint   pending;
  guint   failed;
  guint   ok;
} AsyncCount;

/* A key of @slot: "@prefix:{tag}:@n", the tag hashing to @slot. */
char            *key_in_slot      (const char *prefix,
                                   guint       slot,
                                   guint       n);
/* An instance on the lab, given one seed only (the others are learned). */
DtRedisInstance *new_instance     (gdouble     refresh_interval);
/* Until the full map is known and no refresh asked for at the start is
 * still to come (at most one a second): then only what the test does
 * changes the client's view. */
void             settle           (DtRedisInstance *instance);
/* The integer at @key, read on its slot's owner (0 when absent). */
gint64           server_integer   (const char *key);
/* Calls of @command over all running nodes (INFO commandstats). */
guint64          total_calls      (const char *command);
/* Error replies starting with @code over all running nodes. */
guint64          total_errors     (const char *code);
/* INCR through the async client, on the default main context. */
gint64           async_incr       (DtRedisAsyncClient  *client,
                                   const char          *key,
                                   GError             **error);
/* Starts the lab, runs the tests, stops the lab whatever they did. */
int              cluster_test_run (void);

G_END_DECLS
