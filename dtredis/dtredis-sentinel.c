/* dtredis-sentinel.c: where a Sentinel-managed master is
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-command-private.h"
#include "dtredis-config-fields-private.h"
#include "dtredis-connection-private.h"
#include "dtredis-error.h"
#include "dtredis-sentinel-private.h"
#include "dtredis-url-private.h"
#include "dtredis-value-private.h"

/* Between attempts of the watcher when no sentinel can be reached. */
#define WATCH_RETRY_US (200 * G_TIME_SPAN_MILLISECOND)
/* How many sentinels are listened to at once. A failover is announced
 * first by the sentinel that led it; the others learn of it from its
 * hello messages up to 2 s later, while the old master may still take
 * writes that it will drop when demoted. Listening to several hears the
 * leader itself in the common case. */
#define MAX_LISTENERS 3
/* The least time between two checks asked for (READONLY replies): however
 * many commands are refused, the sentinels are asked at most this often. */
#define MIN_CHECK_SPACING_US (100 * G_TIME_SPAN_MILLISECOND)

/* A thread that listens to one sentinel's +switch-master. The first is
 * the watcher proper: it moves on to the next sentinel when its own
 * fails, asks where the master is every refresh-interval and when asked
 * to (check_soon); the others only listen, each to a sentinel of its own. */
typedef struct
{
  DtRedisSentinel *self;
  GThread         *thread;
  GCancellable    *cancellable;
  char            *address;    /* the others' sentinel */
} Listener;

struct _DtRedisSentinel
{
  gatomicrefcount  ref_count;
  DtRedisEndpoint *nodes;            /* the data nodes' settings */
  char            *master_name;
  char            *username;         /* the sentinels' */
  char            *password;
  gboolean         replicas;         /* read-from-replicas */
  gint64           refresh_us;

  GMutex           mutex;            /* guards what follows */
  GCond            cond;
  GPtrArray       *addresses;        /* "host:port" of the sentinels; the last to answer first */
  DtRedisEndpoint *node;             /* the node to connect to; NULL: ask */
  char            *master_address;   /* the master last learned, "host:port" */
  char            *reported_address; /* the master the watcher last called back about */
  gboolean         watching;         /* a watcher thread runs */
  gboolean         stopping;
  gboolean         check_requested;

  GMutex           ask_mutex;        /* one round of questions at a time */

  GThread                   *thread; /* the first listener's: the watcher */
  gint64                     last_asked_check; /* the watcher's own */
  pid_t                      pid;    /* the process the locks and threads are of */
  GCancellable              *wake;   /* interrupts the watcher's waits */
  GCancellable              *stop;   /* ends its questions: only when it stops */
  Listener                   listeners[MAX_LISTENERS - 1]; /* the others */
  guint                      n_listeners;
  DtRedisSentinelChangedFunc func;
  gpointer                   func_data;
};

DtRedisSentinel *
dt_redis_sentinel_new (DtRedisEndpoint *nodes,
                       DtRedisConfig   *config)
{
  DtRedisSentinel *self;
  const char * const *sentinels;

  g_return_val_if_fail (nodes != NULL, NULL);
  g_return_val_if_fail (DT_REDIS_IS_CONFIG (config), NULL);

  sentinels = dt_redis_config_get_redis_sentinels (config);
  g_return_val_if_fail (sentinels != NULL && sentinels[0] != NULL, NULL);

  self = g_new0 (DtRedisSentinel, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->nodes = dt_redis_endpoint_ref (nodes);
  self->master_name = g_strdup (dt_redis_config_get_redis_master_name (config));
  self->username = g_strdup (dt_redis_config_get_redis_sentinel_username (config));
  self->password = g_strdup (dt_redis_config_get_redis_sentinel_password (config));
  if (self->username != NULL && *self->username == '\0')
    g_clear_pointer (&self->username, g_free);
  if (self->password != NULL && *self->password == '\0')
    g_clear_pointer (&self->password, g_free);
  self->replicas = dt_redis_config_get_redis_read_from_replicas (config);
  self->refresh_us = MAX ((gint64) (dt_redis_config_get_redis_refresh_interval (config) * G_USEC_PER_SEC), 1);

  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_mutex_init (&self->ask_mutex);
  self->addresses = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; sentinels[i] != NULL; i++)
    g_ptr_array_add (self->addresses, g_strdup (sentinels[i]));
  self->wake = g_cancellable_new ();
  self->stop = g_cancellable_new ();
  self->pid = dt_redis_connection_current_pid ();

  return self;
}

