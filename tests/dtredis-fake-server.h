/* dtredis-fake-server.h: an in-process RESP server that misbehaves on purpose
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_GARBAGE, NULL);
 *   g_autofree char *url = dt_fake_server_get_url (fake);
 *
 *   ... run the code under test against url, expect DT_REDIS_ERROR_PROTOCOL ...
 *   g_assert_cmpuint (dt_fake_server_get_n_accepted (fake), ==, 1);
 *
 * It listens on a free 127.0.0.1 port from its own threads; free() closes
 * every connection and joins them, whatever the clients are doing.
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * DtFakeMode:
 * @DT_FAKE_MODE_REPLY: answer each command with the payload (default `+OK\r\n`)
 * @DT_FAKE_MODE_GARBAGE: answer each command with garbage (default `!garbage\r\n`)
 * @DT_FAKE_MODE_TRUNCATE: answer the first command with the payload (default
 *   `$10\r\nabc`, a bulk cut short) and close the connection
 * @DT_FAKE_MODE_SILENT: accept and read, never answer, never close
 * @DT_FAKE_MODE_CLOSE: close each connection right after accept
 * @DT_FAKE_MODE_DROP: read the first command, then close without answering
 * @DT_FAKE_MODE_DELAY: answer each command with the payload (default
 *   `+OK\r\n`) after the delay (dt_fake_server_set_delay(), default 1000 ms)
 * @DT_FAKE_MODE_HUGE_BULK: answer the first command with the payload (default
 *   `$4294967296\r\n`), then send one `x` per delay period (default 50 ms)
 *   until the client goes away
 * @DT_FAKE_MODE_SCRIPT: answer the n-th command of each connection with the
 *   n-th line of the script (dt_fake_server_new_script()); stay silent after
 *   the last one
 * @DT_FAKE_MODE_STRAY: answer `GET key` with a bulk string holding the key's
 *   name, `PING` with `+PONG` and anything else with `+OK`; after the first
 *   `GET` of each connection has its answer, wait the delay (default 100 ms)
 *   and send the payload (default `$5\r\nstray\r\n`) unasked, once
 * @DT_FAKE_MODE_ENDLESS_LINE: like %DT_FAKE_MODE_STRAY for commands other
 *   than `GET`; answer the first `GET` with the payload (default `+`), then
 *   with 64 KiB of `a` per delay period (default 1 ms), never a line end,
 *   until the client goes away
 *
 * @DT_FAKE_MODE_SENTINEL: a Redis Sentinel that names whatever it is told:
 *   `SENTINEL GET-MASTER-ADDR-BY-NAME` gets the payload (`"host port"`,
 *   changed with dt_fake_server_set_payload()), `SENTINEL SENTINELS` and
 *   `REPLICAS` an empty array, `SUBSCRIBE` its confirmation (and then no
 *   event ever), anything else `+OK`
 *
 * @DT_FAKE_MODE_HANDLER: answer each command with what the handler
 *   returns (dt_fake_server_new_handler()), called in the connection's
 *   thread
 *
 * Every mode reads whole commands (RESP arrays or inline commands) before
 * answering, so pipelined commands get one answer each.
 */
typedef enum
{
  DT_FAKE_MODE_REPLY,
  DT_FAKE_MODE_GARBAGE,
  DT_FAKE_MODE_TRUNCATE,
  DT_FAKE_MODE_SILENT,
  DT_FAKE_MODE_CLOSE,
  DT_FAKE_MODE_DROP,
  DT_FAKE_MODE_DELAY,
  DT_FAKE_MODE_HUGE_BULK,
  DT_FAKE_MODE_SCRIPT,
  DT_FAKE_MODE_STRAY,
  DT_FAKE_MODE_ENDLESS_LINE,
  DT_FAKE_MODE_SENTINEL,
  DT_FAKE_MODE_HANDLER,
} DtFakeMode;

typedef struct _DtFakeServer DtFakeServer;

DtFakeServer *dt_fake_server_new            (DtFakeMode          mode,
                                             const char         *payload);
DtFakeServer *dt_fake_server_new_script     (const char * const *replies);
/* The RESP text to answer the command @args (char *, NUL-terminated
 * arguments) with (transfer full); NULL closes the connection. Runs in
 * any of the server's threads. */
typedef char *(*DtFakeHandler) (DtFakeServer *server,
                                GPtrArray    *args,
                                gpointer      user_data);
DtFakeServer *dt_fake_server_new_handler    (DtFakeHandler       handler,
                                             gpointer            user_data);
void          dt_fake_server_set_delay      (DtFakeServer       *server,
                                             guint               delay_ms);
/* Replaces the payload; the next answers use it. */
void          dt_fake_server_set_payload    (DtFakeServer       *server,
                                             const char         *payload);
guint16       dt_fake_server_get_port       (DtFakeServer       *server);
char         *dt_fake_server_get_url        (DtFakeServer       *server);
guint         dt_fake_server_get_n_accepted (DtFakeServer       *server);
guint         dt_fake_server_get_n_commands (DtFakeServer       *server);
char         *dt_fake_server_get_last_command (DtFakeServer     *server);
void          dt_fake_server_free           (DtFakeServer       *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DtFakeServer, dt_fake_server_free)

G_END_DECLS
