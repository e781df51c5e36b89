/* test-async-result.c: the GAsyncResult of the async client's commands
 * keeps GTask's rules, and a result is used again only when nothing but
 * the command held it
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-async-result-private.h"
#include "dtredis-test-cluster.h"
#include "dtredis-test-server.h"
#include "test-async-common.h"

typedef struct
{
  DtRedisInstance    *instance;
  DtRedisAsyncClient *client;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  flush_server (server);
  f->instance = new_instance (server, 4, 5.0);
  f->client = dt_redis_instance_get_async_redis_client (f->instance);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  close_pool (f->instance);
  g_clear_object (&f->client);
  g_clear_object (&f->instance);
}

/* What one callback saw. */
typedef struct
{
  gboolean      called;
  GThread      *thread;
  GMainContext *context;       /* the thread-default one, during the call */
  GAsyncResult *result;        /* not a reference, unless keep */
  gboolean      keep;
  gpointer     *weak;          /* a weak pointer added to the result, if set */
  gboolean      watch_notify;  /* a notify::x handler connected to it */
  gboolean      tagged;
  GObject      *source;
  char         *value;
  GError       *error;
} Seen;

static void
seen_clear (Seen *seen)
{
  g_clear_object (&seen->source);
  g_clear_pointer (&seen->value, g_free);
  g_clear_error (&seen->error);
  if (seen->keep)
    g_clear_object (&seen->result);
}

static void
never_cb (GObject    *object,
          GParamSpec *pspec,
          gpointer    user_data)
{
  g_assert_not_reached ();
}

static void
get_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  Seen *seen = user_data;

  seen->called = TRUE;
  seen->thread = g_thread_self ();
  seen->context = g_main_context_get_thread_default ();
  seen->result = seen->keep ? g_object_ref (result) : result;
  if (seen->weak != NULL)
    g_object_add_weak_pointer (G_OBJECT (result), seen->weak);
  if (seen->watch_notify)
    g_signal_connect (result, "notify::x", G_CALLBACK (never_cb), NULL);
  seen->tagged = g_async_result_is_tagged (result, dt_redis_async_client_get_async);
  seen->source = g_async_result_get_source_object (result);
  g_assert_true (g_async_result_get_user_data (result) == seen);
  seen->value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &seen->error);
}

static void
wait_seen (Seen *seen)
{
  while (!seen->called)
    g_main_context_iteration (NULL, TRUE);
}

/* The callback runs in the caller's thread and thread-default context,
 * later, with the source object, the user data and the tag. */
static void
test_rules (Fixture       *f,
            gconstpointer  data)
{
  Seen seen = { 0, };

  sync_set (server, "rules", "v");
  dt_redis_async_client_get_async (f->client, "rules", NULL, get_cb, &seen);
  g_assert_false (seen.called);
  wait_seen (&seen);
  g_assert_no_error (seen.error);
  g_assert_cmpstr (seen.value, ==, "v");
  g_assert_true (seen.thread == g_thread_self ());
  g_assert_true (seen.source == G_OBJECT (f->client));
  g_assert_true (seen.tagged);
  seen_clear (&seen);

  /* An argument refused before any command is made (a GTask then) still
   * finishes, later. */
  {
    g_autoptr(GAsyncResult) result = NULL;
    g_autoptr(GError) error = NULL;

    dt_redis_async_client_append_async (f->client, "rules", "\xff", NULL, store_result_cb, &result);
    g_assert_null (result);
    g_assert_cmpint (dt_redis_async_client_append_finish (f->client, wait_result (&result), &error), ==, 0);
    g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  }
}

/* Called from another thread-default context than the pool's: the
 * callback comes on the caller's context, from an idle source there; a
 * connection error comes back later too, never from within the call. */
