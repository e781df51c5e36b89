/* dtredis-config.c: the fluent builder of connection settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "dtredis-config-private.h"
#include "dtredis-error.h"
#include "dtredis-i18n-private.h"
#include "dtredis-resp-private.h"
#include "dtredis-url-private.h"
#include "dtredis-config-fields-private.h"

/**
 * DtRedisConfig:
 *
 * The settings of a connection to one Redis server, built with chained
 * setters:
 *
 * ```c
 * g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
 *
 * dt_redis_config_set_redis_max_connections (
 *   dt_redis_config_set_redis_password (
 *     dt_redis_config_set_redis_host (config, "localhost"), "secret"), 20);
 * ```
 *
 * or from a URL with [ctor@DtRedis.Config.new_from_url].
 *
 * When [property@DtRedis.Config:url] is set it wins: the host, port,
 * credentials, database and options it names replace the separate
 * properties, the way redis-py's `from_url()` treats keyword arguments.
 *
 * A config is a plain object, not locked: build it in one thread, then hand
 * it to [ctor@DtRedis.Instance.new], which keeps its own snapshot.
 *
 * Setters accept any value; [method@DtRedis.Config.validate] reports values
 * that cannot work, such as a port of 0 or a negative timeout.
 */

/**
 * dt_redis_config_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.Config].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisConfig, dt_redis_config, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

void
dt_redis_config_notify (DtRedisConfig *self,
                        guint          prop_id)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
dt_redis_config_finalize (GObject *object)
{
  DtRedisConfig *self = DT_REDIS_CONFIG (object);

  /* The url may carry the password too. */
  g_clear_pointer (&self->url, dt_redis_url_free_secret);
  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->db, g_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->password, dt_redis_url_free_secret);
  g_clear_pointer (&self->client_name, g_free);
  g_clear_pointer (&self->tls_ca_file, g_free);
  g_clear_pointer (&self->tls_cert_file, g_free);
  g_clear_pointer (&self->tls_key_file, g_free);
  dt_redis_config_clear_deployment (self);

  G_OBJECT_CLASS (dt_redis_config_parent_class)->finalize (object);
}

