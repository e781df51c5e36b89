/* test-reply.c: DtRedisReply accessors and formatting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

static void
test_reply_nil (void)
{
  g_autoptr(DtRedisReply) reply = dt_redis_reply_new_nil ();
  g_autofree char *text = dt_redis_reply_to_string (reply);
  gsize len = 42;

  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_NIL);
  g_assert_true (dt_redis_reply_is_nil (reply));
  g_assert_false (dt_redis_reply_is_error (reply));
  g_assert_null (dt_redis_reply_get_string (reply, &len));
  g_assert_cmpuint (len, ==, 0);
  g_assert_null (dt_redis_reply_get_bytes (reply));
  g_assert_cmpuint (dt_redis_reply_get_n_elements (reply), ==, 0);
  g_assert_null (dt_redis_reply_get_element (reply, 0));
  g_assert_cmpint (dt_redis_reply_get_integer (reply), ==, 0);
  g_assert_cmpstr (text, ==, "(nil)");
}

static void
test_reply_status (void)
{
  g_autoptr(DtRedisReply) reply = dt_redis_reply_new_status ("OK");
  g_autofree char *text = dt_redis_reply_to_string (reply);
  g_autoptr(GBytes) bytes = dt_redis_reply_get_bytes (reply);
  gsize len = 0;

  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, &len), ==, "OK");
  g_assert_cmpuint (len, ==, 2);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "OK", 2);
  g_assert_cmpstr (text, ==, "OK");
  g_assert_false (dt_redis_reply_is_nil (reply));
}

static void
test_reply_error (void)
{
  g_autoptr(DtRedisReply) reply = dt_redis_reply_new_error ("ERR unknown command 'FOO'");
  g_autofree char *text = dt_redis_reply_to_string (reply);

  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_ERROR);
  g_assert_true (dt_redis_reply_is_error (reply));
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, "ERR unknown command 'FOO'");
  g_assert_cmpstr (text, ==, "(error) ERR unknown command 'FOO'");
}

static void
test_reply_integer (void)
{
  g_autoptr(DtRedisReply) reply = dt_redis_reply_new_integer (G_MININT64);
  g_autoptr(DtRedisReply) five = dt_redis_reply_new_integer (5);
  g_autofree char *text = dt_redis_reply_to_string (reply);
  g_autofree char *text5 = dt_redis_reply_to_string (five);

  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_INTEGER);
  g_assert_cmpint (dt_redis_reply_get_integer (reply), ==, G_MININT64);
  g_assert_null (dt_redis_reply_get_string (reply, NULL));
  g_assert_cmpstr (text, ==, "(integer) -9223372036854775808");
  g_assert_cmpstr (text5, ==, "(integer) 5");
}

static void
test_reply_string_binary (void)
{
  static const guint8 data[] = { 'a', 0, 'b', '\n', '"', '\\', 0xff, 0x01 };
  g_autoptr(DtRedisReply) reply = dt_redis_reply_new_string (data, sizeof data);
  g_autoptr(DtRedisReply) empty = dt_redis_reply_new_string (NULL, 0);
  g_autoptr(GBytes) bytes = dt_redis_reply_get_bytes (reply);
  g_autofree char *text = dt_redis_reply_to_string (reply);
  g_autofree char *empty_text = dt_redis_reply_to_string (empty);
  gsize len = 0;
  const char *str = dt_redis_reply_get_string (reply, &len);

  g_assert_cmpint (dt_redis_reply_get_reply_type (reply), ==, DT_REDIS_REPLY_STRING);
  g_assert_cmpmem (str, len, data, sizeof data);
  g_assert_cmpint (str[len], ==, '\0');
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), data, sizeof data);
  /* Zero copy: the bytes point into the reply. */
  g_assert_true (g_bytes_get_data (bytes, NULL) == (gconstpointer) str);
  g_assert_cmpstr (text, ==, "\"a\\x00b\\n\\\"\\\\\\xff\\x01\"");
  g_assert_cmpstr (empty_text, ==, "\"\"");
}

static void
test_reply_bytes_outlive_reply (void)
{
  DtRedisReply *reply = dt_redis_reply_new_string ((const guint8 *) "value", 5);
  GBytes *bytes = dt_redis_reply_get_bytes (reply);

  dt_redis_reply_unref (reply);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "value", 5);
  g_bytes_unref (bytes);
}

