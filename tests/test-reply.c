/* test-reply.c: DtRedisReply accessors and formatting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <math.h>

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

/* The bindings' one-call accessor: bytes of strings and statuses only. */
static void
test_reply_get_data (void)
{
  static const guint8 data[] = { 'a', 0, 'b' };
  g_autoptr(DtRedisReply) string = dt_redis_reply_new_string (data, sizeof data);
  g_autoptr(DtRedisReply) empty = dt_redis_reply_new_string (NULL, 0);
  g_autoptr(DtRedisReply) status = dt_redis_reply_new_status ("OK");
  g_autoptr(DtRedisReply) error = dt_redis_reply_new_error ("ERR no");
  g_autoptr(DtRedisReply) nil = dt_redis_reply_new_nil ();
  g_autoptr(DtRedisReply) integer = dt_redis_reply_new_integer (7);
  gsize length = 99;
  const guint8 *got;

  got = dt_redis_reply_get_data (string, &length);
  g_assert_cmpmem (got, length, data, sizeof data);
  got = dt_redis_reply_get_data (empty, &length);
  g_assert_nonnull (got);
  g_assert_cmpuint (length, ==, 0);
  got = dt_redis_reply_get_data (status, &length);
  g_assert_cmpmem (got, length, "OK", 2);

  length = 99;
  g_assert_null (dt_redis_reply_get_data (error, &length));
  g_assert_cmpuint (length, ==, 0);
  g_assert_null (dt_redis_reply_get_data (nil, &length));
  g_assert_null (dt_redis_reply_get_data (integer, &length));
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
test_reply_text (void)
{
  static const guint8 latin1[] = { 'c', 0xe9, 't', 'e' };
  static const guint8 with_nul[] = { 'a', 0, 'b' };
  g_autoptr(DtRedisReply) text = dt_redis_reply_new_string ((const guint8 *) "h\xc3\xa9", 3);
  g_autoptr(DtRedisReply) status = dt_redis_reply_new_status ("OK");
  g_autoptr(DtRedisReply) nil = dt_redis_reply_new_nil ();
  g_autoptr(DtRedisReply) number = dt_redis_reply_new_integer (7);
  g_autoptr(DtRedisReply) bad = dt_redis_reply_new_string (latin1, sizeof latin1);
  g_autoptr(DtRedisReply) nul = dt_redis_reply_new_string (with_nul, sizeof with_nul);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (dt_redis_reply_get_text (text, &error), ==, "h\xc3\xa9");
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_text (status, &error), ==, "OK");
  g_assert_no_error (error);
  /* Nil is no text and no error: a missing key. */
  g_assert_null (dt_redis_reply_get_text (nil, &error));
  g_assert_no_error (error);

  /* Never invalid or cut short. */
  g_assert_null (dt_redis_reply_get_text (bad, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_clear_error (&error);
  g_assert_null (dt_redis_reply_get_text (nul, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_clear_error (&error);
  g_assert_null (dt_redis_reply_get_text (number, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
test_reply_dup_strv (void)
{
  static const guint8 latin1[] = { 0xff };
  DtRedisReply *good[] = {
    dt_redis_reply_new_string ((const guint8 *) "a", 1),
    dt_redis_reply_new_status ("b"),
    dt_redis_reply_new_string ((const guint8 *) "", 0),
  };
  DtRedisReply *holes[] = {
    dt_redis_reply_new_string ((const guint8 *) "a", 1),
    dt_redis_reply_new_nil (),
  };
  DtRedisReply *binary[] = {
    dt_redis_reply_new_string (latin1, sizeof latin1),
  };
  g_autoptr(DtRedisReply) array = dt_redis_reply_new_array (good, G_N_ELEMENTS (good));
  g_autoptr(DtRedisReply) with_nil = dt_redis_reply_new_array (holes, G_N_ELEMENTS (holes));
  g_autoptr(DtRedisReply) with_binary = dt_redis_reply_new_array (binary, G_N_ELEMENTS (binary));
  g_autoptr(DtRedisReply) empty = dt_redis_reply_new_array (NULL, 0);
  g_autoptr(DtRedisReply) single = dt_redis_reply_new_status ("x");
  g_auto(GStrv) strv = NULL;
  g_autoptr(GError) error = NULL;

  strv = dt_redis_reply_dup_strv (array, &error);
  g_assert_no_error (error);
  g_assert_cmpstrv (strv, ((const char * const []) { "a", "b", "", NULL }));
  g_clear_pointer (&strv, g_strfreev);

  strv = dt_redis_reply_dup_strv (empty, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (strv), ==, 0);
  g_clear_pointer (&strv, g_strfreev);

  g_assert_null (dt_redis_reply_dup_strv (with_nil, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_null (dt_redis_reply_dup_strv (with_binary, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_clear_error (&error);
  g_assert_null (dt_redis_reply_dup_strv (single, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    dt_redis_reply_unref (good[i]);
  for (guint i = 0; i < G_N_ELEMENTS (holes); i++)
    dt_redis_reply_unref (holes[i]);
  dt_redis_reply_unref (binary[0]);
}

static void
test_scored_member (void)
{
  static const guint8 raw[] = { 0xfe, 0x00, 'x' };
  g_autoptr(DtRedisScoredMember) text = dt_redis_scored_member_new ("alice", 2.5);
  g_autoptr(GBytes) raw_bytes = g_bytes_new_static (raw, sizeof raw);
  g_autoptr(DtRedisScoredMember) binary = dt_redis_scored_member_new_bytes (raw_bytes, -INFINITY);
  g_autoptr(DtRedisScoredMember) copy = NULL;
  g_autoptr(GBytes) member = NULL;

  g_assert_cmpstr (dt_redis_scored_member_get_member (text), ==, "alice");
  g_assert_cmpfloat (dt_redis_scored_member_get_score (text), ==, 2.5);
  member = dt_redis_scored_member_get_member_bytes (text);
  g_assert_cmpmem (g_bytes_get_data (member, NULL), g_bytes_get_size (member), "alice", 5);
  g_clear_pointer (&member, g_bytes_unref);

  /* Not text: no text, the bytes intact. */
  g_assert_null (dt_redis_scored_member_get_member (binary));
  member = dt_redis_scored_member_get_member_bytes (binary);
  g_assert_cmpmem (g_bytes_get_data (member, NULL), g_bytes_get_size (member), raw, sizeof raw);
  g_assert_true (isinf (dt_redis_scored_member_get_score (binary)));

  copy = g_boxed_copy (DT_REDIS_TYPE_SCORED_MEMBER, text);
  g_assert_true (copy != text);
  g_assert_cmpstr (dt_redis_scored_member_get_member (copy), ==, "alice");
  g_assert_cmpfloat (dt_redis_scored_member_get_score (copy), ==, 2.5);
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
  g_test_add_func ("/reply/get-data", test_reply_get_data);
  g_test_add_func ("/reply/bytes-outlive-reply", test_reply_bytes_outlive_reply);
  g_test_add_func ("/reply/array", test_reply_array);
  g_test_add_func ("/reply/array-wide-numbers", test_reply_array_wide_numbers);
  g_test_add_func ("/reply/equal", test_reply_equal);
  g_test_add_func ("/reply/boxed", test_reply_boxed);
  g_test_add_func ("/reply/text", test_reply_text);
  g_test_add_func ("/reply/dup-strv", test_reply_dup_strv);
  g_test_add_func ("/scored-member/basics", test_scored_member);
  g_test_add_func ("/pool-stats/boxed", test_pool_stats_boxed);

  return g_test_run ();
}