static void
dt_redis_config_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DtRedisConfig *self = DT_REDIS_CONFIG (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_DB:
      g_value_set_string (value, self->db);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_PASSWORD:
      g_value_set_string (value, self->password);
      break;
    case PROP_SSL:
      g_value_set_boolean (value, self->ssl);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_SOCKET_TIMEOUT:
      g_value_set_double (value, self->socket_timeout);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_double (value, dt_redis_config_get_redis_connect_timeout (self));
      break;
    case PROP_CLIENT_NAME:
      g_value_set_string (value, self->client_name);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_double (value, self->idle_timeout);
      break;
    case PROP_TLS_CA_FILE:
      g_value_set_string (value, self->tls_ca_file);
      break;
    case PROP_TLS_CERT_FILE:
      g_value_set_string (value, self->tls_cert_file);
      break;
    case PROP_TLS_KEY_FILE:
      g_value_set_string (value, self->tls_key_file);
      break;
    case PROP_TLS_INSECURE:
      g_value_set_boolean (value, self->tls_insecure);
      break;
    case PROP_MAX_BULK_LENGTH:
      g_value_set_uint64 (value, self->max_bulk_length);
      break;
    case PROP_MAX_ARRAY_LENGTH:
      g_value_set_uint (value, self->max_array_length);
      break;
    case PROP_SENTINELS:
      g_value_set_boxed (value, self->sentinels);
      break;
    case PROP_MASTER_NAME:
      g_value_set_string (value, self->master_name);
      break;
    case PROP_SENTINEL_USERNAME:
      g_value_set_string (value, self->sentinel_username);
      break;
    case PROP_SENTINEL_PASSWORD:
      g_value_set_string (value, self->sentinel_password);
      break;
    case PROP_READ_FROM_REPLICAS:
      g_value_set_boolean (value, self->read_from_replicas);
      break;
    case PROP_REFRESH_INTERVAL:
      g_value_set_double (value, self->refresh_interval);
      break;
    case PROP_CLUSTER_NODES:
      g_value_set_boxed (value, self->cluster_nodes);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_config_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  DtRedisConfig *self = DT_REDIS_CONFIG (object);

  switch (prop_id)
    {
    case PROP_URL:
      dt_redis_config_set_redis_url (self, g_value_get_string (value));
      break;
    case PROP_HOST:
      dt_redis_config_set_redis_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      dt_redis_config_set_redis_port (self, g_value_get_uint (value));
      break;
    case PROP_DB:
      dt_redis_config_set_redis_db (self, g_value_get_string (value));
      break;
    case PROP_USERNAME:
      dt_redis_config_set_redis_username (self, g_value_get_string (value));
      break;
    case PROP_PASSWORD:
      dt_redis_config_set_redis_password (self, g_value_get_string (value));
      break;
    case PROP_SSL:
      dt_redis_config_set_redis_ssl (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_CONNECTIONS:
      dt_redis_config_set_redis_max_connections (self, g_value_get_uint (value));
      break;
    case PROP_SOCKET_TIMEOUT:
      dt_redis_config_set_redis_socket_timeout (self, g_value_get_double (value));
      break;
    case PROP_CONNECT_TIMEOUT:
      dt_redis_config_set_redis_connect_timeout (self, g_value_get_double (value));
      break;
    case PROP_CLIENT_NAME:
      dt_redis_config_set_redis_client_name (self, g_value_get_string (value));
      break;
    case PROP_IDLE_TIMEOUT:
      dt_redis_config_set_redis_idle_timeout (self, g_value_get_double (value));
      break;
    case PROP_TLS_CA_FILE:
      dt_redis_config_set_redis_tls_ca_file (self, g_value_get_string (value));
      break;
    case PROP_TLS_CERT_FILE:
      dt_redis_config_set_redis_tls_cert_file (self, g_value_get_string (value));
      break;
    case PROP_TLS_KEY_FILE:
      dt_redis_config_set_redis_tls_key_file (self, g_value_get_string (value));
      break;
    case PROP_TLS_INSECURE:
      dt_redis_config_set_redis_tls_insecure (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_BULK_LENGTH:
      dt_redis_config_set_redis_max_bulk_length (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_ARRAY_LENGTH:
      dt_redis_config_set_redis_max_array_length (self, g_value_get_uint (value));
      break;
    case PROP_SENTINELS:
      dt_redis_config_set_redis_sentinels (self, g_value_get_boxed (value));
      break;
    case PROP_MASTER_NAME:
      dt_redis_config_set_redis_master_name (self, g_value_get_string (value));
      break;
    case PROP_SENTINEL_USERNAME:
      dt_redis_config_set_redis_sentinel_username (self, g_value_get_string (value));
      break;
    case PROP_SENTINEL_PASSWORD:
      dt_redis_config_set_redis_sentinel_password (self, g_value_get_string (value));
      break;
    case PROP_READ_FROM_REPLICAS:
      dt_redis_config_set_redis_read_from_replicas (self, g_value_get_boolean (value));
      break;
    case PROP_REFRESH_INTERVAL:
      dt_redis_config_set_redis_refresh_interval (self, g_value_get_double (value));
      break;
    case PROP_CLUSTER_NODES:
      dt_redis_config_set_redis_cluster_nodes (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_config_class_init (DtRedisConfigClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  dt_redis_i18n_init ();

  object_class->finalize = dt_redis_config_finalize;
  object_class->get_property = dt_redis_config_get_property;
  object_class->set_property = dt_redis_config_set_property;

  /**
   * DtRedisConfig:url: (getter get_redis_url)
   *
   * A complete `redis://`, `rediss://` or `unix://` URL, or %NULL.
   *
   * When set, it is used verbatim by [method@DtRedis.Config.build_url], and
   * whatever it names (host, port, credentials, database, query options)
   * overrides the separate properties when connecting.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:host: (getter get_redis_host)
   *
   * The host name or IP address of the server; IPv6 addresses are written
   * without brackets.
   */
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, DEFAULT_HOST, flags);

  /**
   * DtRedisConfig:port: (getter get_redis_port)
   *
   * The TCP port of the server, 1 to 65535.
   */
  /* The range is left open so that validate() reports a bad port as a
   * GError instead of GObject printing a warning. */
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT, DEFAULT_PORT, flags);

  /**
   * DtRedisConfig:db: (getter get_redis_db)
   *
   * The database number, as a string of decimal digits (the seed's type).
   */
  properties[PROP_DB] =
    g_param_spec_string ("db", NULL, NULL, DEFAULT_DB, flags);

  /**
   * DtRedisConfig:username: (getter get_redis_username)
   *
   * The ACL user name, or %NULL for none (Redis then uses `default`).
   */
  properties[PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:password: (getter get_redis_password)
   *
   * The password sent with `AUTH`, or %NULL for none.
   */
  properties[PROP_PASSWORD] =
    g_param_spec_string ("password", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:ssl: (getter get_redis_ssl)
   *
   * Whether to connect with TLS (`rediss://`).
   */
  properties[PROP_SSL] =
    g_param_spec_boolean ("ssl", NULL, NULL, FALSE, flags);

  /**
   * DtRedisConfig:max-connections: (getter get_redis_max_connections)
   *
   * The most connections each pool opens to the server; at least 1.
   */
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_MAX_CONNECTIONS, flags);

  /**
   * DtRedisConfig:socket-timeout: (getter get_redis_socket_timeout)
   *
   * How many seconds to wait for the server to answer a command; more
   * than 0.
   */
  properties[PROP_SOCKET_TIMEOUT] =
    g_param_spec_double ("socket-timeout", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, DEFAULT_SOCKET_TIMEOUT, flags);

  /**
   * DtRedisConfig:connect-timeout: (getter get_redis_connect_timeout)
   *
   * How many seconds connecting (including the TLS handshake and `AUTH`)
   * may take; more than 0.
   *
   * Until it is set it reads as [property@DtRedis.Config:socket-timeout];
   * setting a negative value makes it follow that property again.
   */
  properties[PROP_CONNECT_TIMEOUT] =
    g_param_spec_double ("connect-timeout", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, CONNECT_TIMEOUT_UNSET, flags);

  /**
   * DtRedisConfig:client-name: (getter get_redis_client_name)
   *
   * The name each connection gives itself with `CLIENT SETNAME`, shown by
   * `CLIENT LIST`; %NULL for none.
   */
  properties[PROP_CLIENT_NAME] =
    g_param_spec_string ("client-name", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:idle-timeout: (getter get_redis_idle_timeout)
   *
   * Pooled connections idle for longer than this many seconds are closed
   * rather than reused; 0 keeps them forever.
   */
  properties[PROP_IDLE_TIMEOUT] =
    g_param_spec_double ("idle-timeout", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, DEFAULT_IDLE_TIMEOUT, flags);

  /**
   * DtRedisConfig:tls-ca-file: (getter get_redis_tls_ca_file)
   *
   * A PEM file of the certificate authorities to trust instead of the
   * system's, or %NULL.
   */
  properties[PROP_TLS_CA_FILE] =
    g_param_spec_string ("tls-ca-file", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:tls-cert-file: (getter get_redis_tls_cert_file)
   *
   * A PEM client certificate for servers that require one, or %NULL; needs
   * [property@DtRedis.Config:tls-key-file].
   */
  properties[PROP_TLS_CERT_FILE] =
    g_param_spec_string ("tls-cert-file", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:tls-key-file: (getter get_redis_tls_key_file)
   *
   * The PEM private key of [property@DtRedis.Config:tls-cert-file], or %NULL.
   */
  properties[PROP_TLS_KEY_FILE] =
    g_param_spec_string ("tls-key-file", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:tls-insecure: (getter get_redis_tls_insecure)
   *
   * Whether to accept any server certificate and host name.
   *
   * By default (%FALSE) a `rediss://` server must show a certificate that
   * chains to a trusted authority (the system's, or the one in
   * [property@DtRedis.Config:tls-ca-file]) and is valid for the host name
   * connected to; otherwise the connection fails with
   * %DT_REDIS_ERROR_TLS. Setting this property turns both checks off,
   * which makes TLS open to interception: use it for testing only. The
   * first connection made with it logs a warning, once per process.
   */
  properties[PROP_TLS_INSECURE] =
    g_param_spec_boolean ("tls-insecure", NULL, NULL, FALSE, flags);

  /**
   * DtRedisConfig:max-bulk-length: (getter get_redis_max_bulk_length)
   *
   * The longest bulk string, in bytes, that a reply may hold; at least
   * 1024 (1 KiB).
   *
   * A reply announcing a longer string (or a blob error or verbatim
   * string), or a status or error line longer than this, fails the
   * command with %DT_REDIS_ERROR_PROTOCOL and closes the connection,
   * since the rest of the stream can no longer be read. The value is
   * refused from its length header, so no reply is allocated for it. This
   * keeps a broken or hostile server from making the client allocate
   * without bound.
   *
   * The default, 536870912 (512 MiB), is Redis's own `proto-max-bulk-len`
   * default: the largest string a stock server stores, so it never
   * refuses a value that server could have written. Lower it to bound the
   * memory a single reply may take.
   */
  /* The range is left open so that validate() reports a bad value as a
   * GError instead of GObject printing a warning. */
  properties[PROP_MAX_BULK_LENGTH] =
    g_param_spec_uint64 ("max-bulk-length", NULL, NULL,
                         0, G_MAXUINT64, DEFAULT_MAX_BULK_LENGTH, flags);

  /**
   * DtRedisConfig:max-array-length: (getter get_redis_max_array_length)
   *
   * The most elements an aggregate reply (an array, set, push, or a map
   * counting each key and value) may announce; at least 16.
   *
   * A reply announcing more fails the command with
   * %DT_REDIS_ERROR_PROTOCOL and closes the connection; the check is made
   * on the length header, so nothing is allocated for the oversized
   * aggregate.
   *
   * The default, 16777216 (2^24), is far above what ordinary replies hold
   * (a `KEYS` or `LRANGE` of millions of elements still fits), yet keeps a
   * bogus header from making the client reserve gigabytes of element
   * slots. Raise it only for replies known to be larger.
   */
  properties[PROP_MAX_ARRAY_LENGTH] =
    g_param_spec_uint ("max-array-length", NULL, NULL,
                       0, G_MAXUINT, DEFAULT_MAX_ARRAY_LENGTH, flags);

  /**
   * DtRedisConfig:sentinels: (getter get_redis_sentinels)
   *
   * The addresses of Redis Sentinels (`host:port`, `[::1]:26379` for
   * IPv6, the port 26379 when left out), or %NULL.
   *
   * Setting any makes this a Sentinel config: the instance asks the
   * sentinels where the master named [property@DtRedis.Config:master-name]
   * is (trying them in turn, and learning the others they know of),
   * checks with `ROLE` that the node it reaches is that master, and
   * follows failovers. [property@DtRedis.Config:host] and
   * [property@DtRedis.Config:port] (and a URL's host) are then not used;
   * everything else (credentials, database, TLS, timeouts) applies to the
   * master. See `docs/scaling.md`.
   */
  properties[PROP_SENTINELS] =
    g_param_spec_boxed ("sentinels", NULL, NULL, G_TYPE_STRV, flags);

  /**
   * DtRedisConfig:master-name: (getter get_redis_master_name)
   *
   * The name under which the sentinels monitor the master (the `NAME` of
   * `sentinel monitor NAME host port quorum`). Required with
   * [property@DtRedis.Config:sentinels].
   */
  properties[PROP_MASTER_NAME] =
    g_param_spec_string ("master-name", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:sentinel-username: (getter get_redis_sentinel_username)
   *
   * The ACL user for the sentinels, or %NULL. The sentinels' credentials
   * are their own: [property@DtRedis.Config:username] and
   * [property@DtRedis.Config:password] are for the data nodes.
   */
  properties[PROP_SENTINEL_USERNAME] =
    g_param_spec_string ("sentinel-username", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:sentinel-password: (getter get_redis_sentinel_password)
   *
   * The password for the sentinels (`requirepass` in their config), or
   * %NULL. Never shown in messages or redacted URLs.
   */
  properties[PROP_SENTINEL_PASSWORD] =
    g_param_spec_string ("sentinel-password", NULL, NULL, NULL, flags);

  /**
   * DtRedisConfig:read-from-replicas: (getter get_redis_read_from_replicas)
   *
   * With Sentinel: connect to one of the master's healthy replicas
   * instead of the master, as redis-py's `Sentinel.slave_for()` does, and
   * fall back to the master when the sentinels know of none. Writes then
   * fail with the server's `READONLY` error.
   *
   * With Cluster: commands that only read (`GET`, `HGETALL`...; the
   * command table says which) go to a replica of their slot's primary, in
   * turn, when it has any; every node connection sends `READONLY` first.
   * Writes, transactions and pipelines still go to the primaries. A
   * replica may lag behind its primary: a read can miss a write that was
   * just acknowledged.
   */
  properties[PROP_READ_FROM_REPLICAS] =
    g_param_spec_boolean ("read-from-replicas", NULL, NULL, FALSE, flags);

  /**
   * DtRedisConfig:refresh-interval: (getter get_redis_refresh_interval)
   *
   * How often, in seconds, the topology is checked even when nothing
   * announced a change. With Sentinel, failovers are learned at once from
   * a sentinel's `+switch-master` event; this interval is only the safety
   * net for a missed event. The default is 10.
   */
  properties[PROP_REFRESH_INTERVAL] =
    g_param_spec_double ("refresh-interval", NULL, NULL,
                         -G_MAXDOUBLE, G_MAXDOUBLE, DEFAULT_REFRESH_INTERVAL, flags);

  /**
   * DtRedisConfig:cluster-nodes: (getter get_redis_cluster_nodes)
   *
   * The seed nodes of a Redis Cluster, `host:port` each (`[::1]:7000`
   * for IPv6; the port defaults to 6379). Giving at least one makes this
   * a Cluster config: the seeds are asked for the slot map
   * (`CLUSTER SHARDS`), every command goes to the node that owns the
   * slot of its keys, and redirections (`MOVED`, `ASK`) are followed.
   * [property@DtRedis.Config:host] and [property@DtRedis.Config:port]
   * are not used then; [property@DtRedis.Config:db] must be 0, the only
   * database a cluster has. The credentials, TLS settings and timeouts
   * apply to every node. See the "Scaling" page of the documentation.
   */
  properties[PROP_CLUSTER_NODES] =
    g_param_spec_boxed ("cluster-nodes", NULL, NULL, G_TYPE_STRV, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dt_redis_config_init (DtRedisConfig *self)
{
  self->host = g_strdup (DEFAULT_HOST);
  self->port = DEFAULT_PORT;
  self->db = g_strdup (DEFAULT_DB);
  self->max_connections = DEFAULT_MAX_CONNECTIONS;
  self->socket_timeout = DEFAULT_SOCKET_TIMEOUT;
  self->connect_timeout = CONNECT_TIMEOUT_UNSET;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  self->max_bulk_length = DEFAULT_MAX_BULK_LENGTH;
  self->max_array_length = DEFAULT_MAX_ARRAY_LENGTH;
  self->refresh_interval = DEFAULT_REFRESH_INTERVAL;
}

/**
 * dt_redis_config_new:
 *
 * Creates a config with the defaults: `localhost`, port 6379, database
 * `"0"`, no credentials, no TLS, 10 connections, a 5 second timeout.
 *
 * Returns: (transfer full): a new config
 */
DtRedisConfig *
dt_redis_config_new (void)
{
  return g_object_new (DT_REDIS_TYPE_CONFIG, NULL);
}

/**
 * dt_redis_config_new_from_url:
 * @url: a `redis://`, `rediss://` or `unix://` URL
 * @error: return location for a #GError
 *
 * Creates a config from @url and validates it.
 *
 * The URL is kept as [property@DtRedis.Config:url], so
 * [method@DtRedis.Config.build_url] returns it verbatim and it keeps
 * winning over the separate properties; these are filled in from it as
 * well, so the getters report what the URL says.
 *
 * Besides the user, password, host, port and the database in the path,
 * these query options of redis-py are understood: `db`, `socket_timeout`,
 * `socket_connect_timeout`, `client_name`, `max_connections`,
 * `ssl_ca_certs`, `ssl_certfile`, `ssl_keyfile`, `ssl_cert_reqs`
 * (`none` sets [property@DtRedis.Config:tls-insecure]), `username` and
 * `password`. Other query options are ignored, as redis-py passes them on
 * to code that dtredis does not have.
 *
 * Returns: (transfer full): a new config, or %NULL with @error set in the
 *   [error@DtRedis.Error] domain (`DT_REDIS_ERROR_INVALID_CONFIG`, with a
 *   message that names the bad part of the URL but never the password)
 */
DtRedisConfig *
dt_redis_config_new_from_url (const char  *url,
                              GError     **error)
{
  g_autoptr(DtRedisConfig) self = NULL;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = dt_redis_config_new ();
  if (!dt_redis_config_apply_url (self, url, NULL, error))
    return NULL;
  dt_redis_config_set_redis_url (self, url);
  if (!dt_redis_config_validate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * dt_redis_config_copy:
 * @self: a config
 *
 * Creates a new config with the same values as @self.
 *
 * Returns: (transfer full): a copy of @self
 */
DtRedisConfig *
dt_redis_config_copy (DtRedisConfig *self)
{
  DtRedisConfig *copy;

  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  copy = dt_redis_config_new ();

  /* Fields rather than properties: connect-timeout reads back as the
   * socket timeout while unset, and the copy must stay unset too. */
  g_free (copy->host);
  g_free (copy->db);
  copy->url = g_strdup (self->url);
  copy->host = g_strdup (self->host);
  copy->port = self->port;
  copy->db = g_strdup (self->db);
  copy->username = g_strdup (self->username);
  copy->password = g_strdup (self->password);
  copy->ssl = self->ssl;
  copy->max_connections = self->max_connections;
  copy->socket_timeout = self->socket_timeout;
  copy->connect_timeout = self->connect_timeout;
  copy->client_name = g_strdup (self->client_name);
  copy->idle_timeout = self->idle_timeout;
  copy->tls_ca_file = g_strdup (self->tls_ca_file);
  copy->tls_cert_file = g_strdup (self->tls_cert_file);
  copy->tls_key_file = g_strdup (self->tls_key_file);
  copy->tls_insecure = self->tls_insecure;
  copy->max_bulk_length = self->max_bulk_length;
  copy->max_array_length = self->max_array_length;
  dt_redis_config_copy_deployment (self, copy);

  return copy;
}

gboolean
dt_redis_config_apply_url (DtRedisConfig  *self,
                           const char     *url,
                           char          **out_unix_path,
                           GError        **error)
{
  g_autoptr(DtRedisUrl) p = NULL;

  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (url != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  p = dt_redis_url_parse (url, error);
  if (p == NULL)
    return FALSE;

  g_object_freeze_notify (G_OBJECT (self));

  /* A Unix socket has no TLS, so the scheme decides ssl in every case. */
  dt_redis_config_set_redis_ssl (self, p->tls);
  if (p->host != NULL)
    dt_redis_config_set_redis_host (self, p->host);
  if (p->port != 0)
    dt_redis_config_set_redis_port (self, p->port);
  if (p->db != NULL)
    dt_redis_config_set_redis_db (self, p->db);
  if (p->username != NULL)
    dt_redis_config_set_redis_username (self, p->username);
  if (p->password != NULL)
    dt_redis_config_set_redis_password (self, p->password);
  if (p->client_name != NULL)
    dt_redis_config_set_redis_client_name (self, p->client_name);
  if (p->max_connections != 0)
    dt_redis_config_set_redis_max_connections (self, p->max_connections);
  if (p->socket_timeout > 0)
    dt_redis_config_set_redis_socket_timeout (self, p->socket_timeout);
  if (p->connect_timeout > 0)
    dt_redis_config_set_redis_connect_timeout (self, p->connect_timeout);
  if (p->tls_ca_file != NULL)
    dt_redis_config_set_redis_tls_ca_file (self, p->tls_ca_file);
  if (p->tls_cert_file != NULL)
    dt_redis_config_set_redis_tls_cert_file (self, p->tls_cert_file);
  if (p->tls_key_file != NULL)
    dt_redis_config_set_redis_tls_key_file (self, p->tls_key_file);
  if (p->has_tls_insecure)
    dt_redis_config_set_redis_tls_insecure (self, p->tls_insecure);
  if (p->is_sentinel)
    {
      dt_redis_config_set_redis_sentinels (self, (const char * const *) p->sentinels);
      dt_redis_config_set_redis_master_name (self, p->master_name);
    }
  if (p->sentinel_username != NULL)
    dt_redis_config_set_redis_sentinel_username (self, p->sentinel_username);
  if (p->sentinel_password != NULL)
    dt_redis_config_set_redis_sentinel_password (self, p->sentinel_password);
  if (p->has_read_from_replicas)
    dt_redis_config_set_redis_read_from_replicas (self, p->read_from_replicas);
  if (p->is_cluster)
    dt_redis_config_set_redis_cluster_nodes (self, (const char * const *) p->cluster_nodes);

  g_object_thaw_notify (G_OBJECT (self));

  if (out_unix_path != NULL)
    *out_unix_path = g_steal_pointer (&p->unix_path);

  return TRUE;
}

static gboolean
timeout_is_valid (gdouble seconds)
{
  /* Written so that NaN fails too. */
  return seconds > 0 && seconds <= MAX_TIMEOUT_SECONDS;
}

static gboolean
check_properties (DtRedisConfig  *self,
                  GError        **error)
{
  guint64 db;

  if (self->url == NULL && (self->host == NULL || *self->host == '\0'))
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("The host is empty"));
      return FALSE;
    }

  if (self->port < 1 || self->port > 65535)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                   _("The port %u is out of range: expected 1 to 65535"),
                   self->port);
      return FALSE;
    }

  if (!g_ascii_string_to_unsigned (self->db, 10, 0, G_MAXUINT, &db, NULL))
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                   _("The database “%s” is not a non-negative integer"),
                   self->db);
      return FALSE;
    }

  if (self->max_connections < 1)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("max-connections must be at least 1"));
      return FALSE;
    }

  if (!timeout_is_valid (self->socket_timeout))
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("socket-timeout must be a number of seconds greater than 0"));
      return FALSE;
    }

  if (!(self->connect_timeout < 0) && !timeout_is_valid (self->connect_timeout))
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("connect-timeout must be a number of seconds greater than 0"));
      return FALSE;
    }

  if (!(self->idle_timeout >= 0 && self->idle_timeout <= MAX_TIMEOUT_SECONDS))
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("idle-timeout must be a number of seconds, 0 or more"));
      return FALSE;
    }

  if (self->max_bulk_length < MIN_MAX_BULK_LENGTH)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("max-bulk-length must be at least 1024 bytes"));
      return FALSE;
    }

  if (self->max_array_length < MIN_MAX_ARRAY_LENGTH)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("max-array-length must be at least 16"));
      return FALSE;
    }

  if (self->tls_cert_file != NULL && self->tls_key_file == NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("tls-cert-file is set but tls-key-file is not"));
      return FALSE;
    }

  if (self->tls_key_file != NULL && self->tls_cert_file == NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("tls-key-file is set but tls-cert-file is not"));
      return FALSE;
    }

  return dt_redis_config_check_deployment (self, error);
}

