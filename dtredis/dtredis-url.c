/* dtredis-url.c: redis://, rediss:// and unix:// URLs
 *
 * The accepted syntax and query options follow redis-py's parse_url(), so
 * URLs written for the Python framework work unchanged:
 *
 *   redis[s]://[[user][:password]@]host[:port][/db][?option=value&...]
 *   unix://[[user][:password]@]/path/to/redis.sock[?db=N&...]
 *
 * redis+sentinel:// and redis+cluster:// take a list of hosts. Writing
 * URLs is in dtredis-url-build.c.
 *
 * Error messages name the part that is wrong but never echo the URL: a
 * password with an unescaped '/', '?' or '#' ends the authority early, so
 * any piece of a bad URL may be a piece of the password.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "dtredis-error.h"
#include "dtredis-url-private.h"

/* The largest timeout that still fits in gint64 microseconds. */
#define MAX_TIMEOUT_SECONDS ((gdouble) (G_MAXINT64 / G_USEC_PER_SEC))


void
dt_redis_url_free_secret (char *secret)
{
  volatile char *p = (volatile char *) secret;

  if (secret == NULL)
    return;

  /* volatile keeps the compiler from dropping stores to memory that is
   * about to be freed. */
  while (*p != '\0')
    *p++ = '\0';

  g_free (secret);
}

static void
url_clear (DtRedisUrl *p)
{
  g_clear_pointer (&p->unix_path, g_free);
  g_clear_pointer (&p->host, g_free);
  g_clear_pointer (&p->db, g_free);
  g_clear_pointer (&p->username, g_free);
  g_clear_pointer (&p->password, dt_redis_url_free_secret);
  g_clear_pointer (&p->client_name, g_free);
  g_clear_pointer (&p->tls_ca_file, g_free);
  g_clear_pointer (&p->tls_cert_file, g_free);
  g_clear_pointer (&p->tls_key_file, g_free);
  g_clear_pointer (&p->sentinels, g_strfreev);
  g_clear_pointer (&p->cluster_nodes, g_strfreev);
  g_clear_pointer (&p->master_name, g_free);
  g_clear_pointer (&p->sentinel_username, g_free);
  g_clear_pointer (&p->sentinel_password, dt_redis_url_free_secret);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DtRedisUrl, url_clear)

static void
replace_string (char       **slot,
                char        *value,
                gboolean     secret)
{
  if (secret)
    dt_redis_url_free_secret (*slot);
  else
    g_free (*slot);
  *slot = value;
}

static const char *
find_first_of (const char *start,
               const char *end,
               const char *chars)
{
  const char *p;

  for (p = start; p < end; p++)
    if (strchr (chars, *p) != NULL)
      return p;

  return end;
}

static const char *
find_last (const char *start,
           const char *end,
           char        c)
{
  const char *p;

  for (p = end; p > start; p--)
    if (p[-1] == c)
      return p - 1;

  return NULL;
}

/* Decodes %XX escapes (and '+' in query values, as parse_qs does). The
 * result is allocated once at its final size so that a decoded password is
 * never left behind in a reallocated buffer. %00 and results that are not
 * UTF-8 are refused: they could not survive a C string property. */
static char *
percent_decode (const char *start,
                const char *end,
                gboolean    plus_is_space)
{
  char *out = g_malloc ((gsize) (end - start) + 1);
  char *o = out;
  const char *p;

  for (p = start; p < end; p++)
    {
      if (*p == '%')
        {
          int hi, lo;

          if (end - p < 3)
            goto fail;
          hi = g_ascii_xdigit_value (p[1]);
          lo = g_ascii_xdigit_value (p[2]);
          if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            goto fail;
          *o++ = (char) (hi * 16 + lo);
          p += 2;
        }
      else if (*p == '+' && plus_is_space)
        *o++ = ' ';
      else
        *o++ = *p;
    }
  *o = '\0';

  if (!g_utf8_validate (out, -1, NULL))
    goto fail;

  return out;

fail:
  *o = '\0';
  dt_redis_url_free_secret (out);
  return NULL;
}

static gboolean
parse_db (const char  *text,
          char       **out_db)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &value, NULL))
    return FALSE;

  /* Canonical form, so "/007" reads back as "7". */
  *out_db = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  return TRUE;
}

static gboolean
parse_timeout (const char *text,
               gdouble    *out_seconds)
{
  char *end = NULL;
  gdouble value;

  if (*text == '\0' || g_ascii_isspace (*text))
    return FALSE;

  value = g_ascii_strtod (text, &end);
  if (end == NULL || *end != '\0')
    return FALSE;
  if (!isfinite (value) || value <= 0 || value > MAX_TIMEOUT_SECONDS)
    return FALSE;

  *out_seconds = value;
  return TRUE;
}

