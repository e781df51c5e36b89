/* test-integrity-guards.c: the client's guards hold when the server turns hostile
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The scenarios of issue 9 where a guard of the client must hold, through
 * the sync path (DtRedisClient, dt_redis_pipeline_execute) and the async
 * path (DtRedisAsyncClient, *_async on the thread-default main context):
 *
 *   /integrity/watch/...          WATCH guards the read-modify-write
 *   /integrity/cancel/...         a cancelled BLPOP eats nothing pushed later
 *   /integrity/errors/...         NOAUTH, WRONGPASS, maxclients, LOADING,
 *                                 READONLY, OOM each in their class
 *   /integrity/bounds/...         an endless line or a dribbled bulk fails
 *                                 within socket-timeout, RSS flat
 *
 * Upper time bounds are multiplied by dt_test_time_scale().  The
 * at-most-once scenarios (CLIENT KILL, stray replies, SIGSTOP) are in
 * test-at-most-once.c.
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-fake-server.h"
#include "dtredis-integrity-helpers.h"
#include "dtredis-test-server.h"

/* -- 3. WATCH guards ------------------------------------------------------------ */

static DtRedisReply *
immediate (DtRedisPipeline     *pipe,
           gboolean             is_async,
           const char * const  *argv,
           GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!is_async)
    return dt_redis_pipeline_execute_immediate (pipe, argv, NULL, error);
  dt_redis_pipeline_execute_immediate_async (pipe, argv, NULL, store_result_cb, &result);
  return dt_redis_pipeline_execute_immediate_finish (pipe, wait_result (&result), error);
}

static gboolean
watch (DtRedisPipeline     *pipe,
       gboolean             is_async,
       const char * const  *keys,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  if (!is_async)
    return dt_redis_pipeline_watch (pipe, keys, NULL, error);
  dt_redis_pipeline_watch_async (pipe, keys, NULL, store_result_cb, &result);
  return dt_redis_pipeline_watch_finish (pipe, wait_result (&result), error);
}

static GPtrArray *
execute (DtRedisPipeline  *pipe,
         gboolean          is_async,
         GError          **error)
{
  if (!is_async)
    return dt_redis_pipeline_execute (pipe, NULL, error);
  return async_pipeline_execute (pipe, error);
}

static char *
server_get (DtTestServer *server,
            const char   *key)
{
  g_autofree char *raw = dt_test_server_command (server, "GET", key, NULL);
  const char *nl;

  g_assert_nonnull (raw);
  if (g_str_has_prefix (raw, "$-1"))
    return NULL;
  nl = strchr (raw, '\n');
  return g_strndup (nl + 1, strlen (nl + 1) - 2);
}

/* watch k; v = GET k; [another client: SET k theirs]; MULTI; SET k mine; EXEC */
static void
check_watch (DtTestServer    *server,
             DtRedisInstance *instance,
             gboolean         is_async,
             gboolean         concurrent)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(DtRedisReply) read = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *final = NULL;
  const char *what = is_async ? "async" : "sync";

  server_ok (server, "SET", "w:k", "start", NULL);
  g_assert_true (watch (pipe, is_async, STRV ("w:k"), &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_pipeline_get_watching (pipe));
  read = immediate (pipe, is_async, STRV ("GET", "w:k"), &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (read), ==, DT_REDIS_REPLY_STRING);
  g_assert_cmpstr (dt_redis_reply_get_string (read, NULL), ==, "start");

  if (concurrent)
    server_ok (server, "SET", "w:k", "theirs", NULL);

  dt_redis_pipeline_append (pipe, STRV ("SET", "w:k", "mine"));
  replies = execute (pipe, is_async, &error);
  final = server_get (server, "w:k");
  if (concurrent)
    {
      g_test_message ("%s, concurrent write between the read and EXEC: %s; w:k = %s", what,
                      error != NULL ? error->message : "EXEC succeeded", final);
      g_assert_null (replies);
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TRANSACTION_ABORTED);
      /* The other client's write survives. */
      g_assert_cmpstr (final, ==, "theirs");
    }
  else
    {
      g_assert_no_error (error);
      g_assert_nonnull (replies);
      g_assert_cmpuint (replies->len, ==, 1);
      g_assert_cmpint (dt_redis_reply_get_reply_type (g_ptr_array_index (replies, 0)), ==,
                       DT_REDIS_REPLY_STATUS);
      g_assert_cmpstr (final, ==, "mine");
    }
  g_assert_false (dt_redis_pipeline_get_watching (pipe));
}

