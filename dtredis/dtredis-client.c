/* dtredis-client.c: blocking command facade over the sync pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "dtredis-client-private.h"
#include "dtredis-cluster-private.h"
#include "dtredis-commands-private.h"
#include "dtredis-held-connection-private.h"
#include "dtredis-value-private.h"

/**
 * DtRedisClient:
 *
 * A blocking Redis client over the sync pool of a [class@DtRedis.Instance].
 *
 * Get one with [method@DtRedis.Instance.get_redis_client]. A client holds
 * no connection of its own: each command borrows a pooled connection for
 * the time of one round trip and gives it back, so clients are cheap and
 * one client may be shared by any number of threads. A command that finds
 * every connection of the pool in use waits for one, up to the
 * socket timeout, then fails with %DT_REDIS_ERROR_POOL_TIMEOUT.
 *
 * ## Typed commands
 *
 * Most Redis commands have a typed method, generated from dtredis's
 * command table: the command's name in lower case, subcommands joined by
 * `_` ([method@DtRedis.Client.object_encoding]), `DEL` as `delete`.
 * Keys, fields, members and values are UTF-8 text and text comes back as
 * `char *` or a %NULL-terminated array; every method that takes or
 * returns values also has a binary-safe `_bytes` twin with
 * [struct@GLib.Bytes] ([method@DtRedis.Client.getdel_bytes]). A text
 * method given a value that is not UTF-8, or asked for one that is not,
 * fails with %DT_REDIS_ERROR_ENCODING naming the key and the twin. A
 * missing key is never an error: the method returns %NULL (or -1, or
 * NAN, as its documentation says). Options follow one rule: a command
 * with options has a short method without them
 * ([method@DtRedis.Client.set]: `SET key value`) and a `_full` one with
 * all of them ([method@DtRedis.Client.set_full]), where pure tokens
 * (`NX`, `XX`, `GT`...) are a flags argument of the command's own flags
 * type ([flags@DtRedis.SetFlags]), optional numbers are sent only when
 * not negative, optional strings only when not %NULL. Commands with
 * nested replies (`XRANGE`, `SCAN`...) return the [struct@DtRedis.Reply];
 * [class@DtRedis.ScanIterator] walks a whole scan. Anything else goes
 * through [method@DtRedis.Client.execute].
 *
 * Returned arrays and hash tables own their elements: g_ptr_array_unref()
 * or g_hash_table_unref() frees everything. They are annotated
 * `(transfer container)` so that bindings take references to the elements
 * rather than free them twice.
 *
 * Every command can fail with an error of the [error@DtRedis.Error]
 * domain: %DT_REDIS_ERROR_SERVER when the server answers with an error
 * reply (the message is the server's text, such as `WRONGTYPE Operation
 * against a key holding the wrong kind of value`), %DT_REDIS_ERROR_AUTH
 * when it refuses the credentials, %DT_REDIS_ERROR_LOADING while the
 * server loads its dataset, %DT_REDIS_ERROR_CONNECTION,
 * %DT_REDIS_ERROR_TIMEOUT, %DT_REDIS_ERROR_POOL_TIMEOUT,
 * %DT_REDIS_ERROR_PROTOCOL, %DT_REDIS_ERROR_TLS, %DT_REDIS_ERROR_CLOSED
 * (the pool was reset while the command waited) and
 * %DT_REDIS_ERROR_INVALID_CONFIG (the instance's configuration does not
 * validate). A command is never sent twice: when its connection fails
 * after it was sent, the error message says that it may have been
 * executed. A cancelled command fails with %G_IO_ERROR_CANCELLED; a
 * blocking one has its connection closed by then.
 *
 * ```c
 * g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (redis);
 * g_autoptr(GBytes) value = g_bytes_new_static ("John Doe", 8);
 * g_autoptr(GBytes) name = NULL;
 * g_autoptr(GError) error = NULL;
 *
 * if (!dt_redis_client_set (client, "user:1:name", value, NULL, &error))
 *   g_error ("SET failed: %s", error->message);
 *
 * name = dt_redis_client_get (client, "user:1:name", NULL, &error);
 * if (error != NULL)
 *   g_error ("GET failed: %s", error->message);
 * else if (name == NULL)
 *   g_print ("no such user\n");
 * else
 *   g_print ("%.*s\n", (int) g_bytes_get_size (name),
 *            (const char *) g_bytes_get_data (name, NULL));
 * ```
 *
 * Any command without a helper goes through [method@DtRedis.Client.execute]
 * or, with binary arguments, [method@DtRedis.Client.execute_bytes].
 *
 * ## Single-connection clients
 *
 * A client from [method@DtRedis.Instance.get_single_connection_client]
 * (redis-py's `Redis.client()`) is different: its first command leases a
 * connection from the sync pool and the client keeps it, so the state
 * that commands give a connection (`SELECT`, `CLIENT SETNAME`, `WATCH`,
 * `CLIENT TRACKING`...) stays in force between its commands, blocking
 * commands included. Its commands run one at a time, whatever the thread.
 * [method@DtRedis.Client.close] gives the connection back (closed, so
 * that its state reaches no other client); the next command leases a new
 * one. If the connection is lost before any state-changing command ran on
 * it, the next command quietly uses a new one; after one did, every
 * command fails with %DT_REDIS_ERROR_CLOSED until the client is closed,
 * rather than run without the state it was given. Pipelines from it run
 * on the pool, as redis-py's do.
 */

