/* test-url.c: URLs: building, redacting, parsing and applying them to a config
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

static char *
build (const char *host,
       guint       port,
       const char *db,
       const char *username,
       const char *password,
       gboolean    ssl)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  if (host != NULL)
    dt_redis_config_set_redis_host (config, host);
  if (port != 0)
    dt_redis_config_set_redis_port (config, port);
  if (db != NULL)
    dt_redis_config_set_redis_db (config, db);
  dt_redis_config_set_redis_username (config, username);
  dt_redis_config_set_redis_password (config, password);
  dt_redis_config_set_redis_ssl (config, ssl);

  return dt_redis_config_build_url (config);
}

static void
assert_built (char       *url,
              const char *expected)
{
  g_assert_cmpstr (url, ==, expected);
  g_free (url);
}

static void
test_build_seed (void)
{
  g_autoptr(DtRedisConfig) config = NULL;

  /* The seed's _set_redis_url() examples. */
  assert_built (build ("localhost", 6379, "0", NULL, "secret", FALSE),
                "redis://:secret@localhost:6379/0");
  assert_built (build ("redis.example.com", 6379, "0", "admin", "pass", FALSE),
                "redis://admin:pass@redis.example.com:6379/0");
  assert_built (build ("secure.redis.com", 6380, "0", NULL, NULL, TRUE),
                "rediss://secure.redis.com:6380/0");
  assert_built (build (NULL, 0, NULL, NULL, "p@ss:w0rd!", FALSE),
                "redis://:p%40ss%3Aw0rd%21@localhost:6379/0");

  /* The seed's RedisInstance example, chained. */
  config = dt_redis_config_new ();
  dt_redis_config_set_redis_max_connections (
    dt_redis_config_set_redis_password (
      dt_redis_config_set_redis_db (
        dt_redis_config_set_redis_port (
          dt_redis_config_set_redis_host (config, "localhost"), 6379), "0"), "secret"), 20);
  assert_built (dt_redis_config_build_url (config), "redis://:secret@localhost:6379/0");
  g_assert_cmpuint (dt_redis_config_get_redis_max_connections (config), ==, 20);
}

static void
test_build_more (void)
{
  g_autoptr(DtRedisConfig) config = NULL;

  assert_built (build (NULL, 0, NULL, "reader", NULL, FALSE),
                "redis://reader@localhost:6379/0");
  /* Empty strings count as unset, as in the seed's truthiness tests. */
  assert_built (build (NULL, 0, NULL, "", "", FALSE), "redis://localhost:6379/0");
  assert_built (build ("::1", 6379, "2", NULL, NULL, FALSE), "redis://[::1]:6379/2");
  assert_built (build ("2001:db8::7", 7000, "0", "u", "p", TRUE),
                "rediss://u:p@[2001:db8::7]:7000/0");
  assert_built (build (NULL, 0, NULL, NULL, "a/b c%d", FALSE),
                "redis://:a%2Fb%20c%25d@localhost:6379/0");
  assert_built (build (NULL, 0, NULL, NULL, "pässwörd", FALSE),
                "redis://:p%C3%A4ssw%C3%B6rd@localhost:6379/0");
  assert_built (build (NULL, 0, NULL, "us@er:/x", "Az09-._~", FALSE),
                "redis://us%40er%3A%2Fx:Az09-._~@localhost:6379/0");

  /* A set url wins verbatim, even over conflicting properties. */
  config = dt_redis_config_new ();
  dt_redis_config_set_redis_host (config, "ignored");
  dt_redis_config_set_redis_password (config, "ignored");
  dt_redis_config_set_redis_url (config, "redis://Other:6380/1?client_name=x");
  assert_built (dt_redis_config_build_url (config), "redis://Other:6380/1?client_name=x");
}