/* After a watch that ends without EXEC (unwatch, or the pipeline dropped)
 * and a write to the watched key, the pool's connection carries no WATCH:
 * transactions on it do not abort.  One connection, so it is that one. */
static void
check_watch_released (DtTestServer    *server,
                      DtRedisInstance *instance,
                      gboolean         is_async,
                      gboolean         drop)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  DtRedisPipeline *pipe = dt_redis_client_pipeline (client, TRUE);
  g_autoptr(DtRedisReply) read = NULL;
  g_autoptr(GError) error = NULL;
  guint aborted = 0;

  server_ok (server, "SET", "w:r", "start", NULL);
  server_ok (server, "SET", "w:n", "0", NULL);
  g_assert_true (watch (pipe, is_async, STRV ("w:r"), &error));
  g_assert_no_error (error);
  read = immediate (pipe, is_async, STRV ("GET", "w:r"), &error);
  g_assert_no_error (error);
  if (drop)
    g_object_unref (pipe);
  else
    {
      dt_redis_pipeline_unwatch (pipe);
      g_assert_false (dt_redis_pipeline_get_watching (pipe));
      g_object_unref (pipe);
    }
  server_ok (server, "SET", "w:r", "theirs", NULL);

  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(DtRedisPipeline) tx = dt_redis_client_pipeline (client, TRUE);
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GError) tx_error = NULL;
      g_autofree char *value = g_strdup_printf ("mine-%u", i);

      dt_redis_pipeline_append (dt_redis_pipeline_append (tx, STRV ("SET", "w:r", value)),
                                STRV ("INCR", "w:n"));
      replies = execute (tx, is_async, &tx_error);
      if (replies == NULL)
        {
          g_test_message ("%s transaction %u after %s: %s", is_async ? "async" : "sync", i,
                          drop ? "dropping the watching pipeline" : "unwatch", tx_error->message);
          aborted++;
        }
    }
  g_test_message ("%s, after %s and a write to the watched key: %u of 20 transactions aborted",
                  is_async ? "async" : "sync", drop ? "dropping the watching pipeline" : "unwatch",
                  aborted);
  g_assert_cmpuint (aborted, ==, 0);
  g_assert_cmpint (server_integer (server, "GET", "w:n", NULL), ==, 20);
}

static void
test_watch_sync (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 1, 2.0, NULL, NULL);

  check_watch (server, instance, FALSE, TRUE);
  check_watch (server, instance, FALSE, FALSE);
  check_watch_released (server, instance, FALSE, FALSE);
  check_watch_released (server, instance, FALSE, TRUE);
  close_pools (instance);
}

static void
test_watch_async (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 1, 2.0, NULL, NULL);

  check_watch (server, instance, TRUE, TRUE);
  check_watch (server, instance, TRUE, FALSE);
  check_watch_released (server, instance, TRUE, FALSE);
  check_watch_released (server, instance, TRUE, TRUE);
  close_pools (instance);
}

/* -- 4. a cancelled BLPOP loses nothing ---------------------------------------- */

#define CANCEL_TRIES 100

static guint
blocked_clients (DtTestServer *server)
{
  g_autofree char *info = dt_test_server_command (server, "INFO", "clients", NULL);
  const char *p;

  g_assert_nonnull (info);
  p = strstr (info, "blocked_clients:");
  g_assert_nonnull (p);
  return (guint) g_ascii_strtoull (p + strlen ("blocked_clients:"), NULL, 10);
}

typedef struct
{
  DtRedisClient *client;
  GCancellable  *cancellable;
  DtRedisReply  *reply;
  GError        *error;
} BlpopCall;

static gpointer
blpop_thread (gpointer data)
{
  BlpopCall *call = data;

  call->reply = dt_redis_client_execute (call->client, STRV ("BLPOP", "cq", "10"),
                                         call->cancellable, &call->error);
  return NULL;
}

/* After a reported cancel: push one item from another connection; the
 * cancelled BLPOP must not take it.  FALSE (with a message) when it did. */
static gboolean
push_survives (DtTestServer *server,
               guint         try,
               const char   *what)
{
  gint64 len;

  g_assert_cmpint (server_integer (server, "RPUSH", "cq", "item", NULL), >=, 0);
  len = server_integer (server, "LLEN", "cq", NULL);
  server_integer (server, "DEL", "cq", NULL);
  if (len != 1)
    {
      g_test_message ("%s try %u: the item pushed after the cancel was eaten (LLEN %" G_GINT64_FORMAT ")",
                      what, try, len);
      return FALSE;
    }
  return TRUE;
}

