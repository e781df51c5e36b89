/* dtredis-url-private.h: redis://, rediss:// and unix:// URLs
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a URL says; strings and numbers it does not name are NULL or 0.
 * Applying it is the config's business (dt_redis_config_apply_url()). */
typedef struct
{
  gboolean  tls;
  gboolean  is_unix;
  char     *unix_path;        /* unix://: decoded */
  char     *host;
  guint     port;             /* 0: not in the URL */
  char     *db;
  char     *username;
  char     *password;
  char     *client_name;
  char     *tls_ca_file;
  char     *tls_cert_file;
  char     *tls_key_file;
  gboolean  has_tls_insecure;
  gboolean  tls_insecure;
  guint     max_connections;  /* 0: not in the URL */
  gdouble   socket_timeout;   /* 0: not in the URL */
  gdouble   connect_timeout;  /* 0: not in the URL */

  /* redis+sentinel:// and rediss+sentinel:// */
  gboolean  is_sentinel;
  char    **sentinels;        /* the hosts, decoded: "host[:port]" */
  char     *master_name;
  char     *sentinel_username;
  char     *sentinel_password;
  gboolean  has_read_from_replicas;
  gboolean  read_from_replicas;

  /* redis+cluster:// and rediss+cluster:// */
  gboolean  is_cluster;
  char    **cluster_nodes;    /* the hosts, decoded: "host[:port]" */
} DtRedisUrl;

/* Parses @url; NULL with INVALID_CONFIG naming the bad part, never the
 * password. */
DtRedisUrl *dt_redis_url_parse       (const char    *url,
                                      GError       **error);
void        dt_redis_url_free        (DtRedisUrl    *self);
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
/* redis[s]+sentinel://[user:pass@]host:port,.../master/db
 * [?sentinel_username=...&sentinel_password=...&read_from_replicas=yes] */
char     *dt_redis_url_build_sentinel (gboolean            tls,
                                       const char         *username,
                                       const char         *password,
                                       gboolean            redact_password,
                                       const char * const *sentinels,
                                       const char         *master_name,
                                       const char         *db,
                                       const char         *sentinel_username,
                                       const char         *sentinel_password,
                                       gboolean            read_from_replicas);
/* redis[s]+cluster://[user:pass@]host:port,.../0 */
char     *dt_redis_url_build_cluster  (gboolean            tls,
                                       const char         *username,
                                       const char         *password,
                                       gboolean            redact_password,
                                       const char * const *nodes);
/* Whether @url's scheme is redis+cluster:// or rediss+cluster://. */
gboolean  dt_redis_url_is_cluster     (const char         *url);
/* @url with the password of the userinfo and of ?password= replaced by
 * "***"; works on URLs that do not parse too, for logging them. */
char     *dt_redis_url_redact      (const char    *url);
/* Overwrites @secret before freeing it, so a password does not linger in
 * freed heap memory. */
void      dt_redis_url_free_secret (char          *secret);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtRedisUrl, dt_redis_url_free)

G_END_DECLS