/* In a child of fork() the threads are gone, and a lock one of them held
 * at the fork stays held: start over with fresh locks and no watcher,
 * keeping what was learned (the node). Called on entry to everything
 * that takes a lock; right after a fork the child has one thread. */
static void
check_fork (DtRedisSentinel *self)
{
  pid_t pid = dt_redis_connection_current_pid ();

  if (G_LIKELY (self->pid == pid))
    return;

  self->pid = pid;
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  g_mutex_init (&self->ask_mutex);
  self->thread = NULL;
  /* The listeners' GThread structures and cancellables are left as they
   * are: touching GLib objects a lost thread may have been using could
   * block on a lock it held. */
  for (guint i = 0; i < self->n_listeners; i++)
    self->listeners[i].thread = NULL;
  self->n_listeners = 0;
  self->watching = FALSE;
  self->stopping = FALSE;
  self->check_requested = FALSE;
  self->func = NULL;
  self->func_data = NULL;
}

DtRedisSentinel *
dt_redis_sentinel_ref (DtRedisSentinel *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
dt_redis_sentinel_unref (DtRedisSentinel *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  check_fork (self);
  /* The watcher holds no reference: its owner stops it first. */
  g_assert (self->thread == NULL);

  g_clear_pointer (&self->nodes, dt_redis_endpoint_unref);
  g_clear_pointer (&self->node, dt_redis_endpoint_unref);
  g_free (self->master_name);
  g_free (self->username);
  dt_redis_url_free_secret (self->password);
  g_ptr_array_unref (self->addresses);
  g_free (self->master_address);
  g_free (self->reported_address);
  g_clear_object (&self->wake);
  g_clear_object (&self->stop);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);
  g_mutex_clear (&self->ask_mutex);
  g_free (self);
}

char *
dt_redis_sentinel_describe (DtRedisSentinel *self)
{
  return g_strdup_printf (self->replicas ? _("a replica of “%s” (Sentinel)")
                                         : _("master “%s” (Sentinel)"),
                          self->master_name);
}

/* Asking the sentinels */

typedef struct
{
  char    *master_host;
  guint16  master_port;
  char    *replica_host;    /* NULL: no healthy replica, or not asked */
  guint16  replica_port;
  GPtrArray *sentinels;     /* "host:port" of the other sentinels */
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->master_host, g_free);
  g_clear_pointer (&answer->replica_host, g_free);
  g_clear_pointer (&answer->sentinels, g_ptr_array_unref);
}

/* Text of @reply when it is a string, else NULL. */
static const char *
reply_text (DtRedisReply *reply)
{
  DtRedisReplyType type = dt_redis_reply_get_reply_type (reply);

  if (type != DT_REDIS_REPLY_STRING && type != DT_REDIS_REPLY_STATUS)
    return NULL;
  return dt_redis_reply_get_text (reply, NULL);
}

/* A field of one entry of SENTINEL SENTINELS or REPLICAS (a flat array of
 * names and values), or NULL. */
static const char *
entry_field (DtRedisReply *entry,
             const char   *name)
{
  guint n;

  if (dt_redis_reply_get_reply_type (entry) != DT_REDIS_REPLY_ARRAY)
    return NULL;
  n = dt_redis_reply_get_n_elements (entry);
  for (guint i = 0; i + 1 < n; i += 2)
    if (g_strcmp0 (reply_text (dt_redis_reply_get_element (entry, i)), name) == 0)
      return reply_text (dt_redis_reply_get_element (entry, i + 1));
  return NULL;
}

static char *
entry_address (DtRedisReply *entry,
               guint16      *port)
{
  const char *ip = entry_field (entry, "ip");
  const char *port_text = entry_field (entry, "port");
  guint64 value;

  if (ip == NULL || port_text == NULL ||
      !g_ascii_string_to_unsigned (port_text, 10, 1, 65535, &value, NULL))
    return NULL;
  *port = (guint16) value;
  return g_strdup (ip);
}

