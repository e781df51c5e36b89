/* test-client-commands.c: DtRedisClient's typed commands by data type,
 * their options and text encoding, against a private redis-server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-test-server.h"
#include "test-client-common.h"

static GBytes *
str_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

static void
assert_bytes_str (GBytes     *bytes,
                  const char *expected)
{
  g_assert_nonnull (bytes);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, strlen (expected));
}

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Asserts that @list holds @expected (both NULL-terminated), in that order
 * unless @sorted asks to sort @list first (for sets, KEYS...). */
static void
assert_strv (char               **list,
             gboolean             sorted,
             const char * const  *expected)
{
  g_assert_nonnull (list);
  if (sorted)
    qsort (list, g_strv_length (list), sizeof (char *), compare_strings);
  g_assert_cmpstrv (list, expected);
}

/* Asserts that @list (of DtRedisScoredMember) holds the members @expected,
 * in that order. */
static void
assert_members (GPtrArray          *list,
                const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_nonnull (list);
  g_assert_cmpuint (list->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (dt_redis_scored_member_get_member (g_ptr_array_index (list, i)), ==, expected[i]);
}

static gdouble
score_at (GPtrArray *list,
          guint      i)
{
  g_assert_cmpuint (i, <, list->len);
  return dt_redis_scored_member_get_score (g_ptr_array_index (list, i));
}

/* SET's EX, PX, EXAT and PXAT, all absent. */
#define NO_EXPIRY -1, -1, -1, -1

static void
test_strings (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *visitors = NULL;
  gint64 ttl;

  g_assert_true (dt_redis_client_set (f->client, "greeting", "Hello, Redis!", NULL, &error));
  g_assert_no_error (error);
  value = dt_redis_client_get (f->client, "greeting", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "Hello, Redis!");

  /* A missing key is NULL and no error. */
  missing = dt_redis_client_get (f->client, "nope", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  g_assert_true (dt_redis_client_set (f->client, "visitors", "0", NULL, &error));
  g_assert_cmpint (dt_redis_client_incr (f->client, "visitors", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_incrby (f->client, "visitors", 10, NULL, &error), ==, 11);
  g_assert_cmpint (dt_redis_client_incrby (f->client, "visitors", -20, NULL, &error), ==, -9);
  g_assert_cmpint (dt_redis_client_decr (f->client, "visitors", NULL, &error), ==, -10);
  g_assert_no_error (error);
  visitors = dt_redis_client_get (f->client, "visitors", NULL, &error);
  g_assert_cmpstr (visitors, ==, "-10");

  /* A missing key counts from 0. */
  g_assert_cmpint (dt_redis_client_incr (f->client, "fresh", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_decr (f->client, "fresher", NULL, &error), ==, -1);
  g_assert_cmpint (dt_redis_client_incrby (f->client, "big", G_MAXINT64, NULL, &error), ==, G_MAXINT64);
  g_assert_no_error (error);

  /* Overflow and non-integers are the server's errors. */
  g_assert_cmpint (dt_redis_client_incr (f->client, "big", NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "ERR increment or decrement would overflow");
  g_clear_error (&error);
  g_assert_cmpint (dt_redis_client_incr (f->client, "greeting", NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "ERR value is not an integer or out of range");
  g_clear_error (&error);

  g_assert_true (dt_redis_client_setex (f->client, "session:abc", 3600, "user_data", NULL, &error));
  g_assert_no_error (error);
  ttl = dt_redis_client_ttl (f->client, "session:abc", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ttl, >, 3590);
  g_assert_cmpint (ttl, <=, 3600);

  g_assert_false (dt_redis_client_setex (f->client, "session:bad", 0, "user_data", NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "ERR invalid expire time"));
  g_clear_error (&error);

  /* SET replaces a value of any type and drops its time to live. */
  g_assert_true (dt_redis_client_set (f->client, "session:abc", "Hello, Redis!", NULL, &error));
  g_assert_cmpint (dt_redis_client_ttl (f->client, "session:abc", NULL, &error), ==, -1);
  g_assert_no_error (error);
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) none = NULL;

  /* -2: no such key; -1: no time to live. */
  g_assert_cmpint (dt_redis_client_ttl (f->client, "nope", NULL, &error), ==, -2);
  g_assert_no_error (error);
  g_assert_true (dt_redis_client_set (f->client, "user:1", "v", NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "user:2", "v", NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "other", "v", NULL, &error));
  g_assert_cmpint (dt_redis_client_ttl (f->client, "user:1", NULL, &error), ==, -1);
  g_assert_no_error (error);

  g_assert_true (dt_redis_client_expire (f->client, "user:1", 100, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_ttl (f->client, "user:1", NULL, &error), ==, 100);
  g_assert_false (dt_redis_client_expire (f->client, "nope", 100, NULL, &error));
  g_assert_no_error (error);
  /* NX: only when there is no time to live yet. */
  g_assert_false (dt_redis_client_expire_full (f->client, "user:1", 200, DT_REDIS_EXPIRE_FLAGS_NX, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_ttl (f->client, "user:1", NULL, &error), ==, 100);

  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("user:1", "user:2", "nope"), NULL, &error), ==, 2);
  /* A key named twice counts twice, as the server says. */
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("user:1", "user:1"), NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("nope"), NULL, &error), ==, 0);
  g_assert_no_error (error);

  keys = dt_redis_client_keys (f->client, "user:*", NULL, &error);
  g_assert_no_error (error);
  assert_strv (keys, TRUE, STRV ("user:1", "user:2"));
  none = dt_redis_client_keys (f->client, "nothing:*", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  g_assert_cmpint (dt_redis_client_delete (f->client, STRV ("user:1", "user:2", "nope"), NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_delete (f->client, STRV ("user:1"), NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("user:1", "user:2", "other"), NULL, &error), ==, 1);

  /* No keys at all: a programmer error now ("the keys, at least one"),
   * caught before anything is sent. */
  g_test_expect_message ("DtRedis", G_LOG_LEVEL_CRITICAL, "*keys[0] != NULL*");
  g_assert_cmpint (dt_redis_client_delete (f->client, (const char * const []) { NULL }, NULL, &error), ==, 0);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("other"), NULL, &error), ==, 1);
  g_assert_no_error (error);
}

static void
test_hashes (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) mapping = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) empty_mapping = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) all_bytes = NULL;
  g_autoptr(GHashTable) none = NULL;
  g_autofree char *name = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *nokey = NULL;

  g_assert_cmpint (dt_redis_client_hset (f->client, "user:123", "name", "John", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_hset (f->client, "user:123", "name", "John", NULL, &error), ==, 0);
  g_assert_no_error (error);

  g_hash_table_insert (mapping, (char *) "email", (char *) "alice@example.com");
  g_hash_table_insert (mapping, (char *) "age", (char *) "30");
  g_hash_table_insert (mapping, (char *) "city", (char *) "New York");
  g_hash_table_insert (mapping, (char *) "name", (char *) "Alice Smith");
  /* Three new fields, one updated. */
  g_assert_cmpint (dt_redis_client_hset_mapping (f->client, "user:123", mapping, NULL, &error), ==, 3);
  g_assert_no_error (error);

  name = dt_redis_client_hget (f->client, "user:123", "name", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Alice Smith");
  phone = dt_redis_client_hget (f->client, "user:123", "phone", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (phone);
  nokey = dt_redis_client_hget (f->client, "user:999", "name", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (nokey);

  g_assert_cmpint (dt_redis_client_hset (f->client, "user:123", "age", "31", NULL, &error), ==, 0);

  all = dt_redis_client_hgetall (f->client, "user:123", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (all);
  g_assert_cmpuint (g_hash_table_size (all), ==, 4);
  g_assert_cmpstr (g_hash_table_lookup (all, "name"), ==, "Alice Smith");
  g_assert_cmpstr (g_hash_table_lookup (all, "email"), ==, "alice@example.com");
  g_assert_cmpstr (g_hash_table_lookup (all, "age"), ==, "31");
  g_assert_cmpstr (g_hash_table_lookup (all, "city"), ==, "New York");

  /* The binary twin: the same fields, as text, to GBytes. */
  all_bytes = dt_redis_client_hgetall_bytes (f->client, "user:123", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (all_bytes);
  g_assert_cmpuint (g_hash_table_size (all_bytes), ==, 4);
  assert_bytes_str (g_hash_table_lookup (all_bytes, "name"), "Alice Smith");
  assert_bytes_str (g_hash_table_lookup (all_bytes, "age"), "31");

  none = dt_redis_client_hgetall (f->client, "user:999", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_hash_table_size (none), ==, 0);

  g_assert_true (dt_redis_client_hexists (f->client, "user:123", "city", NULL, &error));
  g_assert_false (dt_redis_client_hexists (f->client, "user:123", "phone", NULL, &error));
  g_assert_false (dt_redis_client_hexists (f->client, "user:999", "phone", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (dt_redis_client_hdel (f->client, "user:123", STRV ("city", "age", "phone"), NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_hdel (f->client, "user:999", STRV ("city"), NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_false (dt_redis_client_hexists (f->client, "user:123", "city", NULL, &error));

  /* An empty mapping is refused by the server, not by a critical. */
  g_assert_cmpint (dt_redis_client_hset_mapping (f->client, "user:123", empty_mapping, NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
}

static void
test_lists (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) tasks = NULL;
  g_auto(GStrv) logs = NULL;
  g_auto(GStrv) none = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *empty_l = NULL;
  g_autofree char *empty_r = NULL;

  /* LPUSH inserts one after the other: the last ends up first. */
  g_assert_cmpint (dt_redis_client_lpush (f->client, "tasks", STRV ("task1", "task2", "task3"), NULL, &error), ==, 3);
  g_assert_no_error (error);
  tasks = dt_redis_client_lrange (f->client, "tasks", 0, -1, NULL, &error);
  g_assert_no_error (error);
  assert_strv (tasks, FALSE, STRV ("task3", "task2", "task1"));
  g_assert_cmpint (dt_redis_client_llen (f->client, "tasks", NULL, &error), ==, 3);

  last = dt_redis_client_rpop (f->client, "tasks", NULL, &error);
  g_assert_cmpstr (last, ==, "task1");
  first = dt_redis_client_lpop (f->client, "tasks", NULL, &error);
  g_assert_cmpstr (first, ==, "task3");
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_llen (f->client, "tasks", NULL, &error), ==, 1);

  g_assert_cmpint (dt_redis_client_rpush (f->client, "logs", STRV ("log1", "log2", "log3", "log4"), NULL, &error), ==, 4);
  g_assert_cmpint (dt_redis_client_rpush (f->client, "logs", STRV ("log5"), NULL, &error), ==, 5);
  logs = dt_redis_client_lrange (f->client, "logs", 1, -2, NULL, &error);
  g_assert_no_error (error);
  assert_strv (logs, FALSE, STRV ("log2", "log3", "log4"));

  /* Missing key: NULL, 0 and empty, never an error. */
  empty_l = dt_redis_client_lpop (f->client, "nope", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (empty_l);
  empty_r = dt_redis_client_rpop (f->client, "nope", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (empty_r);
  g_assert_cmpint (dt_redis_client_llen (f->client, "nope", NULL, &error), ==, 0);
  none = dt_redis_client_lrange (f->client, "nope", 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

static void
test_sets (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) members = NULL;
  g_auto(GStrv) sunion = NULL;
  g_auto(GStrv) sinter = NULL;
  g_auto(GStrv) sdiff = NULL;
  g_auto(GStrv) none = NULL;

  g_assert_cmpint (dt_redis_client_sadd (f->client, "py", STRV ("django", "flask", "fastapi"), NULL, &error), ==, 3);
  g_assert_cmpint (dt_redis_client_sadd (f->client, "py", STRV ("flask", "bottle"), NULL, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_true (dt_redis_client_sismember (f->client, "py", "django", NULL, &error));
  g_assert_false (dt_redis_client_sismember (f->client, "py", "react", NULL, &error));
  g_assert_false (dt_redis_client_sismember (f->client, "nope", "react", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (dt_redis_client_srem (f->client, "py", STRV ("bottle", "react"), NULL, &error), ==, 1);
  g_assert_no_error (error);
  members = dt_redis_client_smembers (f->client, "py", NULL, &error);
  g_assert_no_error (error);
  assert_strv (members, TRUE, STRV ("django", "fastapi", "flask"));

  g_assert_cmpint (dt_redis_client_sadd (f->client, "set1", STRV ("a", "b", "c"), NULL, &error), ==, 3);
  g_assert_cmpint (dt_redis_client_sadd (f->client, "set2", STRV ("b", "c", "d"), NULL, &error), ==, 3);
  sunion = dt_redis_client_sunion (f->client, STRV ("set1", "set2"), NULL, &error);
  g_assert_no_error (error);
  assert_strv (sunion, TRUE, STRV ("a", "b", "c", "d"));
  sinter = dt_redis_client_sinter (f->client, STRV ("set1", "set2"), NULL, &error);
  g_assert_no_error (error);
  assert_strv (sinter, TRUE, STRV ("b", "c"));
  sdiff = dt_redis_client_sdiff (f->client, STRV ("set1", "set2"), NULL, &error);
  g_assert_no_error (error);
  assert_strv (sdiff, TRUE, STRV ("a"));

  none = dt_redis_client_smembers (f->client, "nope", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpint (dt_redis_client_srem (f->client, "nope", STRV ("a"), NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_sorted_sets (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) top = NULL;
  g_auto(GStrv) top_rev = NULL;
  g_auto(GStrv) all = NULL;
  g_autoptr(GPtrArray) with_scores = NULL;
  g_autoptr(GPtrArray) rev_with_scores = NULL;
  g_autoptr(GPtrArray) rev_flag_with_scores = NULL;
  g_autoptr(GPtrArray) extremes = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) pair = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_scored_member_free);
  gdouble score;

  g_assert_cmpint (zadd_one (f->client, "board", 100, "player1", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "board", 250, "player2", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "board", 175, "player3", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "board", 300, "player4", &error), ==, 1);
  /* An update is not a new member. */
  g_assert_cmpint (zadd_one (f->client, "board", 99.5, "player1", &error), ==, 0);
  g_assert_no_error (error);

  /* Several members in one ZADD. */
  g_ptr_array_add (pair, dt_redis_scored_member_new ("a", 1));
  g_ptr_array_add (pair, dt_redis_scored_member_new ("b", 2));
  g_assert_cmpint (dt_redis_client_zadd (f->client, "pair",
                                         (DtRedisScoredMember * const *) pair->pdata, pair->len,
                                         NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_zcard (f->client, "pair", NULL, &error), ==, 2);
  g_assert_no_error (error);

  g_assert_cmpfloat (dt_redis_client_zincrby (f->client, "board", 50.5, "player1", NULL, &error), ==, 150.0);
  g_assert_cmpfloat (dt_redis_client_zincrby (f->client, "board", -0.25, "newcomer", NULL, &error), ==, -0.25);
  g_assert_no_error (error);

  score = dt_redis_client_zscore (f->client, "board", "player1", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (score, ==, 150.0);
  g_assert_false (isnan (dt_redis_client_zscore (f->client, "board", "player2", NULL, &error)));
  g_assert_no_error (error);

  /* Missing: NAN, no error. */
  score = dt_redis_client_zscore (f->client, "board", "ghost", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (isnan (score));
  score = dt_redis_client_zscore (f->client, "nope", "ghost", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (isnan (score));

  /* newcomer -0.25, player1 150, player3 175, player2 250, player4 300 */
  g_assert_cmpint (dt_redis_client_zrank (f->client, "board", "newcomer", NULL, &error), ==, 0);
  g_assert_cmpint (dt_redis_client_zrank (f->client, "board", "player2", NULL, &error), ==, 3);
  g_assert_cmpint (dt_redis_client_zrevrank (f->client, "board", "player2", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zrevrank (f->client, "board", "player4", NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_zrank (f->client, "board", "ghost", NULL, &error), ==, -1);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_zrevrank (f->client, "nope", "ghost", NULL, &error), ==, -1);
  g_assert_no_error (error);

  all = dt_redis_client_zrange (f->client, "board", 0, -1, NULL, &error);
  g_assert_no_error (error);
  assert_strv (all, FALSE, STRV ("newcomer", "player1", "player3", "player2", "player4"));

  top = dt_redis_client_zrevrange (f->client, "board", 0, 2, NULL, &error);
  g_assert_no_error (error);
  assert_strv (top, FALSE, STRV ("player4", "player2", "player3"));
  /* ZRANGE ... REV is the same. */
  top_rev = dt_redis_client_zrange_full (f->client, "board", 0, 2, DT_REDIS_ZRANGE_FLAGS_REV, NULL, &error);
  g_assert_no_error (error);
  assert_strv (top_rev, FALSE, STRV ("player4", "player2", "player3"));

  with_scores = dt_redis_client_zrange_withscores (f->client, "board", 1, 2,
                                                   NULL, &error);
  g_assert_no_error (error);
  assert_members (with_scores, STRV ("player1", "player3"));
  g_assert_cmpfloat (score_at (with_scores, 0), ==, 150.0);
  g_assert_cmpfloat (score_at (with_scores, 1), ==, 175.0);

  rev_with_scores = dt_redis_client_zrevrange_withscores (f->client, "board", 0, -1, NULL, &error);
  g_assert_no_error (error);
  assert_members (rev_with_scores, STRV ("player4", "player2", "player3", "player1", "newcomer"));
  g_assert_cmpfloat (score_at (rev_with_scores, 0), ==, 300.0);
  g_assert_cmpfloat (score_at (rev_with_scores, 4), ==, -0.25);

  rev_flag_with_scores = dt_redis_client_zrange_withscores_full (f->client, "board", 0, -1, DT_REDIS_ZRANGE_FLAGS_REV,
                                                            NULL, &error);
  g_assert_no_error (error);
  assert_members (rev_flag_with_scores, STRV ("player4", "player2", "player3", "player1", "newcomer"));
  g_assert_cmpfloat (score_at (rev_flag_with_scores, 0), ==, 300.0);
  g_assert_cmpfloat (score_at (rev_flag_with_scores, 4), ==, -0.25);

  /* Scores go out and come back as the same doubles, infinities included. */
  g_assert_cmpint (zadd_one (f->client, "exact", 0.1, "tenth", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "exact", 1.0 / 3.0, "third", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "exact", INFINITY, "top", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "exact", -INFINITY, "bottom", &error), ==, 1);
  g_assert_cmpint (zadd_one (f->client, "exact", 1e300, "huge", &error), ==, 1);
  g_assert_no_error (error);
  extremes = dt_redis_client_zrange_withscores (f->client, "exact", 0, -1, NULL, &error);
  g_assert_no_error (error);
  assert_members (extremes, STRV ("bottom", "tenth", "third", "huge", "top"));
  g_assert_cmpfloat (score_at (extremes, 0), ==, -INFINITY);
  g_assert_cmpfloat (score_at (extremes, 1), ==, 0.1);
  g_assert_cmpfloat (score_at (extremes, 2), ==, 1.0 / 3.0);
  g_assert_cmpfloat (score_at (extremes, 3), ==, 1e300);
  g_assert_cmpfloat (score_at (extremes, 4), ==, INFINITY);
  score = dt_redis_client_zscore (f->client, "exact", "third", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (score, ==, 1.0 / 3.0);

  /* NaN is refused by the server. */
  g_assert_cmpint (zadd_one (f->client, "exact", NAN, "nan", &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_clear_error (&error);

  /* A missing key: an empty array, no error. */
  none = dt_redis_client_zrange_withscores (f->client, "nope", 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_server_commands (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pong = NULL;
  g_autofree char *echoed = NULL;

  pong = dt_redis_client_ping (f->client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pong, ==, "PONG");
  /* PING with a message answers the message. */
  echoed = dt_redis_client_ping_full (f->client, "hello", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoed, ==, "hello");
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 0);
  g_assert_true (dt_redis_client_set (f->client, "a", "v", NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "b", "v", NULL, &error));
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_publish (f->client, "news", "hello", NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_true (dt_redis_client_flushdb (f->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
assert_wrongtype (GError *error)
{
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==,
                   "WRONGTYPE Operation against a key holding the wrong kind of value");
}

static void
test_wrongtype (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_auto(GStrv) members = NULL;
  g_autofree char *after = NULL;

  g_assert_cmpint (dt_redis_client_lpush (f->client, "list", STRV ("x"), NULL, &error), ==, 1);
  g_assert_true (dt_redis_client_set (f->client, "string", "v", NULL, &error));
  g_assert_no_error (error);

  got = dt_redis_client_get (f->client, "list", NULL, &error);
  g_assert_null (got);
  assert_wrongtype (error);
  g_clear_error (&error);

  map = dt_redis_client_hgetall (f->client, "string", NULL, &error);
  g_assert_null (map);
  assert_wrongtype (error);
  g_clear_error (&error);

  members = dt_redis_client_smembers (f->client, "list", NULL, &error);
  g_assert_null (members);
  assert_wrongtype (error);
  g_clear_error (&error);

  g_assert_cmpint (dt_redis_client_lpush (f->client, "string", STRV ("x"), NULL, &error), ==, 0);
  assert_wrongtype (error);
  g_clear_error (&error);

  /* An error is not a missing member: the score is 0, not NAN. */
  g_assert_cmpfloat (dt_redis_client_zscore (f->client, "string", "m", NULL, &error), ==, 0.0);
  assert_wrongtype (error);
  g_clear_error (&error);

  g_assert_cmpint (dt_redis_client_zrank (f->client, "string", "m", NULL, &error), ==, -1);
  assert_wrongtype (error);
  g_clear_error (&error);

  g_assert_false (dt_redis_client_sismember (f->client, "string", "m", NULL, &error));
  assert_wrongtype (error);
  g_clear_error (&error);

  /* The connection is fine afterwards. */
  after = dt_redis_client_get (f->client, "string", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, "v");
}

static void
test_binary (Fixture       *f,
             gconstpointer  data)
{
  static const guint8 blob[] = { 'a', 0, 'b', 0xff, 0, '\r', '\n', 0x80 };
  static const guint8 key_data[] = { 'k', 0, 'y' };
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) value = g_bytes_new_static (blob, sizeof blob);
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GBytes) got_empty = NULL;
  g_autoptr(GBytes) set_name = str_bytes ("SET");
  g_autoptr(GBytes) get_name = str_bytes ("GET");
  g_autoptr(GBytes) bin_key = g_bytes_new_static (key_data, sizeof key_data);
  g_autoptr(DtRedisReply) set_reply = NULL;
  g_autoptr(DtRedisReply) get_reply = NULL;
  g_autoptr(DtRedisReply) other_reply = NULL;
  g_autoptr(GBytes) hvalue = NULL;
  g_autoptr(GHashTable) hall = NULL;
  gsize len = 0;
  const char *text;

  g_assert_true (dt_redis_client_set_bytes (f->client, "blob", value,
                                            NULL, &error));
  g_assert_no_error (error);
  got = dt_redis_client_get_bytes (f->client, "blob", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, value));

  /* The empty value is a value, not a missing key. */
  g_assert_true (dt_redis_client_set_bytes (f->client, "empty", empty,
                                            NULL, &error));
  got_empty = dt_redis_client_get_bytes (f->client, "empty", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got_empty);
  g_assert_cmpuint (g_bytes_get_size (got_empty), ==, 0);

  /* A key with a NUL byte, through the generic binary path. */
  set_reply = dt_redis_client_execute_bytes (f->client,
                                             (GBytes *[]) { set_name, bin_key, value }, 3,
                                             NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (set_reply), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (set_reply, NULL), ==, "OK");

  get_reply = dt_redis_client_execute_bytes (f->client,
                                             (GBytes *[]) { get_name, bin_key }, 2,
                                             NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (get_reply), ==, DT_REDIS_REPLY_STRING);
  text = dt_redis_reply_get_string (get_reply, &len);
  g_assert_cmpmem (text, len, blob, sizeof blob);

  /* "k" alone is another key. */
  other_reply = dt_redis_client_command (f->client, NULL, &error, "EXISTS", "k", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_integer (other_reply), ==, 0);

  g_assert_cmpint (dt_redis_client_hset_bytes (f->client, "h", "f", value, NULL, &error), ==, 1);
  hvalue = dt_redis_client_hget_bytes (f->client, "h", "f", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hvalue);
  g_assert_true (g_bytes_equal (hvalue, value));
  hall = dt_redis_client_hgetall_bytes (f->client, "h", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (hall);
  g_assert_cmpuint (g_hash_table_size (hall), ==, 1);
  g_assert_nonnull (g_hash_table_lookup (hall, "f"));
  g_assert_true (g_bytes_equal (g_hash_table_lookup (hall, "f"), value));
}

static void
test_large_value (Fixture       *f,
                  gconstpointer  data)
{
  const gsize size = 32 * 1024 * 1024;
  g_autoptr(GError) error = NULL;
  guint8 *buf = g_malloc (size);
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) got = NULL;

  for (gsize i = 0; i < size; i++)
    buf[i] = (guint8) ((i * 31) ^ (i >> 13));
  value = g_bytes_new_take (buf, size);

  g_assert_true (dt_redis_client_set_bytes (f->client, "big", value,
                                            NULL, &error));
  g_assert_no_error (error);
  got = dt_redis_client_get_bytes (f->client, "big", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, size);
  g_assert_true (g_bytes_equal (got, value));
}

/* Text-first: a text getter on a value that is not UTF-8 fails with
 * ENCODING, names the key and the binary twin, and the twin reads it. */
static void
test_text_reply_encoding (Fixture       *f,
                          gconstpointer  data)
{
  static const guint8 latin1[] = { 'c', 'a', 'f', 0xe9 };
  static const guint8 with_nul[] = { 'a', 0, 'b' };
  g_autoptr(GBytes) value = g_bytes_new_static (latin1, sizeof latin1);
  g_autoptr(GBytes) nul_value = g_bytes_new_static (with_nul, sizeof with_nul);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *nul_text = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_autoptr(GHashTable) map_bytes = NULL;

  g_assert_true (dt_redis_client_set_bytes (f->client, "raw:latin1", value,
                                            NULL, &error));
  g_assert_no_error (error);

  text = dt_redis_client_get (f->client, "raw:latin1", NULL, &error);
  g_assert_null (text);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "raw:latin1"));
  g_assert_nonnull (strstr (error->message, "get_bytes"));
  g_clear_error (&error);

  /* The value is intact and the twin reads it. */
  raw = dt_redis_client_get_bytes (f->client, "raw:latin1", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (raw);
  g_assert_true (g_bytes_equal (raw, value));

  /* A NUL byte does not fit in a char * either. */
  g_assert_true (dt_redis_client_set_bytes (f->client, "raw:nul", nul_value,
                                            NULL, &error));
  g_assert_no_error (error);
  nul_text = dt_redis_client_get (f->client, "raw:nul", NULL, &error);
  g_assert_null (nul_text);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "raw:nul"));
  g_clear_error (&error);

  /* The same for a hash, with hgetall_bytes as the way out. */
  g_assert_cmpint (dt_redis_client_hset_bytes (f->client, "raw:hash", "f", value, NULL, &error), ==, 1);
  g_assert_no_error (error);
  map = dt_redis_client_hgetall (f->client, "raw:hash", NULL, &error);
  g_assert_null (map);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "raw:hash"));
  g_assert_nonnull (strstr (error->message, "hgetall_bytes"));
  g_clear_error (&error);
  map_bytes = dt_redis_client_hgetall_bytes (f->client, "raw:hash", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (map_bytes);
  g_assert_cmpuint (g_hash_table_size (map_bytes), ==, 1);
  g_assert_true (g_bytes_equal (g_hash_table_lookup (map_bytes, "f"), value));

  /* The connection is fine afterwards. */
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 3);
  g_assert_no_error (error);
}

/* Text-first: a text setter given invalid UTF-8 fails with ENCODING before
 * anything is sent. */
static void
test_text_argument_encoding (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) mapping = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(DtRedisPoolStats) stats = NULL;

  g_assert_false (dt_redis_client_set (f->client, "bad", "\xff", NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "set_bytes"));
  g_clear_error (&error);

  g_assert_cmpint (dt_redis_client_hset (f->client, "bad:hash", "f", "ok\xc3", NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "hset_bytes"));
  g_clear_error (&error);

  /* One bad element is enough: none of them is pushed. */
  g_assert_cmpint (dt_redis_client_rpush (f->client, "bad:list", STRV ("fine", "\xfe\xff"), NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_clear_error (&error);

  g_hash_table_insert (mapping, (char *) "good", (char *) "text");
  g_hash_table_insert (mapping, (char *) "bad", (char *) "\x80");
  g_assert_cmpint (dt_redis_client_hset_mapping (f->client, "bad:mapping", mapping, NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING);
  g_assert_nonnull (strstr (error->message, "hset_mapping_bytes"));
  g_clear_error (&error);

  /* Nothing reached the server: not even a connection was taken. */
  stats = dt_redis_instance_get_sync_pool_stats (f->instance);
  g_assert_cmpuint (stats->hits + stats->misses, ==, 0);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("bad", "bad:hash", "bad:list", "bad:mapping"),
                                           NULL, &error), ==, 0);
  g_assert_no_error (error);
}

/* SET's options: NX and XX answer FALSE, not an error, when the condition
 * keeps SET from doing it; EX sets a time to live. */
static void
test_set_options (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *value = NULL;
  g_autofree char *kept = NULL;
  gint64 ttl;

  g_assert_false (dt_redis_client_set_full (f->client, "k", "xx", NO_EXPIRY, DT_REDIS_SET_FLAGS_XX, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("k"), NULL, &error), ==, 0);

  g_assert_true (dt_redis_client_set_full (f->client, "k", "first", NO_EXPIRY, DT_REDIS_SET_FLAGS_NX, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (dt_redis_client_set_full (f->client, "k", "second", NO_EXPIRY, DT_REDIS_SET_FLAGS_NX, NULL, &error));
  g_assert_no_error (error);
  value = dt_redis_client_get (f->client, "k", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (value, ==, "first");

  /* EX, then KEEPTTL keeps it across an XX update. */
  g_assert_true (dt_redis_client_set_full (f->client, "k", "third", 100, -1, -1, -1, DT_REDIS_SET_FLAGS_XX, NULL, &error));
  g_assert_no_error (error);
  ttl = dt_redis_client_ttl (f->client, "k", NULL, &error);
  g_assert_cmpint (ttl, >, 90);
  g_assert_cmpint (ttl, <=, 100);
  g_assert_true (dt_redis_client_set_full (f->client, "k", "fourth", NO_EXPIRY,
                                      DT_REDIS_SET_FLAGS_XX | DT_REDIS_SET_FLAGS_KEEPTTL, NULL, &error));
  g_assert_no_error (error);
  ttl = dt_redis_client_ttl (f->client, "k", NULL, &error);
  g_assert_cmpint (ttl, >, 90);
  kept = dt_redis_client_get (f->client, "k", NULL, &error);
  g_assert_cmpstr (kept, ==, "fourth");

  /* Contradictory options are the server's error. */
  g_assert_false (dt_redis_client_set_full (f->client, "k", "v", NO_EXPIRY,
                                       DT_REDIS_SET_FLAGS_NX | DT_REDIS_SET_FLAGS_XX, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
}

/* Other generated commands: MGET with NULL for a missing key, GETDEL,
 * GETEX. */
static void
test_generated_commands (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) values = NULL;
  g_autofree char *deleted = NULL;
  g_autofree char *gone = NULL;
  g_autofree char *with_ttl = NULL;
  g_autofree char *persisted = NULL;
  g_autofree char *echoed = NULL;

  g_assert_true (dt_redis_client_set (f->client, "a", "1", NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "b", "2", NULL, &error));
  g_assert_no_error (error);

  values = dt_redis_client_mget (f->client, STRV ("a", "missing", "b"), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (values);
  g_assert_cmpuint (values->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (values, 0), ==, "1");
  g_assert_null (g_ptr_array_index (values, 1));
  g_assert_cmpstr (g_ptr_array_index (values, 2), ==, "2");

  deleted = dt_redis_client_getdel (f->client, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (deleted, ==, "1");
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("a"), NULL, &error), ==, 0);
  gone = dt_redis_client_getdel (f->client, "a", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gone);

  with_ttl = dt_redis_client_getex_full (f->client, "b", 100, -1, -1, -1, DT_REDIS_GETEX_FLAGS_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (with_ttl, ==, "2");
  g_assert_cmpint (dt_redis_client_ttl (f->client, "b", NULL, &error), ==, 100);
  persisted = dt_redis_client_getex_full (f->client, "b", -1, -1, -1, -1, DT_REDIS_GETEX_FLAGS_PERSIST, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (persisted, ==, "2");
  g_assert_cmpint (dt_redis_client_ttl (f->client, "b", NULL, &error), ==, -1);
  g_assert_no_error (error);

  echoed = dt_redis_client_echo (f->client, "caf\xc3\xa9", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (echoed, ==, "caf\xc3\xa9");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/client/strings", test_strings);
  ADD ("/client/keys", test_keys);
  ADD ("/client/hashes", test_hashes);
  ADD ("/client/lists", test_lists);
  ADD ("/client/sets", test_sets);
  ADD ("/client/sorted-sets", test_sorted_sets);
  ADD ("/client/server-commands", test_server_commands);
  ADD ("/client/wrongtype", test_wrongtype);
  ADD ("/client/binary", test_binary);
  ADD ("/client/large-value", test_large_value);
  ADD ("/client/text-reply-encoding", test_text_reply_encoding);
  ADD ("/client/text-argument-encoding", test_text_argument_encoding);
  ADD ("/client/set-options", test_set_options);
  ADD ("/client/generated-commands", test_generated_commands);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
