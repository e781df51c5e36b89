/* test-config.c: DtRedisConfig (defaults, setters, notify, copies, validation) and endpoints
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <math.h>
#include <string.h>

#include "dtredis.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-config-private.h"
#include "dtredis-url-private.h"
#include "test-config-common.h"

static gulong
count_notify (DtRedisConfig *config,
              const char    *property,
              guint         *count)
{
  g_autofree char *signal = g_strconcat ("notify::", property, NULL);

  *count = 0;
  return g_signal_connect (config, signal, G_CALLBACK (on_notify), count);
}

static void
test_defaults (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autofree char *url = NULL;
  g_autofree char *host = NULL;
  guint port = 0;
  gdouble connect_timeout = 0;
  guint64 max_bulk_length = 0;
  guint max_array_length = 0;

  g_assert_null (dt_redis_config_get_redis_url (config));
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "localhost");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6379);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "0");
  g_assert_null (dt_redis_config_get_redis_username (config));
  g_assert_null (dt_redis_config_get_redis_password (config));
  g_assert_false (dt_redis_config_get_redis_ssl (config));
  g_assert_cmpuint (dt_redis_config_get_redis_max_connections (config), ==, 10);
  g_assert_cmpfloat (dt_redis_config_get_redis_socket_timeout (config), ==, 5.0);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 5.0);
  g_assert_null (dt_redis_config_get_redis_client_name (config));
  g_assert_cmpfloat (dt_redis_config_get_redis_idle_timeout (config), ==, 300.0);
  g_assert_null (dt_redis_config_get_redis_tls_ca_file (config));
  g_assert_null (dt_redis_config_get_redis_tls_cert_file (config));
  g_assert_null (dt_redis_config_get_redis_tls_key_file (config));
  g_assert_false (dt_redis_config_get_redis_tls_insecure (config));
  /* Redis's own proto-max-bulk-len, and 2^24 elements. */
  g_assert_cmpuint (dt_redis_config_get_redis_max_bulk_length (config), ==,
                    G_GUINT64_CONSTANT (512) * 1024 * 1024);
  g_assert_cmpuint (dt_redis_config_get_redis_max_array_length (config), ==, 1u << 24);

  /* The properties agree with the getters. */
  g_object_get (config, "host", &host, "port", &port,
                "connect-timeout", &connect_timeout,
                "max-bulk-length", &max_bulk_length,
                "max-array-length", &max_array_length, NULL);
  g_assert_cmpstr (host, ==, "localhost");
  g_assert_cmpuint (port, ==, 6379);
  g_assert_cmpfloat (connect_timeout, ==, 5.0);
  g_assert_cmpuint (max_bulk_length, ==, G_GUINT64_CONSTANT (512) * 1024 * 1024);
  g_assert_cmpuint (max_array_length, ==, 1u << 24);

  g_assert_true (dt_redis_config_validate (config, NULL));

  /* The seed's get_redis_url() example. */
  url = dt_redis_config_build_url (config);
  g_assert_cmpstr (url, ==, "redis://localhost:6379/0");
}

