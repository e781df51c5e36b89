/* dtredis-url-build.c: writing redis://, redis+sentinel:// and
 * redis+cluster:// URLs, and percent-encoding their parts
 *
 * dtredis-url.c parses them. Everything written here is sized up front,
 * so that a password is never left behind in a freed buffer by a
 * reallocation.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-url-private.h"

static gboolean
is_unreserved (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static void
append_escaped (GString    *out,
                const char *raw,
                const char *also_safe)
{
  const guchar *p;

  for (p = (const guchar *) raw; *p != '\0'; p++)
    {
      if (is_unreserved (*p) || (also_safe != NULL && strchr (also_safe, *p) != NULL))
        g_string_append_c (out, (char) *p);
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
}

char *
dt_redis_url_escape (const char *raw)
{
  GString *out;

  g_return_val_if_fail (raw != NULL, NULL);

  out = g_string_sized_new (strlen (raw) * 3 + 1);
  append_escaped (out, raw, NULL);

  return g_string_free (out, FALSE);
}

/* "user:password@", ":password@", "user@" or nothing; empty strings
 * count as not given. */
static void
append_userinfo (GString    *out,
                 const char *username,
                 const char *password,
                 gboolean    redact_password)
{
  gboolean has_user = username != NULL && *username != '\0';
  gboolean has_password = password != NULL && *password != '\0';

  if (has_user)
    append_escaped (out, username, NULL);
  if (has_password)
    {
      g_string_append_c (out, ':');
      if (redact_password)
        g_string_append (out, "***");
      else
        append_escaped (out, password, NULL);
    }
  if (has_user || has_password)
    g_string_append_c (out, '@');
}

char *
dt_redis_url_build (gboolean    tls,
                    const char *username,
                    const char *password,
                    gboolean    redact_password,
                    const char *host,
                    guint       port,
                    const char *db)
{
  gboolean has_user = username != NULL && *username != '\0';
  gboolean has_password = password != NULL && *password != '\0';
  GString *out;

  /* Sized up front: the password is escaped into this buffer and must not
   * be left behind by a reallocation. */
  out = g_string_sized_new (64 +
                            (has_user ? strlen (username) * 3 : 0) +
                            (has_password ? strlen (password) * 3 : 0) +
                            (host != NULL ? strlen (host) * 3 : 0) +
                            (db != NULL ? strlen (db) * 3 : 0));

  g_string_append (out, tls ? "rediss://" : "redis://");
  append_userinfo (out, username, password, redact_password);

  if (host == NULL)
    host = "";
  if (strchr (host, ':') != NULL)
    {
      g_string_append_c (out, '[');
      append_escaped (out, host, ":");
      g_string_append_c (out, ']');
    }
  else
    append_escaped (out, host, "!$&'()*+,;=");

  g_string_append_printf (out, ":%u/", port);
  append_escaped (out, db != NULL ? db : "0", NULL);

  return g_string_free (out, FALSE);
}

/* The bytes a comma-separated list of @addresses may take, escaped. */
static gsize
address_list_size (const char * const *addresses)
{
  gsize size = 0;

  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    size += strlen (addresses[i]) * 3 + 1;

  return size;
}

/* host:port,[v6]:port,... */
static void
append_address_list (GString            *out,
                     const char * const *addresses)
{
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      append_escaped (out, addresses[i], ":[]");
    }
}

char *
dt_redis_url_build_sentinel (gboolean            tls,
                             const char         *username,
                             const char         *password,
                             gboolean            redact_password,
                             const char * const *sentinels,
                             const char         *master_name,
                             const char         *db,
                             const char         *sentinel_username,
                             const char         *sentinel_password,
                             gboolean            read_from_replicas)
{
  gboolean has_user = username != NULL && *username != '\0';
  gboolean has_password = password != NULL && *password != '\0';
  gsize size = 128 + (master_name != NULL ? strlen (master_name) * 3 : 0) + address_list_size (sentinels);
  char separator = '?';
  GString *out;

  size += (has_user ? strlen (username) * 3 : 0) + (has_password ? strlen (password) * 3 : 0);
  size += sentinel_username != NULL ? strlen (sentinel_username) * 3 : 0;
  size += sentinel_password != NULL ? strlen (sentinel_password) * 3 : 0;
  /* Sized up front: the passwords must not be left behind by a
   * reallocation. */
  out = g_string_sized_new (size);

  g_string_append (out, tls ? "rediss+sentinel://" : "redis+sentinel://");
  append_userinfo (out, username, password, redact_password);
  append_address_list (out, sentinels);
  g_string_append_c (out, '/');
  append_escaped (out, master_name != NULL ? master_name : "", NULL);
  g_string_append_c (out, '/');
  append_escaped (out, db != NULL ? db : "0", NULL);

  if (sentinel_username != NULL && *sentinel_username != '\0')
    {
      g_string_append_printf (out, "%csentinel_username=", separator);
      append_escaped (out, sentinel_username, NULL);
      separator = '&';
    }
  if (sentinel_password != NULL && *sentinel_password != '\0')
    {
      g_string_append_printf (out, "%csentinel_password=", separator);
      if (redact_password)
        g_string_append (out, "***");
      else
        append_escaped (out, sentinel_password, NULL);
      separator = '&';
    }
  if (read_from_replicas)
    g_string_append_printf (out, "%cread_from_replicas=yes", separator);

  return g_string_free (out, FALSE);
}

char *
dt_redis_url_build_cluster (gboolean            tls,
                            const char         *username,
                            const char         *password,
                            gboolean            redact_password,
                            const char * const *nodes)
{
  gsize size = 64 + address_list_size (nodes);
  GString *out;

  size += (username != NULL ? strlen (username) * 3 : 0) + (password != NULL ? strlen (password) * 3 : 0);
  /* Sized up front: the password must not be left behind by a
   * reallocation. */
  out = g_string_sized_new (size);

  g_string_append (out, tls ? "rediss+cluster://" : "redis+cluster://");
  append_userinfo (out, username, password, redact_password);
  append_address_list (out, nodes);
  g_string_append (out, "/0");

  return g_string_free (out, FALSE);
}
