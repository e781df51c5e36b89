/* dtredis-client.c: blocking command facade over the sync pool
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "dtredis-client-private.h"
#include "dtredis-commands-private.h"
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
 * NAN, as its documentation says). Options follow one rule: pure tokens
 * (`NX`, `XX`, `GT`...) are a flags argument of the command's own flags
 * type ([flags@DtRedis.SetFlags]), optional numbers are sent only when
 * not negative, optional strings only when not %NULL. Commands with
 * nested replies (`XRANGE`, `SCAN`...) return the [struct@DtRedis.Reply].
 *
 * The first helpers, written before the table (`get`, `set`, `hgetall`,
 * `zadd`...), still take and return [struct@GLib.Bytes]; their `_bytes`
 * twins already exist, and they will move to text like the others.
 *
 * Values are binary safe: those helpers send [struct@GLib.Bytes] and give
 * back [struct@GLib.Bytes]. A missing key is never an error: helpers
 * that return a value return %NULL (or report "not found") without
 * setting an error.
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
 */

struct _DtRedisClient
{
  GObject          parent_instance;

  DtRedisInstance *instance; /* for the property only */
  DtRedisPools    *pools;
};

enum {
  PROP_0,
  PROP_INSTANCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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

  pool = dt_redis_pools_dup_sync (self->pools, error);
  if (pool == NULL)
    return FALSE;
  if (!dt_redis_sync_pool_run (pool, cmd, &reply, cancellable, error))
    return FALSE;

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

/* One taker per return shape: each typed helper is run_<shape> (builder). */

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

static GBytes *
run_bytes (DtRedisClient   *self,
           DtRedisCommand  *cmd,
           GCancellable    *cancellable,
           GError         **error)
{
  DtRedisValue value;

  if (!run (self, cmd, &value, cancellable, error))
    return NULL;
  return g_steal_pointer (&value.bytes);
}

/* INTEGER and INTEGER_OR_NIL; @on_error keeps -1 out of the rank helpers'
 * "found" range. */
static gint64
run_integer (DtRedisClient   *self,
             DtRedisCommand  *cmd,
             gint64           on_error,
             GCancellable    *cancellable,
             GError         **error)
{
  DtRedisValue value;

  if (!run (self, cmd, &value, cancellable, error))
    return on_error;
  return value.integer;
}

/* OK and BOOLEAN */
static gboolean
run_boolean (DtRedisClient   *self,
             DtRedisCommand  *cmd,
             GCancellable    *cancellable,
             GError         **error)
{
  DtRedisValue value;

  if (!run (self, cmd, &value, cancellable, error))
    return FALSE;
  return value.integer != 0;
}

/* DOUBLE and DOUBLE_OR_NIL: whether there is a number, and the number. */
static gboolean
run_double (DtRedisClient   *self,
            DtRedisCommand  *cmd,
            gdouble         *number,
            GCancellable    *cancellable,
            GError         **error)
{
  DtRedisValue value;

  if (number != NULL)
    *number = 0.0;
  if (!run (self, cmd, &value, cancellable, error))
    return FALSE;
  if (number != NULL)
    *number = value.number;
  return value.found;
}

static GPtrArray *
run_list (DtRedisClient   *self,
          DtRedisCommand  *cmd,
          GCancellable    *cancellable,
          GError         **error)
{
  DtRedisValue value;

  if (!run (self, cmd, &value, cancellable, error))
    return NULL;
  return g_steal_pointer (&value.list);
}

static GHashTable *
run_map (DtRedisClient   *self,
         DtRedisCommand  *cmd,
         GCancellable    *cancellable,
         GError         **error)
{
  DtRedisValue value;

  if (!run (self, cmd, &value, cancellable, error))
    return NULL;
  return g_steal_pointer (&value.map);
}

static GPtrArray *
run_scored_list (DtRedisClient   *self,
                 DtRedisCommand  *cmd,
                 GArray         **scores,
                 GCancellable    *cancellable,
                 GError         **error)
{
  DtRedisValue value;

  if (scores != NULL)
    *scores = NULL;
  if (!run (self, cmd, &value, cancellable, error))
    return NULL;
  if (scores != NULL)
    *scores = g_steal_pointer (&value.scores);
  g_clear_pointer (&value.scores, g_array_unref);
  return g_steal_pointer (&value.list);
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
 * Does nothing, and is there for code written against redis-py, whose
 * clients have a `close()`.
 *
 * A client owns no connection (the pool of its instance does), so there
 * is nothing of its own to release, and nothing shared may be released on
 * its behalf: other clients of the same instance keep working, and so does
 * this one. To close the pool's connections, use
 * [method@DtRedis.Instance.reset_sync_pool].
 */
void
dt_redis_client_close (DtRedisClient *self)
{
  g_return_if_fail (DT_REDIS_IS_CLIENT (self));
}

/**
 * dt_redis_client_set:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @value: the value, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sets @key to @value (`SET`), whatever the key held before, and removes
 * any time to live it had.
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: %TRUE when the value is set, %FALSE on error
 */
gboolean
dt_redis_client_set (DtRedisClient  *self,
                     const char     *key,
                     GBytes         *value,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_set (key, value), cancellable, error);
}

/**
 * dt_redis_client_get:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the value of @key (`GET`).
 *
 * A missing key returns %NULL without an error. A key holding another
 * type fails with %DT_REDIS_ERROR_SERVER (`WRONGTYPE`). Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when @key does
 *   not exist or on error
 */
GBytes *
dt_redis_client_get (DtRedisClient  *self,
                     const char     *key,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_bytes (self, dt_redis_commands_get (key), cancellable, error);
}

/**
 * dt_redis_client_setex:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @seconds: the time to live, in seconds, at least 1
 * @value: the value, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sets @key to @value with a time to live of @seconds (`SETEX`).
 *
 * A @seconds below 1 fails with %DT_REDIS_ERROR_SERVER. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the value is set, %FALSE on error
 */
gboolean
dt_redis_client_setex (DtRedisClient  *self,
                       const char     *key,
                       gint64          seconds,
                       GBytes         *value,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_setex (key, seconds, value), cancellable, error);
}