static void
test_setters (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autofree char *password = NULL;
  g_autofree char *ca = NULL;
  guint max_connections = 0;
  gdouble idle = 0;
  gboolean insecure = FALSE;
  guint64 max_bulk_length = 0;
  guint max_array_length = 0;

  g_assert_true (dt_redis_config_set_redis_url (config, "redis://u@h:1/2") == config);
  g_assert_true (dt_redis_config_set_redis_host (config, "redis.example.com") == config);
  g_assert_true (dt_redis_config_set_redis_port (config, 6380) == config);
  g_assert_true (dt_redis_config_set_redis_db (config, "3") == config);
  g_assert_true (dt_redis_config_set_redis_username (config, "admin") == config);
  g_assert_true (dt_redis_config_set_redis_password (config, "pass") == config);
  g_assert_true (dt_redis_config_set_redis_ssl (config, TRUE) == config);
  g_assert_true (dt_redis_config_set_redis_max_connections (config, 20) == config);
  g_assert_true (dt_redis_config_set_redis_socket_timeout (config, 2.5) == config);
  g_assert_true (dt_redis_config_set_redis_connect_timeout (config, 1.25) == config);
  g_assert_true (dt_redis_config_set_redis_client_name (config, "worker-1") == config);
  g_assert_true (dt_redis_config_set_redis_idle_timeout (config, 0) == config);
  g_assert_true (dt_redis_config_set_redis_tls_ca_file (config, "/etc/ca.pem") == config);
  g_assert_true (dt_redis_config_set_redis_tls_cert_file (config, "/etc/cert.pem") == config);
  g_assert_true (dt_redis_config_set_redis_tls_key_file (config, "/etc/key.pem") == config);
  g_assert_true (dt_redis_config_set_redis_tls_insecure (config, TRUE) == config);
  g_assert_true (dt_redis_config_set_redis_max_bulk_length (config, G_GUINT64_CONSTANT (1) << 33) == config);
  g_assert_true (dt_redis_config_set_redis_max_array_length (config, 100) == config);

  g_assert_cmpstr (dt_redis_config_get_redis_url (config), ==, "redis://u@h:1/2");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "redis.example.com");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6380);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "3");
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "admin");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "pass");
  g_assert_true (dt_redis_config_get_redis_ssl (config));
  g_assert_cmpuint (dt_redis_config_get_redis_max_connections (config), ==, 20);
  g_assert_cmpfloat (dt_redis_config_get_redis_socket_timeout (config), ==, 2.5);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 1.25);
  g_assert_cmpstr (dt_redis_config_get_redis_client_name (config), ==, "worker-1");
  g_assert_cmpfloat (dt_redis_config_get_redis_idle_timeout (config), ==, 0);
  g_assert_cmpstr (dt_redis_config_get_redis_tls_ca_file (config), ==, "/etc/ca.pem");
  g_assert_cmpstr (dt_redis_config_get_redis_tls_cert_file (config), ==, "/etc/cert.pem");
  g_assert_cmpstr (dt_redis_config_get_redis_tls_key_file (config), ==, "/etc/key.pem");
  g_assert_true (dt_redis_config_get_redis_tls_insecure (config));
  g_assert_cmpuint (dt_redis_config_get_redis_max_bulk_length (config), ==, G_GUINT64_CONSTANT (1) << 33);
  g_assert_cmpuint (dt_redis_config_get_redis_max_array_length (config), ==, 100);

  g_object_get (config,
                "password", &password,
                "max-connections", &max_connections,
                "idle-timeout", &idle,
                "tls-ca-file", &ca,
                "tls-insecure", &insecure,
                "max-bulk-length", &max_bulk_length,
                "max-array-length", &max_array_length,
                NULL);
  g_assert_cmpuint (max_bulk_length, ==, G_GUINT64_CONSTANT (1) << 33);
  g_assert_cmpuint (max_array_length, ==, 100);
  g_assert_cmpstr (password, ==, "pass");
  g_assert_cmpuint (max_connections, ==, 20);
  g_assert_cmpfloat (idle, ==, 0);
  g_assert_cmpstr (ca, ==, "/etc/ca.pem");
  g_assert_true (insecure);

  /* Through GObject as well. */
  g_object_set (config, "port", 7000, "db", "5", "username", NULL, NULL);
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 7000);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "5");
  g_assert_null (dt_redis_config_get_redis_username (config));
  g_object_set (config, "max-bulk-length", G_GUINT64_CONSTANT (4096),
                "max-array-length", 64, NULL);
  g_assert_cmpuint (dt_redis_config_get_redis_max_bulk_length (config), ==, 4096);
  g_assert_cmpuint (dt_redis_config_get_redis_max_array_length (config), ==, 64);

  /* NULL restores the default of host and db; clears the others. */
  dt_redis_config_set_redis_host (config, NULL);
  dt_redis_config_set_redis_db (config, NULL);
  dt_redis_config_set_redis_password (config, NULL);
  dt_redis_config_set_redis_url (config, NULL);
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "localhost");
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "0");
  g_assert_null (dt_redis_config_get_redis_password (config));
  g_assert_null (dt_redis_config_get_redis_url (config));
}