static char *
format_address (const char *host,
                guint16     port)
{
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, (guint) port);
  return g_strdup_printf ("%s:%u", host, (guint) port);
}

/* A replica the sentinels consider healthy, chosen at random so that
 * clients spread over them. */
static void
pick_replica (DtRedisReply *replicas,
              Answer       *answer)
{
  g_autoptr(GPtrArray) healthy = g_ptr_array_new ();
  DtRedisReply *chosen;

  if (dt_redis_reply_get_reply_type (replicas) != DT_REDIS_REPLY_ARRAY)
    return;

  for (guint i = 0; i < dt_redis_reply_get_n_elements (replicas); i++)
    {
      DtRedisReply *entry = dt_redis_reply_get_element (replicas, i);
      const char *flags = entry_field (entry, "flags");

      if (flags == NULL || strstr (flags, "s_down") != NULL ||
          strstr (flags, "o_down") != NULL || strstr (flags, "disconnected") != NULL ||
          g_strcmp0 (entry_field (entry, "master-link-status"), "ok") != 0)
        continue;
      g_ptr_array_add (healthy, entry);
    }

  if (healthy->len == 0)
    return;
  chosen = g_ptr_array_index (healthy, g_random_int_range (0, (gint32) healthy->len));
  answer->replica_host = entry_address (chosen, &answer->replica_port);
}

static DtRedisEndpoint *
sentinel_endpoint (DtRedisSentinel *self,
                   const char      *address)
{
  g_autofree char *host = NULL;
  DtRedisEndpoint *endpoint;
  guint16 port;

  /* validate() has checked every configured address; learned ones are
   * formatted by us. */
  if (!dt_redis_endpoint_parse_address (address, DEFAULT_SENTINEL_PORT, &host, &port, NULL))
    return NULL;

  endpoint = dt_redis_endpoint_new_node (self->nodes, host, port);
  g_free (endpoint->username);
  dt_redis_url_free_secret (endpoint->password);
  endpoint->username = g_strdup (self->username);
  endpoint->password = g_strdup (self->password);
  endpoint->db = 0;
  return endpoint;
}

/* One sentinel's answer: the master's address, the other sentinels and,
 * with read-from-replicas, a replica. */
static gboolean
ask_one (DtRedisSentinel  *self,
         const char       *address,
         Answer           *answer,
         GCancellable     *cancellable,
         GError          **error)
{
  g_autoptr(DtRedisEndpoint) endpoint = sentinel_endpoint (self, address);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisCommand) cmd = NULL;
  DtRedisReply *replies[3] = { NULL, };
  DtRedisReply *master;
  gboolean ok = FALSE;
  guint64 port;

  if (endpoint == NULL)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                   _("“%s” is not an address"), address);
      return FALSE;
    }

  conn = dt_redis_connection_open (endpoint, cancellable, error);
  if (conn == NULL)
    return FALSE;

  cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  dt_redis_command_append_strv (cmd, (const char *[]) { "SENTINEL", "GET-MASTER-ADDR-BY-NAME", self->master_name, NULL });
  dt_redis_command_append_strv (cmd, (const char *[]) { "SENTINEL", "SENTINELS", self->master_name, NULL });
  if (self->replicas)
    dt_redis_command_append_strv (cmd, (const char *[]) { "SENTINEL", "REPLICAS", self->master_name, NULL });

  if (!dt_redis_connection_run (conn, cmd, replies, cancellable, error))
    goto out;

  master = replies[0];
  if (dt_redis_reply_is_error (master))
    {
      g_propagate_error (error, dt_redis_value_error_from_reply (master));
      goto out;
    }
  if (dt_redis_reply_is_nil (master))
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
                   _("The sentinel at %s knows no master named “%s”"),
                   dt_redis_connection_get_description (conn), self->master_name);
      goto out;
    }
  if (dt_redis_reply_get_reply_type (master) != DT_REDIS_REPLY_ARRAY ||
      dt_redis_reply_get_n_elements (master) != 2 ||
      reply_text (dt_redis_reply_get_element (master, 0)) == NULL ||
      !g_ascii_string_to_unsigned (reply_text (dt_redis_reply_get_element (master, 1)),
                                   10, 1, 65535, &port, NULL))
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("The sentinel at %s gave no address for “%s”"),
                   dt_redis_connection_get_description (conn), self->master_name);
      goto out;
    }

  answer->master_host = g_strdup (reply_text (dt_redis_reply_get_element (master, 0)));
  answer->master_port = (guint16) port;

  /* Other sentinels are extra knowledge: an odd answer costs nothing. */
  answer->sentinels = g_ptr_array_new_with_free_func (g_free);
  if (dt_redis_reply_get_reply_type (replies[1]) == DT_REDIS_REPLY_ARRAY)
    for (guint i = 0; i < dt_redis_reply_get_n_elements (replies[1]); i++)
      {
        guint16 other_port;
        g_autofree char *host = entry_address (dt_redis_reply_get_element (replies[1], i), &other_port);

        if (host != NULL)
          g_ptr_array_add (answer->sentinels, format_address (host, other_port));
      }

  if (self->replicas)
    pick_replica (replies[2], answer);

  ok = TRUE;