static void
test_escape (void)
{
  assert_built (dt_redis_url_escape ("AZaz09-._~"), "AZaz09-._~");
  assert_built (dt_redis_url_escape ("!*'();:@&=+$,/?#[] %\"<>"),
                "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%2F%3F%23%5B%5D%20%25%22%3C%3E");
  assert_built (dt_redis_url_escape ("€"), "%E2%82%AC");
  assert_built (dt_redis_url_escape (""), "");
}

static void
test_redacted (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_password (config, SECRET);
  assert_built (dt_redis_config_build_redacted_url (config), "redis://:***@localhost:6379/0");
  dt_redis_config_set_redis_username (config, "admin");
  dt_redis_config_set_redis_ssl (config, TRUE);
  assert_built (dt_redis_config_build_redacted_url (config),
                "rediss://admin:***@localhost:6379/0");

  /* Without a password there is nothing to hide. */
  dt_redis_config_set_redis_password (config, NULL);
  assert_built (dt_redis_config_build_redacted_url (config), "rediss://admin@localhost:6379/0");

  /* A set url: its userinfo and ?password= are redacted, the rest kept. */
  dt_redis_config_set_redis_url (config, "redis://u:" SECRET "@h:1/0?password=" SECRET "&db=1");
  assert_built (dt_redis_config_build_redacted_url (config),
                "redis://u:***@h:1/0?password=***&db=1");
  dt_redis_config_set_redis_url (config, "redis://:p%40ss@[::1]:6379/0");
  assert_built (dt_redis_config_build_redacted_url (config), "redis://:***@[::1]:6379/0");
  dt_redis_config_set_redis_url (config, "unix://u:" SECRET "@/tmp/r.sock?db=2");
  assert_built (dt_redis_config_build_redacted_url (config), "unix://u:***@/tmp/r.sock?db=2");
  dt_redis_config_set_redis_url (config, "redis://plain:6379/0");
  assert_built (dt_redis_config_build_redacted_url (config), "redis://plain:6379/0");

  /* An unescaped '/' in the password breaks the URL; still hidden. */
  dt_redis_config_set_redis_url (config, "redis://:S3c/retPw@host:6379/0");
  assert_built (dt_redis_config_build_redacted_url (config), "redis://:***@host:6379/0");
}

static DtRedisConfig *
parse_ok (const char *url)
{
  g_autoptr(GError) error = NULL;
  DtRedisConfig *config = dt_redis_config_new_from_url (url, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  /* The URL is kept: it goes on winning, and build_url() returns it. */
  g_assert_cmpstr (dt_redis_config_get_redis_url (config), ==, url);

  return config;
}

static void
test_parse_basic (void)
{
  DtRedisConfig *config;

  config = parse_ok ("redis://localhost:6379/0");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "localhost");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6379);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "0");
  g_assert_false (dt_redis_config_get_redis_ssl (config));
  g_assert_null (dt_redis_config_get_redis_username (config));
  g_assert_null (dt_redis_config_get_redis_password (config));
  assert_built (dt_redis_config_build_url (config), "redis://localhost:6379/0");
  g_object_unref (config);

  config = parse_ok ("rediss://admin:p%40ss%3Aw0rd%21@Redis.Example.com:6380/12");
  g_assert_true (dt_redis_config_get_redis_ssl (config));
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "admin");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "p@ss:w0rd!");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "Redis.Example.com");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6380);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "12");
  g_object_unref (config);

  /* Password only, user only, and no port or db: defaults stay. */
  config = parse_ok ("redis://:secret@cache");
  g_assert_null (dt_redis_config_get_redis_username (config));
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "secret");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "cache");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6379);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "0");
  g_object_unref (config);

  config = parse_ok ("REDIS://reader@cache:7000/");
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "reader");
  g_assert_null (dt_redis_config_get_redis_password (config));
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 7000);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "0");
  g_object_unref (config);

  /* IPv6 in brackets; the db canonicalised; ?db= wins over the path. */
  config = parse_ok ("redis://[::1]:6390/007");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "::1");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6390);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "7");
  g_object_unref (config);

  config = parse_ok ("redis://[2001:db8::1]/1?db=3");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "2001:db8::1");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6379);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "3");
  g_object_unref (config);

  /* Percent-encoded UTF-8, and a '@' left unescaped in the password: the
   * last '@' ends the userinfo. */
  config = parse_ok ("redis://u%C3%BC:p%C3%A4ss@ss@h:1/0");
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "uü");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "päss@ss");
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "h");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 1);
  g_object_unref (config);

  /* A fragment is not part of the db. */
  config = parse_ok ("redis://h/5#ignored");
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "5");
  g_object_unref (config);
}