/* Waits until @n clients are blocked; FALSE after 2 s (scaled). */
static gboolean
wait_blocked (DtTestServer *server,
              guint         n,
              gboolean      iterate)
{
  gint64 deadline = g_get_monotonic_time () + usec_bound (2);

  while (g_get_monotonic_time () < deadline)
    {
      if (blocked_clients (server) == n)
        return TRUE;
      if (iterate)
        g_main_context_iteration (NULL, FALSE);
      g_usleep (500);
    }
  return FALSE;
}

static void
test_cancel_blpop_sync (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 2, 2.0, NULL, NULL);
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  guint lost = 0, tries = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint t = 0; t < CANCEL_TRIES && lost < 5; t++, tries++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      BlpopCall call = { client, cancellable, NULL, NULL };
      GThread *thread;

      g_assert_true (wait_blocked (server, 0, FALSE));
      thread = g_thread_new ("blpop", blpop_thread, &call);
      g_assert_true (wait_blocked (server, 1, FALSE));
      /* Cancelled from this thread while the call blocks in the other. */
      g_cancellable_cancel (cancellable);
      g_thread_join (thread);
      g_assert_null (call.reply);
      g_assert_error (call.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&call.error);
      if (!push_survives (server, t, "sync"))
        lost++;
    }
  g_test_message ("sync BLPOP cancelled from another thread: %u tries in %.3f s, %u items lost",
                  tries, seconds_since (start), lost);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
  close_pools (instance);
}

static void
test_cancel_blpop_async (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 2, 2.0, NULL, NULL);
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  guint lost = 0, tries = 0;
  gint64 start = g_get_monotonic_time ();

  for (guint t = 0; t < CANCEL_TRIES && lost < 5; t++, tries++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(DtRedisReply) reply = NULL;
      g_autoptr(GError) error = NULL;

      g_assert_true (wait_blocked (server, 0, TRUE));
      dt_redis_async_client_execute_async (client, STRV ("BLPOP", "cq", "10"), cancellable,
                                           store_result_cb, &result);
      g_assert_true (wait_blocked (server, 1, TRUE));
      g_cancellable_cancel (cancellable);
      wait_result (&result);
      reply = dt_redis_async_client_execute_finish (client, result, &error);
      g_assert_null (reply);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      /* Right away, without running the main loop again. */
      if (!push_survives (server, t, "async"))
        lost++;
    }
  g_test_message ("async BLPOP cancelled with g_cancellable_cancel: %u tries in %.3f s, %u items lost",
                  tries, seconds_since (start), lost);
  g_assert_cmpuint (lost, ==, 0);
  {
    g_autoptr(DtRedisReply) pong = async_execute (instance, STRV ("PING"), NULL);

    g_assert_nonnull (pong);
  }
  close_pools (instance);
}

/* The async pool on another thread's main context (as a binding runs it):
 * the cancel comes from this thread, the report arrives on that one, and
 * this thread pushes the moment it hears of it. */
typedef struct
{
  GMainContext       *context;
  GMainLoop          *loop;
  DtRedisInstance    *instance;
  DtRedisAsyncClient *client;
  GCancellable       *cancellable;
  GMutex              lock;
  GCond               cond;
  gboolean            reported;
  gboolean            ready;
  GError             *error;
  DtRedisReply       *reply;
} PoolThread;

static gpointer
pool_thread (gpointer data)
{
  PoolThread *pt = data;

  g_main_context_push_thread_default (pt->context);
  g_mutex_lock (&pt->lock);
  pt->ready = TRUE;
  g_cond_broadcast (&pt->cond);
  g_mutex_unlock (&pt->lock);
  g_main_loop_run (pt->loop);
  g_main_context_pop_thread_default (pt->context);
  return NULL;
}

static void
pool_blpop_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  PoolThread *pt = user_data;
  GError *error = NULL;
  DtRedisReply *reply = dt_redis_async_client_execute_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);

  g_mutex_lock (&pt->lock);
  pt->reply = reply;
  pt->error = error;
  pt->reported = TRUE;
  g_cond_broadcast (&pt->cond);
  g_mutex_unlock (&pt->lock);
}

