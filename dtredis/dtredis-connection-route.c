/* dtredis-connection-route.c: opening a connection to the node a routing
 * layer names
 *
 * An endpoint with a sentinel names no address of its own: the sentinel
 * says which node to reach (dtredis-sentinel-private.h). A node that
 * cannot be reached or fails the handshake's role check is forgotten, and
 * the open asks the sentinels again and tries once more at once (nothing
 * was sent). Everything else is the direct open of
 * dtredis-connection-open.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-config-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-connection-io-private.h"
#include "dtredis-error.h"
#include "dtredis-sentinel-private.h"

DtRedisEndpoint *
dt_redis_routed_endpoint_new (DtRedisConfig  *config,
                              GError        **error)
{
  g_autoptr(DtRedisEndpoint) nodes = NULL;
  g_autoptr(DtRedisConfig) effective = NULL;
  DtRedisEndpoint *self;
  const char *url;

  nodes = dt_redis_endpoint_new_from_config (config, error);
  if (nodes == NULL)
    return NULL;

  /* What a URL says wins here too (a redis+sentinel:// one set with
   * set_redis_url()); it parsed above. */
  effective = dt_redis_config_copy (config);
  url = dt_redis_config_get_redis_url (config);
  if (url != NULL && !dt_redis_config_apply_url (effective, url, NULL, error))
    return NULL;
  if (dt_redis_config_get_redis_cluster_nodes (effective) != NULL)
    {
      const char * const *seeds = dt_redis_config_get_redis_cluster_nodes (effective);

      /* What is not routed by slot (pub/sub, MONITOR) goes to the first
       * seed that can be reached: classic PUBLISH reaches every node's
       * subscribers. */
      self = NULL;
      for (guint i = 0; seeds[i] != NULL; i++)
        {
          g_autofree char *host = NULL;
          guint16 port;

          if (!dt_redis_endpoint_parse_address (seeds[i], 6379, &host, &port, error))
            {
              g_clear_pointer (&self, dt_redis_endpoint_unref);
              return NULL;
            }
          if (self == NULL)
            self = dt_redis_endpoint_new_node (nodes, host, port);
          else
            {
              if (self->alternates == NULL)
                self->alternates = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_endpoint_unref);
              g_ptr_array_add (self->alternates, dt_redis_endpoint_new_node (nodes, host, port));
            }
        }
      return self;
    }
  if (dt_redis_config_get_redis_sentinels (effective) == NULL)
    return g_steal_pointer (&nodes);

  /* The sentinel keeps the settings of the nodes (@nodes as it is), and
   * the routed endpoint a reference to it: no cycle. */
  self = dt_redis_endpoint_new_node (nodes, nodes->host != NULL ? nodes->host : "localhost",
                                     nodes->port);
  self->sentinel = dt_redis_sentinel_new (nodes, effective);
  self->release_sentinel = dt_redis_sentinel_unref;
  self->routed_description = dt_redis_sentinel_describe (self->sentinel);
  return self;
}

/* Whether @error says that @node is the wrong node or unreachable, rather
 * than that something else (credentials, TLS, a cancel) failed. */
static gboolean
error_means_stale_node (const GError *error)
{
  return g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION) ||
         g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
}

