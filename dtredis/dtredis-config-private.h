/* dtredis-config-private.h: what the library needs of a config beyond its API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"

G_BEGIN_DECLS

/* Parses @url and sets the properties it names on @self (one notify
 * batch); on error @self is left unchanged and the message names the bad
 * part, never the password. @out_unix_path: the socket path of a unix://
 * URL (NULL for redis:// and rediss://), which no property holds. */
gboolean dt_redis_config_apply_url (DtRedisConfig  *self,
                                    const char     *url,
                                    char          **out_unix_path,
                                    GError        **error);
/* A standalone config for one node of a Cluster config @self (the URL
 * already applied): the same credentials, TLS and timeouts. */
DtRedisConfig *dt_redis_config_new_for_cluster_node (DtRedisConfig  *self,
                                                     const char     *host,
                                                     guint16         port);

G_END_DECLS
