/* dtredis-test-cluster.c: a private Redis Cluster for one test program
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "dtredis-test-cluster.h"

struct _DtTestCluster
{
  GPtrArray *nodes;   /* DtTestServer */
  guint      replicas_per_primary;
};

guint16
dt_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
redis_cli_path (void)
{
  g_autofree char *dir = g_path_get_dirname (dt_test_server_get_redis_server_path ());
  g_autofree char *beside = g_build_filename (dir, "redis-cli", NULL);
  char *found;

  if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
    return g_steal_pointer (&beside);
  found = g_find_program_in_path ("redis-cli");
  if (found == NULL)
    g_error ("redis-cli not found: install redis-tools (scripts/install-deps)");
  return found;
}

char *
dt_test_reply_text (const char *raw)
{
  const char *body;

  g_assert_nonnull (raw);
  if (raw[0] == '+')
    return g_strndup (raw + 1, strcspn (raw + 1, "\r"));
  g_assert_true (raw[0] == '$');
  body = strstr (raw, "\r\n");
  g_assert_nonnull (body);
  body += 2;
  return g_strndup (body, g_ascii_strtoull (raw + 1, NULL, 10));
}

gint64
dt_test_reply_integer (const char *raw)
{
  g_assert_nonnull (raw);
  if (raw[0] != ':')
    g_error ("not an integer reply: %s", raw);
  return g_ascii_strtoll (raw + 1, NULL, 10);
}

/* The number after @prefix in INFO @section of @node, 0 when absent. */
static guint64
info_number (DtTestServer *node,
             const char   *section,
             const char   *prefix)
{
  g_autofree char *raw = dt_test_server_command (node, "INFO", section, NULL);
  g_autofree char *text = dt_test_reply_text (raw);
  const char *at = strstr (text, prefix);

  return at != NULL ? g_ascii_strtoull (at + strlen (prefix), NULL, 10) : 0;
}

guint64
dt_test_server_info_calls (DtTestServer *node,
                           const char   *command)
{
  g_autofree char *prefix = g_strdup_printf ("cmdstat_%s:calls=", command);

  return info_number (node, "commandstats", prefix);
}

guint64
dt_test_server_info_errors (DtTestServer *node,
                            const char   *code)
{
  g_autofree char *prefix = g_strdup_printf ("errorstat_%s:count=", code);

  return info_number (node, "errorstats", prefix);
}

char *
dt_test_cluster_node_id (DtTestServer *node)
{
  g_autofree char *raw = dt_test_server_command (node, "CLUSTER", "MYID", NULL);

  return dt_test_reply_text (raw);
}

/* The fields of the "myself" line of @node's CLUSTER NODES. */
static char **
myself_line (DtTestServer *node)
{
  g_autofree char *raw = dt_test_server_command (node, "CLUSTER", "NODES", NULL);
  g_autofree char *text = dt_test_reply_text (raw);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "myself") != NULL)
      return g_strsplit (g_strstrip (lines[i]), " ", -1);
  g_error ("no myself line in CLUSTER NODES");
}

static gboolean
is_primary (char **fields)
{
  return g_strv_length (fields) > 3 && strstr (fields[2], "master") != NULL;
}

static gboolean
line_owns_slot (char **fields,
                guint  slot)
{
  for (guint i = 8; fields[i] != NULL; i++)
    {
      guint64 start, end;
      char *dash;

      if (fields[i][0] == '[')
        continue;   /* a slot being migrated or imported */
      start = g_ascii_strtoull (fields[i], &dash, 10);
      end = *dash == '-' ? g_ascii_strtoull (dash + 1, NULL, 10) : start;
      if (slot >= start && slot <= end)
        return TRUE;
    }
  return FALSE;
}