static void
test_other_context (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autofree char *url = g_strdup_printf ("redis://127.0.0.1:%u/0", dt_test_free_port ());
  g_autoptr(DtRedisInstance) nowhere = new_instance_for_url (url, 1, 2.0);
  g_autoptr(DtRedisAsyncClient) lost = dt_redis_instance_get_async_redis_client (nowhere);
  Seen warm = { 0, }, seen = { 0, }, failed = { 0, };

  /* The pool is made, on the default context. */
  sync_set (server, "context", "v");
  dt_redis_async_client_get_async (f->client, "context", NULL, get_cb, &warm);
  wait_seen (&warm);

  g_main_context_push_thread_default (context);
  dt_redis_async_client_get_async (f->client, "context", NULL, get_cb, &seen);
  g_assert_false (seen.called);
  while (!seen.called)
    {
      g_main_context_iteration (NULL, FALSE);
      g_main_context_iteration (context, FALSE);
    }
  g_assert_true (seen.context == context);
  g_assert_cmpstr (seen.value, ==, "v");
  g_main_context_pop_thread_default (context);

  dt_redis_async_client_get_async (lost, "context", NULL, get_cb, &failed);
  g_assert_false (failed.called);
  wait_seen (&failed);
  g_assert_error (failed.error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_assert_null (failed.value);
  close_pool (nowhere);

  seen_clear (&warm);
  seen_clear (&seen);
  seen_clear (&failed);
}

/* Cancelled before the reply came: G_IO_ERROR_CANCELLED, and the result
 * is not taken back while the callback's caller keeps it. */
static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Seen seen = { .keep = TRUE };

  sync_set (server, "cancelled", "v");
  dt_redis_async_client_get_async (f->client, "cancelled", cancellable, get_cb, &seen);
  g_cancellable_cancel (cancellable);
  wait_seen (&seen);
  g_assert_error (seen.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (seen.value);
  seen_clear (&seen);
}

/* A result nobody kept is used again by later commands (100 GETs make at
 * most one); one kept by the callback, or watched by a weak pointer, is
 * not, and keeps what it was made for. */
static void
test_reuse (Fixture       *f,
            gconstpointer  data)
{
  Seen kept = { .keep = TRUE }, after = { 0, }, watched = { 0, }, next = { 0, };
  Seen notified = { 0, }, last = { 0, };
  gpointer weak = NULL;
  guint made;

  sync_set (server, "reuse", "v");
  made = dt_redis_async_result_count_made ();
  for (guint i = 0; i < 100; i++)
    {
      Seen seen = { 0, };

      dt_redis_async_client_get_async (f->client, "reuse", NULL, get_cb, &seen);
      wait_seen (&seen);
      g_assert_cmpstr (seen.value, ==, "v");
      seen_clear (&seen);
    }
  g_assert_cmpuint (dt_redis_async_result_count_made () - made, <=, 1);

  dt_redis_async_client_get_async (f->client, "reuse", NULL, get_cb, &kept);
  wait_seen (&kept);
  made = dt_redis_async_result_count_made ();
  dt_redis_async_client_get_async (f->client, "missing", NULL, get_cb, &after);
  wait_seen (&after);
  g_assert_true (after.result != kept.result);
  g_assert_cmpuint (dt_redis_async_result_count_made () - made, ==, 1);
  g_assert_null (after.value);
  /* The kept one still is what it was. */
  g_assert_true (g_async_result_is_tagged (kept.result, dt_redis_async_client_get_async));
  g_assert_true (g_async_result_get_user_data (kept.result) == &kept);
  {
    g_autoptr(GObject) source = g_async_result_get_source_object (kept.result);

    g_assert_true (source == G_OBJECT (f->client));
  }

  /* A weak pointer is qdata: not taken back, so finalized, which clears
   * the pointer; the next command makes a new one. */
  watched.weak = &weak;
  dt_redis_async_client_get_async (f->client, "reuse", NULL, get_cb, &watched);
  wait_seen (&watched);
  g_assert_null (weak);
  made = dt_redis_async_result_count_made ();
  dt_redis_async_client_get_async (f->client, "reuse", NULL, get_cb, &next);
  wait_seen (&next);
  g_assert_cmpstr (next.value, ==, "v");
  g_assert_cmpuint (dt_redis_async_result_count_made () - made, ==, 1);

  /* Nor one with a signal handler. */
  notified.watch_notify = TRUE;
  dt_redis_async_client_get_async (f->client, "reuse", NULL, get_cb, &notified);
  wait_seen (&notified);
  made = dt_redis_async_result_count_made ();
  dt_redis_async_client_get_async (f->client, "reuse", NULL, get_cb, &last);
  wait_seen (&last);
  g_assert_cmpuint (dt_redis_async_result_count_made () - made, ==, 1);

  seen_clear (&kept);
  seen_clear (&after);
  seen_clear (&watched);
  seen_clear (&next);
  seen_clear (&notified);
  seen_clear (&last);
}

/* 2,000 GETs in flight at once, half of their callbacks keeping their
 * result: every value right, every kept result still valid. */
static void
test_many_in_flight (Fixture       *f,
                     gconstpointer  data)
{
  enum { N = 2000 };
  Seen *seen = g_new0 (Seen, N);
  guint done = 0;

  for (guint i = 0; i < 20; i++)
    {
      g_autofree char *key = g_strdup_printf ("many:%u", i);
      g_autofree char *value = g_strdup_printf ("value %u", i);

      sync_set (server, key, value);
    }
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *key = g_strdup_printf ("many:%u", i % 20);

      seen[i].keep = i % 2 == 0;
      dt_redis_async_client_get_async (f->client, key, NULL, get_cb, &seen[i]);
    }
  while (done < N)
    {
      g_main_context_iteration (NULL, TRUE);
      for (done = 0; done < N && seen[done].called; done++)
        ;
    }
  for (guint i = 0; i < N; i++)
    {
      g_autofree char *value = g_strdup_printf ("value %u", i % 20);

      g_assert_no_error (seen[i].error);
      g_assert_cmpstr (seen[i].value, ==, value);
      if (seen[i].keep)
        g_assert_true (g_async_result_get_user_data (seen[i].result) == &seen[i]);
      seen_clear (&seen[i]);
    }
  g_free (seen);
}

int
main (int   argc,
      char *argv[])
{
  DtTestServerOptions opts = { .extra_config = server_config };
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (&opts);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/async-result/rules", test_rules);
  ADD ("/async-result/other-context", test_other_context);
  ADD ("/async-result/cancelled", test_cancelled);
  ADD ("/async-result/reuse", test_reuse);
  ADD ("/async-result/many-in-flight", test_many_in_flight);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