typedef DtRedisConfig *(*StringSetter) (DtRedisConfig *, const char *);
typedef DtRedisConfig *(*UintSetter)   (DtRedisConfig *, guint);
typedef DtRedisConfig *(*DoubleSetter) (DtRedisConfig *, gdouble);
typedef DtRedisConfig *(*BoolSetter)   (DtRedisConfig *, gboolean);

static void
test_notify (void)
{
  static const struct { const char *name; StringSetter set; } strings[] = {
    { "url", dt_redis_config_set_redis_url },
    { "host", dt_redis_config_set_redis_host },
    { "db", dt_redis_config_set_redis_db },
    { "username", dt_redis_config_set_redis_username },
    { "password", dt_redis_config_set_redis_password },
    { "client-name", dt_redis_config_set_redis_client_name },
    { "tls-ca-file", dt_redis_config_set_redis_tls_ca_file },
    { "tls-cert-file", dt_redis_config_set_redis_tls_cert_file },
    { "tls-key-file", dt_redis_config_set_redis_tls_key_file },
  };
  static const struct { const char *name; UintSetter set; } uints[] = {
    { "port", dt_redis_config_set_redis_port },
    { "max-connections", dt_redis_config_set_redis_max_connections },
    { "max-array-length", dt_redis_config_set_redis_max_array_length },
  };
  static const struct { const char *name; DoubleSetter set; } doubles[] = {
    { "socket-timeout", dt_redis_config_set_redis_socket_timeout },
    { "connect-timeout", dt_redis_config_set_redis_connect_timeout },
    { "idle-timeout", dt_redis_config_set_redis_idle_timeout },
  };
  static const struct { const char *name; BoolSetter set; } bools[] = {
    { "ssl", dt_redis_config_set_redis_ssl },
    { "tls-insecure", dt_redis_config_set_redis_tls_insecure },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
      guint count;

      count_notify (config, strings[i].name, &count);
      strings[i].set (config, "value-1");
      g_assert_cmpuint (count, ==, 1);
      strings[i].set (config, "value-1");
      g_assert_cmpuint (count, ==, 1);
      strings[i].set (config, "value-2");
      g_assert_cmpuint (count, ==, 2);
      g_object_set (config, strings[i].name, "value-2", NULL);
      g_assert_cmpuint (count, ==, 2);
      g_object_set (config, strings[i].name, "value-3", NULL);
      g_assert_cmpuint (count, ==, 3);
    }

  for (i = 0; i < G_N_ELEMENTS (uints); i++)
    {
      g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
      guint count;

      count_notify (config, uints[i].name, &count);
      uints[i].set (config, 1234);
      g_assert_cmpuint (count, ==, 1);
      uints[i].set (config, 1234);
      g_assert_cmpuint (count, ==, 1);
      g_object_set (config, uints[i].name, 1234, NULL);
      g_assert_cmpuint (count, ==, 1);
      g_object_set (config, uints[i].name, 99, NULL);
      g_assert_cmpuint (count, ==, 2);
    }

  for (i = 0; i < G_N_ELEMENTS (doubles); i++)
    {
      g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
      guint count;

      count_notify (config, doubles[i].name, &count);
      doubles[i].set (config, 42.5);
      g_assert_cmpuint (count, ==, 1);
      doubles[i].set (config, 42.5);
      g_assert_cmpuint (count, ==, 1);
      g_object_set (config, doubles[i].name, 42.5, NULL);
      g_assert_cmpuint (count, ==, 1);
      g_object_set (config, doubles[i].name, 7.0, NULL);
      g_assert_cmpuint (count, ==, 2);
    }

  for (i = 0; i < G_N_ELEMENTS (bools); i++)
    {
      g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
      guint count;

      count_notify (config, bools[i].name, &count);
      bools[i].set (config, FALSE);
      g_assert_cmpuint (count, ==, 0);
      bools[i].set (config, TRUE);
      g_assert_cmpuint (count, ==, 1);
      bools[i].set (config, TRUE);
      g_assert_cmpuint (count, ==, 1);
      g_object_set (config, bools[i].name, FALSE, NULL);
      g_assert_cmpuint (count, ==, 2);
    }

  /* Setting a default value again is no change either. */
  {
    g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
    guint count;

    count_notify (config, "host", &count);
    dt_redis_config_set_redis_host (config, "localhost");
    dt_redis_config_set_redis_host (config, NULL);
    g_assert_cmpuint (count, ==, 0);
    count_notify (config, "port", &count);
    dt_redis_config_set_redis_port (config, 6379);
    g_assert_cmpuint (count, ==, 0);
    count_notify (config, "max-array-length", &count);
    dt_redis_config_set_redis_max_array_length (config, 1u << 24);
    g_assert_cmpuint (count, ==, 0);
  }

  /* max-bulk-length is the one guint64. */
  {
    g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
    guint count;

    count_notify (config, "max-bulk-length", &count);
    dt_redis_config_set_redis_max_bulk_length (config, G_GUINT64_CONSTANT (512) * 1024 * 1024);
    g_assert_cmpuint (count, ==, 0);
    dt_redis_config_set_redis_max_bulk_length (config, G_GUINT64_CONSTANT (1) << 40);
    g_assert_cmpuint (count, ==, 1);
    dt_redis_config_set_redis_max_bulk_length (config, G_GUINT64_CONSTANT (1) << 40);
    g_assert_cmpuint (count, ==, 1);
    g_object_set (config, "max-bulk-length", G_GUINT64_CONSTANT (1) << 40, NULL);
    g_assert_cmpuint (count, ==, 1);
    g_object_set (config, "max-bulk-length", G_GUINT64_CONSTANT (2048), NULL);
    g_assert_cmpuint (count, ==, 2);
  }
}

