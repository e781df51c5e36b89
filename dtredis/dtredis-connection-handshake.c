/* dtredis-connection-handshake.c: the Redis handshake of a new connection
 *
 * AUTH, SELECT, CLIENT SETNAME and, for a node a routing layer named,
 * ROLE: written once, checked reply by reply, for both ways of opening
 * (dtredis-connection-open.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-error.h"
#include "dtredis-connection-private.h"
#include "dtredis-resp-private.h"
#include "dtredis-value-private.h"
#include "dtredis-connection-io-private.h"

static void
append_command (GByteArray *out,
                guint       argc,
                const char *argv0,
                const char *argv1,
                const char *argv2)
{
  const char *argv[3] = { argv0, argv1, argv2 };
  gsize lens[3];

  for (guint i = 0; i < argc; i++)
    lens[i] = strlen (argv[i]);
  dt_redis_resp_append_command (out, argc, argv, lens);
}

/* AUTH, SELECT, CLIENT SETNAME, READONLY for a Cluster node read from
 * as a replica and, for a node a routing layer named, ROLE in one
 * buffer: one write, one round trip. */
void
dt_redis_handshake_init (Handshake       *hs,
                         DtRedisEndpoint *endpoint)
{
  hs->payload = g_byte_array_new ();
  hs->n_replies = 0;

  if (endpoint->password != NULL || endpoint->username != NULL)
    {
      /* A user without a password is an ACL user with nopass, which
       * accepts any password. */
      if (endpoint->username != NULL)
        append_command (hs->payload, 3, "AUTH", endpoint->username,
                        endpoint->password != NULL ? endpoint->password : "");
      else
        append_command (hs->payload, 2, "AUTH", endpoint->password, NULL);
      hs->n_replies++;
    }

  if (endpoint->db != 0)
    {
      char db[16];

      g_snprintf (db, sizeof db, "%u", endpoint->db);
      append_command (hs->payload, 2, "SELECT", db, NULL);
      hs->n_replies++;
    }

  if (endpoint->client_name != NULL)
    {
      append_command (hs->payload, 3, "CLIENT", "SETNAME", endpoint->client_name);
      hs->n_replies++;
    }

  if (endpoint->cluster_readonly)
    {
      append_command (hs->payload, 1, "READONLY", NULL, NULL);
      hs->n_replies++;
    }

  /* Last, so that it runs authenticated. */
  if (endpoint->expected_role != NULL)
    {
      append_command (hs->payload, 1, "ROLE", NULL, NULL);
      hs->n_replies++;
    }
}

void
dt_redis_handshake_clear (Handshake *hs)
{
  /* The payload holds the password. */
  if (hs->payload != NULL && hs->payload->len > 0)
    memset (hs->payload->data, 0, hs->payload->len);
  g_clear_pointer (&hs->payload, g_byte_array_unref);
}

/* @text with the password, should a server ever echo it, masked. */
static char *
scrub_password (const char *text,
                const char *password)
{
  g_auto(GStrv) parts = NULL;

  if (password == NULL || *password == '\0' || strstr (text, password) == NULL)
    return g_strdup (text);

  parts = g_strsplit (text, password, -1);
  return g_strjoinv ("***", parts);
}

/* The node must have the role the routing layer expects of it: a
 * master that was demoted, or a replica promoted, is not used. */
static GError *
check_role (DtRedisEndpoint *endpoint,
            const char      *description,
            DtRedisReply    *reply)
{
  DtRedisReply *first = NULL;
  const char *role = NULL;

  if (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_ARRAY &&
      dt_redis_reply_get_n_elements (reply) > 0)
    first = dt_redis_reply_get_element (reply, 0);
  if (first != NULL && dt_redis_reply_get_reply_type (first) == DT_REDIS_REPLY_STRING)
    role = dt_redis_reply_get_text (first, NULL);

  if (g_strcmp0 (role, endpoint->expected_role) == 0)
    return NULL;

  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                      _("%s is a %s, not the %s it was said to be: the topology has changed"),
                      description, role != NULL ? role : "?", endpoint->expected_role);
}

/* The error for the handshake's reply number @index, NULL when it is no
 * error. */
GError *
dt_redis_handshake_check_reply (const Handshake *hs,
                                DtRedisEndpoint *endpoint,
                                const char      *description,
                                guint            index,
                                DtRedisReply    *reply)
{
  g_autofree char *scrubbed = NULL;

  if (!dt_redis_reply_is_error (reply))
    {
      if (endpoint->expected_role != NULL && index + 1 == hs->n_replies)
        return check_role (endpoint, description, reply);
      return NULL;
    }

  scrubbed = scrub_password (dt_redis_reply_get_string (reply, NULL), endpoint->password);

  /* Not every refusal of AUTH is about the credentials: a full server
   * answers "max number of clients", a starting one LOADING. */
  return g_error_new_literal (DT_REDIS_ERROR, dt_redis_value_error_code_for_text (scrubbed, TRUE),
                              scrubbed);
}
