/* web-handler.c: the seed's FastAPI app as a libsoup 3 server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   GET  /user/{user_id}            {"user_id":1,"name":"..."} or
 *                                   {"error":"User not found"}
 *   POST /user/{user_id}?name=NAME  stores the name, answers like GET
 *
 * One DtRedisInstance for the server; each request gets an async client
 * and pauses its SoupServerMessage until Redis answers, so that one slow
 * request never holds up the others.  The example listens on a free
 * 127.0.0.1 port, sends itself a few requests with a SoupSession, prints
 * the answers and exits.
 */

#include <string.h>
#include <libsoup/soup.h>
#include <dtredis.h>

/* -- JSON ---------------------------------------------------------------- */

static void
append_json_string (GString    *json,
                    const char *text)
{
  g_string_append_c (json, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_printf (json, "\\%c", *p);
      else if ((guchar) *p < 0x20)
        g_string_append_printf (json, "\\u%04x", (guint) *p);
      else
        g_string_append_c (json, *p);
    }
  g_string_append_c (json, '"');
}

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              GString           *json)
{
  gsize length = json->len;

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_string_free (json, FALSE), length);
}

static void
respond_user (SoupServerMessage *msg,
              gint64             user_id,
              const char        *name)
{
  GString *json = g_string_new (NULL);

  g_string_append_printf (json, "{\"user_id\":%" G_GINT64_FORMAT ",\"name\":", user_id);
  append_json_string (json, name);
  g_string_append_c (json, '}');
  respond_json (msg, SOUP_STATUS_OK, json);
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *key,
               const char        *message)
{
  GString *json = g_string_new ("{");

  append_json_string (json, key);
  g_string_append_c (json, ':');
  append_json_string (json, message);
  g_string_append_c (json, '}');
  respond_json (msg, status, json);
}

/* -- the server -------------------------------------------------------------- */

/* One request waiting for Redis. */
typedef struct
{
  SoupServerMessage *msg;
  gint64             user_id;
  char              *name;
} Request;

static Request *
request_new (SoupServerMessage *msg,
             gint64             user_id)
{
  Request *request = g_new0 (Request, 1);

  request->msg = g_object_ref (msg);
  request->user_id = user_id;
  /* libsoup sends nothing until the handler unpauses the message. */
  soup_server_message_pause (msg);

  return request;
}

static void
request_finish (Request *request)
{
  soup_server_message_unpause (request->msg);
  g_object_unref (request->msg);
  g_free (request->name);
  g_free (request);
}

static void
got_user (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  name = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error != NULL)
    respond_error (request->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "detail", error->message);
  else if (name != NULL)
    respond_user (request->msg, request->user_id, name);
  else
    respond_error (request->msg, SOUP_STATUS_OK, "error", "User not found");

  request_finish (request);
}

static void
user_created (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *request = user_data;
  g_autoptr(GError) error = NULL;

  if (!dt_redis_async_client_set_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error))
    respond_error (request->msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "detail", error->message);
  else
    respond_user (request->msg, request->user_id, request->name);

  request_finish (request);
}

static void
handle_user (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  DtRedisInstance *redis_instance = user_data;
  g_autoptr(DtRedisAsyncClient) client = NULL;
  g_autofree char *key = NULL;
  const char *method = soup_server_message_get_method (msg);
  const char *id;
  gint64 user_id;

  /* The handler is registered for "/user": take the id after "/user/". */
  if (!g_str_has_prefix (path, "/user/"))
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "detail", "Not Found");
      return;
    }
  id = path + strlen ("/user/");
  if (!g_ascii_string_to_signed (id, 10, G_MININT64, G_MAXINT64, &user_id, NULL))
    {
      respond_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "detail",
                     "user_id must be an integer");
      return;
    }

  client = dt_redis_instance_get_async_redis_client (redis_instance);
  key = g_strdup_printf ("user:%" G_GINT64_FORMAT ":name", user_id);

  if (strcmp (method, SOUP_METHOD_GET) == 0)
    {
      dt_redis_async_client_get_async (client, key, NULL, got_user,
                                       request_new (msg, user_id));
    }
  else if (strcmp (method, SOUP_METHOD_POST) == 0)
    {
      const char *name = query != NULL ? g_hash_table_lookup (query, "name") : NULL;
      Request *request;

      if (name == NULL)
        {
          respond_error (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "detail",
                         "the name query parameter is required");
          return;
        }
      request = request_new (msg, user_id);
      request->name = g_strdup (name);
      dt_redis_async_client_set_async (client, key, name, NULL, user_created,
                                       request);
    }
  else
    {
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "detail", "Method Not Allowed");
    }
}

/* -- the client side: a few requests, one after the other ------------------- */

static const struct
{
  const char *method;
  const char *path;
} requests[] = {
  { "GET", "/user/1" },
  { "POST", "/user/1?name=Alice" },
  { "GET", "/user/1" },
  { "POST", "/user/2?name=Bob%20Smith" },
  { "GET", "/user/2" },
  { "GET", "/user/3" },
  { "GET", "/user/abc" },
  { "POST", "/user/4" },
};

typedef struct
{
  GMainLoop   *loop;
  SoupSession *session;
  char        *base_uri;
  guint        next;
  int          exit_status;
} App;

static void send_next (App *app);

static void
got_response (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  App *app = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_printerr ("HTTP request failed: %s\n", error->message);
      app->exit_status = 1;
      g_main_loop_quit (app->loop);
      return;
    }

  g_print ("%s %s -> %u %.*s\n", soup_message_get_method (msg),
           requests[app->next].path, soup_message_get_status (msg),
           (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));

  app->next++;
  send_next (app);
}

static void
send_next (App *app)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;

  if (app->next == G_N_ELEMENTS (requests))
    {
      g_main_loop_quit (app->loop);
      return;
    }

  uri = g_strconcat (app->base_uri, requests[app->next].path, NULL);
  msg = soup_message_new (requests[app->next].method, uri);
  soup_session_send_and_read_async (app->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    got_response, app);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) redis_instance = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  GSList *uris;
  App app = { 0, };
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

  /* Global Redis instance */
  redis_instance = dt_redis_instance_new (config);

  server = soup_server_new ("server-header", "dtredis-example ", NULL);
  soup_server_add_handler (server, "/user", handle_user, redis_instance, NULL);
  /* Port 0: any free port, on the loopback interface only. */
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("Cannot listen: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  app.base_uri = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  session = soup_session_new ();
  /* The server is on this machine: never go through a proxy. */
  soup_session_set_proxy_resolver (session, NULL);

  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;
  app.session = session;

  send_next (&app);
  g_main_loop_run (loop);

  g_free (app.base_uri);
  return app.exit_status;
}