static void
test_connect_timeout (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisConfig) copy = NULL;
  guint count;

  /* Unset, it follows socket-timeout, and says so. */
  count_notify (config, "connect-timeout", &count);
  dt_redis_config_set_redis_socket_timeout (config, 2.0);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 2.0);
  g_assert_cmpuint (count, ==, 1);

  /* Setting it to the value it already reads as is no visible change. */
  dt_redis_config_set_redis_connect_timeout (config, 2.0);
  g_assert_cmpuint (count, ==, 1);
  dt_redis_config_set_redis_socket_timeout (config, 3.0);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 2.0);
  g_assert_cmpuint (count, ==, 1);

  /* A negative value unsets it again. */
  dt_redis_config_set_redis_connect_timeout (config, -1);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 3.0);
  g_assert_cmpuint (count, ==, 2);
  dt_redis_config_set_redis_connect_timeout (config, -5);
  g_assert_cmpuint (count, ==, 2);

  /* A copy stays unset: it follows its own socket-timeout. */
  copy = dt_redis_config_copy (config);
  dt_redis_config_set_redis_socket_timeout (copy, 9.0);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (copy), ==, 9.0);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 3.0);
}

static DtRedisConfig *
new_full_config (void)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_url (config, "rediss://u:p@h:1/2");
  dt_redis_config_set_redis_host (config, "cache.internal");
  dt_redis_config_set_redis_port (config, 6390);
  dt_redis_config_set_redis_db (config, "4");
  dt_redis_config_set_redis_username (config, "svc");
  dt_redis_config_set_redis_password (config, "hunter2");
  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_max_connections (config, 3);
  dt_redis_config_set_redis_socket_timeout (config, 1.5);
  dt_redis_config_set_redis_connect_timeout (config, 0.5);
  dt_redis_config_set_redis_client_name (config, "api");
  dt_redis_config_set_redis_idle_timeout (config, 60);
  dt_redis_config_set_redis_tls_ca_file (config, "ca.pem");
  dt_redis_config_set_redis_tls_cert_file (config, "cert.pem");
  dt_redis_config_set_redis_tls_key_file (config, "key.pem");
  dt_redis_config_set_redis_tls_insecure (config, TRUE);
  dt_redis_config_set_redis_max_bulk_length (config, 65536);
  dt_redis_config_set_redis_max_array_length (config, 1000);

  return config;
}

