/* dtredis-config-accessors.c: the setters and getters of DtRedisConfig
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-config-fields-private.h"
#include "dtredis-url-private.h"

gboolean
dt_redis_config_replace_string (char       **slot,
                                const char  *value,
                                gboolean     secret)
{
  char *old = *slot;

  if (g_strcmp0 (old, value) == 0)
    return FALSE;

  *slot = g_strdup (value);
  if (secret)
    dt_redis_url_free_secret (old);
  else
    g_free (old);

  return TRUE;
}

static DtRedisConfig *
set_string_property (DtRedisConfig  *self,
                     char          **slot,
                     const char     *value,
                     gboolean        secret,
                     guint           prop_id)
{
  if (dt_redis_config_replace_string (slot, value, secret))
    dt_redis_config_notify (self, prop_id);

  return self;
}

/**
 * dt_redis_config_set_redis_url:
 * @self: a config
 * @url: (nullable): a `redis://`, `rediss://` or `unix://` URL, or %NULL
 *
 * Sets [property@DtRedis.Config:url]. The URL is checked by
 * [method@DtRedis.Config.validate], not here.
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_url (DtRedisConfig *self,
                               const char    *url)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->url, url, TRUE, PROP_URL);
}

/**
 * dt_redis_config_set_redis_host:
 * @self: a config
 * @host: (nullable): a host name or IP address, or %NULL for `localhost`
 *
 * Sets [property@DtRedis.Config:host].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_host (DtRedisConfig *self,
                                const char    *host)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->host, host != NULL ? host : DEFAULT_HOST,
                              FALSE, PROP_HOST);
}

/**
 * dt_redis_config_set_redis_port:
 * @self: a config
 * @port: a TCP port, 1 to 65535
 *
 * Sets [property@DtRedis.Config:port].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_port (DtRedisConfig *self,
                                guint          port)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->port != port)
    {
      self->port = port;
      dt_redis_config_notify (self, PROP_PORT);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_db:
 * @self: a config
 * @db: (nullable): a database number such as `"0"`, or %NULL for `"0"`
 *
 * Sets [property@DtRedis.Config:db].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_db (DtRedisConfig *self,
                              const char    *db)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->db, db != NULL ? db : DEFAULT_DB,
                              FALSE, PROP_DB);
}

/**
 * dt_redis_config_set_redis_username:
 * @self: a config
 * @username: (nullable): an ACL user name, or %NULL for none
 *
 * Sets [property@DtRedis.Config:username].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_username (DtRedisConfig *self,
                                    const char    *username)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->username, username, FALSE, PROP_USERNAME);
}

/**
 * dt_redis_config_set_redis_password:
 * @self: a config
 * @password: (nullable): a password, or %NULL for none
 *
 * Sets [property@DtRedis.Config:password]. The previous password is
 * overwritten in memory before it is freed.
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_password (DtRedisConfig *self,
                                    const char    *password)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->password, password, TRUE, PROP_PASSWORD);
}

/**
 * dt_redis_config_set_redis_ssl:
 * @self: a config
 * @ssl: whether to use TLS
 *
 * Sets [property@DtRedis.Config:ssl].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_ssl (DtRedisConfig *self,
                               gboolean       ssl)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  ssl = !!ssl;
  if (self->ssl != ssl)
    {
      self->ssl = ssl;
      dt_redis_config_notify (self, PROP_SSL);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_max_connections:
 * @self: a config
 * @max_connections: the most connections per pool, at least 1
 *
 * Sets [property@DtRedis.Config:max-connections].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_max_connections (DtRedisConfig *self,
                                           guint          max_connections)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->max_connections != max_connections)
    {
      self->max_connections = max_connections;
      dt_redis_config_notify (self, PROP_MAX_CONNECTIONS);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_socket_timeout:
 * @self: a config
 * @seconds: the command timeout in seconds, more than 0
 *
 * Sets [property@DtRedis.Config:socket-timeout].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_socket_timeout (DtRedisConfig *self,
                                          gdouble        seconds)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->socket_timeout != seconds)
    {
      self->socket_timeout = seconds;
      dt_redis_config_notify (self, PROP_SOCKET_TIMEOUT);
      /* An unset connect-timeout reads as this one, so it changed too. */
      if (self->connect_timeout < 0)
        dt_redis_config_notify (self, PROP_CONNECT_TIMEOUT);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_connect_timeout:
 * @self: a config
 * @seconds: the connect timeout in seconds, more than 0; negative to
 *   follow [property@DtRedis.Config:socket-timeout]
 *
 * Sets [property@DtRedis.Config:connect-timeout].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_connect_timeout (DtRedisConfig *self,
                                           gdouble        seconds)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (seconds < 0)
    seconds = CONNECT_TIMEOUT_UNSET;

  if (self->connect_timeout != seconds)
    {
      gdouble before = dt_redis_config_get_redis_connect_timeout (self);

      self->connect_timeout = seconds;
      /* Unsetting it while it equals socket-timeout changes nothing a
       * reader can see. */
      if (before != dt_redis_config_get_redis_connect_timeout (self))
        dt_redis_config_notify (self, PROP_CONNECT_TIMEOUT);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_client_name:
 * @self: a config
 * @client_name: (nullable): the connection name for `CLIENT SETNAME`, or
 *   %NULL for none
 *
 * Sets [property@DtRedis.Config:client-name].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_client_name (DtRedisConfig *self,
                                       const char    *client_name)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->client_name, client_name, FALSE, PROP_CLIENT_NAME);
}

