/* example7-sessions.c: the seed's Example 7, sessions with a TTL in db 1
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>

#define SESSION_TTL 3600 /* 1 hour */

typedef struct
{
  DtRedisInstance *redis;
  gint64           session_ttl;
} SessionManager;

static SessionManager *
session_manager_new (DtRedisInstance *redis_instance)
{
  SessionManager *self = g_new0 (SessionManager, 1);

  self->redis = g_object_ref (redis_instance);
  self->session_ttl = SESSION_TTL;

  return self;
}

static void
session_manager_free (SessionManager *self)
{
  g_object_unref (self->redis);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SessionManager, session_manager_free)

/* Creates a new session; returns its id. */
static char *
session_manager_create_session (SessionManager  *self,
                                gint64           user_id,
                                GError         **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (self->redis);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *session_id = g_uuid_string_random ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%f");
  g_autofree char *key = g_strconcat ("session:", session_id, NULL);
  g_autofree char *session_data = NULL;

  session_data = g_strdup_printf ("{\"user_id\": %" G_GINT64_FORMAT ", "
                                  "\"created_at\": \"%s\", \"last_accessed\": \"%s\"}",
                                  user_id, timestamp, timestamp);

  if (!dt_redis_client_setex (client, key, self->session_ttl, session_data, NULL, error))
    return NULL;

  return g_steal_pointer (&session_id);
}

/* Gets the session data, refreshing its TTL; NULL without an error when
 * there is no such session. */
static char *
session_manager_get_session (SessionManager  *self,
                             const char      *session_id,
                             GError         **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (self->redis);
  g_autofree char *key = g_strconcat ("session:", session_id, NULL);
  g_autofree char *data = NULL;

  data = dt_redis_client_get (client, key, NULL, error);
  if (data == NULL)
    return NULL;

  /* Refresh TTL; FALSE without an error if the key went away meanwhile. */
  if (!dt_redis_client_expire (client, key, self->session_ttl, NULL, error))
    return NULL;

  return g_steal_pointer (&data);
}

static gboolean
session_manager_delete_session (SessionManager  *self,
                                const char      *session_id,
                                GError         **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (self->redis);
  g_autofree char *key = g_strconcat ("session:", session_id, NULL);
  g_autoptr(GError) local_error = NULL;

  dt_redis_client_delete (client, (const char * const[]) { key, NULL }, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return TRUE;
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(SessionManager) session_mgr = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *session = NULL;
  g_autofree char *deleted = NULL;
  const char *url;

  url = g_getenv ("REDIS_URL");
  if (url == NULL)
    url = "redis://localhost:6379/0";

  config = dt_redis_config_new_from_url (url, &error);
  if (config == NULL)
    {
      g_printerr ("Bad REDIS_URL: %s\n", error->message);
      return 1;
    }
  /* Keep the host, port and credentials the URL gave, without the URL
   * itself (it would win over the db), and use a separate DB for sessions. */
  dt_redis_config_set_redis_db (dt_redis_config_set_redis_url (config, NULL), "1");

  redis_instance = dt_redis_instance_new (config);
  g_print ("Connecting to: %s\n", dt_redis_instance_get_redis_url (redis_instance));
  session_mgr = session_manager_new (redis_instance);

  /* Create session */
  session_id = session_manager_create_session (session_mgr, 123, &error);
  if (session_id == NULL)
    {
      g_printerr ("Could not create the session: %s\n", error->message);
      return 1;
    }
  g_print ("Created session: %s\n", session_id);

  /* Get session */
  session = session_manager_get_session (session_mgr, session_id, &error);
  if (session == NULL)
    {
      g_printerr ("Could not get the session: %s\n",
                  error != NULL ? error->message : "it is gone");
      return 1;
    }
  g_print ("Session data: %s\n", session);

  /* Delete session */
  if (!session_manager_delete_session (session_mgr, session_id, &error))
    {
      g_printerr ("Could not delete the session: %s\n", error->message);
      return 1;
    }

  deleted = session_manager_get_session (session_mgr, session_id, &error);
  if (error != NULL)
    {
      g_printerr ("Could not get the session: %s\n", error->message);
      return 1;
    }
  g_print ("Session after delete: %s\n", deleted == NULL ? "none" : "still there");

  return 0;
}
