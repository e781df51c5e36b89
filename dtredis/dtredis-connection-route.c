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
  GError *local_error = NULL;
  DtRedisConnection *conn;

  g_return_val_if_fail (endpoint != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (endpoint->sentinel == NULL)
    return dt_redis_conn_open_direct (endpoint, cancellable, error);

  node = dt_redis_sentinel_dup_node (endpoint->sentinel, cancellable, error);
  if (node == NULL)
    return NULL;

  conn = dt_redis_conn_open_direct (node, cancellable, &local_error);
  if (conn == NULL)
    {
      if (error_means_stale_node (local_error))
        dt_redis_sentinel_forget_node (endpoint->sentinel, node);
      g_propagate_error (error, local_error);
    }
  return conn;
}

typedef struct
{
  DtRedisEndpoint *endpoint;
  DtRedisEndpoint *node;
} RouteData;

static void
route_data_free (RouteData *data)
{
  g_clear_pointer (&data->endpoint, dt_redis_endpoint_unref);
  g_clear_pointer (&data->node, dt_redis_endpoint_unref);
  g_free (data);
}

static void
node_opened_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RouteData *data = g_task_get_task_data (task);
  DtRedisConnection *conn;
  GError *error = NULL;

  conn = dt_redis_conn_open_direct_finish (result, &error);
  if (conn == NULL)
    {
      /* No data: a direct open. */
      if (data != NULL && error_means_stale_node (error))
        dt_redis_sentinel_forget_node (data->endpoint->sentinel, data->node);
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, conn, (GDestroyNotify) dt_redis_connection_free);
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
  DtRedisSentinel *sentinel = task_data;
  DtRedisEndpoint *node;
  GError *error = NULL;

  node = dt_redis_sentinel_dup_node (sentinel, cancellable, &error);
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
  if (data->node == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  open_node (task);
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
    {
      open_node (task);
      return;
    }

  {
    GTask *worker = g_task_new (NULL, cancellable, node_found_cb, task);

    g_task_set_source_tag (worker, find_node_in_thread);
    g_task_set_name (worker, "[dtredis] ask the sentinels");
    g_task_set_task_data (worker, dt_redis_sentinel_ref (endpoint->sentinel),
                          (GDestroyNotify) dt_redis_sentinel_unref);
    g_task_run_in_thread (worker, find_node_in_thread);
    g_object_unref (worker);
  }
}

DtRedisConnection *
dt_redis_connection_open_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == dt_redis_connection_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
