/* dtredis-config-fields-private.h: DtRedisConfig's fields, defaults and
 * property ids, shared by dtredis-config.c (the class, construction,
 * copies, URLs, validation) and dtredis-config-accessors.c (the setters
 * and getters)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dtredis-config.h"
#include "dtredis-resp-private.h"

G_BEGIN_DECLS

/* Beyond this a timeout in microseconds no longer fits in a gint64. */
#define MAX_TIMEOUT_SECONDS ((gdouble) (G_MAXINT64 / G_USEC_PER_SEC))

#define DEFAULT_HOST            "localhost"
#define DEFAULT_PORT            6379
#define DEFAULT_DB              "0"
#define DEFAULT_MAX_CONNECTIONS 10
#define DEFAULT_SOCKET_TIMEOUT  5.0
#define DEFAULT_IDLE_TIMEOUT    300.0
#define DEFAULT_MAX_BULK_LENGTH  ((guint64) DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN)
#define DEFAULT_MAX_ARRAY_LENGTH DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS
/* The smallest caps validate() accepts: below these even ordinary replies
 * (INFO, CLIENT LIST, HELLO's map) would be refused. */
#define MIN_MAX_BULK_LENGTH      ((guint64) 1024)
#define MIN_MAX_ARRAY_LENGTH     16
/* Any negative connect-timeout means "follow socket-timeout". */
#define CONNECT_TIMEOUT_UNSET   (-1.0)
/* How often a Sentinel client asks a sentinel for the master even when no
 * +switch-master event came: the safety net behind the subscription. */
#define DEFAULT_REFRESH_INTERVAL 10.0
/* The port of a sentinel address written without one. */
#define DEFAULT_SENTINEL_PORT   26379

struct _DtRedisConfig
{
  GObject   parent_instance;

  char     *url;
  char     *host;
  guint     port;
  char     *db;
  char     *username;
  char     *password;
  gboolean  ssl;
  guint     max_connections;
  gdouble   socket_timeout;
  gdouble   connect_timeout;
  char     *client_name;
  gdouble   idle_timeout;
  char     *tls_ca_file;
  char     *tls_cert_file;
  char     *tls_key_file;
  gboolean  tls_insecure;
  guint64   max_bulk_length;
  guint     max_array_length;

  /* The deployment (dtredis-config-deployment.c): Sentinel when
   * sentinels is non-empty. */
  char    **sentinels;
  char     *master_name;
  char     *sentinel_username;
  char     *sentinel_password;
  gboolean  read_from_replicas;
  gdouble   refresh_interval;
  /* Cluster when cluster_nodes is non-empty: the seed nodes. */
  char    **cluster_nodes;
};

enum
{
  PROP_0,
  PROP_URL,
  PROP_HOST,
  PROP_PORT,
  PROP_DB,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_SSL,
  PROP_MAX_CONNECTIONS,
  PROP_SOCKET_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_CLIENT_NAME,
  PROP_IDLE_TIMEOUT,
  PROP_TLS_CA_FILE,
  PROP_TLS_CERT_FILE,
  PROP_TLS_KEY_FILE,
  PROP_TLS_INSECURE,
  PROP_MAX_BULK_LENGTH,
  PROP_MAX_ARRAY_LENGTH,
  PROP_SENTINELS,
  PROP_MASTER_NAME,
  PROP_SENTINEL_USERNAME,
  PROP_SENTINEL_PASSWORD,
  PROP_READ_FROM_REPLICAS,
  PROP_REFRESH_INTERVAL,
  PROP_CLUSTER_NODES,
  N_PROPS
};

/* Replaces *@slot with a copy of @value (a secret is wiped when freed);
 * FALSE when they were equal and nothing changed. */
gboolean dt_redis_config_replace_string (char       **slot,
                                         const char  *value,
                                         gboolean     secret);

/* dtredis-config-deployment.c: copying, freeing and checking the
 * deployment fields (sentinels, master-name...). */
void     dt_redis_config_copy_deployment  (DtRedisConfig  *self,
                                           DtRedisConfig  *copy);
void     dt_redis_config_clear_deployment (DtRedisConfig  *self);
gboolean dt_redis_config_check_deployment (DtRedisConfig  *self,
                                           GError        **error);
/* The redis+sentinel:// URL of a Sentinel config. */
char    *dt_redis_config_build_sentinel_url (DtRedisConfig *self,
                                             gboolean       redact_passwords);

/* Notifies the property @prop_id of @self. */
void dt_redis_config_notify (DtRedisConfig *self,
                             guint          prop_id);

G_END_DECLS