static void
test_copy (void)
{
  g_autoptr(DtRedisConfig) config = new_full_config ();
  g_autoptr(DtRedisConfig) copy = dt_redis_config_copy (config);

  g_assert_true (copy != config);
  g_assert_cmpstr (dt_redis_config_get_redis_url (copy), ==, "rediss://u:p@h:1/2");
  g_assert_cmpstr (dt_redis_config_get_redis_host (copy), ==, "cache.internal");
  g_assert_cmpuint (dt_redis_config_get_redis_port (copy), ==, 6390);
  g_assert_cmpstr (dt_redis_config_get_redis_db (copy), ==, "4");
  g_assert_cmpstr (dt_redis_config_get_redis_username (copy), ==, "svc");
  g_assert_cmpstr (dt_redis_config_get_redis_password (copy), ==, "hunter2");
  g_assert_true (dt_redis_config_get_redis_ssl (copy));
  g_assert_cmpuint (dt_redis_config_get_redis_max_connections (copy), ==, 3);
  g_assert_cmpfloat (dt_redis_config_get_redis_socket_timeout (copy), ==, 1.5);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (copy), ==, 0.5);
  g_assert_cmpstr (dt_redis_config_get_redis_client_name (copy), ==, "api");
  g_assert_cmpfloat (dt_redis_config_get_redis_idle_timeout (copy), ==, 60);
  g_assert_cmpstr (dt_redis_config_get_redis_tls_ca_file (copy), ==, "ca.pem");
  g_assert_cmpstr (dt_redis_config_get_redis_tls_cert_file (copy), ==, "cert.pem");
  g_assert_cmpstr (dt_redis_config_get_redis_tls_key_file (copy), ==, "key.pem");
  g_assert_true (dt_redis_config_get_redis_tls_insecure (copy));
  g_assert_cmpuint (dt_redis_config_get_redis_max_bulk_length (copy), ==, 65536);
  g_assert_cmpuint (dt_redis_config_get_redis_max_array_length (copy), ==, 1000);

  /* Independent afterwards. */
  dt_redis_config_set_redis_host (copy, "other");
  dt_redis_config_set_redis_password (config, "changed");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "cache.internal");
  g_assert_cmpstr (dt_redis_config_get_redis_password (copy), ==, "hunter2");
}

static void
assert_invalid (DtRedisConfig *config,
                const char    *names)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (dt_redis_config_validate (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, names));
  g_assert_null (strstr (error->message, SECRET));
}

static void
assert_valid (DtRedisConfig *config)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_config_validate (config, &error));
  g_assert_no_error (error);
}

