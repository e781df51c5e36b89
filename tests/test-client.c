/* test-client.c: DtRedisClient against a private redis-server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <string.h>

#include "dtredis-test-server.h"

/* One server for the whole program; each test starts from an empty one. */
static DtTestServer *server;

typedef struct
{
  DtRedisInstance *instance;
  DtRedisClient   *client;
} Fixture;

static DtRedisConfig *
new_config (DtTestServer *srv)
{
  DtRedisConfig *config = dt_redis_config_new ();

  dt_redis_config_set_redis_host (config, dt_test_server_get_host (srv));
  dt_redis_config_set_redis_port (config, dt_test_server_get_port (srv));
  return config;
}

static void
flush_server (DtTestServer *srv)
{
  g_autofree char *reply = dt_test_server_command (srv, "FLUSHALL", NULL);

  g_assert_cmpstr (reply, ==, "+OK\r\n");
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(DtRedisConfig) config = new_config (server);

  flush_server (server);
  f->instance = dt_redis_instance_new (config);
  f->client = dt_redis_instance_get_redis_client (f->instance);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->client);
  g_clear_object (&f->instance);
}

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
compare_bytes (gconstpointer a,
               gconstpointer b)
{
  return g_bytes_compare (*(GBytes * const *) a, *(GBytes * const *) b);
}

/* Asserts that @list holds @expected (NULL-terminated), in that order
 * unless @sorted asks to sort @list first (for sets, KEYS...). */
static void
assert_list (GPtrArray          *list,
             gboolean            sorted,
             const char * const *expected)
{
  guint n = g_strv_length ((char **) expected);

  g_assert_nonnull (list);
  if (sorted)
    g_ptr_array_sort (list, compare_bytes);
  g_assert_cmpuint (list->len, ==, n);
  for (guint i = 0; i < n; i++)
    assert_bytes_str (g_ptr_array_index (list, i), expected[i]);
}

#define STRV(...) ((const char * const []) { __VA_ARGS__, NULL })