static gboolean
set_bad_option (GError     **error,
                const char  *name,
                const char  *expected)
{
  /* TRANSLATORS: the first %s is a URL query option name such as
   * "socket_timeout", the second what it should be, e.g. "a number of
   * seconds greater than 0". */
  g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
               _("Invalid value for the URL option “%s”: expected %s"),
               name, expected);
  return FALSE;
}

/* One query option. Unknown names are skipped without decoding their
 * values, as redis-py hands them to the connection as keyword arguments
 * that mean nothing here. */
static gboolean
parse_query_option (DtRedisUrl   *p,
                    const char  *start,
                    const char  *end,
                    GError     **error)
{
  static const char * const known[] = {
    "db", "socket_timeout", "socket_connect_timeout", "client_name",
    "max_connections", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile",
    "ssl_cert_reqs", "username", "password", "sentinel_username",
    "sentinel_password", "read_from_replicas",
  };
  const char *eq = find_first_of (start, end, "=");
  g_autofree char *name = NULL;
  char *value;
  gboolean is_known = FALSE;
  gsize i;

  /* parse_qs drops "name" without "=" too. */
  if (eq == end)
    return TRUE;

  name = percent_decode (start, eq, TRUE);
  if (name == NULL)
    return TRUE;

  for (i = 0; i < G_N_ELEMENTS (known); i++)
    if (strcmp (name, known[i]) == 0)
      is_known = TRUE;
  if (!is_known)
    return TRUE;

  if (eq + 1 == end)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                   _("The URL option “%s” has no value"), name);
      return FALSE;
    }

  value = percent_decode (eq + 1, end, TRUE);
  if (value == NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                   _("Invalid percent-encoding in the value of the URL option “%s”"),
                   name);
      return FALSE;
    }

  if (strcmp (name, "password") == 0)
    {
      replace_string (&p->password, value, TRUE);
      return TRUE;
    }
  if (strcmp (name, "sentinel_password") == 0)
    {
      replace_string (&p->sentinel_password, value, TRUE);
      return TRUE;
    }

  /* Every other value may be freed normally from here on. */
  if (strcmp (name, "db") == 0)
    {
      g_autofree char *db = NULL;

      if (!parse_db (value, &db))
        {
          g_free (value);
          return set_bad_option (error, name, _("a non-negative integer"));
        }
      replace_string (&p->db, g_steal_pointer (&db), FALSE);
      g_free (value);
    }
  else if (strcmp (name, "socket_timeout") == 0 ||
           strcmp (name, "socket_connect_timeout") == 0)
    {
      gdouble seconds;
      gboolean ok = parse_timeout (value, &seconds);

      g_free (value);
      if (!ok)
        return set_bad_option (error, name, _("a number of seconds greater than 0"));
      if (strcmp (name, "socket_timeout") == 0)
        p->socket_timeout = seconds;
      else
        p->connect_timeout = seconds;
    }
  else if (strcmp (name, "max_connections") == 0)
    {
      guint64 n;
      gboolean ok = g_ascii_string_to_unsigned (value, 10, 1, G_MAXUINT, &n, NULL);

      g_free (value);
      if (!ok)
        return set_bad_option (error, name, _("an integer of at least 1"));
      p->max_connections = (guint) n;
    }
  else if (strcmp (name, "ssl_cert_reqs") == 0)
    {
      if (g_ascii_strcasecmp (value, "none") == 0)
        p->tls_insecure = TRUE;
      else if (g_ascii_strcasecmp (value, "optional") == 0 ||
               g_ascii_strcasecmp (value, "required") == 0)
        /* A TLS client checks whatever certificate it is shown, so
         * "optional" verifies just like "required". */
        p->tls_insecure = FALSE;
      else
        {
          g_free (value);
          return set_bad_option (error, name, _("“none”, “optional” or “required”"));
        }
      p->has_tls_insecure = TRUE;
      g_free (value);
    }
  else if (strcmp (name, "client_name") == 0)
    replace_string (&p->client_name, value, FALSE);
  else if (strcmp (name, "ssl_ca_certs") == 0)
    replace_string (&p->tls_ca_file, value, FALSE);
  else if (strcmp (name, "ssl_certfile") == 0)
    replace_string (&p->tls_cert_file, value, FALSE);
  else if (strcmp (name, "ssl_keyfile") == 0)
    replace_string (&p->tls_key_file, value, FALSE);
  else if (strcmp (name, "username") == 0)
    replace_string (&p->username, value, FALSE);
  else if (strcmp (name, "sentinel_username") == 0)
    replace_string (&p->sentinel_username, value, FALSE);
  else if (strcmp (name, "read_from_replicas") == 0)
    {
      static const char * const yes[] = { "1", "true", "yes", "on" };
      static const char * const no[] = { "0", "false", "no", "off" };
      gboolean known_value = FALSE;

      for (i = 0; i < G_N_ELEMENTS (yes); i++)
        {
          if (g_ascii_strcasecmp (value, yes[i]) == 0)
            p->read_from_replicas = known_value = TRUE;
          else if (g_ascii_strcasecmp (value, no[i]) == 0)
            {
              p->read_from_replicas = FALSE;
              known_value = TRUE;
            }
        }
      g_free (value);
      if (!known_value)
        return set_bad_option (error, name, _("“yes” or “no”"));
      p->has_read_from_replicas = TRUE;
    }
  else
    g_assert_not_reached ();

  return TRUE;
}