/**
 * dt_redis_client_incr:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Adds 1 to the integer stored at @key (`INCR`). A missing key counts as
 * 0, so the first increment returns 1.
 *
 * A value that is not an integer fails with %DT_REDIS_ERROR_SERVER.
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: the new value, or 0 on error
 */
gint64
dt_redis_client_incr (DtRedisClient  *self,
                      const char     *key,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_incr (key), 0, cancellable, error);
}

/**
 * dt_redis_client_incrby:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @amount: what to add, possibly negative
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Adds @amount to the integer stored at @key (`INCRBY`). A missing key
 * counts as 0.
 *
 * A value that is not an integer, or an overflow, fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the new value, or 0 on error
 */
gint64
dt_redis_client_incrby (DtRedisClient  *self,
                        const char     *key,
                        gint64          amount,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_incrby (key, amount), 0, cancellable, error);
}

/**
 * dt_redis_client_decr:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Subtracts 1 from the integer stored at @key (`DECR`). A missing key
 * counts as 0, so the first decrement returns -1.
 *
 * A value that is not an integer fails with %DT_REDIS_ERROR_SERVER.
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: the new value, or 0 on error
 */
gint64
dt_redis_client_decr (DtRedisClient  *self,
                      const char     *key,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_decr (key), 0, cancellable, error);
}

/**
 * dt_redis_client_ttl:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the remaining time to live of @key, in seconds (`TTL`).
 *
 * As the server answers, -2 means that @key does not exist and -1 that it
 * exists with no time to live; neither is an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the seconds left, -1 or -2 as above, or 0 on error
 */
gint64
dt_redis_client_ttl (DtRedisClient  *self,
                     const char     *key,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_ttl (key), 0, cancellable, error);
}

/**
 * dt_redis_client_expire:
 * @self: a [class@DtRedis.Client]
 * @key: the key
 * @seconds: the time to live, in seconds; 0 or less deletes the key
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sets the time to live of @key (`EXPIRE`).
 *
 * A missing key returns %FALSE without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the time to live was set, %FALSE when @key does not
 *   exist or on error
 */
gboolean
dt_redis_client_expire (DtRedisClient  *self,
                        const char     *key,
                        gint64          seconds,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_expire (key, seconds), cancellable, error);
}

/**
 * dt_redis_client_delete:
 * @self: a [class@DtRedis.Client]
 * @keys: (array zero-terminated=1): the keys, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Deletes @keys, of any type (`DEL`).
 *
 * Missing keys are skipped, not an error. An empty @keys fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many of @keys existed and were deleted, or 0 on error
 */