/**
 * dt_redis_config_set_redis_idle_timeout:
 * @self: a config
 * @seconds: how long a pooled connection may stay idle, in seconds; 0 for
 *   ever
 *
 * Sets [property@DtRedis.Config:idle-timeout].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_idle_timeout (DtRedisConfig *self,
                                        gdouble        seconds)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->idle_timeout != seconds)
    {
      self->idle_timeout = seconds;
      dt_redis_config_notify (self, PROP_IDLE_TIMEOUT);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_tls_ca_file:
 * @self: a config
 * @path: (nullable) (type filename): a PEM file of trusted certificate
 *   authorities, or %NULL for the system's
 *
 * Sets [property@DtRedis.Config:tls-ca-file].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_tls_ca_file (DtRedisConfig *self,
                                       const char    *path)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->tls_ca_file, path, FALSE, PROP_TLS_CA_FILE);
}

/**
 * dt_redis_config_set_redis_tls_cert_file:
 * @self: a config
 * @path: (nullable) (type filename): a PEM client certificate, or %NULL
 *
 * Sets [property@DtRedis.Config:tls-cert-file].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_tls_cert_file (DtRedisConfig *self,
                                         const char    *path)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->tls_cert_file, path, FALSE, PROP_TLS_CERT_FILE);
}

/**
 * dt_redis_config_set_redis_tls_key_file:
 * @self: a config
 * @path: (nullable) (type filename): the PEM private key of the client
 *   certificate, or %NULL
 *
 * Sets [property@DtRedis.Config:tls-key-file].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_tls_key_file (DtRedisConfig *self,
                                        const char    *path)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return set_string_property (self, &self->tls_key_file, path, FALSE, PROP_TLS_KEY_FILE);
}

/**
 * dt_redis_config_set_redis_tls_insecure:
 * @self: a config
 * @insecure: whether to skip certificate and host name checks
 *
 * Sets [property@DtRedis.Config:tls-insecure].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_tls_insecure (DtRedisConfig *self,
                                        gboolean       insecure)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  insecure = !!insecure;
  if (self->tls_insecure != insecure)
    {
      self->tls_insecure = insecure;
      dt_redis_config_notify (self, PROP_TLS_INSECURE);
    }

  return self;
}

/**
 * dt_redis_config_get_redis_url:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:url].
 *
 * Returns: (nullable): the URL, or %NULL when the separate properties apply
 */
const char *
dt_redis_config_get_redis_url (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->url;
}

/**
 * dt_redis_config_get_redis_host:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:host].
 *
 * Returns: the host
 */
const char *
dt_redis_config_get_redis_host (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->host;
}

/**
 * dt_redis_config_get_redis_port:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:port].
 *
 * Returns: the port
 */
guint
dt_redis_config_get_redis_port (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0);

  return self->port;
}

/**
 * dt_redis_config_get_redis_db:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:db].
 *
 * Returns: the database number, as a string
 */
const char *
dt_redis_config_get_redis_db (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->db;
}

/**
 * dt_redis_config_get_redis_username:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:username].
 *
 * Returns: (nullable): the user name
 */
const char *
dt_redis_config_get_redis_username (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->username;
}

/**
 * dt_redis_config_get_redis_password:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:password].
 *
 * Returns: (nullable): the password
 */
