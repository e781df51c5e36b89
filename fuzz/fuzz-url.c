/* fuzz-url.c: libFuzzer harness for the URL parser and the config around it
 *
 * The input is a URL (cut at the first NUL byte, as a C caller would).
 * Each 0x7f byte in it becomes SECRET, so that the fuzzer can put a
 * recognisable password anywhere: in the userinfo, in ?password=, or
 * where it does not belong.
 *
 * Beyond "does not crash", it checks what the rest of the library relies on:
 *
 * - a URL that fails is an INVALID_CONFIG error whose message never holds
 *   SECRET (no part of a bad URL is echoed), and leaves the config as it was;
 * - a URL that parses gives UTF-8 properties that validate, an endpoint
 *   that agrees with them, and, for redis:// and rediss://, a URL built
 *   from those properties that parses back to the same ones;
 * - when SECRET is the password, no redacted URL and no endpoint
 *   description shows it, escaped or not; nor does the redacted form of a
 *   URL that does not parse, when SECRET sits where its password would.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-config.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-error.h"
#include "dtredis-config-private.h"
#include "dtredis-url-private.h"

/* '!' and '~' keep it out of anything a message may legitimately quote (a
 * scheme, an option name, a number). */
#define SECRET          "S3cr3t!~pw"
#define SECRET_ESCAPED  "S3cr3t%21~pw"
#define MAX_INPUT_SIZE       8192

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void
fail (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  fputs ("fuzz-url: invariant broken: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  abort ();
}

static gboolean
has_secret (const char *text)
{
  return text != NULL &&
         (strstr (text, SECRET) != NULL || strstr (text, SECRET_ESCAPED) != NULL);
}

static guint
count_secret (const char *text)
{
  guint n = 0;

  for (const char *p = strstr (text, SECRET); p != NULL; p = strstr (p + 1, SECRET))
    n++;

  return n;
}

/* Whether SECRET is, once, where a broken URL's password would be: after
 * the first ':' of what follows "scheme://" and before the last '@'. */
static gboolean
secret_in_userinfo (const char *url)
{
  const char *start = strstr (url, "://");
  const char *secret = strstr (url, SECRET);
  const char *colon, *at;

  if (start == NULL || secret == NULL || count_secret (url) != 1 ||
      strstr (url, SECRET_ESCAPED) != NULL)
    return FALSE;
  for (const char *p = url; p < start; p++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '-' && *p != '.')
      return FALSE;
  if (!g_ascii_isalpha (url[0]))
    return FALSE;

  start += 3;
  colon = strchr (start, ':');
  at = strrchr (start, '@');

  return colon != NULL && at != NULL && colon < secret && secret + strlen (SECRET) <= at;
}

static char *
expand_input (const uint8_t *data,
              size_t         size)
{
  GString *out = g_string_sized_new (size + 16);

  for (size_t i = 0; i < size && data[i] != 0; i++)
    {
      if (data[i] == 0x7f)
        g_string_append (out, SECRET);
      else
        g_string_append_c (out, (char) data[i]);
    }

  return g_string_free (out, FALSE);
}

static void
check_utf8 (const char *what,
            const char *value)
{
  if (value != NULL && !g_utf8_validate (value, -1, NULL))
    fail ("%s is not UTF-8", what);
}

static void
check_error (const GError *error,
             const char   *what)
{
  if (error == NULL)
    fail ("%s failed without an error", what);
  if (!g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG))
    fail ("%s failed with %s %d, not INVALID_CONFIG",
          what, g_quark_to_string (error->domain), error->code);
  if (error->message == NULL || *error->message == '\0')
    fail ("%s failed with an empty message", what);
  if (!g_utf8_validate (error->message, -1, NULL))
    fail ("%s failed with a message that is not UTF-8", what);
  if (has_secret (error->message))
    fail ("%s: the message shows the secret: %s", what, error->message);
}

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 gpointer    user_data)
{
  guint *n = user_data;

  (*n)++;
}

