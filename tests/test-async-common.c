/* test-async-common.c: helpers the async test programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"
#include "test-async-common.h"

/* One server for most tests; each starts from an empty one. Tests that
 * kill or restart a server start their own. */
DtTestServer *server;

const char * const server_config[] = {
  /* DEBUG SLEEP holds a reply back for as long as a test needs. */
  "enable-debug-command yes",
  NULL
};

/* -- helpers ----------------------------------------------------------------- */

DtRedisInstance *
new_instance_for_url (const char *url,
                      guint       max_connections,
                      gdouble     socket_timeout)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_max_connections (config, max_connections);
  dt_redis_config_set_redis_socket_timeout (config, socket_timeout);
  return dt_redis_instance_new (config);
}

DtRedisInstance *
new_instance (DtTestServer *srv,
              guint         max_connections,
              gdouble       socket_timeout)
{
  return new_instance_for_url (dt_test_server_get_url (srv), max_connections, socket_timeout);
}

void
flush_server (DtTestServer *srv)
{
  g_autofree char *reply = dt_test_server_command (srv, "FLUSHALL", NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
}

void
reset_pool_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;
  g_autoptr(GError) error = NULL;

  dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* Closes the pool's sockets before the next test looks at CLIENT LIST. */
void
close_pool (DtRedisInstance *instance)
{
  gboolean done = FALSE;

  dt_redis_instance_reset_async_pool_async (instance, NULL, reset_pool_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

/* Runs the default context until the callback stored its result. */
GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Finishes a PING: TRUE when it had a reply, which the caller need not keep. */
gboolean
ping_finish_ok (DtRedisAsyncClient  *client,
                GAsyncResult        *result,
                GError             **error)
{
  g_autofree char *reply = dt_redis_async_client_ping_finish (client, result, error);

  return reply != NULL;
}

void
sync_set (DtTestServer *srv,
          const char   *key,
          const char   *value)
{
  g_autofree char *reply = dt_test_server_command (srv, "SET", key, value, NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
}

/* Clients of the server other than the one asking. */
guint
count_other_clients (DtTestServer *srv)
{
  g_autofree char *reply = dt_test_server_command (srv, "CLIENT", "LIST", NULL);
  g_auto(GStrv) lines = NULL;
  guint n = 0;

  g_assert_nonnull (reply);
  lines = g_strsplit (reply, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], "addr=") != NULL && strstr (lines[i], "cmd=client|list") == NULL)
        n++;
    }

  return n;
}

/* The server notices a close on its next event loop turn. */
void
wait_other_clients (DtTestServer *srv,
                    guint         expected)
{
  for (guint i = 0; i < 100 && count_other_clients (srv) != expected; i++)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
    }
  g_assert_cmpuint (count_other_clients (srv), ==, expected);
}

DtRedisPoolStats *
async_stats (DtRedisInstance *instance)
{
  return dt_redis_instance_get_async_pool_stats (instance);
}

void
batch_record_error (Batch  *batch,
                    GError *error)
{
  batch->n_errors++;
  if (batch->first_error == NULL)
    batch->first_error = g_steal_pointer (&error);
  else
    g_error_free (error);
}

void
get_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;
  GError *error = NULL;
  g_autofree char *value = NULL;
  char expected[32];

  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (error != NULL)
    batch_record_error (call->batch, error);
  else
    {
      /* Each reply belongs to its own command. */
      g_snprintf (expected, sizeof expected, "value-%u", call->index);
      g_assert_cmpstr (value, ==, expected);
      call->batch->n_ok++;
    }
  call->batch->n_done++;
}

void
wait_batch (Batch *batch,
            guint  n)
{
  while (batch->n_done < n)
    g_main_context_iteration (NULL, TRUE);
}