static gboolean
pool_start_blpop (gpointer data)
{
  PoolThread *pt = data;

  dt_redis_async_client_execute_async (pt->client, STRV ("BLPOP", "cq", "10"), pt->cancellable,
                                       pool_blpop_cb, pt);
  return G_SOURCE_REMOVE;
}

static gboolean
pool_reset (gpointer data)
{
  PoolThread *pt = data;

  dt_redis_instance_reset_async_pool_async (pt->instance, NULL, reset_done_cb, &pt->ready);
  return G_SOURCE_REMOVE;
}

static void
test_cancel_blpop_async_thread (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 2, 2.0, NULL, NULL);
  PoolThread pt = { 0, };
  GThread *thread;
  guint lost = 0, tries = 0;
  gint64 start = g_get_monotonic_time ();

  pt.context = g_main_context_new ();
  pt.loop = g_main_loop_new (pt.context, FALSE);
  pt.instance = instance;
  pt.client = dt_redis_instance_get_async_redis_client (instance);
  g_mutex_init (&pt.lock);
  g_cond_init (&pt.cond);
  thread = g_thread_new ("pool", pool_thread, &pt);
  g_mutex_lock (&pt.lock);
  while (!pt.ready)
    g_cond_wait (&pt.cond, &pt.lock);
  g_mutex_unlock (&pt.lock);

  for (guint t = 0; t < CANCEL_TRIES && lost < 5; t++, tries++)
    {
      gint64 deadline;

      g_assert_true (wait_blocked (server, 0, FALSE));
      pt.cancellable = g_cancellable_new ();
      pt.reported = FALSE;
      g_main_context_invoke (pt.context, pool_start_blpop, &pt);
      g_assert_true (wait_blocked (server, 1, FALSE));
      g_cancellable_cancel (pt.cancellable);

      deadline = g_get_monotonic_time () + usec_bound (5);
      g_mutex_lock (&pt.lock);
      while (!pt.reported)
        if (!g_cond_wait_until (&pt.cond, &pt.lock, deadline))
          break;
      g_mutex_unlock (&pt.lock);
      g_assert_true (pt.reported);
      /* Right away, while the pool's thread goes on. */
      if (!push_survives (server, t, "async, pool on another thread"))
        lost++;
      g_assert_null (pt.reply);
      g_assert_error (pt.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_clear_error (&pt.error);
      g_clear_object (&pt.cancellable);
    }
  g_test_message ("async BLPOP, pool on another thread, cancelled from this one: %u tries in "
                  "%.3f s, %u items lost", tries, seconds_since (start), lost);

  pt.ready = FALSE;
  g_main_context_invoke (pt.context, pool_reset, &pt);
  while (!g_atomic_int_get (&pt.ready))
    g_usleep (1000);
  g_main_loop_quit (pt.loop);
  g_thread_join (thread);
  g_clear_object (&pt.client);
  g_main_loop_unref (pt.loop);
  g_main_context_unref (pt.context);
  g_mutex_clear (&pt.lock);
  g_cond_clear (&pt.cond);
  g_assert_cmpuint (lost, ==, 0);
}

/* -- 5. error classes ---------------------------------------------------------------- */

/* How a plain pipeline sees the error. */
typedef enum
{
  PIPE_ERROR_REPLY,   /* an ERROR reply in the array (a per-command error) */
  PIPE_GERROR,        /* a GError: the handshake failed, nothing ran */
  PIPE_EITHER,        /* the server refuses the connection before reading
                       * anything; with no handshake its refusal is the first
                       * reply, so either form is right */
} PipeError;

/* One command through every path: sync, async, a plain pipeline and a
 * transaction (a GError).  @code: what sync and async must fail with;
 * @tx_code: what a transaction fails with (-1: @code or SERVER, as the
 * EXECABORT of a command refused while queueing); @text: a part of the
 * message (and of the pipeline's error reply). */
