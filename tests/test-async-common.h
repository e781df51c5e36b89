/* test-async-common.h: what the async test programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dtredis.h>
#include <math.h>
#include <string.h>
#include "dtredis-fake-server.h"
#include "dtredis-test-server.h"

typedef struct
{
  guint   n_done;
  guint   n_ok;
  guint   n_errors;
  GError *first_error;
} Batch;

typedef struct
{
  Batch *batch;
  guint  index;
} Call;

extern DtTestServer *server;
extern const char * const server_config[];
DtRedisInstance *new_instance_for_url (const char *url,
                                       guint       max_connections,
                                       gdouble     socket_timeout);
DtRedisInstance *new_instance (DtTestServer *srv,
                               guint         max_connections,
                               gdouble       socket_timeout);
void flush_server (DtTestServer *srv);
void reset_pool_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data);
void close_pool (DtRedisInstance *instance);
void store_result_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data);
GAsyncResult *wait_result (GAsyncResult **slot);
gboolean ping_finish_ok (DtRedisAsyncClient  *client,
                         GAsyncResult        *result,
                         GError             **error);
void sync_set (DtTestServer *srv,
               const char   *key,
               const char   *value);
guint count_other_clients (DtTestServer *srv);
void wait_other_clients (DtTestServer *srv,
                         guint         expected);
DtRedisPoolStats *async_stats (DtRedisInstance *instance);
void batch_record_error (Batch  *batch,
                         GError *error);
void get_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data);
void wait_batch (Batch *batch,
                 guint  n);