out:
  for (guint i = 0; i < G_N_ELEMENTS (replies); i++)
    g_clear_pointer (&replies[i], dt_redis_reply_unref);
  return ok;
}

static gboolean
has_address (GPtrArray  *addresses,
             const char *address)
{
  for (guint i = 0; i < addresses->len; i++)
    if (g_strcmp0 (g_ptr_array_index (addresses, i), address) == 0)
      return TRUE;
  return FALSE;
}

/* Called locked: @address answered, so it is asked first next time, and
 * the sentinels it knows of are added. */
static void
learn_sentinels_locked (DtRedisSentinel *self,
                        const char      *address,
                        GPtrArray       *others)
{
  for (guint i = 0; i < self->addresses->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->addresses, i), address) == 0)
      {
        char *first = g_ptr_array_steal_index (self->addresses, i);

        g_ptr_array_insert (self->addresses, 0, first);
        break;
      }

  for (guint i = 0; others != NULL && i < others->len; i++)
    if (!has_address (self->addresses, g_ptr_array_index (others, i)))
      g_ptr_array_add (self->addresses, g_strdup (g_ptr_array_index (others, i)));
}

/* Called locked: the node for @answer becomes the one to connect to. */
static void
adopt_answer_locked (DtRedisSentinel *self,
                     Answer          *answer)
{
  DtRedisEndpoint *node;

  g_free (self->master_address);
  self->master_address = format_address (answer->master_host, answer->master_port);
  /* The first master found is where the pools start: changes are counted
   * from it, whenever the watcher first looks. */
  if (self->reported_address == NULL)
    self->reported_address = g_strdup (self->master_address);

  if (answer->replica_host != NULL)
    {
      node = dt_redis_endpoint_new_node (self->nodes, answer->replica_host, answer->replica_port);
      node->expected_role = "slave";
    }
  else
    {
      /* Also with read-from-replicas when none is healthy, as redis-py's
       * slave_for() falls back to the master. */
      node = dt_redis_endpoint_new_node (self->nodes, answer->master_host, answer->master_port);
      node->expected_role = "master";
    }

  g_clear_pointer (&self->node, dt_redis_endpoint_unref);
  self->node = node;
}

/* Asks the sentinels in turn until one answers, and adopts its answer. */
static gboolean
ask_sentinels (DtRedisSentinel  *self,
               GCancellable     *cancellable,
               GError          **error)
{
  g_autoptr(GPtrArray) addresses = NULL;
  g_autoptr(GString) tried = g_string_new (NULL);
  g_autoptr(GError) last_error = NULL;

  g_mutex_lock (&self->mutex);
  addresses = g_ptr_array_copy (self->addresses, (GCopyFunc) (void (*) (void)) g_strdup, NULL);
  g_ptr_array_set_free_func (addresses, g_free);
  g_mutex_unlock (&self->mutex);

  for (guint i = 0; i < addresses->len; i++)
    {
      const char *address = g_ptr_array_index (addresses, i);
      Answer answer = { NULL, };

      g_clear_error (&last_error);
      if (ask_one (self, address, &answer, cancellable, &last_error))
        {
          g_mutex_lock (&self->mutex);
          learn_sentinels_locked (self, address, answer.sentinels);
          adopt_answer_locked (self, &answer);
          g_mutex_unlock (&self->mutex);
          answer_clear (&answer);
          return TRUE;
        }
      answer_clear (&answer);

      if (g_error_matches (last_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&last_error));
          return FALSE;
        }
      if (tried->len > 0)
        g_string_append (tried, ", ");
      g_string_append (tried, address);
    }

  g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_CONNECTION,
               _("No sentinel could say where the master “%s” is (asked %s): %s"),
               self->master_name, tried->str, last_error->message);
  return FALSE;
}

