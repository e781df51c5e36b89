/* test-key-slot.c: dt_redis_key_slot() against CLUSTER KEYSLOT of a real
 * cluster-enabled redis-server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "dtredis-test-cluster.h"

static DtTestServer *server;
static DtRedisClient *client;

/* The server's slot for each of @keys, asked in pipelines of 5,000. */
static GArray *
server_slots (GPtrArray *keys)
{
  GArray *slots = g_array_sized_new (FALSE, FALSE, sizeof (guint), keys->len);

  for (guint start = 0; start < keys->len; start += 5000)
    {
      g_autoptr(DtRedisPipeline) pipeline = dt_redis_client_pipeline (client, FALSE);
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GBytes) cluster = g_bytes_new_static ("CLUSTER", 7);
      g_autoptr(GBytes) keyslot = g_bytes_new_static ("KEYSLOT", 7);
      g_autoptr(GError) error = NULL;
      guint end = MIN (start + 5000, keys->len);

      for (guint i = start; i < end; i++)
        {
          GBytes *argv[] = { cluster, keyslot, g_ptr_array_index (keys, i) };

          dt_redis_pipeline_append_bytes (pipeline, argv, G_N_ELEMENTS (argv));
        }
      replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, end - start);
      for (guint i = 0; i < replies->len; i++)
        {
          guint slot = (guint) dt_redis_reply_get_integer (g_ptr_array_index (replies, i));

          g_array_append_val (slots, slot);
        }
    }
  return slots;
}

static void
assert_same_slots (GPtrArray *keys)
{
  g_autoptr(GArray) expected = server_slots (keys);

  for (guint i = 0; i < keys->len; i++)
    {
      GBytes *key = g_ptr_array_index (keys, i);
      guint slot = dt_redis_key_slot_bytes (key);

      if (slot != g_array_index (expected, guint, i))
        g_error ("key %u (%" G_GSIZE_FORMAT " bytes): slot %u, CLUSTER KEYSLOT says %u",
                 i, g_bytes_get_size (key), slot, g_array_index (expected, guint, i));
      g_assert_cmpuint (slot, <, DT_REDIS_CLUSTER_SLOTS);
    }
}

/* The hash tag's corner cases, text and binary. */
static void
test_edge_cases (void)
{
  static const char * const texts[] = {
    "", "a", "foo", "123456789", "{", "}", "{}", "}{", "{a", "a}", "{a}", "{}a", "a{}",
    "{}{a}", "{a}{b}", "{{a}}", "{{}}", "a{b}c", "a{b}c{d}", "x{}{y}", "{user1000}.following",
    "{user1000}.followers", "}{a}", "{ }", "{\xc3\xa9t\xc3\xa9}", "\xc3\xa9t\xc3\xa9",
  };
  static const struct { const char *data; gsize length; } binary[] = {
    { "\0", 1 }, { "{\0}", 3 }, { "a\0{b}", 5 }, { "{a\0b}c", 6 }, { "\xff{\xfe}", 4 },
    { "{\0", 2 }, { "\0}", 2 },
  };
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_ptr_array_add (keys, g_bytes_new (texts[i], strlen (texts[i])));
      g_assert_cmpuint (dt_redis_key_slot (texts[i]), ==,
                        dt_redis_key_slot_data ((const guint8 *) texts[i], strlen (texts[i])));
    }
  for (guint i = 0; i < G_N_ELEMENTS (binary); i++)
    g_ptr_array_add (keys, g_bytes_new (binary[i].data, binary[i].length));

  assert_same_slots (keys);

  /* Keys that share a tag share a slot; the CRC-16 check value. */
  g_assert_cmpuint (dt_redis_key_slot ("{user1000}.following"), ==, dt_redis_key_slot ("user1000"));
  g_assert_cmpuint (dt_redis_key_slot ("123456789"), ==, 0x31c3 % DT_REDIS_CLUSTER_SLOTS);
}

/* 100,000 random keys: lengths 0 to 40, bytes drawn mostly from a few
 * that matter ({, }, \0) and the rest at random. */
static void
test_random_keys (void)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261203);
  const guint n = 100000;

  g_test_message ("seed 20261203, %u keys", n);
  for (guint i = 0; i < n; i++)
    {
      guint length = (guint) g_rand_int_range (rand, 0, 41);
      guint8 *data = g_malloc (MAX (length, 1));

      for (guint j = 0; j < length; j++)
        {
          switch (g_rand_int_range (rand, 0, 8))
            {
            case 0:
              data[j] = '{';
              break;
            case 1:
              data[j] = '}';
              break;
            case 2:
              data[j] = 0;
              break;
            default:
              data[j] = (guint8) g_rand_int_range (rand, 0, 256);
            }
        }
      g_ptr_array_add (keys, g_bytes_new_take (data, length));
    }

  assert_same_slots (keys);
}

int
main (int   argc,
      char *argv[])
{
  /* The bus port defaults to the port + 10000, which a free port above
   * 55535 cannot have: it gets a free port of its own. */
  g_autofree char *bus_port = g_strdup_printf ("cluster-port %u", dt_test_free_port ());
  const char *cluster_config[] = {
    "cluster-enabled yes", "cluster-config-file nodes.conf", bus_port, NULL
  };
  DtTestServerOptions options = { .extra_config = cluster_config };
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (&options);
  config = dt_redis_config_new_from_url (dt_test_server_get_url (server), &error);
  g_assert_no_error (error);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  g_test_add_func ("/key-slot/edge-cases", test_edge_cases);
  g_test_add_func ("/key-slot/random-keys", test_random_keys);

  ret = g_test_run ();
  g_clear_object (&client);
  dt_test_server_free (server);
  return ret;
}
