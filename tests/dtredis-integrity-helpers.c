/* dtredis-integrity-helpers.c: what test-at-most-once and test-integrity-guards share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * See dtredis-integrity-helpers.h.
 */

#include "dtredis-integrity-helpers.h"

#include <string.h>

/* -- helpers ----------------------------------------------------------------- */

gint64
usec_bound (gdouble seconds)
{
  return (gint64) (seconds * dt_test_time_scale () * G_USEC_PER_SEC);
}

gdouble
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
}

DtRedisInstance *
new_instance (const char *url,
              guint       max_connections,
              gdouble     socket_timeout,
              const char *client_name,
              const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_max_connections (config, max_connections);
  dt_redis_config_set_redis_socket_timeout (config, socket_timeout);
  dt_redis_config_set_redis_connect_timeout (config, MAX (socket_timeout, 2.0));
  if (client_name != NULL)
    dt_redis_config_set_redis_client_name (config, client_name);
  if (password != NULL)
    dt_redis_config_set_redis_password (config, password);
  return dt_redis_instance_new (config);
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

gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
wait_result_until (GAsyncResult **slot,
                   gdouble        timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + usec_bound (timeout_s);
  guint tick = g_timeout_add (5, tick_cb, NULL);

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return *slot != NULL;
}

GAsyncResult *
wait_result (GAsyncResult **slot)
{
  if (!wait_result_until (slot, 30))
    g_error ("an async call did not complete within 30 s");
  return *slot;
}

void
iterate_for (guint ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;
  guint tick = g_timeout_add (2, tick_cb, NULL);

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

void
reset_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  gboolean *done = user_data;

  dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, NULL);
  *done = TRUE;
}

void
close_pools (DtRedisInstance *instance)
{
  gboolean done = FALSE;

  dt_redis_instance_reset_async_pool_async (instance, NULL, reset_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  dt_redis_instance_reset_sync_pool (instance);
}

DtRedisReply *
async_execute (DtRedisInstance     *instance,
               const char * const  *argv,
               GError             **error)
{
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(GAsyncResult) result = NULL;

  dt_redis_async_client_execute_async (client, argv, NULL, store_result_cb, &result);
  return dt_redis_async_client_execute_finish (client, wait_result (&result), error);
}

DtRedisReply *
sync_execute (DtRedisInstance     *instance,
              const char * const  *argv,
              GError             **error)
{
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);

  return dt_redis_client_execute (client, argv, NULL, error);
}

GPtrArray *
async_pipeline_execute (DtRedisPipeline  *pipe,
                        GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_redis_pipeline_execute_async (pipe, NULL, store_result_cb, &result);
  return dt_redis_pipeline_execute_finish (pipe, wait_result (&result), error);
}

static gboolean
message_says_maybe (const GError *error)
{
  return error != NULL && strstr (error->message, MAYBE_EXECUTED) != NULL;
}

/* An integer the harness read: ":5\r\n" or "$1\r\n5\r\n"; 0 for nil. */
static gint64
raw_integer (const char *raw)
{
  g_assert_nonnull (raw);
  if (raw[0] == ':')
    return g_ascii_strtoll (raw + 1, NULL, 10);
  if (g_str_has_prefix (raw, "$-1"))
    return 0;
  g_assert_true (raw[0] == '$');
  return g_ascii_strtoll (strchr (raw, '\n') + 1, NULL, 10);
}

gint64
server_integer (DtTestServer *server,
                const char   *first,
                ...)
{
  g_autofree char *raw = NULL;
  va_list ap;

  va_start (ap, first);
  raw = dt_test_server_command_valist (server, first, ap);
  va_end (ap);
  return raw_integer (raw);
}

void
server_ok (DtTestServer *server,
           const char   *first,
           ...)
{
  g_autofree char *raw = NULL;
  va_list ap;

  va_start (ap, first);
  raw = dt_test_server_command_valist (server, first, ap);
  va_end (ap);
  g_assert_cmpstr (raw, ==, "+OK\r\n");
}

/* -- execution outcomes and their check -------------------------------------- */

void
outcome_set_error (Outcome      *o,
                   const GError *error)
{
  o->ok = FALSE;
  o->code = error->domain == DT_REDIS_ERROR ? error->code : -1;
  o->maybe = message_says_maybe (error);
}

/* The counters of @outcomes' keys, read with MGET by the harness's own
 * RESP client (not the library under test). */