static void
test_validate (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_password (config, SECRET);
  assert_valid (config);

  dt_redis_config_set_redis_port (config, 0);
  assert_invalid (config, "port");
  dt_redis_config_set_redis_port (config, 65536);
  assert_invalid (config, "port");
  dt_redis_config_set_redis_port (config, 65535);
  assert_valid (config);

  dt_redis_config_set_redis_db (config, "abc");
  assert_invalid (config, "database");
  dt_redis_config_set_redis_db (config, "-1");
  assert_invalid (config, "database");
  dt_redis_config_set_redis_db (config, "");
  assert_invalid (config, "database");
  dt_redis_config_set_redis_db (config, " 1");
  assert_invalid (config, "database");
  dt_redis_config_set_redis_db (config, "4294967296");
  assert_invalid (config, "database");
  dt_redis_config_set_redis_db (config, "4294967295");
  assert_valid (config);

  dt_redis_config_set_redis_max_connections (config, 0);
  assert_invalid (config, "max-connections");
  dt_redis_config_set_redis_max_connections (config, 1);
  assert_valid (config);

  dt_redis_config_set_redis_socket_timeout (config, 0);
  assert_invalid (config, "socket-timeout");
  dt_redis_config_set_redis_socket_timeout (config, -2);
  assert_invalid (config, "socket-timeout");
  dt_redis_config_set_redis_socket_timeout (config, NAN);
  assert_invalid (config, "socket-timeout");
  dt_redis_config_set_redis_socket_timeout (config, INFINITY);
  assert_invalid (config, "socket-timeout");
  dt_redis_config_set_redis_socket_timeout (config, 0.001);
  assert_valid (config);

  dt_redis_config_set_redis_connect_timeout (config, 0);
  assert_invalid (config, "connect-timeout");
  dt_redis_config_set_redis_connect_timeout (config, -1);
  assert_valid (config);

  dt_redis_config_set_redis_idle_timeout (config, -1);
  assert_invalid (config, "idle-timeout");
  dt_redis_config_set_redis_idle_timeout (config, 0);
  assert_valid (config);

  dt_redis_config_set_redis_max_bulk_length (config, 0);
  assert_invalid (config, "max-bulk-length");
  dt_redis_config_set_redis_max_bulk_length (config, 1023);
  assert_invalid (config, "max-bulk-length");
  dt_redis_config_set_redis_max_bulk_length (config, 1024);
  assert_valid (config);
  dt_redis_config_set_redis_max_bulk_length (config, G_MAXUINT64);
  assert_valid (config);

  dt_redis_config_set_redis_max_array_length (config, 0);
  assert_invalid (config, "max-array-length");
  dt_redis_config_set_redis_max_array_length (config, 15);
  assert_invalid (config, "max-array-length");
  dt_redis_config_set_redis_max_array_length (config, 16);
  assert_valid (config);
  dt_redis_config_set_redis_max_array_length (config, G_MAXUINT);
  assert_valid (config);

  dt_redis_config_set_redis_host (config, "");
  assert_invalid (config, "host");
  dt_redis_config_set_redis_url (config, "redis://cache:6379/0");
  assert_valid (config);
  dt_redis_config_set_redis_url (config, NULL);
  dt_redis_config_set_redis_host (config, "localhost");

  dt_redis_config_set_redis_tls_cert_file (config, "cert.pem");
  assert_invalid (config, "tls-key-file");
  dt_redis_config_set_redis_tls_key_file (config, "key.pem");
  assert_valid (config);
  dt_redis_config_set_redis_tls_cert_file (config, NULL);
  assert_invalid (config, "tls-cert-file");
  dt_redis_config_set_redis_tls_key_file (config, NULL);

  /* A set url must parse, options included. */
  dt_redis_config_set_redis_url (config, "redis://:" SECRET "@cache:70000/0");
  assert_invalid (config, "port");
  dt_redis_config_set_redis_url (config, "redis://:" SECRET "@cache/0?socket_timeout=0");
  assert_invalid (config, "socket_timeout");
  dt_redis_config_set_redis_url (config, "memcached://:" SECRET "@cache/0");
  assert_invalid (config, "memcached");
  dt_redis_config_set_redis_url (config, "redis://:" SECRET "@cache/0");
  assert_valid (config);
}

