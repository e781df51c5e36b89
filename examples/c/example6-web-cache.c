/* example6-web-cache.c: the seed's Example 6, fetching pages through a cache
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fetch_url_cached_async() looks a URL up in Redis first, fetches it with
 * a SoupSession on a miss and caches the body with SETEX.  Three URLs are
 * fetched concurrently, twice: the first round fetches, the second is
 * served from the cache.  The pages come from a SoupServer this program
 * runs on 127.0.0.1, never from the internet.
 */

#include <string.h>
#include <libsoup/soup.h>
#include <dtredis.h>

#define CACHE_TTL 3600

/* -- fetch_url_cached_async ---------------------------------------------- */

typedef struct
{
  DtRedisAsyncClient *client;
  SoupSession        *session;
  char               *url;
  char               *cache_key;
  gint64              ttl;
  char               *content;
} FetchData;

static void
fetch_data_free (FetchData *data)
{
  g_clear_object (&data->client);
  g_clear_object (&data->session);
  g_free (data->url);
  g_free (data->cache_key);
  g_free (data->content);
  g_free (data);
}

static void
cached (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!dt_redis_async_client_setex_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->content), g_free);
}

static void
fetched (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr(GBytes) body = NULL;
  GError *error = NULL;
  const char *page;
  gsize size;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: HTTP %u",
                               data->url, soup_message_get_status (msg));
      return;
    }

  /* The page as text, like Python's response.text. */
  page = g_bytes_get_data (body, &size);
  data->content = g_strndup (page, size);

  /* Cache result */
  dt_redis_async_client_setex_async (data->client, data->cache_key, data->ttl, data->content,
                                     cancellable, cached, g_steal_pointer (&task));
}

static void
cache_looked_up (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FetchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(SoupMessage) msg = NULL;
  GError *error = NULL;
  char *hit;

  hit = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (hit != NULL)
    {
      g_print ("Cache hit: %s\n", data->url);
      g_task_return_pointer (task, hit, g_free);
      return;
    }

  /* Fetch from web */
  g_print ("Fetching: %s\n", data->url);
  msg = soup_message_new (SOUP_METHOD_GET, data->url);
  soup_session_send_and_read_async (data->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    fetched, g_steal_pointer (&task));
}

static void
fetch_url_cached_async (DtRedisInstance     *redis_instance,
                        SoupSession         *session,
                        const char          *url,
                        gint64               ttl,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  FetchData *data;

  task = g_task_new (redis_instance, cancellable, callback, user_data);
  g_task_set_source_tag (task, fetch_url_cached_async);

  data = g_new0 (FetchData, 1);
  data->client = dt_redis_instance_get_async_redis_client (redis_instance);
  data->session = g_object_ref (session);
  data->url = g_strdup (url);
  data->cache_key = g_strconcat ("cache:url:", url, NULL);
  data->ttl = ttl;
  g_task_set_task_data (task, data, (GDestroyNotify) fetch_data_free);

  /* Try cache first */
  dt_redis_async_client_get_async (data->client, data->cache_key, cancellable,
                                   cache_looked_up, task);
}

static char *
fetch_url_cached_finish (DtRedisInstance  *redis_instance,
                         GAsyncResult     *result,
                         GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, redis_instance), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* -- the pages ---------------------------------------------------------------- */

static guint pages_served;

static void
serve_page (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  g_autofree char *page = NULL;

  if (strcmp (path, "/example.com") != 0 && strcmp (path, "/example.org") != 0 &&
      strcmp (path, "/example.net") != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  pages_served++;
  page = g_strdup_printf ("<html><body><h1>%s</h1></body></html>", path + 1);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_COPY, page, strlen (page));
}

/* -- main ----------------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  guint      pending;
  guint      n_fetched;
  int        exit_status;
} App;

static void
page_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  App *app = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *content = NULL;

  content = fetch_url_cached_finish (DT_REDIS_INSTANCE (source), result, &error);
  if (content == NULL)
    {
      g_printerr ("Fetch failed: %s\n", error->message);
      app->exit_status = 1;
    }
  else
    app->n_fetched++;

  if (--app->pending == 0)
    g_main_loop_quit (app->loop);
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
  const char *paths[] = { "/example.com", "/example.org", "/example.net" };
  char *urls[G_N_ELEMENTS (paths)];
  GSList *uris;
  int port;
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
  redis_instance = dt_redis_instance_new (config);

  /* Three pages on a local server: the example never leaves this machine. */
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, serve_page, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("Cannot listen: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  for (gsize i = 0; i < G_N_ELEMENTS (paths); i++)
    urls[i] = g_strdup_printf ("http://127.0.0.1:%d%s", port, paths[i]);

  session = soup_session_new ();
  soup_session_set_proxy_resolver (session, NULL);
  loop = g_main_loop_new (NULL, FALSE);
  app.loop = loop;

  /* Fetch concurrently, twice: the second round comes from the cache. */
  for (int round = 0; round < 2 && app.exit_status == 0; round++)
    {
      app.pending = G_N_ELEMENTS (urls);
      app.n_fetched = 0;
      for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
        fetch_url_cached_async (redis_instance, session, urls[i], CACHE_TTL, NULL,
                                page_ready, &app);
      g_main_loop_run (loop);
      g_print ("Fetched %u pages\n", app.n_fetched);
    }
  g_print ("The web server answered %u requests\n", pages_served);

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    g_free (urls[i]);

  return app.exit_status;
}