static void
check_all_paths (DtRedisInstance    *instance,
                 const char * const *argv,
                 gint                code,
                 gint                tx_code,
                 const char         *text,
                 PipeError           pipe_error,
                 const char         *what)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  gboolean tx[2] = { FALSE, TRUE };

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DtRedisReply) reply = sync_execute (instance, argv, &error);

    g_test_message ("%s, sync %s: %s", what, argv[0], error ? error->message : "(no error)");
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, code);
    g_assert_nonnull (strstr (error->message, text));
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DtRedisReply) reply = async_execute (instance, argv, &error);

    g_test_message ("%s, async %s: %s", what, argv[0], error ? error->message : "(no error)");
    g_assert_null (reply);
    g_assert_error (error, DT_REDIS_ERROR, code);
    g_assert_nonnull (strstr (error->message, text));
  }
  for (guint t = 0; t < 2; t++)
    for (guint a = 0; a < 2; a++)
      {
        g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (client, tx[t]);
        g_autoptr(GError) error = NULL;
        g_autoptr(GPtrArray) replies = NULL;
        const char *kind = tx[t] ? "transaction" : "pipeline";
        const char *mode = a ? "async" : "sync";

        dt_redis_pipeline_append (pipe, argv);
        replies = execute (pipe, a, &error);
        if (tx[t] || pipe_error == PIPE_GERROR || (pipe_error == PIPE_EITHER && replies == NULL))
          {
            gint want = tx[t] ? tx_code : code;

            g_test_message ("%s, %s %s: %s", what, mode, kind,
                            error ? error->message : "(no error)");
            g_assert_null (replies);
            g_assert_nonnull (error);
            g_assert_true (error->domain == DT_REDIS_ERROR);
            if (want == -1)
              g_assert_true (error->code == code || error->code == DT_REDIS_ERROR_SERVER);
            else
              g_assert_cmpint (error->code, ==, want);
            /* A refusal before reading anything is followed by the close:
             * a batch waiting for more replies may see only the close. */
            if (pipe_error != PIPE_EITHER)
              g_assert_nonnull (strstr (error->message, text));
          }
        else
          {
            DtRedisReply *r;

            g_assert_no_error (error);
            g_assert_nonnull (replies);
            g_assert_cmpuint (replies->len, ==, 1);
            r = g_ptr_array_index (replies, 0);
            g_test_message ("%s, %s %s: reply type %d, %s", what, mode, kind,
                            dt_redis_reply_get_reply_type (r),
                            dt_redis_reply_get_string (r, NULL));
            g_assert_cmpint (dt_redis_reply_get_reply_type (r), ==, DT_REDIS_REPLY_ERROR);
            g_assert_nonnull (strstr (dt_redis_reply_get_string (r, NULL), text));
          }
      }
}

#define SECRET "s3cr3t-Integrity"

static void
test_errors_auth (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  const char *url = dt_test_server_get_url (server);
  g_autoptr(DtRedisInstance) before = new_instance (url, 2, 2.0, NULL, NULL);
  g_autoptr(DtRedisInstance) noauth = NULL;
  g_autoptr(DtRedisInstance) wrong = NULL;
  g_autoptr(DtRedisInstance) right = NULL;

  g_assert_true (dt_redis_instance_ping (before, NULL, NULL));
  server_ok (server, "CONFIG", "SET", "requirepass", SECRET, NULL);

  /* Connected before the password was set: still authenticated, works. */
  g_assert_true (dt_redis_instance_ping (before, NULL, NULL));
  close_pools (before);

  /* No password: every command is refused with NOAUTH. */
  noauth = new_instance (url, 2, 2.0, NULL, NULL);
  check_all_paths (noauth, STRV ("GET", "k"), DT_REDIS_ERROR_AUTH, DT_REDIS_ERROR_AUTH,
                   "NOAUTH", PIPE_ERROR_REPLY, "no password");
  close_pools (noauth);

  /* A wrong password: the handshake's AUTH fails. */
  wrong = new_instance (url, 2, 2.0, NULL, "wr0ng-Password");
  check_all_paths (wrong, STRV ("GET", "k"), DT_REDIS_ERROR_AUTH, DT_REDIS_ERROR_AUTH,
                   "WRONGPASS", PIPE_GERROR, "wrong password");
  close_pools (wrong);

  right = new_instance (url, 2, 2.0, NULL, SECRET);
  g_assert_true (dt_redis_instance_ping (right, NULL, NULL));
  close_pools (right);
}

/* Takes every slot of a server started with maxclients 4. */
static GPtrArray *
fill_server (guint16 port)
{
  GPtrArray *sockets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (lo, port);

  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, &error);
      char buf[256] = { 0, };
      gssize n;

      g_assert_no_error (error);
      g_socket_set_timeout (socket, 2);
      g_assert_true (g_socket_connect (socket, address, NULL, &error));
      g_assert_cmpint (g_socket_send (socket, "PING\r\n", 6, NULL, &error), ==, 6);
      n = g_socket_receive (socket, buf, sizeof buf - 1, NULL, &error);
      g_assert_cmpint (n, >, 0);
      if (strstr (buf, "max number of clients") != NULL)
        return sockets;
      g_ptr_array_add (sockets, g_steal_pointer (&socket));
    }
  g_assert_not_reached ();
}