static void
test_parse_round_trip (void)
{
  static const struct
  {
    const char *host;
    guint port;
    const char *db;
    const char *username;
    const char *password;
    gboolean ssl;
  } cases[] = {
    { "localhost", 6379, "0", NULL, NULL, FALSE },
    { "localhost", 6379, "0", NULL, "secret", FALSE },
    { "redis.example.com", 6379, "0", "admin", "pass", FALSE },
    { "secure.redis.com", 6380, "0", NULL, NULL, TRUE },
    { "localhost", 6379, "0", NULL, "p@ss:w0rd!", FALSE },
    { "localhost", 1, "15", "reader", NULL, FALSE },
    { "::1", 65535, "4294967295", "u s/e%r", "pässwörd #?&=+", TRUE },
    { "fe80::1", 6379, "2", "", "a:b:c", FALSE },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *url = build (cases[i].host, cases[i].port, cases[i].db,
                                    cases[i].username, cases[i].password, cases[i].ssl);
      g_autoptr(DtRedisConfig) config = parse_ok (url);
      const char *username = cases[i].username;

      if (username != NULL && *username == '\0')
        username = NULL;

      g_test_message ("round trip of %s", url);
      g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, cases[i].host);
      g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, cases[i].port);
      g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, cases[i].db);
      g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, username);
      g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, cases[i].password);
      g_assert_cmpint (dt_redis_config_get_redis_ssl (config), ==, cases[i].ssl);
    }
}

static void
test_parse_query (void)
{
  DtRedisConfig *config;

  config = parse_ok ("rediss://cache:6380/1?socket_timeout=2.5&socket_connect_timeout=0.25"
                     "&client_name=my%20app&max_connections=42&ssl_ca_certs=%2Fetc%2Fca.pem"
                     "&ssl_certfile=/c.pem&ssl_keyfile=/k.pem&ssl_cert_reqs=none"
                     "&health_check_interval=10&retry_on_timeout=yes&flag");
  g_assert_cmpfloat (dt_redis_config_get_redis_socket_timeout (config), ==, 2.5);
  g_assert_cmpfloat (dt_redis_config_get_redis_connect_timeout (config), ==, 0.25);
  g_assert_cmpstr (dt_redis_config_get_redis_client_name (config), ==, "my app");
  g_assert_cmpuint (dt_redis_config_get_redis_max_connections (config), ==, 42);
  g_assert_cmpstr (dt_redis_config_get_redis_tls_ca_file (config), ==, "/etc/ca.pem");
  g_assert_cmpstr (dt_redis_config_get_redis_tls_cert_file (config), ==, "/c.pem");
  g_assert_cmpstr (dt_redis_config_get_redis_tls_key_file (config), ==, "/k.pem");
  g_assert_true (dt_redis_config_get_redis_tls_insecure (config));
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "1");
  g_object_unref (config);

  config = parse_ok ("rediss://cache?ssl_cert_reqs=REQUIRED&db=9");
  g_assert_false (dt_redis_config_get_redis_tls_insecure (config));
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "9");
  g_object_unref (config);

  /* Credentials in the query; the userinfo wins over them (redis-py). */
  config = parse_ok ("redis://cache/0?username=qu&password=q%2Bp+w");
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "qu");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "q+p w");
  g_object_unref (config);

  config = parse_ok ("redis://iu:ip@cache/0?username=qu&password=qp");
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "iu");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "ip");
  g_object_unref (config);
}

