/* dtredis-test-raw-conn.h: a tiny blocking RESP client for the test
 * harness (dtredis-test-server.c), independent of the library under test
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSocket *socket;
  GString *buf;
  gsize    pos;
} RawConn;

void dt_test_raw_conn_close (RawConn *conn);
gboolean dt_test_raw_conn_open (RawConn   *conn,
                                guint16    port,
                                guint      timeout_seconds,
                                GError   **error);
char *dt_test_raw_conn_roundtrip (RawConn             *conn,
                                  const char * const  *argv,
                                  GError             **error);

G_END_DECLS