DtTestCluster *
dt_test_cluster_start (guint n_primaries,
                       guint replicas_per_primary)
{
  DtTestCluster *self = g_new0 (DtTestCluster, 1);
  guint n = n_primaries * (1 + replicas_per_primary);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  self->nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_test_server_free);
  self->replicas_per_primary = replicas_per_primary;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *bus = g_strdup_printf ("cluster-port %u", dt_test_free_port ());
      g_autofree char *timeout = g_strdup_printf ("cluster-node-timeout %u",
                                                  DT_TEST_CLUSTER_NODE_TIMEOUT_MS);
      const char *config[] = {
        "cluster-enabled yes", "cluster-config-file nodes.conf", bus, timeout,
        "repl-diskless-sync-delay 0", NULL
      };
      DtTestServerOptions options = { .extra_config = config };

      g_ptr_array_add (self->nodes, dt_test_server_start (&options));
    }

  g_ptr_array_add (argv, redis_cli_path ());
  g_ptr_array_add (argv, g_strdup ("--cluster"));
  g_ptr_array_add (argv, g_strdup ("create"));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u",
                                            dt_test_server_get_port (g_ptr_array_index (self->nodes, i))));
  g_ptr_array_add (argv, g_strdup ("--cluster-replicas"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", replicas_per_primary));
  g_ptr_array_add (argv, g_strdup ("--cluster-yes"));
  g_ptr_array_add (argv, NULL);

  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                     NULL, NULL, &out, &err, &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    g_error ("redis-cli --cluster create failed: %s\n%s%s",
             error != NULL ? error->message : "", out, err);

  dt_test_cluster_wait_until_ok (self, 30);
  return self;
}

void
dt_test_cluster_free (DtTestCluster *self)
{
  g_ptr_array_unref (self->nodes);
  g_free (self);
}

guint
dt_test_cluster_get_n_nodes (DtTestCluster *self)
{
  return self->nodes->len;
}

DtTestServer *
dt_test_cluster_get_node (DtTestCluster *self,
                          guint          index)
{
  g_assert_cmpuint (index, <, self->nodes->len);
  return g_ptr_array_index (self->nodes, index);
}

char **
dt_test_cluster_dup_seeds (DtTestCluster *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < self->nodes->len; i++)
    {
      g_autofree char *seed = g_strdup_printf ("127.0.0.1:%u",
                                               dt_test_server_get_port (g_ptr_array_index (self->nodes, i)));

      g_strv_builder_add (builder, seed);
    }
  return g_strv_builder_end (builder);
}

static gboolean
node_ok (DtTestServer *node,
         guint         n_running)
{
  g_autofree char *raw = dt_test_server_command (node, "CLUSTER", "INFO", NULL);
  g_autofree char *text = dt_test_reply_text (raw);
  const char *known = strstr (text, "cluster_known_nodes:");

  g_autofree char *repl_raw = dt_test_server_command (node, "INFO", "replication", NULL);
  g_autofree char *repl = dt_test_reply_text (repl_raw);

  /* A replica counts once it has synced with its primary. */
  if (strstr (repl, "role:slave") != NULL && strstr (repl, "master_link_status:up") == NULL)
    return FALSE;

  return strstr (text, "cluster_state:ok") != NULL &&
         strstr (text, "cluster_slots_assigned:16384") != NULL &&
         strstr (text, "cluster_slots_fail:0") != NULL &&
         known != NULL && g_ascii_strtoull (known + strlen ("cluster_known_nodes:"), NULL, 10) >= n_running;
}

void
dt_test_cluster_wait_until_ok (DtTestCluster *self,
                               gdouble        timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC * dt_test_time_scale ());

  for (;;)
    {
      gboolean ok = TRUE;
      guint n_running = 0;

      for (guint i = 0; i < self->nodes->len; i++)
        n_running += dt_test_server_is_running (g_ptr_array_index (self->nodes, i));
      for (guint i = 0; i < self->nodes->len && ok; i++)
        {
          DtTestServer *node = g_ptr_array_index (self->nodes, i);

          if (dt_test_server_is_running (node))
            ok = node_ok (node, n_running);
        }
      if (ok)
        return;
      if (g_get_monotonic_time () > deadline)
        g_error ("the cluster did not become ok in %.0f s", timeout_s);
      g_usleep (50000);
    }
}

DtTestServer *
dt_test_cluster_owner_of_slot (DtTestCluster *self,
                               guint          slot)
{
  for (guint i = 0; i < self->nodes->len; i++)
    {
      DtTestServer *node = g_ptr_array_index (self->nodes, i);
      g_auto(GStrv) fields = NULL;

      if (!dt_test_server_is_running (node))
        continue;
      fields = myself_line (node);
      if (is_primary (fields) && line_owns_slot (fields, slot))
        return node;
    }
  g_error ("no running primary owns slot %u", slot);
}