/* The properties a URL can carry, in comparable form. */
typedef struct
{
  gboolean  ssl;
  char     *host;
  guint     port;
  char     *db;
  char     *username;
  char     *password;
} Core;

static void
core_get (DtRedisConfig *config,
          Core          *core)
{
  core->ssl = dt_redis_config_get_redis_ssl (config);
  core->host = g_strdup (dt_redis_config_get_redis_host (config));
  core->port = dt_redis_config_get_redis_port (config);
  core->db = g_strdup (dt_redis_config_get_redis_db (config));
  core->username = g_strdup (dt_redis_config_get_redis_username (config));
  core->password = g_strdup (dt_redis_config_get_redis_password (config));
}

static void
core_clear (Core *core)
{
  g_free (core->host);
  g_free (core->db);
  g_free (core->username);
  g_free (core->password);
}

static void
core_check_equal (const Core *a,
                  const Core *b)
{
  if (a->ssl != b->ssl || a->port != b->port ||
      g_strcmp0 (a->host, b->host) != 0 ||
      g_strcmp0 (a->db, b->db) != 0 ||
      g_strcmp0 (a->username, b->username) != 0 ||
      g_strcmp0 (a->password, b->password) != 0)
    fail ("the built URL does not parse back to the same settings "
          "(ssl %d/%d port %u/%u host \"%s\"/\"%s\" db \"%s\"/\"%s\" "
          "username \"%s\"/\"%s\")",
          a->ssl, b->ssl, a->port, b->port, a->host, b->host, a->db, b->db,
          a->username, b->username);
}

/* The URL built from the separate properties parses back to them. */
static void
check_round_trip (DtRedisConfig *parsed)
{
  g_autoptr(DtRedisConfig) plain = dt_redis_config_new ();
  g_autoptr(DtRedisConfig) reparsed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *built = NULL;
  g_autofree char *redacted = NULL;
  Core before, after;

  core_get (parsed, &before);
  dt_redis_config_set_redis_ssl (plain, before.ssl);
  dt_redis_config_set_redis_host (plain, before.host);
  dt_redis_config_set_redis_port (plain, before.port);
  dt_redis_config_set_redis_db (plain, before.db);
  dt_redis_config_set_redis_username (plain, before.username);
  dt_redis_config_set_redis_password (plain, before.password);

  built = dt_redis_config_build_url (plain);
  if (built == NULL)
    fail ("build_url returned NULL");

  reparsed = dt_redis_config_new_from_url (built, &error);
  if (reparsed == NULL)
    fail ("the built URL does not parse: %s", error->message);

  core_get (reparsed, &after);
  core_check_equal (&before, &after);

  redacted = dt_redis_config_build_redacted_url (plain);
  if (has_secret (before.password) &&
      !has_secret (before.username) && !has_secret (before.host) &&
      has_secret (redacted))
    fail ("build_redacted_url shows the password");

  core_clear (&before);
  core_clear (&after);
}