gint64
dt_redis_client_delete (DtRedisClient       *self,
                        const char * const  *keys,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_delete (keys), 0, cancellable, error);
}

/**
 * dt_redis_client_exists:
 * @self: a [class@DtRedis.Client]
 * @keys: (array zero-terminated=1): the keys, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Counts how many of @keys exist (`EXISTS`); a key named twice counts
 * twice.
 *
 * Missing keys count as 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the number of existing keys, or 0 on error
 */
gint64
dt_redis_client_exists (DtRedisClient       *self,
                        const char * const  *keys,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_exists (keys), 0, cancellable, error);
}

/**
 * dt_redis_client_keys:
 * @self: a [class@DtRedis.Client]
 * @pattern: a glob-style pattern, such as `user:*`
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Lists the keys of the database that match @pattern (`KEYS`), in no
 * particular order. This walks the whole keyspace on the server: keep it
 * for scripts and debugging.
 *
 * No match gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the key names, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_keys (DtRedisClient  *self,
                      const char     *pattern,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_keys (pattern), cancellable, error);
}

/**
 * dt_redis_client_hset:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the hash
 * @field: the field
 * @value: the value, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sets @field of the hash at @key to @value (`HSET`), creating the hash
 * when @key does not exist.
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: 1 when @field is new, 0 when it was updated (or on error)
 */
gint64
dt_redis_client_hset (DtRedisClient  *self,
                      const char     *key,
                      const char     *field,
                      GBytes         *value,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_hset (key, field, value), 0, cancellable, error);
}

/**
 * dt_redis_client_hset_mapping:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the hash
 * @mapping: (element-type utf8 GBytes): the fields and their values
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Sets every field of @mapping in the hash at @key in one command
 * (`HSET key field value ...`), creating the hash when @key does not
 * exist.
 *
 * An empty @mapping, or a key holding another type, fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many fields were new, or 0 on error
 */
gint64
dt_redis_client_hset_mapping (DtRedisClient  *self,
                              const char     *key,
                              GHashTable     *mapping,
                              GCancellable   *cancellable,
                              GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_hset_mapping (key, mapping), 0, cancellable, error);
}

/**
 * dt_redis_client_hget:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the hash
 * @field: the field
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets @field of the hash at @key (`HGET`).
 *
 * A missing key or field returns %NULL without an error. Errors are in
 * the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the value, or %NULL when there is
 *   none or on error
 */
GBytes *
dt_redis_client_hget (DtRedisClient  *self,
                      const char     *key,
                      const char     *field,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_bytes (self, dt_redis_commands_hget (key, field), cancellable, error);
}

/**
 * dt_redis_client_hgetall:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the hash
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets every field and value of the hash at @key (`HGETALL`). The table
 * hashes its keys with g_bytes_hash().
 *
 * A missing key gives an empty table, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes GBytes): the fields and
 *   their values, or %NULL on error
 */
GHashTable *
dt_redis_client_hgetall (DtRedisClient  *self,
                         const char     *key,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_map (self, dt_redis_commands_hgetall (key), cancellable, error);
}

/**
 * dt_redis_client_hexists:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the hash
 * @field: the field
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks whether the hash at @key has @field (`HEXISTS`).
 *
 * A missing key returns %FALSE without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when the field exists, %FALSE when it does not or on
 *   error
 */
gboolean
dt_redis_client_hexists (DtRedisClient  *self,
                         const char     *key,
                         const char     *field,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_hexists (key, field), cancellable, error);
}

/**
 * dt_redis_client_hdel:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the hash
 * @fields: (array zero-terminated=1): the fields, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Removes @fields from the hash at @key (`HDEL`).
 *
 * A missing key or field counts as 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many fields were removed, or 0 on error
 */
gint64
dt_redis_client_hdel (DtRedisClient       *self,
                      const char          *key,
                      const char * const  *fields,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_hdel (key, fields), 0, cancellable, error);
}

/**
 * dt_redis_client_lpush:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the list
 * @values: (array zero-terminated=1): the values, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Inserts @values at the head of the list at @key, one after the other
 * (`LPUSH`), so the last of @values ends up first. A missing key starts
 * an empty list.
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the length of the list afterwards, or 0 on error
 */