DtTestServer *
dt_test_cluster_replica_of (DtTestCluster *self,
                            DtTestServer  *primary)
{
  g_autofree char *id = dt_test_cluster_node_id (primary);

  for (guint i = 0; i < self->nodes->len; i++)
    {
      DtTestServer *node = g_ptr_array_index (self->nodes, i);
      g_auto(GStrv) fields = NULL;

      if (node == primary || !dt_test_server_is_running (node))
        continue;
      fields = myself_line (node);
      if (!is_primary (fields) && g_strcmp0 (fields[3], id) == 0)
        return node;
    }
  return NULL;
}

DtTestServer *
dt_test_cluster_other_primary (DtTestCluster *self,
                               DtTestServer  *primary)
{
  for (guint i = 0; i < self->nodes->len; i++)
    {
      DtTestServer *node = g_ptr_array_index (self->nodes, i);
      g_auto(GStrv) fields = NULL;

      if (node == primary || !dt_test_server_is_running (node))
        continue;
      fields = myself_line (node);
      if (is_primary (fields) && g_strv_length (fields) > 8)
        return node;
    }
  g_error ("no other primary with slots");
}

char **
dt_test_reply_strv (const char *raw)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *p = raw;
  guint64 n;

  g_assert_true (raw != NULL && raw[0] == '*');
  n = g_ascii_strtoull (p + 1, NULL, 10);
  p = strstr (p, "\r\n") + 2;
  for (guint64 i = 0; i < n; i++)
    {
      g_autofree char *item = NULL;
      guint64 len;

      g_assert_true (*p == '$');
      len = g_ascii_strtoull (p + 1, NULL, 10);
      p = strstr (p, "\r\n") + 2;
      item = g_strndup (p, len);
      g_strv_builder_add (builder, item);
      p += len + 2;
    }
  return g_strv_builder_end (builder);
}

static void
assert_ok (char *raw)
{
  g_autofree char *owned = raw;

  if (!g_str_has_prefix (raw, "+OK"))
    g_error ("expected OK, got %s", raw);
}

void
dt_test_cluster_begin_migration (DtTestServer *src,
                                 DtTestServer *dst,
                                 guint         slot)
{
  g_autofree char *text = g_strdup_printf ("%u", slot);
  g_autofree char *src_id = dt_test_cluster_node_id (src);
  g_autofree char *dst_id = dt_test_cluster_node_id (dst);

  assert_ok (dt_test_server_command (dst, "CLUSTER", "SETSLOT", text, "IMPORTING", src_id, NULL));
  assert_ok (dt_test_server_command (src, "CLUSTER", "SETSLOT", text, "MIGRATING", dst_id, NULL));
}

guint
dt_test_cluster_migrate_keys (DtTestServer *src,
                              DtTestServer *dst,
                              guint         slot,
                              guint         max_keys)
{
  g_autofree char *text = g_strdup_printf ("%u", slot);
  g_autofree char *count = g_strdup_printf ("%u", max_keys);
  g_autofree char *port = g_strdup_printf ("%u", dt_test_server_get_port (dst));
  g_autofree char *raw = dt_test_server_command (src, "CLUSTER", "GETKEYSINSLOT", text, count, NULL);
  g_auto(GStrv) keys = dt_test_reply_strv (raw);

  for (guint i = 0; keys[i] != NULL; i++)
    assert_ok (dt_test_server_command (src, "MIGRATE", "127.0.0.1", port, keys[i], "0", "5000", NULL));
  return g_strv_length (keys);
}

void
dt_test_cluster_finish_migration (DtTestCluster *self,
                                  DtTestServer  *dst,
                                  guint          slot)
{
  g_autofree char *text = g_strdup_printf ("%u", slot);
  g_autofree char *dst_id = dt_test_cluster_node_id (dst);

  /* The new owner first: it bumps its epoch, and the others follow. */
  assert_ok (dt_test_server_command (dst, "CLUSTER", "SETSLOT", text, "NODE", dst_id, NULL));
  for (guint i = 0; i < self->nodes->len; i++)
    {
      DtTestServer *node = g_ptr_array_index (self->nodes, i);
      g_auto(GStrv) fields = NULL;

      if (node == dst || !dt_test_server_is_running (node))
        continue;
      fields = myself_line (node);
      if (is_primary (fields))
        assert_ok (dt_test_server_command (node, "CLUSTER", "SETSLOT", text, "NODE", dst_id, NULL));
    }
}