DtRedisEndpoint *
dt_redis_sentinel_peek_node (DtRedisSentinel *self)
{
  DtRedisEndpoint *node = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  check_fork (self);

  g_mutex_lock (&self->mutex);
  if (self->node != NULL)
    node = dt_redis_endpoint_ref (self->node);
  g_mutex_unlock (&self->mutex);

  return node;
}

DtRedisEndpoint *
dt_redis_sentinel_dup_node (DtRedisSentinel  *self,
                            DtRedisEndpoint  *stale,
                            GCancellable     *cancellable,
                            GError          **error)
{
  DtRedisEndpoint *node;
  gboolean changed;

  g_return_val_if_fail (self != NULL, NULL);
  check_fork (self);

  node = dt_redis_sentinel_peek_node (self);
  if (node != NULL && !dt_redis_endpoint_same_node (node, stale))
    return node;
  g_clear_pointer (&node, dt_redis_endpoint_unref);

  /* Callers that come while one asks wait for its answer rather than
   * asking too. */
  g_mutex_lock (&self->ask_mutex);
  node = dt_redis_sentinel_peek_node (self);
  if (dt_redis_endpoint_same_node (node, stale))
    g_clear_pointer (&node, dt_redis_endpoint_unref);
  if (node == NULL && ask_sentinels (self, cancellable, error))
    node = dt_redis_sentinel_peek_node (self);
  g_mutex_unlock (&self->ask_mutex);

  if (node == NULL)
    return NULL;

  /* Learned here rather than from an event (the old master failed the
   * role check or went away): the watcher reports it. */
  g_mutex_lock (&self->mutex);
  changed = self->watching && self->reported_address != NULL &&
            g_strcmp0 (self->reported_address, self->master_address) != 0;
  if (changed)
    self->check_requested = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  if (changed)
    g_cancellable_cancel (self->wake);

  return node;
}

void
dt_redis_sentinel_forget_node (DtRedisSentinel *self,
                               DtRedisEndpoint *node)
{
  g_return_if_fail (self != NULL);
  check_fork (self);

  g_mutex_lock (&self->mutex);
  if (dt_redis_endpoint_same_node (self->node, node))
    g_clear_pointer (&self->node, dt_redis_endpoint_unref);
  g_mutex_unlock (&self->mutex);
}

/* Watching */

/* Sleeps up to @us unless stopped or, with @checks, asked to check. */
static void
watcher_sleep (DtRedisSentinel *self,
               gint64           us,
               gboolean         checks)
{
  gint64 deadline = g_get_monotonic_time () + us;

  g_mutex_lock (&self->mutex);
  while (!self->stopping && !(checks && self->check_requested) &&
         g_get_monotonic_time () < deadline)
    g_cond_wait_until (&self->cond, &self->mutex, deadline);
  g_mutex_unlock (&self->mutex);
}

/* Calls back when the master is not the one last reported. */
static void
report_change (DtRedisSentinel *self)
{
  g_autofree char *address = NULL;

  g_mutex_lock (&self->mutex);
  if (self->master_address != NULL &&
      g_strcmp0 (self->master_address, self->reported_address) != 0)
    {
      /* An event before anything was asked is no change: nothing was
       * connected yet. */
      gboolean first = self->reported_address == NULL;

      g_free (self->reported_address);
      self->reported_address = g_strdup (self->master_address);
      if (!first)
        address = g_strdup (self->master_address);
    }
  g_mutex_unlock (&self->mutex);

  if (address != NULL)
    self->func (address, self->func_data);
}