static void
test_strings (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) hello = str_bytes ("Hello, Redis!");
  g_autoptr(GBytes) zero = str_bytes ("0");
  g_autoptr(GBytes) session = str_bytes ("user_data");
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) missing = NULL;
  g_autoptr(GBytes) visitors = NULL;
  gint64 ttl;

  g_assert_true (dt_redis_client_set (f->client, "greeting", hello, NULL, &error));
  g_assert_no_error (error);
  value = dt_redis_client_get (f->client, "greeting", NULL, &error);
  g_assert_no_error (error);
  assert_bytes_str (value, "Hello, Redis!");

  /* A missing key is NULL and no error. */
  missing = dt_redis_client_get (f->client, "nope", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (missing);

  g_assert_true (dt_redis_client_set (f->client, "visitors", zero, NULL, &error));
  g_assert_cmpint (dt_redis_client_incr (f->client, "visitors", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_incrby (f->client, "visitors", 10, NULL, &error), ==, 11);
  g_assert_cmpint (dt_redis_client_incrby (f->client, "visitors", -20, NULL, &error), ==, -9);
  g_assert_cmpint (dt_redis_client_decr (f->client, "visitors", NULL, &error), ==, -10);
  g_assert_no_error (error);
  visitors = dt_redis_client_get (f->client, "visitors", NULL, &error);
  assert_bytes_str (visitors, "-10");

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

  g_assert_true (dt_redis_client_setex (f->client, "session:abc", 3600, session, NULL, &error));
  g_assert_no_error (error);
  ttl = dt_redis_client_ttl (f->client, "session:abc", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ttl, >, 3590);
  g_assert_cmpint (ttl, <=, 3600);

  g_assert_false (dt_redis_client_setex (f->client, "session:bad", 0, session, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "ERR invalid expire time"));
  g_clear_error (&error);

  /* SET replaces a value of any type and drops its time to live. */
  g_assert_true (dt_redis_client_set (f->client, "session:abc", hello, NULL, &error));
  g_assert_cmpint (dt_redis_client_ttl (f->client, "session:abc", NULL, &error), ==, -1);
  g_assert_no_error (error);
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) v = str_bytes ("v");
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GPtrArray) none = NULL;

  /* -2: no such key; -1: no time to live. */
  g_assert_cmpint (dt_redis_client_ttl (f->client, "nope", NULL, &error), ==, -2);
  g_assert_no_error (error);
  g_assert_true (dt_redis_client_set (f->client, "user:1", v, NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "user:2", v, NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "other", v, NULL, &error));
  g_assert_cmpint (dt_redis_client_ttl (f->client, "user:1", NULL, &error), ==, -1);
  g_assert_no_error (error);

  g_assert_true (dt_redis_client_expire (f->client, "user:1", 100, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_ttl (f->client, "user:1", NULL, &error), ==, 100);
  g_assert_false (dt_redis_client_expire (f->client, "nope", 100, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("user:1", "user:2", "nope"), NULL, &error), ==, 2);
  /* A key named twice counts twice, as the server says. */
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("user:1", "user:1"), NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("nope"), NULL, &error), ==, 0);
  g_assert_no_error (error);

  keys = dt_redis_client_keys (f->client, "user:*", NULL, &error);
  g_assert_no_error (error);
  assert_list (keys, TRUE, STRV ("user:1", "user:2"));
  none = dt_redis_client_keys (f->client, "nothing:*", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (none);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_cmpint (dt_redis_client_delete (f->client, STRV ("user:1", "user:2", "nope"), NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_delete (f->client, STRV ("user:1"), NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_exists (f->client, STRV ("user:1", "user:2", "other"), NULL, &error), ==, 1);

  /* No keys at all: the server's arity error. */
  g_assert_cmpint (dt_redis_client_delete (f->client, (const char * const []) { NULL }, NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "ERR wrong number of arguments"));
}

static void
test_hashes (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) john = str_bytes ("John");
  g_autoptr(GBytes) age = str_bytes ("31");
  g_autoptr(GHashTable) mapping = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                         (GDestroyNotify) g_bytes_unref);
  g_autoptr(GHashTable) empty_mapping = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) none = NULL;
  g_autoptr(GBytes) name = NULL;
  g_autoptr(GBytes) phone = NULL;
  g_autoptr(GBytes) nokey = NULL;
  g_autoptr(GBytes) k_name = str_bytes ("name");
  g_autoptr(GBytes) k_email = str_bytes ("email");
  g_autoptr(GBytes) k_age = str_bytes ("age");
  g_autoptr(GBytes) k_city = str_bytes ("city");

  g_assert_cmpint (dt_redis_client_hset (f->client, "user:123", "name", john, NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_hset (f->client, "user:123", "name", john, NULL, &error), ==, 0);
  g_assert_no_error (error);

  g_hash_table_insert (mapping, (char *) "email", str_bytes ("alice@example.com"));
  g_hash_table_insert (mapping, (char *) "age", str_bytes ("30"));
  g_hash_table_insert (mapping, (char *) "city", str_bytes ("New York"));
  g_hash_table_insert (mapping, (char *) "name", str_bytes ("Alice Smith"));
  /* Three new fields, one updated. */
  g_assert_cmpint (dt_redis_client_hset_mapping (f->client, "user:123", mapping, NULL, &error), ==, 3);
  g_assert_no_error (error);

  name = dt_redis_client_hget (f->client, "user:123", "name", NULL, &error);
  g_assert_no_error (error);
  assert_bytes_str (name, "Alice Smith");
  phone = dt_redis_client_hget (f->client, "user:123", "phone", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (phone);
  nokey = dt_redis_client_hget (f->client, "user:999", "name", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (nokey);

  g_assert_cmpint (dt_redis_client_hset (f->client, "user:123", "age", age, NULL, &error), ==, 0);

  all = dt_redis_client_hgetall (f->client, "user:123", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (all);
  g_assert_cmpuint (g_hash_table_size (all), ==, 4);
  assert_bytes_str (g_hash_table_lookup (all, k_name), "Alice Smith");
  assert_bytes_str (g_hash_table_lookup (all, k_email), "alice@example.com");
  assert_bytes_str (g_hash_table_lookup (all, k_age), "31");
  assert_bytes_str (g_hash_table_lookup (all, k_city), "New York");

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
  g_autoptr(GPtrArray) tasks = NULL;
  g_autoptr(GPtrArray) logs = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) last = NULL;
  g_autoptr(GBytes) empty_l = NULL;
  g_autoptr(GBytes) empty_r = NULL;

  /* LPUSH inserts one after the other: the last ends up first. */
  g_assert_cmpint (dt_redis_client_lpush (f->client, "tasks", STRV ("task1", "task2", "task3"), NULL, &error), ==, 3);
  g_assert_no_error (error);
  tasks = dt_redis_client_lrange (f->client, "tasks", 0, -1, NULL, &error);
  g_assert_no_error (error);
  assert_list (tasks, FALSE, STRV ("task3", "task2", "task1"));
  g_assert_cmpint (dt_redis_client_llen (f->client, "tasks", NULL, &error), ==, 3);

  last = dt_redis_client_rpop (f->client, "tasks", NULL, &error);
  assert_bytes_str (last, "task1");
  first = dt_redis_client_lpop (f->client, "tasks", NULL, &error);
  assert_bytes_str (first, "task3");
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_llen (f->client, "tasks", NULL, &error), ==, 1);

  g_assert_cmpint (dt_redis_client_rpush (f->client, "logs", STRV ("log1", "log2", "log3", "log4"), NULL, &error), ==, 4);
  g_assert_cmpint (dt_redis_client_rpush (f->client, "logs", STRV ("log5"), NULL, &error), ==, 5);
  logs = dt_redis_client_lrange (f->client, "logs", 1, -2, NULL, &error);
  g_assert_no_error (error);
  assert_list (logs, FALSE, STRV ("log2", "log3", "log4"));

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
  g_assert_cmpuint (none->len, ==, 0);
}

static void
test_sets (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GPtrArray) sunion = NULL;
  g_autoptr(GPtrArray) sinter = NULL;
  g_autoptr(GPtrArray) sdiff = NULL;
  g_autoptr(GPtrArray) none = NULL;

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
  assert_list (members, TRUE, STRV ("django", "fastapi", "flask"));

  g_assert_cmpint (dt_redis_client_sadd (f->client, "set1", STRV ("a", "b", "c"), NULL, &error), ==, 3);
  g_assert_cmpint (dt_redis_client_sadd (f->client, "set2", STRV ("b", "c", "d"), NULL, &error), ==, 3);
  sunion = dt_redis_client_sunion (f->client, STRV ("set1", "set2"), NULL, &error);
  g_assert_no_error (error);
  assert_list (sunion, TRUE, STRV ("a", "b", "c", "d"));
  sinter = dt_redis_client_sinter (f->client, STRV ("set1", "set2"), NULL, &error);
  g_assert_no_error (error);
  assert_list (sinter, TRUE, STRV ("b", "c"));
  sdiff = dt_redis_client_sdiff (f->client, STRV ("set1", "set2"), NULL, &error);
  g_assert_no_error (error);
  assert_list (sdiff, TRUE, STRV ("a"));

  none = dt_redis_client_smembers (f->client, "nope", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpint (dt_redis_client_srem (f->client, "nope", STRV ("a"), NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
test_sorted_sets (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) top = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) with_scores = NULL;
  g_autoptr(GPtrArray) rev_with_scores = NULL;
  g_autoptr(GPtrArray) extremes = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GArray) scores = NULL;
  g_autoptr(GArray) rev_scores = NULL;
  g_autoptr(GArray) extreme_scores = NULL;
  g_autoptr(GArray) no_scores = NULL;
  gdouble score = -1;

  g_assert_cmpint (dt_redis_client_zadd (f->client, "board", 100, "player1", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "board", 250, "player2", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "board", 175, "player3", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "board", 300, "player4", NULL, &error), ==, 1);
  /* An update is not a new member. */
  g_assert_cmpint (dt_redis_client_zadd (f->client, "board", 99.5, "player1", NULL, &error), ==, 0);
  g_assert_no_error (error);

  g_assert_cmpfloat (dt_redis_client_zincrby (f->client, "board", 50.5, "player1", NULL, &error), ==, 150.0);
  g_assert_cmpfloat (dt_redis_client_zincrby (f->client, "board", -0.25, "newcomer", NULL, &error), ==, -0.25);
  g_assert_no_error (error);

  g_assert_true (dt_redis_client_zscore (f->client, "board", "player1", &score, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (score, ==, 150.0);
  g_assert_true (dt_redis_client_zscore (f->client, "board", "player2", NULL, NULL, &error));

  /* Missing: FALSE, score 0, no error. */
  g_assert_false (dt_redis_client_zscore (f->client, "board", "ghost", &score, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (score, ==, 0.0);
  g_assert_false (dt_redis_client_zscore (f->client, "nope", "ghost", &score, NULL, &error));
  g_assert_no_error (error);

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
  assert_list (all, FALSE, STRV ("newcomer", "player1", "player3", "player2", "player4"));

  top = dt_redis_client_zrevrange (f->client, "board", 0, 2, NULL, &error);
  g_assert_no_error (error);
  assert_list (top, FALSE, STRV ("player4", "player2", "player3"));

  with_scores = dt_redis_client_zrange_with_scores (f->client, "board", 1, 2, &scores, NULL, &error);
  g_assert_no_error (error);
  assert_list (with_scores, FALSE, STRV ("player1", "player3"));
  g_assert_nonnull (scores);
  g_assert_cmpuint (scores->len, ==, 2);
  g_assert_cmpfloat (g_array_index (scores, gdouble, 0), ==, 150.0);
  g_assert_cmpfloat (g_array_index (scores, gdouble, 1), ==, 175.0);

  rev_with_scores = dt_redis_client_zrevrange_with_scores (f->client, "board", 0, -1, &rev_scores, NULL, &error);
  g_assert_no_error (error);
  assert_list (rev_with_scores, FALSE, STRV ("player4", "player2", "player3", "player1", "newcomer"));
  g_assert_cmpuint (rev_scores->len, ==, 5);
  g_assert_cmpfloat (g_array_index (rev_scores, gdouble, 0), ==, 300.0);
  g_assert_cmpfloat (g_array_index (rev_scores, gdouble, 4), ==, -0.25);

  /* Scores go out and come back as the same doubles, infinities included. */
  g_assert_cmpint (dt_redis_client_zadd (f->client, "exact", 0.1, "tenth", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "exact", 1.0 / 3.0, "third", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "exact", INFINITY, "top", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "exact", -INFINITY, "bottom", NULL, &error), ==, 1);
  g_assert_cmpint (dt_redis_client_zadd (f->client, "exact", 1e300, "huge", NULL, &error), ==, 1);
  g_assert_no_error (error);
  extremes = dt_redis_client_zrange_with_scores (f->client, "exact", 0, -1, &extreme_scores, NULL, &error);
  g_assert_no_error (error);
  assert_list (extremes, FALSE, STRV ("bottom", "tenth", "third", "huge", "top"));
  g_assert_cmpfloat (g_array_index (extreme_scores, gdouble, 0), ==, -INFINITY);
  g_assert_cmpfloat (g_array_index (extreme_scores, gdouble, 1), ==, 0.1);
  g_assert_cmpfloat (g_array_index (extreme_scores, gdouble, 2), ==, 1.0 / 3.0);
  g_assert_cmpfloat (g_array_index (extreme_scores, gdouble, 3), ==, 1e300);
  g_assert_cmpfloat (g_array_index (extreme_scores, gdouble, 4), ==, INFINITY);
  g_assert_true (dt_redis_client_zscore (f->client, "exact", "third", &score, NULL, &error));
  g_assert_cmpfloat (score, ==, 1.0 / 3.0);

  /* NaN is refused by the server. */
  g_assert_cmpint (dt_redis_client_zadd (f->client, "exact", NAN, "nan", NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_clear_error (&error);

  /* A missing key: empty arrays, no error. */
  none = dt_redis_client_zrange_with_scores (f->client, "nope", 0, -1, &no_scores, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (no_scores->len, ==, 0);
}

static void
test_server_commands (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) v = str_bytes ("v");
  g_autoptr(GBytes) message = str_bytes ("hello");

  g_assert_true (dt_redis_client_ping (f->client, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 0);
  g_assert_true (dt_redis_client_set (f->client, "a", v, NULL, &error));
  g_assert_true (dt_redis_client_set (f->client, "b", v, NULL, &error));
  g_assert_cmpint (dt_redis_client_dbsize (f->client, NULL, &error), ==, 2);
  g_assert_cmpint (dt_redis_client_publish (f->client, "news", message, NULL, &error), ==, 0);
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
  g_autoptr(GBytes) v = str_bytes ("v");
  g_autoptr(GBytes) got = NULL;
  g_autoptr(GHashTable) map = NULL;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(GBytes) after = NULL;
  gdouble score = 42;

  g_assert_cmpint (dt_redis_client_lpush (f->client, "list", STRV ("x"), NULL, &error), ==, 1);
  g_assert_true (dt_redis_client_set (f->client, "string", v, NULL, &error));
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

  g_assert_false (dt_redis_client_zscore (f->client, "string", "m", &score, NULL, &error));
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
  assert_bytes_str (after, "v");
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
  gsize len = 0;
  const char *text;

  g_assert_true (dt_redis_client_set (f->client, "blob", value, NULL, &error));
  g_assert_no_error (error);
  got = dt_redis_client_get (f->client, "blob", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, value));

  /* The empty value is a value, not a missing key. */
  g_assert_true (dt_redis_client_set (f->client, "empty", empty, NULL, &error));
  got_empty = dt_redis_client_get (f->client, "empty", NULL, &error);
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

  g_assert_cmpint (dt_redis_client_hset (f->client, "h", "f", value, NULL, &error), ==, 1);
  hvalue = dt_redis_client_hget (f->client, "h", "f", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (hvalue, value));
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

  g_assert_true (dt_redis_client_set (f->client, "big", value, NULL, &error));
  g_assert_no_error (error);
  got = dt_redis_client_get (f->client, "big", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (got);
  g_assert_cmpuint (g_bytes_get_size (got), ==, size);
  g_assert_true (g_bytes_equal (got, value));
}

static void
test_execute (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisReply) status = NULL;
  g_autoptr(DtRedisReply) string = NULL;
  g_autoptr(DtRedisReply) nil = NULL;
  g_autoptr(DtRedisReply) integer = NULL;
  g_autoptr(DtRedisReply) array = NULL;
  g_autoptr(DtRedisReply) nested = NULL;
  g_autoptr(DtRedisReply) failed = NULL;
  g_autoptr(DtRedisReply) hincr = NULL;
  g_autoptr(DtRedisReply) empty = NULL;
  DtRedisReply *element;

  status = dt_redis_client_execute (f->client, STRV ("SET", "k", "v"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (status), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (status, NULL), ==, "OK");

  string = dt_redis_client_execute (f->client, STRV ("GET", "k"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (string), ==, DT_REDIS_REPLY_STRING);
  g_assert_cmpstr (dt_redis_reply_get_string (string, NULL), ==, "v");

  /* A missing key is a nil reply, not an error. */
  nil = dt_redis_client_execute (f->client, STRV ("GET", "nope"), NULL, &error);
  g_assert_no_error (error);
  g_assert_true (dt_redis_reply_is_nil (nil));

  integer = dt_redis_client_execute (f->client, STRV ("RPUSH", "l", "a", "b", "c"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (integer), ==, DT_REDIS_REPLY_INTEGER);
  g_assert_cmpint (dt_redis_reply_get_integer (integer), ==, 3);

  array = dt_redis_client_execute (f->client, STRV ("LRANGE", "l", "0", "-1"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (array), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (array), ==, 3);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (array, 2), NULL), ==, "c");

  empty = dt_redis_client_execute (f->client, STRV ("LRANGE", "nope", "0", "-1"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_reply_type (empty), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (empty), ==, 0);

  /* Errors nested in an array stay in the reply; nil elements too. */
  nested = dt_redis_client_execute (f->client,
                                    STRV ("EVAL",
                                          "return {1, {'x', 2}, redis.error_reply('ERR boom'), false}",
                                          "0"),
                                    NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (nested), ==, 4);
  g_assert_cmpint (dt_redis_reply_get_integer (dt_redis_reply_get_element (nested, 0)), ==, 1);
  element = dt_redis_reply_get_element (nested, 1);
  g_assert_cmpint (dt_redis_reply_get_reply_type (element), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (element, 0), NULL), ==, "x");
  element = dt_redis_reply_get_element (nested, 2);
  g_assert_true (dt_redis_reply_is_error (element));
  g_assert_cmpstr (dt_redis_reply_get_string (element, NULL), ==, "ERR boom");
  g_assert_true (dt_redis_reply_is_nil (dt_redis_reply_get_element (nested, 3)));

  /* A top-level error reply is a GError with the server's text. */
  failed = dt_redis_client_execute (f->client, STRV ("NOSUCHCOMMAND", "x"), NULL, &error);
  g_assert_null (failed);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_true (g_str_has_prefix (error->message, "ERR unknown command 'NOSUCHCOMMAND'"));
  g_clear_error (&error);

  /* The varargs form. */
  hincr = dt_redis_client_command (f->client, NULL, &error, "HINCRBY", "user:1", "visits", "5", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (dt_redis_reply_get_integer (hincr), ==, 5);
}

static void
test_noauth (void)
{
  DtTestServerOptions opts = { .password = "s3cret" };
  g_autoptr(DtTestServer) locked = dt_test_server_start (&opts);
  g_autoptr(DtRedisConfig) config = new_config (locked);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisInstance) wrong_instance = NULL;
  g_autoptr(DtRedisClient) wrong_client = NULL;
  g_autoptr(DtRedisInstance) good_instance = NULL;
  g_autoptr(DtRedisClient) good_client = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GError) error = NULL;

  /* No password: the server answers NOAUTH to the first command. */
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  value = dt_redis_client_get (client, "k", NULL, &error);
  g_assert_null (value);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_assert_true (g_str_has_prefix (error->message, "NOAUTH"));
  g_clear_error (&error);

  /* A wrong password: AUTH too, and the message does not give it away. */
  dt_redis_config_set_redis_password (config, "not-the-password");
  wrong_instance = dt_redis_instance_new (config);
  wrong_client = dt_redis_instance_get_redis_client (wrong_instance);
  g_assert_false (dt_redis_client_ping (wrong_client, NULL, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_assert_null (strstr (error->message, "not-the-password"));
  g_clear_error (&error);

  dt_redis_config_set_redis_password (config, "s3cret");
  good_instance = dt_redis_instance_new (config);
  good_client = dt_redis_instance_get_redis_client (good_instance);
  g_assert_true (dt_redis_client_ping (good_client, NULL, &error));
  g_assert_no_error (error);
}

/* 8 threads, one client, a pool of 3 */

#define N_THREADS 8
#define N_ROUNDS 200
G_STATIC_ASSERT (N_THREADS * N_ROUNDS == 1600);

typedef struct
{
  DtRedisClient *client;
  guint          id;
  gint          *n_done;
} Worker;

static gpointer
worker_thread (gpointer user_data)
{
  Worker *w = user_data;

  for (guint i = 0; i < N_ROUNDS; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *key = g_strdup_printf ("k:%u:%u", w->id, i);
      g_autofree char *text = g_strdup_printf ("value %u/%u", w->id, i);
      g_autofree char *list = g_strdup_printf ("list:%u", w->id);
      g_autoptr(GBytes) value = str_bytes (text);
      g_autoptr(GBytes) got = NULL;

      g_assert_true (dt_redis_client_set (w->client, key, value, NULL, &error));
      g_assert_no_error (error);
      got = dt_redis_client_get (w->client, key, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_bytes_equal (got, value));
      g_assert_cmpint (dt_redis_client_incr (w->client, "counter", NULL, &error), >, 0);
      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_client_rpush (w->client, list, STRV (text), NULL, &error), ==, i + 1);
      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_client_hset (w->client, "fields", key, value, NULL, &error), ==, 1);
      g_assert_no_error (error);
      g_assert_cmpint (dt_redis_client_zadd (w->client, "scores", i, key, NULL, &error), ==, 1);
      g_assert_no_error (error);
    }

  g_atomic_int_inc (w->n_done);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) counter = NULL;
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  gint n_done = 0;
  guint max_seen = 0;
  guint max_total = 0;
  guint polls = 0;

  flush_server (server);
  dt_redis_config_set_redis_max_connections (config, 3);
  dt_redis_config_set_redis_client_name (config, "dt-test-threads");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  for (guint i = 0; i < N_THREADS; i++)
    {
      workers[i] = (Worker) { .client = client, .id = i, .n_done = &n_done };
      threads[i] = g_thread_new ("worker", worker_thread, &workers[i]);
    }

  /* Watch the server's side for the whole run. */
  while (g_atomic_int_get (&n_done) < N_THREADS)
    {
      g_autoptr(DtRedisPoolStats) snapshot = dt_redis_instance_get_sync_pool_stats (instance);
      guint seen = dt_test_server_count_clients (server, "dt-test-threads");

      max_seen = MAX (max_seen, seen);
      max_total = MAX (max_total, snapshot->total);
      polls++;
      g_usleep (2000);
    }
  for (guint i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  g_test_message ("%u polls; at most %u connections on the server, %u in the pool",
                  polls, max_seen, max_total);
  g_assert_cmpuint (max_seen, <=, 3);
  g_assert_cmpuint (max_total, <=, 3);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-threads"), <=, 3);

  stats = dt_redis_instance_get_sync_pool_stats (instance);
  g_test_message ("%" G_GUINT64_FORMAT " waits for a connection", stats->waits);
  g_assert_cmpuint (stats->total, <=, 3);
  g_assert_cmpuint (stats->total, >=, 1);
  g_assert_cmpuint (stats->in_use, ==, 0);
  /* Each command took a connection, new or pooled. */
  g_assert_cmpuint (stats->hits + stats->misses, ==, N_THREADS * N_ROUNDS * 6);
  g_assert_cmpuint (stats->misses, <=, 3);

  counter = dt_redis_client_get (client, "counter", NULL, &error);
  g_assert_no_error (error);
  assert_bytes_str (counter, "1600");
  for (guint i = 0; i < N_THREADS; i++)
    {
      g_autofree char *list = g_strdup_printf ("list:%u", i);
      g_autoptr(GPtrArray) items = dt_redis_client_lrange (client, list, 0, -1, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpuint (items->len, ==, N_ROUNDS);
      for (guint j = 0; j < N_ROUNDS; j++)
        {
          g_autofree char *text = g_strdup_printf ("value %u/%u", i, j);

          assert_bytes_str (g_ptr_array_index (items, j), text);
        }
    }
  /* N_THREADS * N_ROUNDS strings, the counter, the lists, the hash, the zset */
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), ==, N_THREADS * N_ROUNDS + 1 + N_THREADS + 2);
  g_assert_no_error (error);
}

static void
test_lazy (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisClient) other = NULL;
  g_autoptr(DtRedisPipeline) pipeline = NULL;
  g_autoptr(DtRedisPoolStats) before = NULL;
  g_autoptr(DtRedisPoolStats) after = NULL;
  g_autoptr(DtRedisPoolStats) again = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_client_name (config, "dt-test-lazy");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  other = dt_redis_instance_get_redis_client (instance);
  pipeline = dt_redis_client_pipeline (client, TRUE);
  dt_redis_client_close (other);

  /* Clients, pipelines and close() do no I/O. */
  before = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (before->total, ==, 0);
  g_assert_cmpuint (before->misses, ==, 0);
  g_assert_cmpuint (before->hits, ==, 0);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-lazy"), ==, 0);

  g_assert_true (dt_redis_client_ping (client, NULL, &error));
  g_assert_no_error (error);
  after = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (after->total, ==, 1);
  g_assert_cmpuint (after->idle, ==, 1);
  g_assert_cmpuint (after->misses, ==, 1);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-lazy"), ==, 1);

  /* Sequential commands reuse it. */
  g_assert_true (dt_redis_client_ping (other, NULL, &error));
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), >=, 0);
  g_assert_no_error (error);
  again = dt_redis_instance_get_sync_pool_stats (instance);
  g_assert_cmpuint (again->total, ==, 1);
  g_assert_cmpuint (again->misses, ==, 1);
  g_assert_cmpuint (again->hits, ==, 2);
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-lazy"), ==, 1);
}

static void
test_db_isolation (void)
{
  g_autoptr(DtRedisConfig) config0 = new_config (server);
  g_autoptr(DtRedisConfig) config1 = new_config (server);
  g_autoptr(DtRedisInstance) instance0 = NULL;
  g_autoptr(DtRedisInstance) instance1 = NULL;
  g_autoptr(DtRedisClient) client0 = NULL;
  g_autoptr(DtRedisClient) client1 = NULL;
  g_autoptr(GBytes) value = str_bytes ("in db 1");
  g_autoptr(GBytes) from0 = NULL;
  g_autoptr(GBytes) from1 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *raw0 = NULL;
  g_autofree char *list = NULL;

  flush_server (server);
  dt_redis_config_set_redis_db (config1, "1");
  dt_redis_config_set_redis_client_name (config1, "dt-test-db1");
  instance0 = dt_redis_instance_new (config0);
  instance1 = dt_redis_instance_new (config1);
  client0 = dt_redis_instance_get_redis_client (instance0);
  client1 = dt_redis_instance_get_redis_client (instance1);

  g_assert_true (dt_redis_client_set (client1, "session", value, NULL, &error));
  g_assert_no_error (error);

  from1 = dt_redis_client_get (client1, "session", NULL, &error);
  g_assert_no_error (error);
  assert_bytes_str (from1, "in db 1");
  from0 = dt_redis_client_get (client0, "session", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (from0);
  raw0 = dt_test_server_command (server, "GET", "session", NULL);
  g_assert_cmpstr (raw0, ==, "$-1\r\n");
  g_assert_cmpint (dt_redis_client_dbsize (client0, NULL, &error), ==, 0);
  g_assert_cmpint (dt_redis_client_dbsize (client1, NULL, &error), ==, 1);

  /* FLUSHDB empties only the configured database. */
  g_assert_true (dt_redis_client_flushdb (client0, NULL, &error));
  g_assert_cmpint (dt_redis_client_dbsize (client1, NULL, &error), ==, 1);
  g_assert_no_error (error);

  list = dt_test_server_command (server, "CLIENT", "LIST", NULL);
  g_assert_nonnull (strstr (list, " name=dt-test-db1 "));
  g_assert_nonnull (strstr (list, " db=1 "));
}

static void
test_client_name (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisReply) name = NULL;
  g_autoptr(GError) error = NULL;

  dt_redis_config_set_redis_client_name (config, "dt-test-name");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  name = dt_redis_client_execute (client, STRV ("CLIENT", "GETNAME"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_string (name, NULL), ==, "dt-test-name");
  g_assert_cmpuint (dt_test_server_count_clients (server, "dt-test-name"), ==, 1);
}

static void
test_close (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(DtRedisClient) other = dt_redis_instance_get_redis_client (f->instance);
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_client_ping (f->client, NULL, &error));
  dt_redis_client_close (f->client);
  dt_redis_client_close (f->client);

  /* Nothing shared was released: both clients keep working on the same
   * pooled connection. */
  g_assert_true (dt_redis_client_ping (f->client, NULL, &error));
  g_assert_true (dt_redis_client_ping (other, NULL, &error));
  g_assert_no_error (error);
  stats = dt_redis_instance_get_sync_pool_stats (f->instance);
  g_assert_cmpuint (stats->total, ==, 1);
  g_assert_cmpuint (stats->misses, ==, 1);
}

static void
test_state_not_inherited (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(DtRedisReply) reply = NULL;
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GBytes) in_db0 = str_bytes ("db0");
  g_autoptr(DtRedisPoolStats) stats = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (dt_redis_client_set (f->client, "where", in_db0, NULL, &error));
  g_assert_no_error (error);

  /* SELECT through the generic path changes the connection it ran on... */
  reply = dt_redis_client_execute (f->client, STRV ("SELECT", "3"), NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (dt_redis_reply_get_string (reply, NULL), ==, "OK");

  /* ...which must not be handed to the next command: it still sees db 0. */
  value = dt_redis_client_get (f->client, "where", NULL, &error);
  g_assert_no_error (error);
  assert_bytes_str (value, "db0");

  stats = dt_redis_instance_get_sync_pool_stats (f->instance);
  g_assert_cmpuint (stats->total, ==, 1);
  g_assert_cmpuint (stats->misses, ==, 2);

  /* The same for a SELECT queued inside a transaction. */
  {
    g_autoptr(DtRedisPipeline) pipe = dt_redis_client_pipeline (f->client, TRUE);
    g_autoptr(GPtrArray) results = NULL;
    g_autoptr(GBytes) again = NULL;

    dt_redis_pipeline_append (pipe, STRV ("SELECT", "3"));
    dt_redis_pipeline_append (pipe, STRV ("SET", "where", "db3"));
    results = dt_redis_pipeline_execute (pipe, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (results->len, ==, 2);

    again = dt_redis_client_get (f->client, "where", NULL, &error);
    g_assert_no_error (error);
    assert_bytes_str (again, "db0");
  }
}

static void
test_cancelled (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GBytes) value = NULL;
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  value = dt_redis_client_get (f->client, "k", cancellable, &error);
  g_assert_null (value);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_invalid_config (void)
{
  g_autoptr(DtRedisConfig) config = new_config (server);
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(GError) error = NULL;

  /* Accepted by the setter; refused when the first command needs the pool. */
  dt_redis_config_set_redis_db (config, "not-a-number");
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);
  g_assert_cmpint (dt_redis_client_dbsize (client, NULL, &error), ==, 0);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
}

static void
test_properties (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(DtRedisInstance) instance = NULL;

  g_object_get (f->client, "instance", &instance, NULL);
  g_assert_true (instance == f->instance);
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
  ADD ("/client/execute", test_execute);
  ADD ("/client/close", test_close);
  ADD ("/client/cancelled", test_cancelled);
  ADD ("/client/state-not-inherited", test_state_not_inherited);
  ADD ("/client/properties", test_properties);
  g_test_add_func ("/client/noauth", test_noauth);
  g_test_add_func ("/client/threads", test_threads);
  g_test_add_func ("/client/lazy", test_lazy);
  g_test_add_func ("/client/db-isolation", test_db_isolation);
  g_test_add_func ("/client/client-name", test_client_name);
  g_test_add_func ("/client/invalid-config", test_invalid_config);

#undef ADD

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