static void
test_parse_unix (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) applied = dt_redis_config_new ();
  g_autofree char *path = NULL;
  DtRedisConfig *config;

  config = parse_ok ("unix:///run/redis/redis.sock?db=3");
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "3");
  g_assert_false (dt_redis_config_get_redis_ssl (config));
  g_assert_null (dt_redis_config_get_redis_password (config));
  g_object_unref (config);

  config = parse_ok ("unix://admin:pa%3Ass@/tmp/r.sock");
  g_assert_cmpstr (dt_redis_config_get_redis_username (config), ==, "admin");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "pa:ss");
  g_object_unref (config);

  config = parse_ok ("unix:///tmp/r.sock?password=qpw&socket_timeout=3");
  g_assert_cmpstr (dt_redis_config_get_redis_password (config), ==, "qpw");
  g_assert_cmpfloat (dt_redis_config_get_redis_socket_timeout (config), ==, 3.0);
  g_object_unref (config);

  /* The socket path comes back from applying the URL, decoded. */
  dt_redis_config_set_redis_ssl (applied, TRUE);
  g_assert_true (dt_redis_config_apply_url (applied, "unix:///tmp/my%20redis.sock?db=1",
                                            &path, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (path, ==, "/tmp/my redis.sock");
  g_assert_false (dt_redis_config_get_redis_ssl (applied));
  g_assert_cmpstr (dt_redis_config_get_redis_db (applied), ==, "1");
  g_clear_pointer (&path, g_free);

  g_assert_true (dt_redis_config_apply_url (applied, "redis://h:1/0", &path, &error));
  g_assert_no_error (error);
  g_assert_null (path);
}

static void
test_parse_invalid (void)
{
  static const struct
  {
    const char *url;
    const char *names;   /* what the message must mention */
  } cases[] = {
    { "http://:" SECRET "@localhost:6379/0", "“http”" },
    { "ftp://" SECRET "@localhost/0", "“ftp”" },
    { ":" SECRET "@localhost:6379/0", "scheme" },
    { "", "scheme" },
    { "redis:" SECRET "@localhost", "host" },
    { "redis://:" SECRET "@localhost:0/0", "port" },
    { "redis://:" SECRET "@localhost:65536/0", "port" },
    { "redis://:" SECRET "@localhost:-1/0", "port" },
    { "redis://:" SECRET "@localhost:63x9/0", "port" },
    { "redis://:" SECRET "@localhost:99999999999999999999/0", "port" },
    { "redis://:" SECRET "@localhost:6379/abc", "database" },
    { "redis://:" SECRET "@localhost:6379/-1", "database" },
    { "redis://:" SECRET "@localhost:6379/1/2", "database" },
    { "redis://:" SECRET "@localhost:6379/4294967296", "database" },
    { "redis://:" SECRET "@localhost:6379?db=x", "“db”" },
    { "redis://:" SECRET "@localhost:6379?db=-2", "“db”" },
    { "redis://:" SECRET "@localhost:6379?db=", "“db”" },
    { "redis://:" SECRET "@[::1:6379/0", "IPv6" },
    { "redis://:" SECRET "@[::1]x:6379/0", "IPv6" },
    { "redis://:" SECRET "@:6379/0", "host" },
    { "redis://:" SECRET "@/0", "host" },
    { "redis://", "host" },
    { "redis://:" SECRET "@[]:6379/0", "host" },
    { "redis://us%zzer:" SECRET "@localhost/0", "username" },
    { "redis://user:" SECRET "%4@localhost/0", "password" },
    { "redis://user:" SECRET "%00@localhost/0", "password" },
    { "redis://user:" SECRET "%FF@localhost/0", "password" },
    { "redis://:" SECRET "@local%host/0", "host" },
    { "redis://:" SECRET "@localhost:6379/%zz", "path" },
    { "redis://:" SECRET "@localhost/0?socket_timeout=0", "socket_timeout" },
    { "redis://:" SECRET "@localhost/0?socket_timeout=-1", "socket_timeout" },
    { "redis://:" SECRET "@localhost/0?socket_timeout=abc", "socket_timeout" },
    { "redis://:" SECRET "@localhost/0?socket_timeout=nan", "socket_timeout" },
    { "redis://:" SECRET "@localhost/0?socket_timeout=1e300", "socket_timeout" },
    { "redis://:" SECRET "@localhost/0?socket_connect_timeout=0", "socket_connect_timeout" },
    { "redis://:" SECRET "@localhost/0?max_connections=0", "max_connections" },
    { "redis://:" SECRET "@localhost/0?max_connections=many", "max_connections" },
    { "redis://:" SECRET "@localhost/0?ssl_cert_reqs=maybe", "ssl_cert_reqs" },
    { "redis://localhost/0?password=" SECRET "%zz", "password" },
    { "redis://localhost/0?ssl_certfile=/c.pem&password=" SECRET, "tls-key-file" },
    { "unix://:" SECRET "@/tmp/r%zz.sock", "path" },
    { "unix://:" SECRET "@", "socket path" },
    { "unix://:" SECRET "@localhost/tmp/r.sock", "host" },
    { "unix:///tmp/r.sock?password=" SECRET "&db=x", "“db”" },
    /* A '/' left unescaped in the password cuts it in two. */
    { "redis://:S3cretPw/S3cretPw@localhost:6379/0", "host" },
  };
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DtRedisConfig) config = NULL;

      g_test_message ("bad URL: %s", cases[i].url);
      config = dt_redis_config_new_from_url (cases[i].url, &error);
      g_assert_null (config);
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
      g_test_message ("message: %s", error->message);
      g_assert_null (strstr (error->message, SECRET));
      g_assert_nonnull (strstr (error->message, cases[i].names));
    }
}

