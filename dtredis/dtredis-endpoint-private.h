/* dtredis-endpoint-private.h: the resolved, immutable connection settings
 *
 * An endpoint is what a pool connects to: computed once from a config
 * snapshot (the url property parsed when set, the separate properties
 * otherwise) and shared read-only by every connection of a pool. Pools are
 * keyed by endpoint so that a routing layer (Sentinel, Cluster) can later
 * hold several.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "dtredis-config.h"

G_BEGIN_DECLS

typedef struct _DtRedisEndpoint
{
  gatomicrefcount ref_count;

  char     *host;             /* NULL for a Unix socket */
  guint16   port;
  char     *unix_path;        /* non-NULL for unix:// */
  gboolean  tls;

  char     *username;         /* NULL: none */
  char     *password;         /* NULL: none; never printed */
  guint     db;
  char     *client_name;      /* NULL: none */

  guint     max_connections;  /* >= 1 */
  gint64    socket_timeout_us;  /* > 0 */
  gint64    connect_timeout_us; /* > 0 */
  gint64    idle_timeout_us;  /* 0: never */

  char     *tls_ca_file;
  char     *tls_cert_file;
  char     *tls_key_file;
  gboolean  tls_insecure;

  gsize     max_bulk_len;     /* >= 1024: the reader's bulk string cap */
  guint     max_elements;     /* >= 16: the reader's aggregate cap */

  /* Sentinel: the address above is not used; each connect asks this
   * where the node is (dtredis-sentinel.c). NULL otherwise. Set by
   * dt_redis_routed_endpoint_new(), with how to release it and what to
   * call the endpoint in messages: this file does not depend on it. */
  struct _DtRedisSentinel *sentinel;
  void      (*release_sentinel) (struct _DtRedisSentinel *sentinel);
  char       *routed_description;
  /* What ROLE must answer first ("master", "slave"), checked in the
   * handshake; NULL: no check. Static strings. */
  const char *expected_role;
  /* A Cluster node read from as a replica: READONLY in the handshake, so
   * that it serves reads of its primary's slots. */
  gboolean    cluster_readonly;
  /* Cluster seeds after this one: a connect that cannot reach this
   * node (nothing sent) tries them in turn. NULL otherwise. */
  GPtrArray  *alternates;       /* DtRedisEndpoint */
} DtRedisEndpoint;

/* Validates @config and resolves it; INVALID_CONFIG naming the bad part.
 * The routing layers' part of the config (sentinels...) is checked, not
 * set up: dt_redis_routed_endpoint_new() does that. */
DtRedisEndpoint *dt_redis_endpoint_new_from_config (DtRedisConfig   *config,
                                                    GError         **error);
/* A copy of @self that connects to @host:@port over TCP, with no sentinel
 * and no role check; the routing layers make node endpoints this way. */
DtRedisEndpoint *dt_redis_endpoint_new_node        (const DtRedisEndpoint *self,
                                                    const char            *host,
                                                    guint16                port);
/* Whether both are set and name the same TCP node (host and port): the
 * routing layer learns a node again as a new endpoint. */
gboolean         dt_redis_endpoint_same_node       (const DtRedisEndpoint *a,
                                                    const DtRedisEndpoint *b);
/* Splits "host", "host:port" or "[v6]:port" (@default_port when none);
 * INVALID_CONFIG naming @address otherwise. */
gboolean         dt_redis_endpoint_parse_address   (const char       *address,
                                                    guint16           default_port,
                                                    char            **host,
                                                    guint16          *port,
                                                    GError          **error);
DtRedisEndpoint *dt_redis_endpoint_ref             (DtRedisEndpoint *self);
void             dt_redis_endpoint_unref           (DtRedisEndpoint *self);
/* "host:port", "[::1]:port" or the socket path: for messages, no secrets. */
char            *dt_redis_endpoint_describe        (const DtRedisEndpoint *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisEndpoint, dt_redis_endpoint_unref)

G_END_DECLS
