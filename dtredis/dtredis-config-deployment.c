/* dtredis-config-deployment.c: the properties of DtRedisConfig that choose
 * the deployment (standalone, Sentinel or Cluster), their setters, getters and
 * checks
 *
 * The properties themselves are installed with the others in
 * dtredis-config.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-config-fields-private.h"
#include "dtredis-config-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-error.h"
#include "dtredis-url-private.h"

/**
 * dt_redis_config_set_redis_sentinels:
 * @self: a config
 * @sentinels: (nullable) (array zero-terminated=1): the sentinels'
 *   addresses, `host:port` (`[::1]:26379` for IPv6; the port defaults to
 *   26379), or %NULL for none
 *
 * Sets [property@DtRedis.Config:sentinels]. Giving at least one turns the
 * config into a Sentinel config: see [property@DtRedis.Config:master-name].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_sentinels (DtRedisConfig      *self,
                                     const char * const *sentinels)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (sentinels != NULL && sentinels[0] == NULL)
    sentinels = NULL;
  if (self->sentinels == NULL && sentinels == NULL)
    return self;
  if (self->sentinels != NULL && sentinels != NULL &&
      g_strv_equal ((const char * const *) self->sentinels, sentinels))
    return self;

  g_strfreev (self->sentinels);
  self->sentinels = g_strdupv ((char **) sentinels);
  dt_redis_config_notify (self, PROP_SENTINELS);

  return self;
}

/**
 * dt_redis_config_set_redis_master_name:
 * @self: a config
 * @master_name: (nullable): the name the sentinels monitor the master
 *   under (`sentinel monitor NAME ...`), or %NULL
 *
 * Sets [property@DtRedis.Config:master-name].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_master_name (DtRedisConfig *self,
                                       const char    *master_name)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (dt_redis_config_replace_string (&self->master_name, master_name, FALSE))
    dt_redis_config_notify (self, PROP_MASTER_NAME);
  return self;
}

/**
 * dt_redis_config_set_redis_sentinel_username:
 * @self: a config
 * @username: (nullable): the ACL user to authenticate to the sentinels
 *   as, or %NULL
 *
 * Sets [property@DtRedis.Config:sentinel-username].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_sentinel_username (DtRedisConfig *self,
                                             const char    *username)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (dt_redis_config_replace_string (&self->sentinel_username, username, FALSE))
    dt_redis_config_notify (self, PROP_SENTINEL_USERNAME);
  return self;
}

/**
 * dt_redis_config_set_redis_sentinel_password:
 * @self: a config
 * @password: (nullable): the password of the sentinels, or %NULL
 *
 * Sets [property@DtRedis.Config:sentinel-password].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_sentinel_password (DtRedisConfig *self,
                                             const char    *password)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (dt_redis_config_replace_string (&self->sentinel_password, password, TRUE))
    dt_redis_config_notify (self, PROP_SENTINEL_PASSWORD);
  return self;
}

/**
 * dt_redis_config_set_redis_read_from_replicas:
 * @self: a config
 * @read_from_replicas: whether to use a replica
 *
 * Sets [property@DtRedis.Config:read-from-replicas].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_read_from_replicas (DtRedisConfig *self,
                                              gboolean       read_from_replicas)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  read_from_replicas = !!read_from_replicas;
  if (self->read_from_replicas != read_from_replicas)
    {
      self->read_from_replicas = read_from_replicas;
      dt_redis_config_notify (self, PROP_READ_FROM_REPLICAS);
    }
  return self;
}

/**
 * dt_redis_config_set_redis_refresh_interval:
 * @self: a config
 * @seconds: the interval, greater than 0
 *
 * Sets [property@DtRedis.Config:refresh-interval].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_refresh_interval (DtRedisConfig *self,
                                            gdouble        seconds)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->refresh_interval != seconds)
    {
      self->refresh_interval = seconds;
      dt_redis_config_notify (self, PROP_REFRESH_INTERVAL);
    }
  return self;
}

/**
 * dt_redis_config_set_redis_cluster_nodes:
 * @self: a config
 * @nodes: (nullable) (array zero-terminated=1): seed nodes of a cluster,
 *   `host:port` (`[::1]:7000` for IPv6; the port defaults to 6379), or
 *   %NULL for none
 *
 * Sets [property@DtRedis.Config:cluster-nodes]. Giving at least one turns
 * the config into a Cluster config.
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_cluster_nodes (DtRedisConfig      *self,
                                         const char * const *nodes)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (nodes != NULL && nodes[0] == NULL)
    nodes = NULL;
  if (self->cluster_nodes == NULL && nodes == NULL)
    return self;
  if (self->cluster_nodes != NULL && nodes != NULL &&
      g_strv_equal ((const char * const *) self->cluster_nodes, nodes))
    return self;

  g_strfreev (self->cluster_nodes);
  self->cluster_nodes = g_strdupv ((char **) nodes);
  dt_redis_config_notify (self, PROP_CLUSTER_NODES);

  return self;
}

/**
 * dt_redis_config_get_redis_cluster_nodes:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:cluster-nodes].
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the seed
 *   nodes, or %NULL when this is not a Cluster config
 */
const char * const *
dt_redis_config_get_redis_cluster_nodes (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return (const char * const *) self->cluster_nodes;
}