/**
 * dt_redis_config_validate:
 * @self: a config
 * @error: return location for a #GError
 *
 * Checks that the settings can work: a port from 1 to 65535, a database
 * that is a non-negative integer, at least one connection, timeouts
 * greater than 0 (the idle timeout may be 0), a non-empty host, a TLS
 * certificate and key given together, and, when
 * [property@DtRedis.Config:url] is set, a URL that parses and whose
 * options are valid too.
 *
 * Returns: %TRUE when the config is usable; otherwise %FALSE with @error
 *   set in the [error@DtRedis.Error] domain
 *   (`DT_REDIS_ERROR_INVALID_CONFIG`, naming the bad setting)
 */
gboolean
dt_redis_config_validate (DtRedisConfig  *self,
                          GError        **error)
{
  g_autoptr(DtRedisConfig) effective = NULL;

  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_properties (self, error))
    return FALSE;

  if (self->url == NULL)
    return TRUE;

  /* Check what will be used: the URL may bring a certificate without its
   * key, for one. */
  effective = dt_redis_config_copy (self);
  if (!dt_redis_config_apply_url (effective, self->url, NULL, error))
    return FALSE;

  return check_properties (effective, error);
}

/**
 * dt_redis_config_build_url:
 * @self: a config
 *
 * Builds the URL the config stands for, as the seed's `_set_redis_url()`
 * does: [property@DtRedis.Config:url] verbatim when set, otherwise
 * `redis[s]://[user:password@|:password@|user@]host:port/db`, for example
 * `redis://:secret@localhost:6379/0`.
 *
 * The user and password are percent-encoded (every byte outside the RFC
 * 3986 unreserved characters, so `p@ss:w0rd!` becomes `p%40ss%3Aw0rd%21`)
 * and IPv6 hosts are put in brackets. The query options of a URL have no
 * counterpart here: the result holds only what the seed's URL holds.
 *
 * The result contains the password: log
 * [method@DtRedis.Config.build_redacted_url] instead.
 *
 * Returns: (transfer full): the URL
 */