static void
test_endpoint_properties (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  dt_redis_config_set_redis_host (config, "redis.example.com");
  dt_redis_config_set_redis_port (config, 6380);
  dt_redis_config_set_redis_db (config, "3");
  dt_redis_config_set_redis_username (config, "admin");
  dt_redis_config_set_redis_password (config, SECRET);
  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_max_connections (config, 7);
  dt_redis_config_set_redis_socket_timeout (config, 2.5);
  dt_redis_config_set_redis_connect_timeout (config, 0.75);
  dt_redis_config_set_redis_idle_timeout (config, 0);
  dt_redis_config_set_redis_client_name (config, "api");
  dt_redis_config_set_redis_tls_ca_file (config, "ca.pem");
  dt_redis_config_set_redis_tls_cert_file (config, "cert.pem");
  dt_redis_config_set_redis_tls_key_file (config, "key.pem");
  dt_redis_config_set_redis_tls_insecure (config, TRUE);
  dt_redis_config_set_redis_max_bulk_length (config, 1024);
  dt_redis_config_set_redis_max_array_length (config, 16);

  endpoint = dt_redis_endpoint_new_from_config (config, &error);
  g_assert_no_error (error);
  g_assert_nonnull (endpoint);

  g_assert_cmpstr (endpoint->host, ==, "redis.example.com");
  g_assert_cmpuint (endpoint->port, ==, 6380);
  g_assert_null (endpoint->unix_path);
  g_assert_true (endpoint->tls);
  g_assert_cmpstr (endpoint->username, ==, "admin");
  g_assert_cmpstr (endpoint->password, ==, SECRET);
  g_assert_cmpuint (endpoint->db, ==, 3);
  g_assert_cmpstr (endpoint->client_name, ==, "api");
  g_assert_cmpuint (endpoint->max_connections, ==, 7);
  g_assert_cmpint (endpoint->socket_timeout_us, ==, 2500000);
  g_assert_cmpint (endpoint->connect_timeout_us, ==, 750000);
  g_assert_cmpint (endpoint->idle_timeout_us, ==, 0);
  g_assert_cmpstr (endpoint->tls_ca_file, ==, "ca.pem");
  g_assert_cmpstr (endpoint->tls_cert_file, ==, "cert.pem");
  g_assert_cmpstr (endpoint->tls_key_file, ==, "key.pem");
  g_assert_true (endpoint->tls_insecure);
  g_assert_cmpuint (endpoint->max_bulk_len, ==, 1024);
  g_assert_cmpuint (endpoint->max_elements, ==, 16);

  description = dt_redis_endpoint_describe (endpoint);
  g_assert_cmpstr (description, ==, "redis.example.com:6380");

  /* A snapshot: later config changes do not reach it. */
  dt_redis_config_set_redis_host (config, "changed");
  g_assert_cmpstr (endpoint->host, ==, "redis.example.com");

  g_assert_true (dt_redis_endpoint_ref (endpoint) == endpoint);
  dt_redis_endpoint_unref (endpoint);
  g_assert_cmpstr (endpoint->host, ==, "redis.example.com");
}