struct _DtRedisClient
{
  GObject          parent_instance;

  DtRedisInstance *instance; /* for the property only */
  DtRedisPools    *pools;
  /* A single-connection client's connection; NULL for pooled clients. */
  DtRedisHeldConnection *held;
};

enum {
  PROP_0,
  PROP_INSTANCE,
  PROP_SINGLE_CONNECTION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/**
 * dt_redis_client_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.Client].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisClient, dt_redis_client, G_TYPE_OBJECT)

static void
dt_redis_client_dispose (GObject *object)
{
  DtRedisClient *self = (DtRedisClient *) object;

  g_clear_object (&self->instance);

  G_OBJECT_CLASS (dt_redis_client_parent_class)->dispose (object);
}

static void
dt_redis_client_finalize (GObject *object)
{
  DtRedisClient *self = (DtRedisClient *) object;

  g_clear_pointer (&self->held, dt_redis_held_connection_free);
  g_clear_pointer (&self->pools, dt_redis_pools_unref);

  G_OBJECT_CLASS (dt_redis_client_parent_class)->finalize (object);
}

static void
dt_redis_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  DtRedisClient *self = DT_REDIS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_INSTANCE:
      g_value_set_object (value, self->instance);
      break;

    case PROP_SINGLE_CONNECTION:
      g_value_set_boolean (value, self->held != NULL);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  DtRedisClient *self = DT_REDIS_CLIENT (object);

  switch (prop_id)
    {
    case PROP_INSTANCE:
      self->instance = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
dt_redis_client_class_init (DtRedisClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = dt_redis_client_dispose;
  object_class->finalize = dt_redis_client_finalize;
  object_class->get_property = dt_redis_client_get_property;
  object_class->set_property = dt_redis_client_set_property;

  /**
   * DtRedisClient:instance:
   *
   * The instance whose sync pool the client's commands run on.
   */
  properties[PROP_INSTANCE] =
    g_param_spec_object ("instance", NULL, NULL,
                         DT_REDIS_TYPE_INSTANCE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * DtRedisClient:single-connection:
   *
   * Whether the client keeps one connection for all its commands (see
   * [method@DtRedis.Instance.get_single_connection_client]) rather than
   * borrow a pooled one per command.
   */
  properties[PROP_SINGLE_CONNECTION] =
    g_param_spec_boolean ("single-connection", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
dt_redis_client_init (DtRedisClient *self)
{
}

DtRedisClient *
dt_redis_client_new (DtRedisInstance *instance,
                     DtRedisPools    *pools)
{
  DtRedisClient *self;

  g_return_val_if_fail (DT_REDIS_IS_INSTANCE (instance), NULL);
  g_return_val_if_fail (pools != NULL, NULL);

  self = g_object_new (DT_REDIS_TYPE_CLIENT, "instance", instance, NULL);
  self->pools = dt_redis_pools_ref (pools);

  return self;
}

DtRedisClient *
dt_redis_client_new_single_connection (DtRedisInstance *instance,
                                       DtRedisPools    *pools)
{
  DtRedisClient *self = dt_redis_client_new (instance, pools);

  self->held = dt_redis_held_connection_new (pools);
  return self;
}

/* The one path every command takes: borrow the pool, run @cmd (taken),
 * convert its reply by cmd->kind. On success @value owns the result; on
 * failure it holds nothing. */
static gboolean
run (DtRedisClient   *self,
     DtRedisCommand  *cmd,
     DtRedisValue    *value,
     GCancellable    *cancellable,
     GError         **error)
{
  g_autoptr(DtRedisCommand) owned = cmd;
  g_autoptr(DtRedisSyncPool) pool = NULL;
  g_autoptr(DtRedisReply) reply = NULL;

  memset (value, 0, sizeof *value);

  /* A builder that got a bad argument has already said so. */
  if (cmd == NULL)
    return FALSE;

  g_return_val_if_fail (self->pools != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_assert (cmd->n_replies == 1);

  if (self->held != NULL)
    {
      if (!dt_redis_held_connection_run (self->held, cmd, &reply, cancellable, error))
        return FALSE;
    }
  else
    {
      DtRedisCluster *cluster;

      if (!dt_redis_pools_get_cluster (self->pools, &cluster, error))
        return FALSE;
      if (cluster != NULL)
        {
          if (!dt_redis_cluster_run_sync (cluster, cmd, &reply, cancellable, error))
            return FALSE;
        }
      else
        {
          pool = dt_redis_pools_dup_sync (self->pools, error);
          if (pool == NULL)
            return FALSE;
          if (!dt_redis_sync_pool_run (pool, cmd, &reply, cancellable, error))
            return FALSE;
        }
    }

  if (G_UNLIKELY (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_ERROR))
    dt_redis_pools_note_error_reply (self->pools, reply);

  return dt_redis_value_from_reply (cmd->kind, reply, value, error);
}

gboolean
dt_redis_client_run_command (DtRedisClient   *self,
                             DtRedisCommand  *cmd,
                             const char      *text_key,
                             const char      *twin,
                             DtRedisValue    *value,
                             GCancellable    *cancellable,
                             GError         **error)
{
  GError *local_error = NULL;

  if (run (self, cmd, value, cancellable, &local_error))
    return TRUE;

  if (twin != NULL && g_error_matches (local_error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING))
    {
      g_clear_error (&local_error);
      local_error = dt_redis_value_new_encoding_error (text_key, twin);
    }
  g_propagate_error (error, local_error);
  return FALSE;
}

/* The generic commands return the reply itself. */
static DtRedisReply *
run_reply (DtRedisClient   *self,
           DtRedisCommand  *cmd,
           GCancellable    *cancellable,
           GError         **error)
{
  DtRedisValue value;

  if (!run (self, cmd, &value, cancellable, error))
    return NULL;
  return g_steal_pointer (&value.reply);
}

/**
 * dt_redis_client_execute:
 * @self: a [class@DtRedis.Client]
 * @argv: (array zero-terminated=1): the command name and its arguments
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sends any command and returns the server's reply as it is, such as
 * `(const char *[]) { "OBJECT", "ENCODING", "mykey", NULL }`.
 *
 * An error reply at the top level becomes a %DT_REDIS_ERROR_SERVER (or
 * %DT_REDIS_ERROR_AUTH) error carrying the server's text; errors nested
 * in an array reply stay in the reply. A missing key gives a reply of type
 * %DT_REDIS_REPLY_NIL, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_client_execute (DtRedisClient       *self,
                         const char * const  *argv,
                         GCancellable        *cancellable,
                         GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_reply (self, dt_redis_commands_execute (argv), cancellable, error);
}

/**
 * dt_redis_client_execute_bytes:
 * @self: a [class@DtRedis.Client]
 * @argv: (array length=n_argv): the command name and its arguments
 * @n_argv: the number of elements of @argv, at least 1
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Like [method@DtRedis.Client.execute] with binary-safe arguments: each
 * argument is sent byte for byte, NUL bytes included.
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_client_execute_bytes (DtRedisClient   *self,
                               GBytes * const  *argv,
                               guint            n_argv,
                               GCancellable    *cancellable,
                               GError         **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_reply (self, dt_redis_commands_execute_bytes (argv, n_argv), cancellable, error);
}

/**
 * dt_redis_client_command:
 * @self: a [class@DtRedis.Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 * @first_arg: the command name
 * @...: the arguments, C strings, ending with %NULL
 *
 * Like [method@DtRedis.Client.execute] with the arguments given inline,
 * for C:
 *
 * ```c
 * reply = dt_redis_client_command (client, NULL, &error,
 *                                  "HINCRBY", "user:1", "visits", "1", NULL);
 * ```
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: (transfer full): the reply, or %NULL on error
 */
DtRedisReply *
dt_redis_client_command (DtRedisClient  *self,
                         GCancellable   *cancellable,
                         GError        **error,
                         const char     *first_arg,
                         ...)
{
  DtRedisCommand *cmd;
  va_list args;

  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  va_start (args, first_arg);
  cmd = dt_redis_commands_execute_valist (first_arg, args);
  va_end (args);

  return run_reply (self, cmd, cancellable, error);
}

/**
 * dt_redis_client_pipeline:
 * @self: a [class@DtRedis.Client]
 * @transaction: whether the batch runs as one `MULTI`/`EXEC` transaction
 *
 * Creates an empty pipeline over the same instance. Nothing is sent until
 * [method@DtRedis.Pipeline.execute].
 *
 * Returns: (transfer full): a new pipeline
 */
DtRedisPipeline *
dt_redis_client_pipeline (DtRedisClient *self,
                          gboolean       transaction)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return dt_redis_pipeline_new (self->instance, self->pools, transaction);
}

/**
 * dt_redis_client_close:
 * @self: a [class@DtRedis.Client]
 *
 * Gives back the connection of a single-connection client (see
 * [method@DtRedis.Instance.get_single_connection_client]), closed; its
 * next command starts on a new one. On other clients it does nothing,
 * and is there for code written against redis-py, whose clients have a
 * `close()`.
 *
 * A pooled client owns no connection (the pool of its instance does), so there
 * is nothing of its own to release, and nothing shared may be released on
 * its behalf: other clients of the same instance keep working, and so does
 * this one. To close the pool's connections, use
 * [method@DtRedis.Instance.reset_sync_pool].
 */
void
dt_redis_client_close (DtRedisClient *self)
{
  g_return_if_fail (DT_REDIS_IS_CLIENT (self));

  if (self->held != NULL)
    dt_redis_held_connection_release (self->held);
}

/**
 * dt_redis_client_get_single_connection:
 * @self: a [class@DtRedis.Client]
 *
 * Gets [property@DtRedis.Client:single-connection].
 *
 * Returns: whether the client keeps one connection for all its commands
 */
gboolean
dt_redis_client_get_single_connection (DtRedisClient *self)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return self->held != NULL;
}