/* The master a +switch-master message names, when it is ours. */
static gboolean
parse_switch (DtRedisSentinel *self,
              DtRedisReply    *reply,
              Answer          *answer)
{
  g_auto(GStrv) words = NULL;
  const char *text;
  guint64 port;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY ||
      dt_redis_reply_get_n_elements (reply) != 3 ||
      g_strcmp0 (reply_text (dt_redis_reply_get_element (reply, 0)), "message") != 0)
    return FALSE;

  /* "<name> <old ip> <old port> <new ip> <new port>" */
  text = reply_text (dt_redis_reply_get_element (reply, 2));
  if (text == NULL)
    return FALSE;
  words = g_strsplit (text, " ", -1);
  if (g_strv_length (words) != 5 || g_strcmp0 (words[0], self->master_name) != 0 ||
      !g_ascii_string_to_unsigned (words[4], 10, 1, 65535, &port, NULL))
    return FALSE;

  answer->master_host = g_strdup (words[3]);
  answer->master_port = (guint16) port;
  return TRUE;
}

/* A master named by an event: adopted at once in master mode; with
 * read-from-replicas the next connect asks for the new master's
 * replicas. */
static void
adopt_switch (DtRedisSentinel *self,
              Answer          *answer)
{
  g_mutex_lock (&self->mutex);
  if (self->replicas)
    {
      g_free (self->master_address);
      self->master_address = format_address (answer->master_host, answer->master_port);
      g_clear_pointer (&self->node, dt_redis_endpoint_unref);
    }
  else
    adopt_answer_locked (self, answer);
  g_mutex_unlock (&self->mutex);
}

/* Asks the sentinels (the safety net, or on request) and reports a
 * change. */
static void
watcher_check (DtRedisSentinel *self)
{
  /* Not self->wake: a request to check that comes meanwhile must not
   * cut this question short (it is served next). */
  g_mutex_lock (&self->ask_mutex);
  ask_sentinels (self, self->stop, NULL);
  g_mutex_unlock (&self->ask_mutex);
  report_change (self);
}

/* Takes a pending request to check (or the stop) and re-arms the
 * cancellable; TRUE when a check was requested. */
static gboolean
watcher_take_request (DtRedisSentinel *self,
                      gboolean        *stopping)
{
  gboolean requested;

  g_cancellable_reset (self->wake);
  g_mutex_lock (&self->mutex);
  requested = self->check_requested;
  self->check_requested = FALSE;
  *stopping = self->stopping;
  g_mutex_unlock (&self->mutex);

  return requested;
}

static gboolean is_stopping (DtRedisSentinel *self);

/* Listens on one sentinel until it fails or the watcher stops; the
 * watcher proper (@primary) also checks. */
static void
watch_one (DtRedisSentinel *self,
           const char      *address,
           GCancellable    *cancellable,
           gboolean         primary)
{
  g_autoptr(DtRedisEndpoint) endpoint = sentinel_endpoint (self, address);
  g_autoptr(DtRedisConnection) conn = NULL;
  g_autoptr(DtRedisCommand) cmd = NULL;
  gint64 next_check = 0;

  if (endpoint == NULL)
    return;
  conn = dt_redis_connection_open (endpoint, cancellable, NULL);
  if (conn == NULL)
    return;

  cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "SUBSCRIBE", "+switch-master", NULL);
  if (!dt_redis_connection_send (conn, cmd, cancellable, NULL))
    return;

  /* Subscribed now, so a switch from here on is heard: check where the
   * master is, in case it moved before. */
  if (primary)
    {
      watcher_check (self);
      next_check = g_get_monotonic_time () + self->refresh_us;
    }

  for (;;)
    {
      g_autoptr(DtRedisReply) reply = NULL;
      g_autoptr(GError) error = NULL;
      gboolean stopping;
      Answer answer = { NULL, };

      if (!dt_redis_connection_read_pushed (conn, next_check, &reply, cancellable, &error))
        {
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || !primary)
            return;
          /* Woken: to stop, or to check now (but not more often than
           * MIN_CHECK_SPACING_US). */
          watcher_take_request (self, &stopping);
          if (!stopping && g_get_monotonic_time () - self->last_asked_check < MIN_CHECK_SPACING_US)
            watcher_sleep (self, self->last_asked_check + MIN_CHECK_SPACING_US - g_get_monotonic_time (),
                           FALSE);
          if (stopping || is_stopping (self))
            return;
          self->last_asked_check = g_get_monotonic_time ();
          watcher_check (self);
          next_check = g_get_monotonic_time () + self->refresh_us;
          continue;
        }

      if (reply == NULL)
        {
          watcher_check (self);
          next_check = g_get_monotonic_time () + self->refresh_us;
          continue;
        }

      if (parse_switch (self, reply, &answer))
        {
          adopt_switch (self, &answer);
          report_change (self);
        }
      answer_clear (&answer);
    }
}