char *
dt_redis_config_build_url (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->url != NULL)
    return g_strdup (self->url);
  if (self->sentinels != NULL)
    return dt_redis_config_build_sentinel_url (self, FALSE);
  if (self->cluster_nodes != NULL)
    return dt_redis_url_build_cluster (self->ssl, self->username, self->password, FALSE,
                                       (const char * const *) self->cluster_nodes);

  return dt_redis_url_build (self->ssl, self->username, self->password, FALSE,
                             self->host, self->port, self->db);
}

/**
 * dt_redis_config_build_redacted_url:
 * @self: a config
 *
 * Like [method@DtRedis.Config.build_url], with the password written as
 * `***` (`redis://:***@localhost:6379/0`), for log messages. A set
 * [property@DtRedis.Config:url] has its password replaced as well, both
 * in the user information and in a `password` query option, even when
 * the URL does not parse (a password with an unescaped `/`, `?` or `#`):
 * then everything from the first `:` after `//` to the last `@` is
 * hidden.
 *
 * Returns: (transfer full): the URL without the password
 */
char *
dt_redis_config_build_redacted_url (DtRedisConfig *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (self), NULL);

  if (self->url != NULL)
    return dt_redis_url_redact (self->url);
  if (self->sentinels != NULL)
    return dt_redis_config_build_sentinel_url (self, TRUE);
  if (self->cluster_nodes != NULL)
    return dt_redis_url_build_cluster (self->ssl, self->username, self->password, TRUE,
                                       (const char * const *) self->cluster_nodes);

  return dt_redis_url_build (self->ssl, self->username, self->password, TRUE,
                             self->host, self->port, self->db);
}