static void
test_reply_array (void)
{
  g_autoptr(DtRedisReply) a = dt_redis_reply_new_string ((const guint8 *) "a", 1);
  g_autoptr(DtRedisReply) b = dt_redis_reply_new_string ((const guint8 *) "b", 1);
  g_autoptr(DtRedisReply) n = dt_redis_reply_new_integer (3);
  g_autoptr(DtRedisReply) nil = dt_redis_reply_new_nil ();
  DtRedisReply *inner_elements[] = { a, b };
  g_autoptr(DtRedisReply) inner = dt_redis_reply_new_array (inner_elements, 2);
  DtRedisReply *outer_elements[] = { inner, n, nil };
  g_autoptr(DtRedisReply) outer = dt_redis_reply_new_array (outer_elements, 3);
  g_autoptr(DtRedisReply) empty = dt_redis_reply_new_array (NULL, 0);
  g_autofree char *text = dt_redis_reply_to_string (outer);
  g_autofree char *empty_text = dt_redis_reply_to_string (empty);

  g_assert_cmpint (dt_redis_reply_get_reply_type (outer), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (outer), ==, 3);
  g_assert_true (dt_redis_reply_get_element (outer, 0) == inner);
  g_assert_true (dt_redis_reply_get_element (outer, 1) == n);
  g_assert_null (dt_redis_reply_get_element (outer, 3));
  g_assert_null (dt_redis_reply_get_string (outer, NULL));
  g_assert_null (dt_redis_reply_get_bytes (outer));
  g_assert_cmpstr (text, ==,
                   "1) 1) \"a\"\n"
                   "   2) \"b\"\n"
                   "2) (integer) 3\n"
                   "3) (nil)");
  g_assert_cmpstr (empty_text, ==, "(empty array)");
}

static void
test_reply_array_wide_numbers (void)
{
  g_autoptr(GPtrArray) elements = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_reply_unref);
  g_autoptr(DtRedisReply) array = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  for (guint i = 0; i < 10; i++)
    g_ptr_array_add (elements, dt_redis_reply_new_integer (i));
  array = dt_redis_reply_new_array ((DtRedisReply * const *) elements->pdata, elements->len);
  text = dt_redis_reply_to_string (array);
  lines = g_strsplit (text, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 10);
  g_assert_cmpstr (lines[0], ==, " 1) (integer) 0");
  g_assert_cmpstr (lines[9], ==, "10) (integer) 9");
}

static void
test_reply_equal (void)
{
  g_autoptr(DtRedisReply) s1 = dt_redis_reply_new_string ((const guint8 *) "x", 1);
  g_autoptr(DtRedisReply) s2 = dt_redis_reply_new_string ((const guint8 *) "x", 1);
  g_autoptr(DtRedisReply) st = dt_redis_reply_new_status ("x");
  g_autoptr(DtRedisReply) i1 = dt_redis_reply_new_integer (1);
  g_autoptr(DtRedisReply) i2 = dt_redis_reply_new_integer (2);
  DtRedisReply *e1[] = { s1, i1 };
  DtRedisReply *e2[] = { s2, i1 };
  DtRedisReply *e3[] = { s2, i2 };
  g_autoptr(DtRedisReply) a1 = dt_redis_reply_new_array (e1, 2);
  g_autoptr(DtRedisReply) a2 = dt_redis_reply_new_array (e2, 2);
  g_autoptr(DtRedisReply) a3 = dt_redis_reply_new_array (e3, 2);

  g_assert_true (dt_redis_reply_equal (s1, s2));
  g_assert_false (dt_redis_reply_equal (s1, st));
  g_assert_false (dt_redis_reply_equal (i1, i2));
  g_assert_true (dt_redis_reply_equal (a1, a2));
  g_assert_false (dt_redis_reply_equal (a1, a3));
}

static void
test_reply_boxed (void)
{
  g_autoptr(DtRedisReply) reply = dt_redis_reply_new_integer (7);
  DtRedisReply *copy;

  g_assert_true (G_TYPE_IS_BOXED (DT_REDIS_TYPE_REPLY));
  copy = g_boxed_copy (DT_REDIS_TYPE_REPLY, reply);
  g_assert_true (copy == reply);
  g_boxed_free (DT_REDIS_TYPE_REPLY, copy);
  g_assert_cmpint (dt_redis_reply_get_integer (reply), ==, 7);
  g_assert_true (G_TYPE_IS_ENUM (DT_REDIS_TYPE_REPLY_TYPE));
  g_assert_true (G_TYPE_IS_ENUM (DT_REDIS_TYPE_ERROR));
}

static void
test_pool_stats_boxed (void)
{
  DtRedisPoolStats stats = { .total = 3, .idle = 1, .in_use = 2, .hits = 10, .in_flight = 4 };
  g_autoptr(DtRedisPoolStats) copy = dt_redis_pool_stats_copy (&stats);

  g_assert_cmpuint (copy->total, ==, 3);
  g_assert_cmpuint (copy->in_use, ==, 2);
  g_assert_cmpuint (copy->hits, ==, 10);
  g_assert_cmpuint (copy->in_flight, ==, 4);
  g_assert_true (G_TYPE_IS_BOXED (DT_REDIS_TYPE_POOL_STATS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/reply/nil", test_reply_nil);
  g_test_add_func ("/reply/status", test_reply_status);
  g_test_add_func ("/reply/error", test_reply_error);
  g_test_add_func ("/reply/integer", test_reply_integer);
  g_test_add_func ("/reply/string-binary", test_reply_string_binary);
  g_test_add_func ("/reply/bytes-outlive-reply", test_reply_bytes_outlive_reply);
  g_test_add_func ("/reply/array", test_reply_array);
  g_test_add_func ("/reply/array-wide-numbers", test_reply_array_wide_numbers);
  g_test_add_func ("/reply/equal", test_reply_equal);
  g_test_add_func ("/reply/boxed", test_reply_boxed);
  g_test_add_func ("/pool-stats/boxed", test_pool_stats_boxed);

  return g_test_run ();
}