DtRedisConnection *
dt_redis_connection_open (DtRedisEndpoint  *endpoint,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_autoptr(DtRedisEndpoint) node = NULL;
  g_autoptr(DtRedisEndpoint) fresh = NULL;
  GError *local_error = NULL;
  DtRedisConnection *conn;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (endpoint->sentinel == NULL)
    {
      conn = dt_redis_conn_open_direct (endpoint, cancellable, &local_error);
      /* A cluster seed that cannot be reached: the next one. */
      for (guint i = 0; conn == NULL && endpoint->alternates != NULL && i < endpoint->alternates->len &&
                        error_means_stale_node (local_error); i++)
        {
          g_clear_error (&local_error);
          conn = dt_redis_conn_open_direct (g_ptr_array_index (endpoint->alternates, i),
                                            cancellable, &local_error);
        }
      if (conn == NULL)
        g_propagate_error (error, local_error);
      return conn;
    }

  node = dt_redis_sentinel_dup_node (endpoint->sentinel, NULL, cancellable, error);
  if (node == NULL)
    return NULL;

  conn = dt_redis_conn_open_direct (node, cancellable, &local_error);
  if (conn != NULL || !error_means_stale_node (local_error))
    {
      if (local_error != NULL)
        g_propagate_error (error, local_error);
      return conn;
    }

  /* The node learned earlier is gone or has another role now: nothing was
   * sent, so one more try, with what the sentinels say now. */
  dt_redis_sentinel_forget_node (endpoint->sentinel, node);
  fresh = dt_redis_sentinel_dup_node (endpoint->sentinel, node, cancellable, NULL);
  if (fresh == NULL || dt_redis_endpoint_same_node (fresh, node))
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_clear_error (&local_error);

  conn = dt_redis_conn_open_direct (fresh, cancellable, &local_error);
  if (conn == NULL)
    {
      if (error_means_stale_node (local_error))
        dt_redis_sentinel_forget_node (endpoint->sentinel, fresh);
      g_propagate_error (error, local_error);
    }
  return conn;
}

typedef struct
{
  DtRedisEndpoint *endpoint;
  DtRedisEndpoint *node;
  DtRedisEndpoint *stale;     /* the node that failed first, once */
  GError          *first_error;
  guint            next_alternate; /* cluster seeds: the next to try */
} RouteData;

static void
route_data_free (RouteData *data)
{
  g_clear_pointer (&data->endpoint, dt_redis_endpoint_unref);
  g_clear_pointer (&data->node, dt_redis_endpoint_unref);
  g_clear_pointer (&data->stale, dt_redis_endpoint_unref);
  g_clear_error (&data->first_error);
  g_free (data);
}

static void find_node (GTask *task);

static void
node_opened_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  RouteData *data = g_task_get_task_data (task);
  DtRedisConnection *conn;
  GError *error = NULL;

  conn = dt_redis_conn_open_direct_finish (result, &error);
  if (conn != NULL)
    {
      g_task_return_pointer (task, conn, (GDestroyNotify) dt_redis_connection_free);
      g_object_unref (task);
      return;
    }

  /* No data: a direct open. Cluster seeds: the next one, while none
   * could be reached (nothing was sent). */
  if (data != NULL && data->endpoint->sentinel == NULL)
    {
      if (error_means_stale_node (error) && data->next_alternate < data->endpoint->alternates->len)
        {
          DtRedisEndpoint *next = g_ptr_array_index (data->endpoint->alternates, data->next_alternate++);

          g_error_free (error);
          dt_redis_conn_open_direct_async (next, g_task_get_cancellable (task), node_opened_cb, task);
          return;
        }
    }
  else if (data != NULL && error_means_stale_node (error))
    {
      dt_redis_sentinel_forget_node (data->endpoint->sentinel, data->node);
      /* Nothing was sent: one more try, with what the sentinels say now. */
      if (data->stale == NULL)
        {
          data->stale = g_steal_pointer (&data->node);
          data->first_error = error;
          find_node (task);
          return;
        }
    }
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
open_node (GTask *task)
{
  RouteData *data = g_task_get_task_data (task);

  dt_redis_conn_open_direct_async (data->node, g_task_get_cancellable (task),
                                   node_opened_cb, task);
}

/* Asking the sentinels blocks: it runs in a thread of its own (not GLib's
 * pool, whose hand-offs ThreadSanitizer cannot follow), which gives the
 * answer back to the task's main context with an idle source. The data
 * crosses under this lock: each side takes it after writing and before
 * reading. */
static GMutex handoff_mutex;