static void
test_apply_atomic (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();
  g_autoptr(GError) error = NULL;
  guint count = 0;

  g_signal_connect (config, "notify", G_CALLBACK (on_notify), &count);

  /* Everything before the bad db parses: none of it may be written. */
  g_assert_false (dt_redis_config_apply_url (config, "rediss://u:" SECRET "@elsewhere:7000/x?client_name=n",
                                             NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "localhost");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 6379);
  g_assert_null (dt_redis_config_get_redis_username (config));
  g_assert_null (dt_redis_config_get_redis_password (config));
  g_assert_false (dt_redis_config_get_redis_ssl (config));
  g_assert_null (dt_redis_config_get_redis_client_name (config));
  g_clear_error (&error);

  /* A good one writes only what it names. */
  dt_redis_config_set_redis_client_name (config, "kept");
  count = 0;
  g_assert_true (dt_redis_config_apply_url (config, "redis://elsewhere:7000", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_config_get_redis_host (config), ==, "elsewhere");
  g_assert_cmpuint (dt_redis_config_get_redis_port (config), ==, 7000);
  g_assert_cmpstr (dt_redis_config_get_redis_db (config), ==, "0");
  g_assert_cmpstr (dt_redis_config_get_redis_client_name (config), ==, "kept");
  g_assert_null (dt_redis_config_get_redis_url (config));
  g_assert_cmpuint (count, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/url/build/seed", test_build_seed);
  g_test_add_func ("/url/build/more", test_build_more);
  g_test_add_func ("/url/escape", test_escape);
  g_test_add_func ("/url/redacted", test_redacted);
  g_test_add_func ("/url/parse/basic", test_parse_basic);
  g_test_add_func ("/url/parse/round-trip", test_parse_round_trip);
  g_test_add_func ("/url/parse/query", test_parse_query);
  g_test_add_func ("/url/parse/unix", test_parse_unix);
  g_test_add_func ("/url/parse/invalid", test_parse_invalid);
  g_test_add_func ("/url/apply-atomic", test_apply_atomic);

  return g_test_run ();
}
