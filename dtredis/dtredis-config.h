/* dtredis-config.h: the fluent builder of connection settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#if !defined(DTREDIS_INSIDE) && !defined(DTREDIS_COMPILATION)
# error "Only <dtredis.h> can be included directly."
#endif

#include <glib-object.h>

#include "dtredis-version-macros.h"

G_BEGIN_DECLS

#define DT_REDIS_TYPE_CONFIG (dt_redis_config_get_type ())

DT_REDIS_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (DtRedisConfig, dt_redis_config, DT_REDIS, CONFIG, GObject)

DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_new                       (void);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_new_from_url              (const char     *url,
                                                          GError        **error);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_copy                      (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean       dt_redis_config_validate                  (DtRedisConfig  *self,
                                                          GError        **error);
DT_REDIS_AVAILABLE_IN_ALL
char          *dt_redis_config_build_url                 (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
char          *dt_redis_config_build_redacted_url        (DtRedisConfig  *self);

DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_url             (DtRedisConfig  *self,
                                                          const char     *url);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_host            (DtRedisConfig  *self,
                                                          const char     *host);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_port            (DtRedisConfig  *self,
                                                          guint           port);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_db              (DtRedisConfig  *self,
                                                          const char     *db);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_username        (DtRedisConfig  *self,
                                                          const char     *username);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_password        (DtRedisConfig  *self,
                                                          const char     *password);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_ssl             (DtRedisConfig  *self,
                                                          gboolean        ssl);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_max_connections (DtRedisConfig  *self,
                                                          guint           max_connections);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_socket_timeout  (DtRedisConfig  *self,
                                                          gdouble         seconds);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_connect_timeout (DtRedisConfig  *self,
                                                          gdouble         seconds);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_client_name     (DtRedisConfig  *self,
                                                          const char     *client_name);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_idle_timeout    (DtRedisConfig  *self,
                                                          gdouble         seconds);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_tls_ca_file     (DtRedisConfig  *self,
                                                          const char     *path);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_tls_cert_file   (DtRedisConfig  *self,
                                                          const char     *path);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_tls_key_file    (DtRedisConfig  *self,
                                                          const char     *path);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_tls_insecure    (DtRedisConfig  *self,
                                                          gboolean        insecure);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_max_bulk_length (DtRedisConfig  *self,
                                                          guint64         max_bulk_length);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_max_array_length (DtRedisConfig *self,
                                                           guint          max_array_length);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_sentinels       (DtRedisConfig      *self,
                                                          const char * const *sentinels);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_master_name     (DtRedisConfig  *self,
                                                          const char     *master_name);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_sentinel_username (DtRedisConfig *self,
                                                            const char    *username);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_sentinel_password (DtRedisConfig *self,
                                                            const char    *password);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_read_from_replicas (DtRedisConfig *self,
                                                             gboolean       read_from_replicas);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_refresh_interval (DtRedisConfig *self,
                                                           gdouble        seconds);
DT_REDIS_AVAILABLE_IN_ALL
DtRedisConfig *dt_redis_config_set_redis_cluster_nodes   (DtRedisConfig      *self,
                                                          const char * const *nodes);

DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_url             (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_host            (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
guint          dt_redis_config_get_redis_port            (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_db              (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_username        (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_password        (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean       dt_redis_config_get_redis_ssl             (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
guint          dt_redis_config_get_redis_max_connections (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
gdouble        dt_redis_config_get_redis_socket_timeout  (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
gdouble        dt_redis_config_get_redis_connect_timeout (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_client_name     (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
gdouble        dt_redis_config_get_redis_idle_timeout    (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_tls_ca_file     (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_tls_cert_file   (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_tls_key_file    (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean       dt_redis_config_get_redis_tls_insecure    (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
guint64        dt_redis_config_get_redis_max_bulk_length (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
guint          dt_redis_config_get_redis_max_array_length (DtRedisConfig *self);
DT_REDIS_AVAILABLE_IN_ALL
const char * const *dt_redis_config_get_redis_sentinels  (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_master_name     (DtRedisConfig  *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_sentinel_username (DtRedisConfig *self);
DT_REDIS_AVAILABLE_IN_ALL
const char    *dt_redis_config_get_redis_sentinel_password (DtRedisConfig *self);
DT_REDIS_AVAILABLE_IN_ALL
gboolean       dt_redis_config_get_redis_read_from_replicas (DtRedisConfig *self);
DT_REDIS_AVAILABLE_IN_ALL
gdouble        dt_redis_config_get_redis_refresh_interval (DtRedisConfig *self);
DT_REDIS_AVAILABLE_IN_ALL
const char * const *dt_redis_config_get_redis_cluster_nodes (DtRedisConfig *self);

G_END_DECLS