static void
check_maxclients (gboolean with_password)
{
  const char * const extra[] = { "maxclients 4", NULL };
  DtTestServerOptions opts = { .password = with_password ? SECRET : NULL, .extra_config = extra };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 2, 2.0, NULL,
                                                      with_password ? SECRET : NULL);
  g_autoptr(GPtrArray) sockets = fill_server (dt_test_server_get_port (server));
  const char *what = with_password ? "maxclients, with a password (answer to AUTH)"
                                   : "maxclients, no password";

  g_test_message ("%s: %u raw sockets took every slot", what, sockets->len);
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (dt_redis_instance_ping (instance, NULL, &error));
    g_test_message ("%s, sync ping: %s", what, error->message);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GAsyncResult) result = NULL;

    dt_redis_instance_ping_async (instance, NULL, store_result_cb, &result);
    g_assert_false (dt_redis_instance_ping_finish (instance, wait_result (&result), &error));
    g_test_message ("%s, async ping: %s", what, error->message);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  }
  /* The server says it before reading anything: a connection error on
   * every path, never AUTH, never a value. */
  check_all_paths (instance, STRV ("INCR", "mc"), DT_REDIS_ERROR_CONNECTION, DT_REDIS_ERROR_CONNECTION,
                   "max number of clients", with_password ? PIPE_GERROR : PIPE_EITHER, what);

  /* A slot frees up: the same instance works. */
  g_ptr_array_set_size (sockets, 0);
  g_usleep (100000);
  g_assert_true (dt_redis_instance_ping (instance, NULL, NULL));
  close_pools (instance);
}

static void
test_errors_maxclients (void)
{
  check_maxclients (FALSE);
  check_maxclients (TRUE);
}

/* Loading takes about 100 us per key with key-load-delay 10 (a usleep
 * each): some 3 s for 30000 keys, longer than the checks need; more keys
 * when the run is slower (valgrind). */
static guint
loading_keys (void)
{
  return (guint) (30000 * MIN (dt_test_time_scale (), 2.0));
}

static void
test_errors_loading (void)
{
  const char * const extra[] = {
    "enable-debug-command yes",
    "key-load-delay 10",                          /* µs per key while loading */
    "loading-process-events-interval-bytes 1024", /* answer clients while loading */
    NULL
  };
  DtTestServerOptions opts = { .extra_config = extra };
  g_autoptr(DtTestServer) server = dt_test_server_start (&opts);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autofree char *raw = NULL;
  g_autofree char *n_keys = NULL;
  gint64 start, deadline;
  gboolean loaded = FALSE;

  n_keys = g_strdup_printf ("%u", loading_keys ());
  server_ok (server, "DEBUG", "POPULATE", n_keys, NULL);
  server_ok (server, "SAVE", NULL);
  start = g_get_monotonic_time ();
  dt_test_server_restart (server);   /* returns once it answers, -LOADING included */
  raw = g_strchomp (dt_test_server_command (server, "PING", NULL));
  g_test_message ("restarted with %s keys to load, 10 us each: PING says %s", n_keys, raw);
  g_assert_true (g_str_has_prefix (raw, "-LOADING"));

  instance = new_instance (dt_test_server_get_url (server), 2, 2.0, "dt-integrity", NULL);
  check_all_paths (instance, STRV ("GET", "k"), DT_REDIS_ERROR_LOADING, -1,
                   "LOADING", PIPE_ERROR_REPLY, "loading");
  g_clear_pointer (&raw, g_free);
  raw = dt_test_server_command (server, "PING", NULL);
  /* Still loading: the checks above all saw it. */
  g_assert_true (g_str_has_prefix (raw, "-LOADING"));
  g_test_message ("every path checked %.3f s after the restart, still loading", seconds_since (start));

  /* Retryable: once loaded, the same instance works. */
  deadline = g_get_monotonic_time () + usec_bound (30);
  while (!loaded && g_get_monotonic_time () < deadline)
    {
      g_autofree char *pong = dt_test_server_command (server, "PING", NULL);

      loaded = pong != NULL && g_str_has_prefix (pong, "+PONG");
      if (!loaded)
        g_usleep (50000);
    }
  g_assert_true (loaded);
  g_test_message ("loaded %.3f s after the restart", seconds_since (start));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(DtRedisReply) sync_reply = sync_execute (instance, STRV ("DBSIZE"), &error);
    g_autoptr(DtRedisReply) async_reply = NULL;

    g_assert_no_error (error);
    g_assert_cmpint (dt_redis_reply_get_integer (sync_reply), ==, loading_keys ());
    async_reply = async_execute (instance, STRV ("DBSIZE"), &error);
    g_assert_no_error (error);
    g_assert_cmpint (dt_redis_reply_get_integer (async_reply), ==, loading_keys ());
  }
  close_pools (instance);
}