static void
check_endpoint (DtRedisConfig *config,
                gboolean       is_unix,
                gboolean       secret_only_in_password)
{
  g_autoptr(DtRedisEndpoint) endpoint = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  endpoint = dt_redis_endpoint_new_from_config (config, &error);
  if (endpoint == NULL)
    fail ("a config that validates gives no endpoint: %s", error->message);

  if (is_unix != (endpoint->unix_path != NULL))
    fail ("the endpoint disagrees on the Unix socket");
  if (!is_unix)
    {
      if (g_strcmp0 (endpoint->host, dt_redis_config_get_redis_host (config)) != 0 ||
          endpoint->port != dt_redis_config_get_redis_port (config) ||
          endpoint->tls != dt_redis_config_get_redis_ssl (config))
        fail ("the endpoint disagrees with the config");
    }
  if (endpoint->max_connections < 1 || endpoint->socket_timeout_us <= 0 ||
      endpoint->connect_timeout_us <= 0 || endpoint->idle_timeout_us < 0)
    fail ("the endpoint has limits out of range");

  description = dt_redis_endpoint_describe (endpoint);
  if (description == NULL)
    fail ("describe returned NULL");
  if (secret_only_in_password && has_secret (description))
    fail ("the endpoint description shows the password");
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  /* A g_return_if_fail() hit is a bug of the harness or the library. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *url = NULL;
  g_autofree char *redacted = NULL;
  g_autofree char *unix_path = NULL;
  g_autoptr(DtRedisConfig) applied = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  guint n_notify = 0;
  gboolean secret_only_in_password;
  gboolean ok;

  if (size > MAX_INPUT_SIZE)
    return -1;

  url = expand_input (data, size);

  /* Works on anything, for logging URLs that do not parse. */
  redacted = dt_redis_url_redact (url);
  if (redacted == NULL)
    fail ("redact returned NULL");

  applied = dt_redis_config_new ();
  g_signal_connect (applied, "notify", G_CALLBACK (count_notify_cb), &n_notify);
  ok = dt_redis_config_apply_url (applied, url, &unix_path, &error);

  if (!ok)
    {
      check_error (error, "url_apply");
      if (secret_in_userinfo (url) && has_secret (redacted))
        fail ("redact shows the password of a URL that does not parse: %s", redacted);
      if (n_notify != 0)
        fail ("a URL that failed changed the config");
      if (unix_path != NULL)
        fail ("a URL that failed gave a socket path");

      /* new_from_url parses the same way. */
      g_clear_error (&error);
      config = dt_redis_config_new_from_url (url, &error);
      if (config != NULL)
        fail ("new_from_url accepted what url_apply refused");
      check_error (error, "new_from_url");
      return 0;
    }

  if (error != NULL)
    fail ("url_apply succeeded with an error set");

  check_utf8 ("host", dt_redis_config_get_redis_host (applied));
  check_utf8 ("db", dt_redis_config_get_redis_db (applied));
  check_utf8 ("username", dt_redis_config_get_redis_username (applied));
  check_utf8 ("password", dt_redis_config_get_redis_password (applied));
  check_utf8 ("client_name", dt_redis_config_get_redis_client_name (applied));
  check_utf8 ("tls_ca_file", dt_redis_config_get_redis_tls_ca_file (applied));
  check_utf8 ("tls_cert_file", dt_redis_config_get_redis_tls_cert_file (applied));
  check_utf8 ("tls_key_file", dt_redis_config_get_redis_tls_key_file (applied));
  check_utf8 ("unix path", unix_path);
  if (unix_path != NULL && *unix_path == '\0')
    fail ("an empty socket path");

  /* Only then can "SECRET is in the output" mean "the password leaked":
   * without percent-encoding the URL holds exactly what was decoded. */
  secret_only_in_password = has_secret (dt_redis_config_get_redis_password (applied)) &&
                            count_secret (url) == 1 &&
                            strchr (url, '%') == NULL;
  if (secret_only_in_password && has_secret (redacted))
    fail ("redact shows the password: %s", redacted);

  config = dt_redis_config_new_from_url (url, &error);
  if (config == NULL)
    {
      /* Only the checks across properties can fail now. */
      check_error (error, "new_from_url");
      return 0;
    }

  {
    g_autofree char *built = dt_redis_config_build_url (config);
    g_autofree char *redacted_url = dt_redis_config_build_redacted_url (config);

    if (g_strcmp0 (built, url) != 0)
      fail ("build_url does not give the url property back");
    if (g_strcmp0 (redacted_url, redacted) != 0)
      fail ("build_redacted_url differs from redact");
  }

  check_endpoint (config, unix_path != NULL, secret_only_in_password);

  if (unix_path == NULL)
    check_round_trip (applied);

  return 0;
}
