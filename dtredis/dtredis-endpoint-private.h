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
} DtRedisEndpoint;

/* Validates @config and resolves it; INVALID_CONFIG naming the bad part. */
DtRedisEndpoint *dt_redis_endpoint_new_from_config (DtRedisConfig   *config,
                                                    GError         **error);
DtRedisEndpoint *dt_redis_endpoint_ref             (DtRedisEndpoint *self);
void             dt_redis_endpoint_unref           (DtRedisEndpoint *self);
/* "host:port", "[::1]:port" or the socket path: for messages, no secrets. */
char            *dt_redis_endpoint_describe        (const DtRedisEndpoint *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisEndpoint, dt_redis_endpoint_unref)

G_END_DECLS