/**
 * dt_redis_config_get_redis_sentinels:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:sentinels].
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the
 *   sentinels' addresses, or %NULL when none are set
 */
const char * const *
dt_redis_config_get_redis_sentinels (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return (const char * const *) self->sentinels;
}

/**
 * dt_redis_config_get_redis_master_name:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:master-name].
 *
 * Returns: (transfer none) (nullable): the master's name
 */
const char *
dt_redis_config_get_redis_master_name (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->master_name;
}

/**
 * dt_redis_config_get_redis_sentinel_username:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:sentinel-username].
 *
 * Returns: (transfer none) (nullable): the sentinels' user
 */
const char *
dt_redis_config_get_redis_sentinel_username (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->sentinel_username;
}

/**
 * dt_redis_config_get_redis_sentinel_password:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:sentinel-password].
 *
 * Returns: (transfer none) (nullable): the sentinels' password
 */
const char *
dt_redis_config_get_redis_sentinel_password (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->sentinel_password;
}

/**
 * dt_redis_config_get_redis_read_from_replicas:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:read-from-replicas].
 *
 * Returns: whether a replica is used
 */
gboolean
dt_redis_config_get_redis_read_from_replicas (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), FALSE);

  return self->read_from_replicas;
}

/**
 * dt_redis_config_get_redis_refresh_interval:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:refresh-interval].
 *
 * Returns: the interval in seconds
 */
gdouble
dt_redis_config_get_redis_refresh_interval (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0);

  return self->refresh_interval;
}

void
dt_redis_config_copy_deployment (DtRedisConfig *self,
                                 DtRedisConfig *copy)
{
  g_strfreev (copy->sentinels);
  copy->sentinels = g_strdupv (self->sentinels);
  dt_redis_config_replace_string (&copy->master_name, self->master_name, FALSE);
  dt_redis_config_replace_string (&copy->sentinel_username, self->sentinel_username, FALSE);
  dt_redis_config_replace_string (&copy->sentinel_password, self->sentinel_password, TRUE);
  copy->read_from_replicas = self->read_from_replicas;
  copy->refresh_interval = self->refresh_interval;
  g_strfreev (copy->cluster_nodes);
  copy->cluster_nodes = g_strdupv (self->cluster_nodes);
}

void
dt_redis_config_clear_deployment (DtRedisConfig *self)
{
  g_clear_pointer (&self->sentinels, g_strfreev);
  g_clear_pointer (&self->master_name, g_free);
  g_clear_pointer (&self->sentinel_username, g_free);
  g_clear_pointer (&self->sentinel_password, dt_redis_url_free_secret);
  g_clear_pointer (&self->cluster_nodes, g_strfreev);
}

static gboolean
check_cluster (DtRedisConfig  *self,
               GError        **error)
{
  if (self->sentinels != NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("cluster-nodes and sentinels cannot both be set"));
      return FALSE;
    }
  if (g_strcmp0 (self->db, "0") != 0)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("A cluster has only database 0, but db is set to another"));
      return FALSE;
    }
  for (guint i = 0; self->cluster_nodes[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      guint16 port;

      if (!dt_redis_endpoint_parse_address (self->cluster_nodes[i], DEFAULT_PORT,
                                            &host, &port, error))
        {
          g_prefix_error (error, _("Bad cluster node address: "));
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
dt_redis_config_check_deployment (DtRedisConfig  *self,
                                  GError        **error)
{
  if (!(self->refresh_interval > 0 && self->refresh_interval <= MAX_TIMEOUT_SECONDS))
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("refresh-interval must be a number of seconds greater than 0"));
      return FALSE;
    }

  if (self->cluster_nodes != NULL)
    return check_cluster (self, error);

  if (self->sentinels == NULL)
    {
      if (self->master_name != NULL && *self->master_name != '\0')
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               _("master-name is set but no sentinels are"));
          return FALSE;
        }
      return TRUE;
    }

  if (self->master_name == NULL || *self->master_name == '\0')
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("sentinels are set but master-name is not"));
      return FALSE;
    }

  for (guint i = 0; self->sentinels[i] != NULL; i++)
    {
      g_autofree char *host = NULL;
      guint16 port;

      if (!dt_redis_endpoint_parse_address (self->sentinels[i], DEFAULT_SENTINEL_PORT,
                                            &host, &port, error))
        {
          g_prefix_error (error, _("Bad sentinel address: "));
          return FALSE;
        }
    }

  return TRUE;
}

char *
dt_redis_config_build_sentinel_url (DtRedisConfig *self,
                                    gboolean       redact_passwords)
{
  return dt_redis_url_build_sentinel (self->ssl, self->username, self->password, redact_passwords,
                                      (const char * const *) self->sentinels, self->master_name,
                                      self->db, self->sentinel_username, self->sentinel_password,
                                      self->read_from_replicas);
}

DtRedisConfig *
dt_redis_config_new_for_cluster_node (DtRedisConfig  *self,
                                      const char     *host,
                                      guint16         port)
{
  DtRedisConfig *node = dt_redis_config_copy (self);

  g_clear_pointer (&node->url, dt_redis_url_free_secret);
  g_free (node->host);
  node->host = g_strdup (host);
  node->port = port;
  g_clear_pointer (&node->cluster_nodes, g_strfreev);

  return node;
}