static gboolean
is_stopping (DtRedisSentinel *self)
{
  gboolean stopping;

  g_mutex_lock (&self->mutex);
  stopping = self->stopping;
  g_mutex_unlock (&self->mutex);
  return stopping;
}

static gpointer
watch_thread (gpointer user_data)
{
  DtRedisSentinel *self = user_data;
  guint next = 0;

  for (;;)
    {
      g_autofree char *address = NULL;
      gboolean stopping;

      g_mutex_lock (&self->mutex);
      stopping = self->stopping;
      /* After a failure the next sentinel; after learning some, the one
       * that answered last comes first again. */
      address = g_strdup (g_ptr_array_index (self->addresses, next % self->addresses->len));
      g_mutex_unlock (&self->mutex);
      if (stopping)
        break;

      watch_one (self, address, self->wake, TRUE);
      if (watcher_take_request (self, &stopping))
        watcher_check (self);
      if (stopping)
        break;
      next++;
      watcher_sleep (self, WATCH_RETRY_US, TRUE);
    }

  return NULL;
}

static gpointer
listen_thread (gpointer user_data)
{
  Listener *listener = user_data;

  while (!is_stopping (listener->self))
    {
      watch_one (listener->self, listener->address, listener->cancellable, FALSE);
      watcher_sleep (listener->self, WATCH_RETRY_US, FALSE);
    }

  return NULL;
}

void
dt_redis_sentinel_watch (DtRedisSentinel           *self,
                         DtRedisSentinelChangedFunc func,
                         gpointer                   user_data)
{
  g_return_if_fail (self != NULL);
  check_fork (self);
  g_return_if_fail (func != NULL);
  g_return_if_fail (self->thread == NULL);

  self->func = func;
  self->func_data = user_data;
  g_cancellable_reset (self->stop);
  g_mutex_lock (&self->mutex);
  self->watching = TRUE;
  self->stopping = FALSE;
  /* The others' sentinels, chosen before any thread can change the list. */
  for (guint i = 1; i < self->addresses->len && self->n_listeners < G_N_ELEMENTS (self->listeners); i++)
    {
      Listener *listener = &self->listeners[self->n_listeners++];

      listener->self = self;
      listener->cancellable = g_cancellable_new ();
      listener->address = g_strdup (g_ptr_array_index (self->addresses, i));
    }
  g_mutex_unlock (&self->mutex);

  self->thread = g_thread_new ("dtredis-sentinel", watch_thread, self);
  for (guint i = 0; i < self->n_listeners; i++)
    self->listeners[i].thread = g_thread_new ("dtredis-sentinel", listen_thread, &self->listeners[i]);
}

void
dt_redis_sentinel_unwatch (DtRedisSentinel *self)
{
  g_return_if_fail (self != NULL);
  check_fork (self);

  if (self->thread == NULL)
    return;


  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_cancellable_cancel (self->wake);
  g_cancellable_cancel (self->stop);
  for (guint i = 0; i < self->n_listeners; i++)
    g_cancellable_cancel (self->listeners[i].cancellable);

  g_thread_join (g_steal_pointer (&self->thread));
  for (guint i = 0; i < self->n_listeners; i++)
    {
      Listener *listener = &self->listeners[i];

      g_thread_join (g_steal_pointer (&listener->thread));
      g_clear_object (&listener->cancellable);
      g_clear_pointer (&listener->address, g_free);
    }
  self->n_listeners = 0;
  g_mutex_lock (&self->mutex);
  self->watching = FALSE;
  g_mutex_unlock (&self->mutex);
  self->func = NULL;
  self->func_data = NULL;
}

void
dt_redis_sentinel_check_soon (DtRedisSentinel *self)
{
  g_return_if_fail (self != NULL);
  check_fork (self);

  /* A replica refuses writes all the time: that says nothing new. */
  if (self->replicas)
    return;

  g_mutex_lock (&self->mutex);
  self->check_requested = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_cancellable_cancel (self->wake);
}