gint64
dt_redis_client_lpush (DtRedisClient       *self,
                       const char          *key,
                       const char * const  *values,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_lpush (key, values), 0, cancellable, error);
}

/**
 * dt_redis_client_rpush:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the list
 * @values: (array zero-terminated=1): the values, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Appends @values at the tail of the list at @key (`RPUSH`), in order. A
 * missing key starts an empty list.
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the length of the list afterwards, or 0 on error
 */
gint64
dt_redis_client_rpush (DtRedisClient       *self,
                       const char          *key,
                       const char * const  *values,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_rpush (key, values), 0, cancellable, error);
}

/**
 * dt_redis_client_lpop:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the list
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Removes and returns the first element of the list at @key (`LPOP`).
 *
 * A missing key (or empty list) returns %NULL without an error. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the element, or %NULL when the
 *   list is empty or on error
 */
GBytes *
dt_redis_client_lpop (DtRedisClient  *self,
                      const char     *key,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_bytes (self, dt_redis_commands_lpop (key), cancellable, error);
}

/**
 * dt_redis_client_rpop:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the list
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Removes and returns the last element of the list at @key (`RPOP`).
 *
 * A missing key (or empty list) returns %NULL without an error. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer full) (nullable): the element, or %NULL when the
 *   list is empty or on error
 */
GBytes *
dt_redis_client_rpop (DtRedisClient  *self,
                      const char     *key,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_bytes (self, dt_redis_commands_rpop (key), cancellable, error);
}

/**
 * dt_redis_client_llen:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the list
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the length of the list at @key (`LLEN`).
 *
 * A missing key has length 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the length, or 0 on error
 */
gint64
dt_redis_client_llen (DtRedisClient  *self,
                      const char     *key,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_llen (key), 0, cancellable, error);
}

/**
 * dt_redis_client_lrange:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the list
 * @start: index of the first element; negative counts from the end
 * @stop: index of the last element, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the elements of the list at @key from @start to @stop (`LRANGE`).
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the elements, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_lrange (DtRedisClient  *self,
                        const char     *key,
                        gint64          start,
                        gint64          stop,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_lrange (key, start, stop), cancellable, error);
}

/**
 * dt_redis_client_sadd:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the set
 * @members: (array zero-terminated=1): the members, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Adds @members to the set at @key (`SADD`), creating it when @key does
 * not exist.
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many members were not already in the set, or 0 on error
 */
gint64
dt_redis_client_sadd (DtRedisClient       *self,
                      const char          *key,
                      const char * const  *members,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_sadd (key, members), 0, cancellable, error);
}

/**
 * dt_redis_client_srem:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the set
 * @members: (array zero-terminated=1): the members, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Removes @members from the set at @key (`SREM`).
 *
 * A missing key or member counts as 0, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many members were removed, or 0 on error
 */
gint64
dt_redis_client_srem (DtRedisClient       *self,
                      const char          *key,
                      const char * const  *members,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_srem (key, members), 0, cancellable, error);
}

/**
 * dt_redis_client_smembers:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the set
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the members of the set at @key (`SMEMBERS`), in no particular
 * order.
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_smembers (DtRedisClient  *self,
                          const char     *key,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_smembers (key), cancellable, error);
}

/**
 * dt_redis_client_sismember:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks whether @member is in the set at @key (`SISMEMBER`).
 *
 * A missing key returns %FALSE without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: %TRUE when @member is in the set, %FALSE when it is not or on
 *   error
 */
gboolean
dt_redis_client_sismember (DtRedisClient  *self,
                           const char     *key,
                           const char     *member,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_sismember (key, member), cancellable, error);
}

