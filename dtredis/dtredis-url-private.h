/* dtredis-url-private.h: redis://, rediss:// and unix:// URLs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

#include "dtredis-config.h"

G_BEGIN_DECLS

/* Parses @url into the properties of @config (only those the URL names);
 * on error @config is left unchanged and the message names the bad part,
 * never the password. */
gboolean  dt_redis_url_apply       (const char    *url,
                                    DtRedisConfig *config,
                                    GError       **error);
/* As dt_redis_url_apply(); also hands out the socket path of a unix:// URL
 * (NULL for redis:// and rediss://), which no property can hold. */
gboolean  dt_redis_url_apply_full  (const char    *url,
                                    DtRedisConfig *config,
                                    char         **out_unix_path,
                                    GError       **error);
/* Percent-encodes everything outside RFC 3986 unreserved characters. */
char     *dt_redis_url_escape      (const char    *raw);
/* redis[s]://[user:pass@|:pass@|user@]host:port/db; empty strings count as
 * unset; with @redact_password the password is written as "***". */
char     *dt_redis_url_build       (gboolean       tls,
                                    const char    *username,
                                    const char    *password,
                                    gboolean       redact_password,
                                    const char    *host,
                                    guint          port,
                                    const char    *db);
/* @url with the password of the userinfo and of ?password= replaced by
 * "***"; works on URLs that do not parse too, for logging them. */
char     *dt_redis_url_redact      (const char    *url);
/* Overwrites @secret before freeing it, so a password does not linger in
 * freed heap memory. */
void      dt_redis_url_free_secret (char          *secret);

G_END_DECLS
