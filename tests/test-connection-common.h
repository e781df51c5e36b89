/* test-connection-common.h: what the two test programs of this area share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dtredis.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <string.h>
#include <sys/socket.h>
#include "dtredis-connection-private.h"
#include "dtredis-endpoint-private.h"
#include "dtredis-test-server.h"
#include "dtredis-fake-server.h"

#define PASSWORD "s3cret-Pa55"

#define ALICE_PASSWORD "alice-Pa55"

extern DtTestServer *server;
extern DtTestServer *auth_server;
DtRedisConfig *new_config (const char *host,
                           guint       port);
DtRedisConfig *server_config (DtTestServer *srv);
DtRedisConfig *fake_config (DtFakeServer *fake);
DtRedisEndpoint *endpoint_from (DtRedisConfig *config);
DtRedisConnection *open_config (DtRedisConfig  *config,
                                GError        **error);
DtRedisConnection *open_ok (DtRedisConfig *config);
DtRedisReply *run (DtRedisConnection  *conn,
                   GError            **error,
                   const char         *first,
                   ...);
void assert_status (DtRedisReply *reply,
                    const char   *status);
void assert_ping (DtRedisConnection *conn);
char *client_line (DtTestServer *srv,
                   const char   *name);
gdouble seconds_since (gint64 start);
void connection_servers_start (void);
void connection_servers_stop (void);