/**
 * dt_redis_client_sunion:
 * @self: a [class@DtRedis.Client]
 * @keys: (array zero-terminated=1): the keys of the sets, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the members of the union of the sets at @keys (`SUNION`), in no
 * particular order.
 *
 * Missing keys count as empty sets, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_sunion (DtRedisClient       *self,
                        const char * const  *keys,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_sunion (keys), cancellable, error);
}

/**
 * dt_redis_client_sinter:
 * @self: a [class@DtRedis.Client]
 * @keys: (array zero-terminated=1): the keys of the sets, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the members common to all the sets at @keys (`SINTER`), in no
 * particular order.
 *
 * Missing keys count as empty sets, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_sinter (DtRedisClient       *self,
                        const char * const  *keys,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_sinter (keys), cancellable, error);
}

/**
 * dt_redis_client_sdiff:
 * @self: a [class@DtRedis.Client]
 * @keys: (array zero-terminated=1): the keys of the sets, at least one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the members of the first set at @keys that are in none of the
 * others (`SDIFF`), in no particular order.
 *
 * Missing keys count as empty sets, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_sdiff (DtRedisClient       *self,
                       const char * const  *keys,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_sdiff (keys), cancellable, error);
}

/**
 * dt_redis_client_zadd:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @score: the score; infinities are allowed, NaN is not
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Adds @member to the sorted set at @key with @score, or updates its
 * score (`ZADD`). The score is sent so that the server stores exactly
 * this double.
 *
 * A NaN score, or a key holding another type, fails with
 * %DT_REDIS_ERROR_SERVER. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains.
 *
 * Returns: 1 when @member is new, 0 when only its score changed (or on
 *   error)
 */
gint64
dt_redis_client_zadd (DtRedisClient  *self,
                      const char     *key,
                      gdouble         score,
                      const char     *member,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_zadd (key, score, member), 0, cancellable, error);
}

/**
 * dt_redis_client_zincrby:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @increment: what to add to the score, possibly negative
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Adds @increment to the score of @member in the sorted set at @key
 * (`ZINCRBY`). A missing key or member starts from a score of 0.
 *
 * A key holding another type fails with %DT_REDIS_ERROR_SERVER. Errors
 * are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the new score, or 0 on error
 */
gdouble
dt_redis_client_zincrby (DtRedisClient  *self,
                         const char     *key,
                         gdouble         increment,
                         const char     *member,
                         GCancellable   *cancellable,
                         GError        **error)
{
  gdouble score;

  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0.0);

  run_double (self, dt_redis_commands_zincrby (key, increment, member), &score, cancellable, error);
  return score;
}

/**
 * dt_redis_client_zscore:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @member: the member
 * @score: (out) (optional): return location for the score
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the score of @member in the sorted set at @key (`ZSCORE`).
 *
 * A missing key or member returns %FALSE without an error, and sets
 * @score to 0. Errors are in the [error@DtRedis.Error] and
 * [error@Gio.IOErrorEnum] domains; check @error to tell them from a
 * missing member.
 *
 * Returns: %TRUE when @member has a score, %FALSE when it has none or on
 *   error
 */
gboolean
dt_redis_client_zscore (DtRedisClient  *self,
                        const char     *key,
                        const char     *member,
                        gdouble        *score,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_double (self, dt_redis_commands_zscore (key, member), score, cancellable, error);
}

/**
 * dt_redis_client_zrank:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the rank of @member in the sorted set at @key, by ascending score
 * (`ZRANK`); the lowest score has rank 0.
 *
 * A missing key or member returns -1 without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the rank, or -1 when @member is not in the set or on error
 */
gint64
dt_redis_client_zrank (DtRedisClient  *self,
                       const char     *key,
                       const char     *member,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), -1);

  return run_integer (self, dt_redis_commands_zrank (key, member), -1, cancellable, error);
}

/**
 * dt_redis_client_zrevrank:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @member: the member
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the rank of @member in the sorted set at @key, by descending score
 * (`ZREVRANK`); the highest score has rank 0.
 *
 * A missing key or member returns -1 without an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: the rank, or -1 when @member is not in the set or on error
 */
gint64
dt_redis_client_zrevrank (DtRedisClient  *self,
                          const char     *key,
                          const char     *member,
                          GCancellable   *cancellable,
                          GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), -1);

  return run_integer (self, dt_redis_commands_zrevrank (key, member), -1, cancellable, error);
}