typedef struct
{
  GTask           *task;      /* the route's, owned while asking */
  DtRedisEndpoint *node;      /* the answer, or NULL with error */
  GError          *error;
} Ask;

static gboolean
ask_done_cb (gpointer user_data)
{
  Ask *ask = user_data;
  GTask *task;
  RouteData *data;
  GError *error;

  g_mutex_lock (&handoff_mutex);
  task = ask->task;
  data = g_task_get_task_data (task);
  data->node = g_steal_pointer (&ask->node);
  error = g_steal_pointer (&ask->error);
  g_mutex_unlock (&handoff_mutex);
  g_free (ask);

  if (data->node == NULL || dt_redis_endpoint_same_node (data->node, data->stale))
    {
      /* On a second try, the first failure says more. */
      if (data->first_error != NULL)
        {
          g_clear_error (&error);
          error = g_steal_pointer (&data->first_error);
        }
      g_task_return_error (task, error);
      g_object_unref (task);
      return G_SOURCE_REMOVE;
    }

  open_node (task);
  return G_SOURCE_REMOVE;
}

static gpointer
ask_thread (gpointer user_data)
{
  Ask *ask = user_data;
  DtRedisEndpoint *node;
  DtRedisSentinel *sentinel;
  DtRedisEndpoint *stale;
  GCancellable *cancellable;
  GMainContext *context;
  GError *error = NULL;
  GSource *idle;

  g_mutex_lock (&handoff_mutex);
  sentinel = ((RouteData *) g_task_get_task_data (ask->task))->endpoint->sentinel;
  stale = ((RouteData *) g_task_get_task_data (ask->task))->stale;
  cancellable = g_task_get_cancellable (ask->task);
  context = g_task_get_context (ask->task);
  g_mutex_unlock (&handoff_mutex);

  node = dt_redis_sentinel_dup_node (sentinel, stale, cancellable, &error);

  g_mutex_lock (&handoff_mutex);
  ask->node = node;
  ask->error = error;
  idle = g_idle_source_new ();
  g_source_set_callback (idle, ask_done_cb, ask, NULL);
  g_source_set_static_name (idle, "[dtredis] sentinel answer");
  g_source_attach (idle, context);
  g_source_unref (idle);
  g_mutex_unlock (&handoff_mutex);

  return NULL;
}

/* The task and its data stay alive while the thread runs: the task is
 * only returned from ask_done_cb. */
static void
find_node (GTask *task)
{
  Ask *ask = g_new0 (Ask, 1);

  g_mutex_lock (&handoff_mutex);
  ask->task = task;
  g_mutex_unlock (&handoff_mutex);
  g_thread_unref (g_thread_new ("dtredis-sentinel-ask", ask_thread, ask));
}

void
dt_redis_connection_open_async (DtRedisEndpoint     *endpoint,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  RouteData *data;

  g_return_if_fail (endpoint != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_connection_open_async);
  g_task_set_name (task, "[dtredis] open routed connection");

  if (endpoint->sentinel == NULL && endpoint->alternates != NULL)
    {
      data = g_new0 (RouteData, 1);
      data->endpoint = dt_redis_endpoint_ref (endpoint);
      g_task_set_task_data (task, data, (GDestroyNotify) route_data_free);
      dt_redis_conn_open_direct_async (endpoint, cancellable, node_opened_cb, task);
      return;
    }
  if (endpoint->sentinel == NULL)
    {
      dt_redis_conn_open_direct_async (endpoint, cancellable, node_opened_cb, task);
      return;
    }

  data = g_new0 (RouteData, 1);
  data->endpoint = dt_redis_endpoint_ref (endpoint);
  data->node = dt_redis_sentinel_peek_node (endpoint->sentinel);
  g_task_set_task_data (task, data, (GDestroyNotify) route_data_free);

  if (data->node != NULL)
    open_node (task);
  else
    find_node (task);
}

DtRedisConnection *
dt_redis_connection_open_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_connection_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
