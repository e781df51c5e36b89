/* dtredis-connection-route.c: opening a connection to the node a routing
 * layer names
 *
 * An endpoint with a sentinel names no address of its own: the sentinel
 * says which node to reach (dtredis-sentinel-private.h). A node that
 * cannot be reached or fails the handshake's role check is forgotten, so
 * that the next open asks again. Everything else is the direct open of
 * dtredis-connection-open.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dtredis-connection-private.h"
#include "dtredis-connection-io-private.h"
#include "dtredis-error.h"
#include "dtredis-sentinel-private.h"

DtRedisEndpoint *
dt_redis_routed_endpoint_new (DtRedisConfig  *config,
                              GError        **error)
{
  g_autoptr(DtRedisEndpoint) nodes = NULL;
  DtRedisEndpoint *self;

  nodes = dt_redis_endpoint_new_from_config (config, error);
  if (nodes == NULL)
    return NULL;
  if (dt_redis_config_get_redis_sentinels (config) == NULL)
    return g_steal_pointer (&nodes);

  /* The sentinel keeps the settings of the nodes (@nodes as it is), and
   * the routed endpoint a reference to it: no cycle. */
  self = dt_redis_endpoint_new_node (nodes, nodes->host != NULL ? nodes->host : "localhost",
                                     nodes->port);
  self->sentinel = dt_redis_sentinel_new (nodes, config);
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

static gboolean
same_address (const DtRedisEndpoint *a,
              const DtRedisEndpoint *b)
{
  return a->port == b->port && g_strcmp0 (a->host, b->host) == 0;
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
    return dt_redis_conn_open_direct (endpoint, cancellable, error);

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
  if (fresh == NULL || same_address (fresh, node))
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

  /* No data: a direct open. */
  if (data != NULL && error_means_stale_node (error))
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

/* Asking the sentinels blocks: it runs in a worker thread. */
static void
find_node_in_thread (GTask        *worker,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  RouteData *data = task_data;
  DtRedisEndpoint *node;
  GError *error = NULL;

  node = dt_redis_sentinel_dup_node (data->endpoint->sentinel, data->stale, cancellable, &error);
  if (node == NULL)
    g_task_return_error (worker, error);
  else
    g_task_return_pointer (worker, node, (GDestroyNotify) dt_redis_endpoint_unref);
}

static void
node_found_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  RouteData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->node = g_task_propagate_pointer (G_TASK (result), &error);
  if (data->node == NULL || (data->stale != NULL && same_address (data->node, data->stale)))
    {
      /* On a second try, the first failure says more. */
      if (data->first_error != NULL)
        {
          g_clear_error (&error);
          error = g_steal_pointer (&data->first_error);
        }
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  open_node (task);
}

/* The worker reads @task's data, which only this thread writes, and
 * only before and after it runs. */
static void
find_node (GTask *task)
{
  GTask *worker = g_task_new (NULL, g_task_get_cancellable (task), node_found_cb, task);

  g_task_set_source_tag (worker, find_node_in_thread);
  g_task_set_name (worker, "[dtredis] ask the sentinels");
  g_task_set_task_data (worker, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (worker, find_node_in_thread);
  g_object_unref (worker);
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