static void
test_endpoint_defaults (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisEndpoint) endpoint = NULL;
  g_autofree char *description = NULL;

  /* Empty credentials are no credentials. */
  dt_redis_config_set_redis_username (config, "");
  dt_redis_config_set_redis_password (config, "");
  dt_redis_config_set_redis_client_name (config, "");
  endpoint = dt_redis_endpoint_new_from_config (config, NULL);
  g_assert_nonnull (endpoint);
  g_assert_cmpstr (endpoint->host, ==, "localhost");
  g_assert_cmpuint (endpoint->port, ==, 6379);
  g_assert_false (endpoint->tls);
  g_assert_null (endpoint->username);
  g_assert_null (endpoint->password);
  g_assert_null (endpoint->client_name);
  g_assert_cmpuint (endpoint->db, ==, 0);
  g_assert_cmpuint (endpoint->max_connections, ==, 10);
  g_assert_cmpint (endpoint->socket_timeout_us, ==, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (endpoint->connect_timeout_us, ==, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (endpoint->idle_timeout_us, ==, 300 * G_USEC_PER_SEC);
  g_assert_false (endpoint->tls_insecure);
  g_assert_cmpuint (endpoint->max_bulk_len, ==, (gsize) 512 * 1024 * 1024);
  g_assert_cmpuint (endpoint->max_elements, ==, 1u << 24);
  g_clear_pointer (&endpoint, dt_redis_endpoint_unref);

  /* A microsecond timeout does not round to "none". */
  dt_redis_config_set_redis_socket_timeout (config, 1e-9);
  dt_redis_config_set_redis_host (config, "::1");
  endpoint = dt_redis_endpoint_new_from_config (config, NULL);
  g_assert_nonnull (endpoint);
  g_assert_cmpint (endpoint->socket_timeout_us, ==, 1);
  description = dt_redis_endpoint_describe (endpoint);
  g_assert_cmpstr (description, ==, "[::1]:6379");
}

static void
test_endpoint_url (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(DtRedisEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  /* The separate properties act as defaults under the URL. */
  dt_redis_config_set_redis_host (config, "ignored");
  dt_redis_config_set_redis_port (config, 1111);
  dt_redis_config_set_redis_db (config, "9");
  dt_redis_config_set_redis_password (config, "property-pw");
  dt_redis_config_set_redis_client_name (config, "from-property");
  dt_redis_config_set_redis_max_connections (config, 4);
  dt_redis_config_set_redis_url (config,
                                 "rediss://u:url%2Fpw@[2001:db8::2]:7000/4?socket_timeout=1.5");

  endpoint = dt_redis_endpoint_new_from_config (config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (endpoint->host, ==, "2001:db8::2");
  g_assert_cmpuint (endpoint->port, ==, 7000);
  g_assert_true (endpoint->tls);
  g_assert_cmpstr (endpoint->username, ==, "u");
  g_assert_cmpstr (endpoint->password, ==, "url/pw");
  g_assert_cmpuint (endpoint->db, ==, 4);
  g_assert_cmpint (endpoint->socket_timeout_us, ==, 1500000);
  g_assert_cmpint (endpoint->connect_timeout_us, ==, 1500000);
  g_assert_cmpstr (endpoint->client_name, ==, "from-property");
  g_assert_cmpuint (endpoint->max_connections, ==, 4);
  description = dt_redis_endpoint_describe (endpoint);
  g_assert_cmpstr (description, ==, "[2001:db8::2]:7000");
  g_assert_null (strstr (description, "pw"));
  g_clear_pointer (&endpoint, dt_redis_endpoint_unref);
  g_clear_pointer (&description, g_free);

  /* What the URL leaves out comes from the properties. */
  dt_redis_config_set_redis_url (config, "redis://cache");
  endpoint = dt_redis_endpoint_new_from_config (config, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (endpoint->host, ==, "cache");
  g_assert_cmpuint (endpoint->port, ==, 1111);
  g_assert_cmpuint (endpoint->db, ==, 9);
  g_assert_false (endpoint->tls);
  g_assert_cmpstr (endpoint->password, ==, "property-pw");
  g_clear_pointer (&endpoint, dt_redis_endpoint_unref);

  /* Unix sockets: no host, no TLS. */
  dt_redis_config_set_redis_ssl (config, TRUE);
  dt_redis_config_set_redis_url (config, "unix://:sockpw@/run/redis.sock?db=2");
  endpoint = dt_redis_endpoint_new_from_config (config, &error);
  g_assert_no_error (error);
  g_assert_null (endpoint->host);
  g_assert_cmpstr (endpoint->unix_path, ==, "/run/redis.sock");
  g_assert_false (endpoint->tls);
  g_assert_cmpuint (endpoint->db, ==, 2);
  g_assert_cmpstr (endpoint->password, ==, "sockpw");
  description = dt_redis_endpoint_describe (endpoint);
  g_assert_cmpstr (description, ==, "/run/redis.sock");
}

static void
test_endpoint_invalid (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_port (config, 0);
  g_assert_null (dt_redis_endpoint_new_from_config (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_clear_error (&error);

  dt_redis_config_set_redis_port (config, 6379);
  dt_redis_config_set_redis_url (config, "redis://:" SECRET "@cache:6379/zero");
  g_assert_null (dt_redis_endpoint_new_from_config (config, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_null (strstr (error->message, SECRET));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/config/defaults", test_defaults);
  g_test_add_func ("/config/setters", test_setters);
  g_test_add_func ("/config/notify", test_notify);
  g_test_add_func ("/config/connect-timeout", test_connect_timeout);
  g_test_add_func ("/config/copy", test_copy);
  g_test_add_func ("/config/validate", test_validate);
  g_test_add_func ("/endpoint/properties", test_endpoint_properties);
  g_test_add_func ("/endpoint/defaults", test_endpoint_defaults);
  g_test_add_func ("/endpoint/url", test_endpoint_url);
  g_test_add_func ("/endpoint/invalid", test_endpoint_invalid);

  return g_test_run ();
}