/* Splits off a syntactically valid scheme; FALSE when there is none. */
static gboolean
split_scheme (const char  *url,
              const char **out_rest)
{
  const char *s = url;

  if (!g_ascii_isalpha (*s))
    return FALSE;
  while (g_ascii_isalnum (*s) || *s == '+' || *s == '-' || *s == '.')
    s++;
  if (*s != ':')
    return FALSE;

  *out_rest = s + 1;
  return TRUE;
}

static gboolean
parse_userinfo (DtRedisUrl   *p,
                const char  *start,
                const char  *end,
                GError     **error)
{
  const char *colon = find_first_of (start, end, ":");

  /* As redis-py: the userinfo wins over ?username= and ?password=, and an
   * empty user or password names nothing. */
  if (colon > start)
    {
      char *username = percent_decode (start, colon, FALSE);

      if (username == NULL)
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               _("Invalid percent-encoding in the username of the URL"));
          return FALSE;
        }
      replace_string (&p->username, username, FALSE);
    }

  if (colon < end && colon + 1 < end)
    {
      char *password = percent_decode (colon + 1, end, FALSE);

      if (password == NULL)
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               _("Invalid percent-encoding in the password of the URL"));
          return FALSE;
        }
      replace_string (&p->password, password, TRUE);
    }

  return TRUE;
}

static gboolean
parse_host_port (DtRedisUrl   *p,
                 const char  *start,
                 const char  *end,
                 GError     **error)
{
  const char *host_start, *host_end, *port_start = NULL;
  char *host;

  if (start < end && *start == '[')
    {
      const char *close = find_first_of (start, end, "]");

      if (close == end)
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               _("Unterminated IPv6 address in the URL host: missing “]”"));
          return FALSE;
        }
      host_start = start + 1;
      host_end = close;
      if (close + 1 < end)
        {
          if (close[1] != ':')
            {
              g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                                   _("Unexpected text after the IPv6 address in the URL host"));
              return FALSE;
            }
          port_start = close + 2;
        }
    }
  else
    {
      host_start = start;
      host_end = find_first_of (start, end, ":");
      if (host_end < end)
        port_start = host_end + 1;
    }

  if (host_start == host_end)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("The URL has an empty host"));
      return FALSE;
    }

  host = percent_decode (host_start, host_end, FALSE);
  if (host == NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("Invalid percent-encoding in the host of the URL"));
      return FALSE;
    }
  replace_string (&p->host, host, FALSE);

  /* RFC 3986 allows "host:" with an empty port: the default applies. */
  if (port_start != NULL && port_start < end)
    {
      g_autofree char *text = g_strndup (port_start, (gsize) (end - port_start));
      guint64 port;

      if (!g_ascii_string_to_unsigned (text, 10, 1, 65535, &port, NULL))
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               _("Invalid port in the URL: expected a number from 1 to 65535"));
          return FALSE;
        }
      p->port = (guint) port;
    }

  return TRUE;
}

/* "host[:port],host[:port]...": the sentinels, or the cluster's nodes. */
static gboolean
parse_hosts (char       ***out,
             gboolean      cluster,
             const char   *start,
             const char   *end,
             GError      **error)
{
  g_autoptr(GPtrArray) hosts = g_ptr_array_new_with_free_func (g_free);

  while (start <= end)
    {
      const char *comma = find_first_of (start, end, ",");
      char *host = comma > start ? percent_decode (start, comma, FALSE) : NULL;

      if (host == NULL || *host == '\0')
        {
          g_free (host);
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               cluster ? _("The URL has an empty or badly encoded cluster node address")
                                       : _("The URL has an empty or badly encoded sentinel address"));
          return FALSE;
        }
      g_ptr_array_add (hosts, host);
      start = comma + 1;
    }

  g_ptr_array_add (hosts, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&hosts), FALSE);
  return TRUE;
}