static void
test_errors_readonly_oom (void)
{
  g_autoptr(DtTestServer) server = dt_test_server_start (NULL);
  g_autoptr(DtRedisInstance) instance = new_instance (dt_test_server_get_url (server), 2, 2.0, NULL, NULL);
  g_autofree char *port = NULL;

  /* OOM: nothing may be written. */
  server_ok (server, "CONFIG", "SET", "maxmemory", "1", NULL);
  check_all_paths (instance, STRV ("SET", "k", "v"), DT_REDIS_ERROR_SERVER, DT_REDIS_ERROR_SERVER,
                   "OOM command not allowed", PIPE_ERROR_REPLY, "maxmemory 1");
  server_ok (server, "CONFIG", "SET", "maxmemory", "0", NULL);

  /* READONLY: a replica (of a master that is not there) refuses writes. */
  {
    g_autoptr(DtTestServer) other = dt_test_server_start (NULL);

    port = g_strdup_printf ("%u", dt_test_server_get_port (other));
  }
  server_ok (server, "REPLICAOF", "127.0.0.1", port, NULL);
  check_all_paths (instance, STRV ("SET", "k", "v"), DT_REDIS_ERROR_SERVER, DT_REDIS_ERROR_SERVER,
                   "READONLY You can't write against a read only replica", PIPE_ERROR_REPLY, "replica");
  server_ok (server, "REPLICAOF", "NO", "ONE", NULL);
  close_pools (instance);
}

/* -- 6. bounds --------------------------------------------------------------------------- */

static gsize
vm_rss_kib (void)
{
  g_autofree char *status = NULL;
  const char *p;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  p = strstr (status, "VmRSS:");
  g_assert_nonnull (p);
  return (gsize) g_ascii_strtoull (p + strlen ("VmRSS:"), NULL, 10);
}

typedef struct
{
  DtRedisInstance *instance;
  DtRedisReply    *reply;
  GError          *error;
  gint64           end;
  gint             done;
} GetCall;

static gpointer
get_thread (gpointer data)
{
  GetCall *call = data;

  call->reply = sync_execute (call->instance, STRV ("GET", "k"), &call->error);
  call->end = g_get_monotonic_time ();
  g_atomic_int_set (&call->done, 1);
  return NULL;
}

/* How long past socket-timeout we wait before ending the fake server
 * ourselves (which is then a failure). */
#define BOUND_GRACE   1.5

/* One GET against @fake; TRUE if it failed by itself within the bound.
 * Sets *@error, *@elapsed and *@rss_growth_kib (peak VmRSS while waiting,
 * minus VmRSS before). */