static gint64 *
server_counts (DtTestServer *server,
               GArray       *outcomes)
{
  gint64 *counts = g_new0 (gint64, MAX (outcomes->len, 1));

  for (guint start = 0; start < outcomes->len; start += 1000)
    {
      guint n = MIN (1000, outcomes->len - start);
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *raw = NULL;
      const char *p;

      g_ptr_array_add (argv, (char *) "MGET");
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (argv, g_array_index (outcomes, Outcome, start + i).key);
      g_ptr_array_add (argv, NULL);
      raw = dt_test_server_commandv (server, (const char * const *) argv->pdata);
      g_assert_nonnull (raw);
      g_assert_true (raw[0] == '*');
      g_assert_cmpint (g_ascii_strtoll (raw + 1, NULL, 10), ==, n);
      p = strstr (raw, "\r\n") + 2;
      for (guint i = 0; i < n; i++)
        {
          g_assert_true (*p == '$');
          if (g_str_has_prefix (p, "$-1\r\n"))
            {
              counts[start + i] = 0;
              p += 5;
            }
          else
            {
              gint64 len = g_ascii_strtoll (p + 1, NULL, 10);

              p = strstr (p, "\r\n") + 2;
              counts[start + i] = g_ascii_strtoll (p, NULL, 10);
              p += len + 2;
            }
        }
    }
  return counts;
}

Tally
check_outcomes (DtTestServer *server,
                GArray       *outcomes,
                const char   *what)
{
  g_autofree gint64 *counts = server_counts (server, outcomes);
  Tally tally = { 0, };
  guint ok_wrong = 0, ran_twice = 0, ran_silently = 0, torn = 0;
  GHashTable *codes = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;
  g_autoptr(GString) code_text = g_string_new (NULL);

  for (guint i = 0; i < outcomes->len; i++)
    {
      Outcome *o = &g_array_index (outcomes, Outcome, i);
      gint64 count = counts[i];

      if (o->ok)
        {
          tally.ok++;
          if (o->value != 1 || count != 1)
            {
              if (ok_wrong++ < 5)
                g_test_message ("%s: INCR %s reported success with %" G_GINT64_FORMAT
                                ", server counter %" G_GINT64_FORMAT,
                                what, o->key, o->value, count);
            }
        }
      else
        {
          gint n = GPOINTER_TO_INT (g_hash_table_lookup (codes, GINT_TO_POINTER (o->code + 1)));

          g_hash_table_insert (codes, GINT_TO_POINTER (o->code + 1), GINT_TO_POINTER (n + 1));
          tally.failed++;
          if (o->maybe)
            tally.failed_maybe++;
          if (count >= 1)
            tally.failed_ran++;
          if (count > 1 && ran_twice++ < 5)
            g_test_message ("%s: INCR %s failed (code %d) but ran %" G_GINT64_FORMAT " times",
                            what, o->key, o->code, count);
          if (count == 1 && !o->maybe && ran_silently++ < 5)
            g_test_message ("%s: INCR %s failed (code %d) without saying it may have been "
                            "executed, but the server ran it", what, o->key, o->code);
        }
      if (o->group >= 0 && i > 0)
        {
          Outcome *prev = &g_array_index (outcomes, Outcome, i - 1);

          if (prev->group == o->group && counts[i - 1] != count && torn++ < 5)
            g_test_message ("%s: transaction %d ran in part: %s=%" G_GINT64_FORMAT ", %s=%"
                            G_GINT64_FORMAT, what, o->group, prev->key, counts[i - 1],
                            o->key, count);
        }
    }

  g_hash_table_iter_init (&iter, codes);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_string_append_printf (code_text, " code %d: %d;", GPOINTER_TO_INT (key) - 1,
                            GPOINTER_TO_INT (value));
  g_hash_table_unref (codes);

  g_test_message ("%s: %u INCRs checked on the server: %u succeeded, %u failed (%u of them "
                  "ran, %u said \"" MAYBE_EXECUTED "\"; by error code:%s); violations: %u "
                  "successes not run exactly once, %u failures run twice, %u failures run "
                  "without saying so, %u torn transactions",
                  what, outcomes->len, tally.ok, tally.failed, tally.failed_ran,
                  tally.failed_maybe, code_text->str, ok_wrong, ran_twice, ran_silently, torn);

  g_assert_cmpuint (ok_wrong, ==, 0);
  g_assert_cmpuint (ran_twice, ==, 0);
  g_assert_cmpuint (ran_silently, ==, 0);
  g_assert_cmpuint (torn, ==, 0);
  return tally;
}

/* -- the killer: CLIENT KILL TYPE normal from its own connections ------------ */

static gpointer
killer_thread (gpointer data)
{
  Killer *k = data;

  while (!g_atomic_int_get (&k->stop))
    {
      g_autofree char *raw = dt_test_server_command (k->server, "CLIENT", "KILL", "TYPE", "normal",
                                                     "SKIPME", "yes", NULL);

      if (raw != NULL && raw[0] == ':')
        {
          k->kills++;
          k->killed += (guint) g_ascii_strtoull (raw + 1, NULL, 10);
        }
      g_usleep (g_random_int_range (500, 4000));
    }
  return NULL;
}

void
killer_start (Killer       *k,
              DtTestServer *server)
{
  *k = (Killer) { server, 0, 0, 0, NULL };
  k->thread = g_thread_new ("killer", killer_thread, k);
}

void
killer_stop (Killer *k)
{
  g_atomic_int_set (&k->stop, 1);
  g_thread_join (k->thread);
  k->thread = NULL;
}