/* "/master[/db]" */
static gboolean
parse_sentinel_path (DtRedisUrl   *p,
                     const char  *start,
                     const char  *end,
                     GError     **error)
{
  const char *name_end;
  g_autofree char *db = NULL;

  if (start < end && *start == '/')
    start++;
  name_end = find_first_of (start, end, "/");
  if (name_end == start)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("A Sentinel URL names the master in its path: "
                             "redis+sentinel://host:26379/mymaster"));
      return FALSE;
    }
  replace_string (&p->master_name, percent_decode (start, name_end, FALSE), FALSE);
  if (p->master_name == NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("Invalid percent-encoding in the path of the URL"));
      return FALSE;
    }

  if (name_end + 1 >= end)
    return TRUE;
  {
    g_autofree char *text = g_strndup (name_end + 1, (gsize) (end - name_end - 1));

    if (!parse_db (text, &db))
      {
        g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                             _("Invalid database in the URL path: expected a non-negative integer"));
        return FALSE;
      }
  }
  if (p->db == NULL)
    p->db = g_steal_pointer (&db);
  return TRUE;
}

static gboolean
parse_path (DtRedisUrl   *p,
            const char  *start,
            const char  *end,
            GError     **error)
{
  g_autofree char *path = NULL;

  if (p->is_sentinel)
    return parse_sentinel_path (p, start, end, error);

  if (!p->is_unix && (start == end || (end - start == 1 && *start == '/')))
    return TRUE;

  path = percent_decode (start, end, FALSE);
  if (path == NULL)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("Invalid percent-encoding in the path of the URL"));
      return FALSE;
    }

  if (p->is_unix)
    {
      if (*path == '\0')
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                               _("The unix:// URL has no socket path"));
          return FALSE;
        }
      replace_string (&p->unix_path, g_steal_pointer (&path), FALSE);
      return TRUE;
    }

  /* redis-py lets ?db= win over the path, so a bad path is still an error
   * but an ignored one is not parsed into p->db. */
  {
    g_autofree char *db = NULL;

    if (!parse_db (path + 1, &db))
      {
        g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                             _("Invalid database in the URL path: expected a non-negative integer"));
        return FALSE;
      }
    if (p->db == NULL)
      p->db = g_steal_pointer (&db);
  }

  return TRUE;
}

static gboolean
parse_url (const char  *url,
           DtRedisUrl   *p,
           GError     **error)
{
  const char *rest, *end, *fragment, *authority = NULL, *authority_end = NULL;
  const char *path, *path_end, *query;
  g_autofree char *scheme = NULL;

  g_return_val_if_fail (url != NULL, FALSE);

  if (!split_scheme (url, &rest))
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("The URL has no scheme: expected redis://, rediss:// or unix://"));
      return FALSE;
    }

  scheme = g_strndup (url, (gsize) (rest - 1 - url));
  if (g_ascii_strcasecmp (scheme, "redis") == 0)
    p->tls = FALSE;
  else if (g_ascii_strcasecmp (scheme, "rediss") == 0)
    p->tls = TRUE;
  else if (g_ascii_strcasecmp (scheme, "unix") == 0)
    p->is_unix = TRUE;
  else if (g_ascii_strcasecmp (scheme, "redis+sentinel") == 0 ||
           g_ascii_strcasecmp (scheme, "rediss+sentinel") == 0)
    {
      p->is_sentinel = TRUE;
      p->tls = g_ascii_strncasecmp (scheme, "rediss", 6) == 0;
    }
  else if (g_ascii_strcasecmp (scheme, "redis+cluster") == 0 ||
           g_ascii_strcasecmp (scheme, "rediss+cluster") == 0)
    {
      p->is_cluster = TRUE;
      p->tls = g_ascii_strncasecmp (scheme, "rediss", 6) == 0;
    }
  else
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                   _("Unknown URL scheme “%s”: expected redis://, rediss://, unix://, "
                     "redis+sentinel:// or redis+cluster://"),
                   scheme);
      return FALSE;
    }

  end = rest + strlen (rest);
  fragment = find_first_of (rest, end, "#");

  if (g_str_has_prefix (rest, "//"))
    {
      authority = rest + 2;
      authority_end = find_first_of (authority, fragment, "/?");
      path = authority_end;
    }
  else if (!p->is_unix)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                           _("The URL has no host: expected redis://host or rediss://host"));
      return FALSE;
    }
  else
    path = rest;

  path_end = find_first_of (path, fragment, "?");
  query = path_end < fragment ? path_end + 1 : NULL;

  /* Query first: the userinfo and the path override what it says. */
  while (query != NULL && query < fragment)
    {
      const char *amp = find_first_of (query, fragment, "&");

      if (!parse_query_option (p, query, amp, error))
        return FALSE;
      query = amp + 1;
    }

  if (authority != NULL)
    {
      const char *at = find_last (authority, authority_end, '@');
      const char *host_start = authority;

      if (at != NULL)
        {
          if (!parse_userinfo (p, authority, at, error))
            return FALSE;
          host_start = at + 1;
        }

      if (p->is_unix)
        {
          if (host_start != authority_end)
            {
              g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG,
                                   _("A unix:// URL takes no host: expected unix:///path/to/redis.sock"));
              return FALSE;
            }
        }
      else if (p->is_sentinel)
        {
          if (!parse_hosts (&p->sentinels, FALSE, host_start, authority_end, error))
            return FALSE;
        }
      else if (p->is_cluster)
        {
          if (!parse_hosts (&p->cluster_nodes, TRUE, host_start, authority_end, error))
            return FALSE;
        }
      else if (!parse_host_port (p, host_start, authority_end, error))
        return FALSE;
    }

  return parse_path (p, path, path_end, error);
}

