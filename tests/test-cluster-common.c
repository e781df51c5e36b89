/* test-cluster-common.c: what the Cluster test programs share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <string.h>

#include "test-cluster-common.h"

/* The lab of the program: 3 primaries with a replica each. */
DtTestCluster *lab;
/* A hash tag for each slot: "{tag}" hashes to that slot. */
static char *slot_tags[DT_REDIS_CLUSTER_SLOTS];

static void
make_slot_tags (void)
{
  guint found = 0;

  for (guint i = 0; found < DT_REDIS_CLUSTER_SLOTS; i++)
    {
      g_autofree char *tag = g_strdup_printf ("t%u", i);
      guint slot = dt_redis_key_slot (tag);

      if (slot_tags[slot] == NULL)
        {
          slot_tags[slot] = g_steal_pointer (&tag);
          found++;
        }
    }
}

char *
key_in_slot (const char *prefix,
             guint       slot,
             guint       n)
{
  return g_strdup_printf ("%s:{%s}:%u", prefix, slot_tags[slot], n);
}

DtRedisInstance *
new_instance (gdouble refresh_interval)
{
  g_auto(GStrv) seeds = dt_test_cluster_dup_seeds (lab);
  g_autoptr(DtRedisConfig) config = dt_redis_config_new ();

  /* Only one seed: the others are learned from it. */
  for (guint i = 1; seeds[i] != NULL; i++)
    g_clear_pointer (&seeds[i], g_free);
  dt_redis_config_set_redis_cluster_nodes (config, (const char * const *) seeds);
  dt_redis_config_set_redis_socket_timeout (config, 10 * dt_test_time_scale ());
  dt_redis_config_set_redis_refresh_interval (config, refresh_interval);
  return dt_redis_instance_new (config);
}

void
settle (DtRedisInstance *instance)
{
  g_auto(GStrv) nodes = NULL;
  g_autoptr(GError) error = NULL;

  nodes = dt_redis_instance_list_cluster_nodes (instance, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_usleep (1200 * 1000);
}

gint64
server_integer (const char *key)
{
  DtTestServer *owner = dt_test_cluster_owner_of_slot (lab, dt_redis_key_slot (key));
  g_autofree char *raw = dt_test_server_command (owner, "GET", key, NULL);
  g_autofree char *text = NULL;

  if (g_str_has_prefix (raw, "$-1"))
    return 0;
  text = dt_test_reply_text (raw);
  return g_ascii_strtoll (text, NULL, 10);
}

/* Calls of @command, or with @errors error replies of that kind (MOVED,
 * ASK), over all running nodes. */
static guint64
total_stat (const char *name,
            gboolean    errors)
{
  guint64 sum = 0;

  for (guint i = 0; i < dt_test_cluster_get_n_nodes (lab); i++)
    {
      DtTestServer *node = dt_test_cluster_get_node (lab, i);

      if (dt_test_server_is_running (node))
        sum += errors ? dt_test_server_info_errors (node, name)
                      : dt_test_server_info_calls (node, name);
    }
  return sum;
}

guint64
total_calls (const char *command)
{
  return total_stat (command, FALSE);
}

guint64
total_errors (const char *code)
{
  return total_stat (code, TRUE);
}


static void
incr_result_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

gint64
async_incr (DtRedisAsyncClient  *client,
            const char          *key,
            GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  dt_redis_async_client_incr_async (client, key, NULL, incr_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return dt_redis_async_client_incr_finish (client, result, error);
}

int
cluster_test_run (void)
{
  int ret;

  make_slot_tags ();
  lab = dt_test_cluster_start (3, 1);
  ret = g_test_run ();
  dt_test_cluster_free (lab);
  for (guint i = 0; i < DT_REDIS_CLUSTER_SLOTS; i++)
    g_free (slot_tags[i]);
  return ret;
}