static gboolean
bounded_get (DtFakeServer **fake,
             gboolean       is_async,
             GError       **error,
             gdouble       *elapsed,
             gsize         *rss_growth_kib)
{
  g_autofree char *url = dt_fake_server_get_url (*fake);
  g_autoptr(DtRedisInstance) instance = new_instance (url, 1, BOUND_TIMEOUT, NULL, NULL);
  g_autoptr(DtRedisAsyncClient) aclient = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(DtRedisReply) reply = NULL;
  gsize rss_before, rss_peak;
  gint64 start, deadline;
  gboolean in_time;
  GetCall call = { instance, NULL, NULL, 0, 0 };
  GThread *thread = NULL;

  /* Make the one-time allocations (threads, main loop sources) first. */
  rss_before = rss_peak = vm_rss_kib ();
  start = g_get_monotonic_time ();
  deadline = start + usec_bound (BOUND_TIMEOUT + BOUND_GRACE);
  if (is_async)
    dt_redis_async_client_execute_async (aclient, STRV ("GET", "k"), NULL, store_result_cb, &result);
  else
    thread = g_thread_new ("get", get_thread, &call);

  for (;;)
    {
      gboolean done = is_async ? result != NULL : g_atomic_int_get (&call.done);

      rss_peak = MAX (rss_peak, vm_rss_kib ());
      if (done || g_get_monotonic_time () >= deadline)
        break;
      if (is_async)
        wait_result_until (&result, 0.01);
      else
        g_usleep (5000);
    }
  in_time = is_async ? result != NULL : g_atomic_int_get (&call.done);
  if (!in_time)
    {
      /* Not failed by itself: end the server, which ends the call. */
      g_test_message ("%s GET still running after %.3f s: stopping the fake server",
                      is_async ? "async" : "sync", seconds_since (start));
      g_clear_pointer (fake, dt_fake_server_free);
    }
  if (is_async)
    {
      wait_result (&result);
      *elapsed = seconds_since (start);
      reply = dt_redis_async_client_execute_finish (aclient, result, error);
    }
  else
    {
      g_thread_join (thread);
      *elapsed = (call.end - start) / (gdouble) G_USEC_PER_SEC;
      reply = call.reply;
      g_propagate_error (error, call.error);
    }
  g_assert_null (reply);
  *rss_growth_kib = rss_peak > rss_before ? rss_peak - rss_before : 0;
  close_pools (instance);
  return in_time;
}

static void
check_endless_line (gboolean is_async)
{
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_ENDLESS_LINE, NULL);
  g_autoptr(GError) error = NULL;
  gdouble elapsed;
  gsize growth;
  gboolean in_time = bounded_get (&fake, is_async, &error, &elapsed, &growth);

  g_assert_nonnull (error);
  g_test_message ("%s, endless status line (64 KiB per ms, no CRLF): %s after %.3f s, "
                  "RSS growth %zu KiB", is_async ? "async" : "sync", error->message, elapsed, growth);
  g_assert_true (in_time);
  g_assert_true (g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL)
                 || g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT));
  g_assert_cmpint (elapsed * G_USEC_PER_SEC, <, usec_bound (BOUND_TIMEOUT + 0.5));
  g_assert_cmpuint (growth, <, 16 * 1024);
}

static void
check_slow_bulk (gboolean is_async)
{
  /* 100 MB announced (under the 512 MiB cap), then one byte per 10 ms. */
  g_autoptr(DtFakeServer) fake = dt_fake_server_new (DT_FAKE_MODE_HUGE_BULK, "$100000000\r\n");
  g_autoptr(GError) error = NULL;
  gdouble elapsed;
  gsize growth;
  gboolean in_time;

  dt_fake_server_set_delay (fake, 10);
  in_time = bounded_get (&fake, is_async, &error, &elapsed, &growth);
  g_assert_nonnull (error);
  g_test_message ("%s, 100 MB bulk dribbled at 100 bytes/s: %s after %.3f s (socket-timeout %.1f s)",
                  is_async ? "async" : "sync", error->message, elapsed, BOUND_TIMEOUT);
  g_assert_true (in_time);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_TIMEOUT);
  g_assert_cmpfloat (elapsed, >=, BOUND_TIMEOUT * 0.9);
  g_assert_cmpint (elapsed * G_USEC_PER_SEC, <, usec_bound (BOUND_TIMEOUT + 0.5));
}

static void
test_bounds_sync (void)
{
  check_endless_line (FALSE);
  check_slow_bulk (FALSE);
}

static void
test_bounds_async (void)
{
  check_endless_line (TRUE);
  check_slow_bulk (TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/integrity/watch/sync", test_watch_sync);
  g_test_add_func ("/integrity/watch/async", test_watch_async);
  g_test_add_func ("/integrity/cancel/blpop-sync", test_cancel_blpop_sync);
  g_test_add_func ("/integrity/cancel/blpop-async", test_cancel_blpop_async);
  g_test_add_func ("/integrity/cancel/blpop-async-thread", test_cancel_blpop_async_thread);
  g_test_add_func ("/integrity/errors/auth", test_errors_auth);
  g_test_add_func ("/integrity/errors/maxclients", test_errors_maxclients);
  g_test_add_func ("/integrity/errors/loading", test_errors_loading);
  g_test_add_func ("/integrity/errors/readonly-oom", test_errors_readonly_oom);
  g_test_add_func ("/integrity/bounds/sync", test_bounds_sync);
  g_test_add_func ("/integrity/bounds/async", test_bounds_async);

  return g_test_run ();
}