DtRedisUrl *
dt_redis_url_parse (const char  *url,
                    GError     **error)
{
  g_auto(DtRedisUrl) p = { 0, };
  DtRedisUrl *parsed;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!parse_url (url, &p, error))
    return NULL;

  /* The copy owns the strings now. */
  parsed = g_memdup2 (&p, sizeof p);
  memset (&p, 0, sizeof p);

  return parsed;
}

void
dt_redis_url_free (DtRedisUrl *self)
{
  if (self == NULL)
    return;

  url_clear (self);
  g_free (self);
}

gboolean
dt_redis_url_is_cluster (const char *url)
{
  return url != NULL && (g_ascii_strncasecmp (url, "redis+cluster://", 16) == 0 ||
                         g_ascii_strncasecmp (url, "rediss+cluster://", 17) == 0);
}

static void
append_redacted_query (GString    *out,
                       const char *query,
                       const char *end)
{
  while (query < end)
    {
      const char *amp = find_first_of (query, end, "&");
      const char *eq = find_first_of (query, amp, "=");
      g_autofree char *name = percent_decode (query, eq, TRUE);

      if (eq < amp && name != NULL &&
          (strcmp (name, "password") == 0 || strcmp (name, "sentinel_password") == 0))
        {
          g_string_append_len (out, query, eq + 1 - query);
          g_string_append (out, "***");
        }
      else
        g_string_append_len (out, query, amp - query);

      if (amp < end)
        g_string_append_c (out, '&');
      query = amp + 1;
    }
}

char *
dt_redis_url_redact (const char *url)
{
  const char *rest, *start, *end, *fragment, *authority_end, *at, *query;
  GString *out;

  g_return_val_if_fail (url != NULL, NULL);

  end = url + strlen (url);
  start = split_scheme (url, &rest) && g_str_has_prefix (rest, "//") ? rest + 2 : url;
  fragment = find_first_of (start, end, "#");
  authority_end = find_first_of (start, fragment, "/?");

  at = find_last (start, authority_end, '@');
  {
    g_auto(DtRedisUrl) p = { 0, };

    /* An unescaped '/', '?' or '#' in a password cuts the authority short,
     * and an '@' in the user name moves it; such a URL does not parse, so
     * take the last '@' anywhere as the end of the userinfo: hiding too
     * much of a broken URL is fine, hiding too little is not. */
    if (!parse_url (url, &p, NULL))
      at = find_last (start, end, '@');
  }

  out = g_string_sized_new ((gsize) (end - url) + 8);

  if (at != NULL && find_first_of (start, at, ":") < at)
    {
      const char *colon = find_first_of (start, at, ":");

      g_string_append_len (out, url, colon + 1 - url);
      g_string_append (out, "***");
      rest = at;
    }
  else
    rest = url;

  if (rest > fragment)
    {
      /* The userinfo ran past a '#': what follows is still to look at. */
      fragment = find_first_of (rest, end, "#");
      authority_end = find_first_of (rest, fragment, "/?");
    }

  query = find_first_of (MAX (rest, authority_end), fragment, "?");
  g_string_append_len (out, rest, query - rest);
  if (query < fragment)
    {
      g_string_append_c (out, '?');
      append_redacted_query (out, query + 1, fragment);
    }
  g_string_append (out, fragment);

  return g_string_free (out, FALSE);
}