/**
 * dt_redis_client_zrange:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the members of the sorted set at @key from rank @start to @stop,
 * by ascending score (`ZRANGE`).
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_zrange (DtRedisClient  *self,
                        const char     *key,
                        gint64          start,
                        gint64          stop,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_zrange (key, start, stop), cancellable, error);
}

/**
 * dt_redis_client_zrange_with_scores:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @scores: (out) (optional) (transfer full) (element-type gdouble): return
 *   location for the scores, one per member, in the same order
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Like [method@DtRedis.Client.zrange], with the scores
 * (`ZRANGE ... WITHSCORES`).
 *
 * A missing key gives two empty arrays, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains; on error
 * @scores is set to %NULL.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_zrange_with_scores (DtRedisClient  *self,
                                    const char     *key,
                                    gint64          start,
                                    gint64          stop,
                                    GArray        **scores,
                                    GCancellable   *cancellable,
                                    GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_scored_list (self, dt_redis_commands_zrange_with_scores (key, start, stop),
                          scores, cancellable, error);
}

/**
 * dt_redis_client_zrevrange:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Gets the members of the sorted set at @key from rank @start to @stop,
 * by descending score (`ZREVRANGE`): the top of a leaderboard.
 *
 * A missing key gives an empty array, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_zrevrange (DtRedisClient  *self,
                           const char     *key,
                           gint64          start,
                           gint64          stop,
                           GCancellable   *cancellable,
                           GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_list (self, dt_redis_commands_zrevrange (key, start, stop), cancellable, error);
}

/**
 * dt_redis_client_zrevrange_with_scores:
 * @self: a [class@DtRedis.Client]
 * @key: the key of the sorted set
 * @start: rank of the first member; negative counts from the end
 * @stop: rank of the last member, included; -1 is the last one
 * @scores: (out) (optional) (transfer full) (element-type gdouble): return
 *   location for the scores, one per member, in the same order
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Like [method@DtRedis.Client.zrevrange], with the scores
 * (`ZREVRANGE ... WITHSCORES`).
 *
 * A missing key gives two empty arrays, not an error. Errors are in the
 * [error@DtRedis.Error] and [error@Gio.IOErrorEnum] domains; on error
 * @scores is set to %NULL.
 *
 * Returns: (transfer container) (element-type GBytes): the members, or %NULL
 *   on error
 */
GPtrArray *
dt_redis_client_zrevrange_with_scores (DtRedisClient  *self,
                                       const char     *key,
                                       gint64          start,
                                       gint64          stop,
                                       GArray        **scores,
                                       GCancellable   *cancellable,
                                       GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), NULL);

  return run_scored_list (self, dt_redis_commands_zrevrange_with_scores (key, start, stop),
                          scores, cancellable, error);
}

/**
 * dt_redis_client_ping:
 * @self: a [class@DtRedis.Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Checks that the server answers (`PING`). The first command of a pool
 * also opens its first connection, so this checks the address and the
 * credentials too.
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: %TRUE when the server answered, %FALSE on error
 */
gboolean
dt_redis_client_ping (DtRedisClient  *self,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_ping (), cancellable, error);
}

/**
 * dt_redis_client_publish:
 * @self: a [class@DtRedis.Client]
 * @channel: the channel
 * @message: the message, any bytes
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Posts @message on @channel (`PUBLISH`).
 *
 * No subscriber is not an error. Errors are in the [error@DtRedis.Error]
 * and [error@Gio.IOErrorEnum] domains.
 *
 * Returns: how many subscribers received the message, or 0 on error
 */
gint64
dt_redis_client_publish (DtRedisClient  *self,
                         const char     *channel,
                         GBytes         *message,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_publish (channel, message), 0, cancellable, error);
}

/**
 * dt_redis_client_dbsize:
 * @self: a [class@DtRedis.Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Counts the keys of the configured database (`DBSIZE`).
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: the number of keys, or 0 on error
 */
gint64
dt_redis_client_dbsize (DtRedisClient  *self,
                        GCancellable   *cancellable,
                        GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), 0);

  return run_integer (self, dt_redis_commands_dbsize (), 0, cancellable, error);
}

/**
 * dt_redis_client_flushdb:
 * @self: a [class@DtRedis.Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Deletes every key of the configured database (`FLUSHDB`); other
 * databases of the server are left alone.
 *
 * Errors are in the [error@DtRedis.Error] and [error@Gio.IOErrorEnum]
 * domains.
 *
 * Returns: %TRUE when the database was emptied, %FALSE on error
 */
gboolean
dt_redis_client_flushdb (DtRedisClient  *self,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_return_val_if_fail (DT_REDIS_IS_CLIENT (self), FALSE);

  return run_boolean (self, dt_redis_commands_flushdb (), cancellable, error);
}
