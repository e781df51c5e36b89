/* test-monitor.c: DtRedisMonitor against a real redis-server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-test-server.h"

static DtTestServer *server;

static DtRedisInstance *
new_instance_for_url (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (url, &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_socket_timeout (config, 5);
  return dt_redis_instance_new (config);
}

static DtRedisInstance *
new_instance (void)
{
  return new_instance_for_url (dt_test_server_get_url (server));
}

static char *
next_line (DtRedisMonitor *monitor)
{
  g_autoptr(GError) error = NULL;
  char *line = dt_redis_monitor_next_command (monitor, 5000, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

/* The part of a line after "TIME [DB CLIENT] ". */
static const char *
command_part (const char *line)
{
  const char *end = strstr (line, "] ");

  g_assert_nonnull (end);
  return end + 2;
}

static void
test_lines (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisMonitor) monitor = dt_redis_instance_get_monitor (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *none = NULL;
  gint64 started;

  g_assert_false (dt_redis_monitor_get_active (monitor));
  g_assert_true (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_monitor_get_active (monitor));
  /* A second start is a no-op. */
  g_assert_true (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_no_error (error);

  /* Nothing yet: a zero timeout answers at once, a short one after it. */
  none = dt_redis_monitor_next_command (monitor, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  started = g_get_monotonic_time ();
  none = dt_redis_monitor_next_command (monitor, 100, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 100 * 1000);

  g_assert_true (dt_redis_client_set (client, "mon key", "say \"hi\"", NULL, &error));
  g_assert_no_error (error);
  g_free (dt_redis_client_get (client, "mon key", NULL, &error));
  g_assert_no_error (error);

  first = next_line (monitor);
  second = next_line (monitor);
  g_assert_cmpstr (command_part (first), ==, "\"SET\" \"mon key\" \"say \\\"hi\\\"\"");
  g_assert_cmpstr (command_part (second), ==, "\"GET\" \"mon key\"");
  g_assert_nonnull (strstr (first, " [0 127.0.0.1:"));
  g_assert_true (g_ascii_isdigit (first[0]));

  dt_redis_monitor_close (monitor);
  g_assert_false (dt_redis_monitor_get_active (monitor));
  g_assert_null (dt_redis_monitor_next_command (monitor, 0, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CLOSED);
  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_later_thread (gpointer data)
{
  g_usleep (100 * 1000);
  cancel_cb (data);
  return NULL;
}

/* A cancelled wait loses nothing and leaves the monitor running. */
static void
test_cancel (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisMonitor) monitor = dt_redis_instance_get_monitor (instance);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GThread *thread;

  g_assert_true (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_no_error (error);

  thread = g_thread_new ("cancel", cancel_later_thread, cancellable);
  line = dt_redis_monitor_next_command (monitor, -1, cancellable, &error);
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (line);
  g_clear_error (&error);
  g_assert_true (dt_redis_monitor_get_active (monitor));

  dt_redis_client_incr (client, "mon:after-cancel", NULL, &error);
  g_assert_no_error (error);
  line = next_line (monitor);
  g_assert_cmpstr (command_part (line), ==, "\"INCR\" \"mon:after-cancel\"");

  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

/* Thousands of lines arrive many per read, and come out whole, in order. */
static void
test_burst_in_order (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisMonitor) monitor = dt_redis_instance_get_monitor (instance);
  g_autoptr(DtRedisPipeline) pipeline = dt_redis_client_pipeline (client, FALSE);
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = 3000;

  g_assert_true (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("mon:%u", i);
      g_autofree char *value = g_strdup_printf ("value number %u", i);

      dt_redis_pipeline_append (pipeline, (const char *[]) { "SET", key, value, NULL });
    }
  replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, n);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *line = next_line (monitor);
      g_autofree char *expected = g_strdup_printf ("\"SET\" \"mon:%u\" \"value number %u\"", i, i);

      g_assert_cmpstr (command_part (line), ==, expected);
    }

  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

/* CLIENT KILL ID of the one client flagged O (monitor) in CLIENT LIST. */
static void
kill_monitor_client (void)
{
  g_autofree char *list = dt_test_server_command (server, "CLIENT", "LIST", NULL);
  g_auto(GStrv) lines = g_strsplit (list, "\n", -1);
  g_autofree char *killed = NULL;
  g_autofree char *id_text = NULL;
  const char *id = NULL;

  for (guint i = 0; lines[i] != NULL && id == NULL; i++)
    if (strstr (lines[i], " flags=O ") != NULL)
      id = strstr (lines[i], "id=");
  g_assert_nonnull (id);
  id_text = g_strndup (id + 3, strcspn (id + 3, " "));
  killed = dt_test_server_command (server, "CLIENT", "KILL", "ID", id_text, NULL);
  g_assert_cmpstr (killed, ==, ":1\r\n");
}

/* CLIENT KILL ends the monitor with an error; it can start again. */
static void
test_killed (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisMonitor) monitor = dt_redis_instance_get_monitor (instance);
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_assert_true (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_no_error (error);
  kill_monitor_client ();

  line = dt_redis_monitor_next_command (monitor, 5000, NULL, &error);
  g_assert_null (line);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION);
  g_clear_error (&error);
  g_assert_false (dt_redis_monitor_get_active (monitor));

  g_assert_true (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (dt_redis_client_set (client, "mon:again", "1", NULL, &error));
  g_assert_no_error (error);
  line = next_line (monitor);
  g_assert_cmpstr (command_part (line), ==, "\"SET\" \"mon:again\" \"1\"");

  g_free (dt_test_server_command (server, "FLUSHALL", NULL));
}

/* A user whose ACL forbids MONITOR gets the server's refusal, without the
 * password in it. */
static void
test_refused (void)
{
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisMonitor) monitor = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *acl = NULL;
  g_autofree char *url = g_strdup_printf ("redis://watcher:s3cr3t-pw@127.0.0.1:%u/0",
                                          dt_test_server_get_port (server));

  acl = dt_test_server_command (server, "ACL", "SETUSER", "watcher", "on", ">s3cr3t-pw",
                                "~*", "+@all", "-monitor", NULL);
  g_assert_cmpstr (acl, ==, "+OK\r\n");

  instance = new_instance_for_url (url);
  monitor = dt_redis_instance_get_monitor (instance);
  g_assert_false (dt_redis_monitor_start (monitor, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "NOPERM"));
  g_assert_null (strstr (error->message, "s3cr3t-pw"));
  g_assert_false (dt_redis_monitor_get_active (monitor));

  g_free (dt_test_server_command (server, "ACL", "DELUSER", "watcher", NULL));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

  g_test_add_func ("/monitor/lines", test_lines);
  g_test_add_func ("/monitor/cancel", test_cancel);
  g_test_add_func ("/monitor/burst-in-order", test_burst_in_order);
  g_test_add_func ("/monitor/killed", test_killed);
  g_test_add_func ("/monitor/refused", test_refused);

  ret = g_test_run ();
  dt_test_server_free (server);
  return ret;
}
