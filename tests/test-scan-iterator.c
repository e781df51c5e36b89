/* test-scan-iterator.c: DtRedisScanIterator walks whole scans
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>

#include "dtredis-test-server.h"

static DtTestServer *server;

static DtRedisInstance *
new_instance (void)
{
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, dt_test_server_get_host (server));
  dt_redis_config_set_redis_port (config, dt_test_server_get_port (server));
  return dt_redis_instance_new (config);
}

static void
server_ok (const char *first,
           ...)
{
  /* Fill through the harness's own client, not the code under test. */
  g_autofree char *reply = NULL;
  va_list args;

  va_start (args, first);
  reply = dt_test_server_command_valist (server, first, args);
  va_end (args);
  g_assert_nonnull (reply);
  g_assert_false (reply[0] == '-');
}

static void
fill_keys (guint n)
{
  g_autofree char *reply = dt_test_server_command (server, "FLUSHALL", NULL);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("walk:%u", i);

      server_ok ("SET", key, "v", NULL);
    }
  server_ok ("SET", "other", "v", NULL);
}

/* Every key comes at least once, and nothing else does. */
static void
test_keys_sync (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisScanIterator) iter = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  guint pages = 0;
  char **page;

  fill_keys (500);
  iter = dt_redis_scan_iterator_new (client, DT_REDIS_SCAN_KEYS, NULL, "walk:*", 50, "string");
  g_assert_false (dt_redis_scan_iterator_is_done (iter));
  while ((page = dt_redis_scan_iterator_next (iter, NULL, &error)) != NULL)
    {
      for (guint i = 0; page[i] != NULL; i++)
        {
          g_assert_true (g_str_has_prefix (page[i], "walk:"));
          g_hash_table_add (seen, g_strdup (page[i]));
        }
      g_strfreev (page);
      pages++;
    }
  g_assert_no_error (error);
  g_assert_true (dt_redis_scan_iterator_is_done (iter));
  g_assert_cmpuint (g_hash_table_size (seen), ==, 500);
  g_assert_cmpuint (pages, >, 1);

  /* Done stays done, with no I/O. */
  g_assert_null (dt_redis_scan_iterator_next (iter, NULL, &error));
  g_assert_no_error (error);
}

/* HSCAN pages are field, value pairs; a non-UTF-8 value fails the page. */
static void
test_hash_pairs (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  g_autoptr(DtRedisScanIterator) iter = NULL;
  g_autoptr(DtRedisScanIterator) binary = NULL;
  g_autoptr(GHashTable) pairs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) field = g_bytes_new_static ("f", 1);
  g_autoptr(GBytes) bad = g_bytes_new_static ("\xff\xfe", 2);
  g_autoptr(GBytes) name = g_bytes_new_static ("HSET", 4);
  g_autoptr(GBytes) key = g_bytes_new_static ("bin", 3);
  g_autoptr(DtRedisReply) set = NULL;
  char **page;

  server_ok ("DEL", "h", "bin", NULL);
  server_ok ("HSET", "h", "a", "1", "b", "2", "c", "3", NULL);
  iter = dt_redis_scan_iterator_new (client, DT_REDIS_SCAN_HASH, "h", NULL, -1, NULL);
  while ((page = dt_redis_scan_iterator_next (iter, NULL, &error)) != NULL)
    {
      g_assert_cmpuint (g_strv_length (page) % 2, ==, 0);
      for (guint i = 0; page[i] != NULL; i += 2)
        g_hash_table_replace (pairs, g_strdup (page[i]), g_strdup (page[i + 1]));
      g_strfreev (page);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (pairs), ==, 3);
  g_assert_cmpstr (g_hash_table_lookup (pairs, "b"), ==, "2");

  set = dt_redis_client_execute_bytes (client, (GBytes *[]) { name, key, field, bad }, 4, NULL, &error);
  g_assert_no_error (error);
  binary = dt_redis_scan_iterator_new (client, DT_REDIS_SCAN_HASH, "bin", NULL, -1, NULL);
  g_assert_null (dt_redis_scan_iterator_next (binary, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_assert_false (dt_redis_scan_iterator_is_done (binary));
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static void
test_set_async (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  g_autoptr(DtRedisScanIterator) iter = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;

  server_ok ("DEL", "s", NULL);
  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *member = g_strdup_printf ("m%u", i);

      server_ok ("SADD", "s", member, NULL);
    }

  iter = dt_redis_scan_iterator_new_async (client, DT_REDIS_SCAN_SET, "s", "m*", 40, NULL);
  for (;;)
    {
      g_autoptr(GAsyncResult) result = NULL;
      char **page;

      dt_redis_scan_iterator_next_async (iter, NULL, store_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      page = dt_redis_scan_iterator_next_finish (iter, result, &error);
      g_assert_no_error (error);
      if (page == NULL)
        break;
      for (guint i = 0; page[i] != NULL; i++)
        g_hash_table_add (seen, g_strdup (page[i]));
      g_strfreev (page);
    }
  g_assert_true (dt_redis_scan_iterator_is_done (iter));
  g_assert_cmpuint (g_hash_table_size (seen), ==, 300);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  server = dt_test_server_start (NULL);

  g_test_add_func ("/scan-iterator/keys-sync", test_keys_sync);
  g_test_add_func ("/scan-iterator/hash-pairs", test_hash_pairs);
  g_test_add_func ("/scan-iterator/set-async", test_set_async);

  ret = g_test_run ();
  dt_test_server_free (server);
  return ret;
}