const char *
dt_redis_config_get_redis_password (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->password;
}

/**
 * dt_redis_config_get_redis_ssl:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:ssl].
 *
 * Returns: whether TLS is used
 */
gboolean
dt_redis_config_get_redis_ssl (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), FALSE);

  return self->ssl;
}

/**
 * dt_redis_config_get_redis_max_connections:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:max-connections].
 *
 * Returns: the most connections per pool
 */
guint
dt_redis_config_get_redis_max_connections (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0);

  return self->max_connections;
}

/**
 * dt_redis_config_get_redis_socket_timeout:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:socket-timeout].
 *
 * Returns: the command timeout in seconds
 */
gdouble
dt_redis_config_get_redis_socket_timeout (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0.0);

  return self->socket_timeout;
}

/**
 * dt_redis_config_get_redis_connect_timeout:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:connect-timeout].
 *
 * Returns: the connect timeout in seconds; the socket timeout while unset
 */
gdouble
dt_redis_config_get_redis_connect_timeout (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0.0);

  return self->connect_timeout < 0 ? self->socket_timeout : self->connect_timeout;
}

/**
 * dt_redis_config_get_redis_client_name:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:client-name].
 *
 * Returns: (nullable): the connection name
 */
const char *
dt_redis_config_get_redis_client_name (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->client_name;
}

/**
 * dt_redis_config_get_redis_idle_timeout:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:idle-timeout].
 *
 * Returns: the idle timeout in seconds; 0 for none
 */
gdouble
dt_redis_config_get_redis_idle_timeout (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0.0);

  return self->idle_timeout;
}

/**
 * dt_redis_config_get_redis_tls_ca_file:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:tls-ca-file].
 *
 * Returns: (nullable) (type filename): the CA file
 */
const char *
dt_redis_config_get_redis_tls_ca_file (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->tls_ca_file;
}

/**
 * dt_redis_config_get_redis_tls_cert_file:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:tls-cert-file].
 *
 * Returns: (nullable) (type filename): the client certificate file
 */
const char *
dt_redis_config_get_redis_tls_cert_file (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->tls_cert_file;
}

/**
 * dt_redis_config_get_redis_tls_key_file:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:tls-key-file].
 *
 * Returns: (nullable) (type filename): the client key file
 */
const char *
dt_redis_config_get_redis_tls_key_file (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  return self->tls_key_file;
}

/**
 * dt_redis_config_get_redis_tls_insecure:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:tls-insecure].
 *
 * Returns: whether certificate checks are skipped
 */
gboolean
dt_redis_config_get_redis_tls_insecure (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), FALSE);

  return self->tls_insecure;
}

/**
 * dt_redis_config_set_redis_max_bulk_length:
 * @self: a config
 * @max_bulk_length: the longest bulk string a reply may hold, in bytes; at
 *   least 1024
 *
 * Sets [property@DtRedis.Config:max-bulk-length].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_max_bulk_length (DtRedisConfig *self,
                                           guint64        max_bulk_length)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->max_bulk_length != max_bulk_length)
    {
      self->max_bulk_length = max_bulk_length;
      dt_redis_config_notify (self, PROP_MAX_BULK_LENGTH);
    }

  return self;
}

/**
 * dt_redis_config_set_redis_max_array_length:
 * @self: a config
 * @max_array_length: the most elements an aggregate reply may hold; at
 *   least 16
 *
 * Sets [property@DtRedis.Config:max-array-length].
 *
 * Returns: (transfer none): @self, for chaining
 */
DtRedisConfig *
dt_redis_config_set_redis_max_array_length (DtRedisConfig *self,
                                            guint          max_array_length)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->max_array_length != max_array_length)
    {
      self->max_array_length = max_array_length;
      dt_redis_config_notify (self, PROP_MAX_ARRAY_LENGTH);
    }

  return self;
}

/**
 * dt_redis_config_get_redis_max_bulk_length:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:max-bulk-length].
 *
 * Returns: the longest bulk string a reply may hold, in bytes
 */
guint64
dt_redis_config_get_redis_max_bulk_length (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0);

  return self->max_bulk_length;
}

/**
 * dt_redis_config_get_redis_max_array_length:
 * @self: a config
 *
 * Gets [property@DtRedis.Config:max-array-length].
 *
 * Returns: the most elements an aggregate reply may hold
 */
guint
dt_redis_config_get_redis_max_array_length (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), 0);

  return self->max_array_length;
}
