/* dtredis-endpoint.c: the resolved, immutable connection settings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "dtredis-endpoint-private.h"
#include "dtredis-config-private.h"
#include "dtredis-error.h"
#include "dtredis-url-private.h"

/* NULL for empty strings: everywhere below, "" means "not given". */
static char *
dup_nonempty (const char *s)
{
  return s != NULL && *s != '\0' ? g_strdup (s) : NULL;
}

static gint64
seconds_to_us (gdouble seconds)
{
  gint64 us;

  if (seconds <= 0)
    return 0;

  /* validate() capped seconds so this fits; a tiny positive timeout must
   * not round down to 0, which would mean "none". */
  us = (gint64) llround (seconds * G_USEC_PER_SEC);
  return MAX (us, 1);
}

DtRedisEndpoint *
dt_redis_endpoint_new_from_config (DtRedisConfig  *config,
                                   GError        **error)
{
  g_autoptr(DtRedisConfig) effective = NULL;
  g_autofree char *unix_path = NULL;
  DtRedisEndpoint *self;
  const char *url;
  guint64 db = 0;

  g_return_val_if_fail (DT_REDIS_IS_CONFIG (config), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!dt_redis_config_validate (config, error))
    return NULL;

  /* The URL's values override the separate properties, as redis-py's
   * from_url() lets the URL win over keyword arguments. */
  effective = dt_redis_config_copy (config);
  url = dt_redis_config_get_redis_url (config);
  if (url != NULL && !dt_redis_config_apply_url (effective, url, &unix_path, error))
    return NULL;

  self = g_new0 (DtRedisEndpoint, 1);
  g_atomic_ref_count_init (&self->ref_count);

  if (unix_path != NULL)
    self->unix_path = g_steal_pointer (&unix_path);
  else
    {
      self->host = g_strdup (dt_redis_config_get_redis_host (effective));
      self->port = (guint16) dt_redis_config_get_redis_port (effective);
      self->tls = dt_redis_config_get_redis_ssl (effective);
    }

  self->username = dup_nonempty (dt_redis_config_get_redis_username (effective));
  self->password = dup_nonempty (dt_redis_config_get_redis_password (effective));
  /* validate() has checked it parses and fits. */
  if (!g_ascii_string_to_unsigned (dt_redis_config_get_redis_db (effective), 10, 0,
                                   G_MAXUINT, &db, NULL))
    g_assert_not_reached ();
  self->db = (guint) db;
  self->client_name = dup_nonempty (dt_redis_config_get_redis_client_name (effective));

  self->max_connections = dt_redis_config_get_redis_max_connections (effective);
  self->socket_timeout_us = seconds_to_us (dt_redis_config_get_redis_socket_timeout (effective));
  self->connect_timeout_us = seconds_to_us (dt_redis_config_get_redis_connect_timeout (effective));
  self->idle_timeout_us = seconds_to_us (dt_redis_config_get_redis_idle_timeout (effective));

  self->tls_ca_file = dup_nonempty (dt_redis_config_get_redis_tls_ca_file (effective));
  self->tls_cert_file = dup_nonempty (dt_redis_config_get_redis_tls_cert_file (effective));
  self->tls_key_file = dup_nonempty (dt_redis_config_get_redis_tls_key_file (effective));
  self->tls_insecure = dt_redis_config_get_redis_tls_insecure (effective);

  /* Beyond G_MAXSIZE (32-bit hosts) no bulk could be held anyway. */
  self->max_bulk_len = (gsize) MIN (dt_redis_config_get_redis_max_bulk_length (effective),
                                    (guint64) G_MAXSIZE);
  self->max_elements = dt_redis_config_get_redis_max_array_length (effective);

  return self;
}

DtRedisEndpoint *
dt_redis_endpoint_new_node (const DtRedisEndpoint *self,
                            const char            *host,
                            guint16                port)
{
  DtRedisEndpoint *copy;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (host != NULL, NULL);

  copy = g_new0 (DtRedisEndpoint, 1);
  g_atomic_ref_count_init (&copy->ref_count);
  copy->host = g_strdup (host);
  copy->port = port;
  copy->tls = self->tls;
  copy->username = g_strdup (self->username);
  copy->password = g_strdup (self->password);
  copy->db = self->db;
  copy->client_name = g_strdup (self->client_name);
  copy->max_connections = self->max_connections;
  copy->socket_timeout_us = self->socket_timeout_us;
  copy->connect_timeout_us = self->connect_timeout_us;
  copy->idle_timeout_us = self->idle_timeout_us;
  copy->tls_ca_file = g_strdup (self->tls_ca_file);
  copy->tls_cert_file = g_strdup (self->tls_cert_file);
  copy->tls_key_file = g_strdup (self->tls_key_file);
  copy->tls_insecure = self->tls_insecure;
  copy->max_bulk_len = self->max_bulk_len;
  copy->max_elements = self->max_elements;

  return copy;
}

gboolean
dt_redis_endpoint_same_node (const DtRedisEndpoint *a,
                             const DtRedisEndpoint *b)
{
  return a != NULL && b != NULL && a->port == b->port && g_strcmp0 (a->host, b->host) == 0;
}

gboolean
dt_redis_endpoint_parse_address (const char  *address,
                                 guint16      default_port,
                                 char       **host,
                                 guint16     *port,
                                 GError     **error)
{
  const char *colon = NULL;
  const char *host_end;
  const char *host_start = address;
  guint64 value = default_port;

  if (address[0] == '[')
    {
      const char *close = strchr (address, ']');

      if (close == NULL || close == address + 1 || (close[1] != '\0' && close[1] != ':'))
        goto bad;
      host_start = address + 1;
      host_end = close;
      if (close[1] == ':')
        colon = close + 1;
    }
  else
    {
      colon = strrchr (address, ':');
      /* A bare IPv6 address has several colons and no port. */
      if (colon != NULL && strchr (address, ':') != colon)
        colon = NULL;
      host_end = colon != NULL ? colon : address + strlen (address);
    }

  if (host_end == host_start)
    goto bad;
  if (colon != NULL &&
      !g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &value, NULL))
    goto bad;

  *host = g_strndup (host_start, host_end - host_start);
  *port = (guint16) value;
  return TRUE;

bad:
  g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
               _("“%s” is not an address: expected host:port"), address);
  return FALSE;
}

DtRedisEndpoint *
dt_redis_endpoint_ref (DtRedisEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
dt_redis_endpoint_unref (DtRedisEndpoint *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->host);
  g_free (self->unix_path);
  g_free (self->username);
  dt_redis_url_free_secret (self->password);
  g_free (self->client_name);
  g_free (self->tls_ca_file);
  g_free (self->tls_cert_file);
  g_free (self->tls_key_file);
  if (self->sentinel != NULL)
    self->release_sentinel (self->sentinel);
  g_free (self->routed_description);
  g_clear_pointer (&self->alternates, g_ptr_array_unref);
  g_free (self);
}

char *
dt_redis_endpoint_describe (const DtRedisEndpoint *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->routed_description != NULL)
    return g_strdup (self->routed_description);

  if (self->unix_path != NULL)
    return g_strdup (self->unix_path);

  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", self->host, (guint) self->port);

  return g_strdup_printf ("%s:%u", self->host, (guint) self->port);
}
