/* dtredis-scan-iterator.c: walks a whole SCAN, HSCAN, SSCAN or ZSCAN
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "dtredis-error.h"
#include "dtredis-scan-iterator.h"

/**
 * DtRedisScanIterator:
 *
 * Walks a whole `SCAN` (or `HSCAN`, `SSCAN`, `ZSCAN`), one page per call,
 * with the cursor kept for you.
 *
 * Make one with [ctor@DtRedis.ScanIterator.new] over a
 * [class@DtRedis.Client] and call [method@DtRedis.ScanIterator.next] until
 * it returns %NULL without an error; or with
 * [ctor@DtRedis.ScanIterator.new_async] over a [class@DtRedis.AsyncClient]
 * and [method@DtRedis.ScanIterator.next_async]. Each page is a
 * %NULL-terminated array of UTF-8 text: keys or set members, or for
 * hashes and sorted sets the pairs flattened (field, value, field,
 * value... or member, score...). A page may be empty while the walk goes
 * on. As Redis promises for `SCAN`, an element present for the whole walk
 * is returned at least once, and may be returned more than once.
 *
 * An element that is not UTF-8 text fails the page with
 * %DT_REDIS_ERROR_ENCODING; walk such data with
 * [method@DtRedis.Client.execute_bytes]. An iterator is not thread-safe:
 * one call at a time.
 *
 * ```c
 * g_autoptr(DtRedisScanIterator) iter =
 *   dt_redis_scan_iterator_new (client, DT_REDIS_SCAN_KEYS, NULL, "user:*", 100, NULL);
 * char **page;
 *
 * while ((page = dt_redis_scan_iterator_next (iter, NULL, &error)) != NULL)
 *   {
 *     for (guint i = 0; page[i] != NULL; i++)
 *       g_print ("%s\n", page[i]);
 *     g_strfreev (page);
 *   }
 * ```
 */

struct _DtRedisScanIterator
{
  GObject             parent_instance;

  DtRedisClient      *client;        /* one of these two */
  DtRedisAsyncClient *async_client;
  DtRedisScanKind     kind;
  char               *key;
  char               *pattern;
  gint64              count;
  char               *type;
  char               *cursor;        /* "0" at the start */
  gboolean            done;
};

/**
 * dt_redis_scan_iterator_get_type:
 *
 * Gets the [alias@GObject.Type] of [class@DtRedis.ScanIterator].
 *
 * Returns: the type
 */
G_DEFINE_FINAL_TYPE (DtRedisScanIterator, dt_redis_scan_iterator, G_TYPE_OBJECT)

static void
dt_redis_scan_iterator_finalize (GObject *object)
{
  DtRedisScanIterator *self = (DtRedisScanIterator *) object;

  g_clear_object (&self->client);
  g_clear_object (&self->async_client);
  g_free (self->key);
  g_free (self->pattern);
  g_free (self->type);
  g_free (self->cursor);

  G_OBJECT_CLASS (dt_redis_scan_iterator_parent_class)->finalize (object);
}

static void
dt_redis_scan_iterator_class_init (DtRedisScanIteratorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dt_redis_scan_iterator_finalize;
}

static void
dt_redis_scan_iterator_init (DtRedisScanIterator *self)
{
  self->cursor = g_strdup ("0");
}

static DtRedisScanIterator *
iterator_new (DtRedisScanKind  kind,
              const char      *key,
              const char      *pattern,
              gint64           count,
              const char      *type)
{
  DtRedisScanIterator *self = g_object_new (DT_REDIS_TYPE_SCAN_ITERATOR, NULL);

  self->kind = kind;
  self->key = g_strdup (key);
  self->pattern = g_strdup (pattern);
  self->count = count;
  self->type = g_strdup (type);

  return self;
}

static gboolean
arguments_ok (DtRedisScanKind  kind,
              const char      *key,
              const char      *type)
{
  /* A key for the collections, none for SCAN; TYPE only for SCAN. */
  return (kind == DT_REDIS_SCAN_KEYS) == (key == NULL) &&
         (type == NULL || kind == DT_REDIS_SCAN_KEYS);
}

/**
 * dt_redis_scan_iterator_new:
 * @client: the [class@DtRedis.Client] to scan with
 * @kind: what to walk
 * @key: (nullable): the hash, set or sorted set; %NULL for
 *   %DT_REDIS_SCAN_KEYS
 * @pattern: (nullable): sent as `MATCH pattern`; %NULL for every element
 * @count: sent as `COUNT count` (a hint of the page size); 0 or less: not sent
 * @type: (nullable): sent as `TYPE type` (`SCAN` only: "string", "hash"...)
 *
 * Makes an iterator for [method@DtRedis.ScanIterator.next]. Nothing is
 * sent before the first call.
 *
 * Returns: (transfer full): a new iterator
 */
DtRedisScanIterator *
dt_redis_scan_iterator_new (DtRedisClient   *client,
                            DtRedisScanKind  kind,
                            const char      *key,
                            const char      *pattern,
                            gint64           count,
                            const char      *type)
{
  DtRedisScanIterator *self;

  g_return_val_if_fail (DT_REDIS_IS_CLIENT (client), NULL);
  g_return_val_if_fail (arguments_ok (kind, key, type), NULL);

  self = iterator_new (kind, key, pattern, count, type);
  self->client = g_object_ref (client);

  return self;
}

/**
 * dt_redis_scan_iterator_new_async:
 * @client: the [class@DtRedis.AsyncClient] to scan with
 * @kind: what to walk
 * @key: (nullable): the hash, set or sorted set; %NULL for
 *   %DT_REDIS_SCAN_KEYS
 * @pattern: (nullable): sent as `MATCH pattern`; %NULL for every element
 * @count: sent as `COUNT count`; 0 or less: not sent
 * @type: (nullable): sent as `TYPE type` (`SCAN` only)
 *
 * Makes an iterator for [method@DtRedis.ScanIterator.next_async].
 *
 * Returns: (transfer full): a new iterator
 */
DtRedisScanIterator *
dt_redis_scan_iterator_new_async (DtRedisAsyncClient *client,
                                  DtRedisScanKind     kind,
                                  const char         *key,
                                  const char         *pattern,
                                  gint64              count,
                                  const char         *type)
{
  DtRedisScanIterator *self;

  g_return_val_if_fail (DT_REDIS_IS_ASYNC_CLIENT (client), NULL);
  g_return_val_if_fail (arguments_ok (kind, key, type), NULL);

  self = iterator_new (kind, key, pattern, count, type);
  self->async_client = g_object_ref (client);

  return self;
}

/**
 * dt_redis_scan_iterator_is_done:
 * @self: a [class@DtRedis.ScanIterator]
 *
 * Whether the server said the walk is over (the cursor came back to 0).
 *
 * Returns: %TRUE once the last page was returned
 */
gboolean
dt_redis_scan_iterator_is_done (DtRedisScanIterator *self)
{
  g_return_val_if_fail (DT_REDIS_IS_SCAN_ITERATOR (self), TRUE);

  return self->done;
}

/* The next command: NAME [key] cursor [MATCH p] [COUNT n] [TYPE t]. */
static GPtrArray *
next_argv (DtRedisScanIterator *self)
{
  static const char * const names[] = { "SCAN", "HSCAN", "SSCAN", "ZSCAN" };
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (names[self->kind]));
  if (self->key != NULL)
    g_ptr_array_add (argv, g_strdup (self->key));
  g_ptr_array_add (argv, g_strdup (self->cursor));
  if (self->pattern != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("MATCH"));
      g_ptr_array_add (argv, g_strdup (self->pattern));
    }
  if (self->count > 0)
    {
      g_ptr_array_add (argv, g_strdup ("COUNT"));
      g_ptr_array_add (argv, g_strdup_printf ("%" G_GINT64_FORMAT, self->count));
    }
  if (self->type != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("TYPE"));
      g_ptr_array_add (argv, g_strdup (self->type));
    }
  g_ptr_array_add (argv, NULL);

  return argv;
}

/* Takes the cursor of a [cursor, [elements]] reply; the page as text. */
static char **
take_page (DtRedisScanIterator  *self,
           DtRedisReply         *reply,
           GError              **error)
{
  DtRedisReply *cursor;
  const char *next;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY ||
      dt_redis_reply_get_n_elements (reply) != 2)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                           _("The server answered a scan with something other than a cursor and a page"));
      return NULL;
    }

  cursor = dt_redis_reply_get_element (reply, 0);
  next = dt_redis_reply_get_text (cursor, error);
  if (next == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                             _("The server answered a scan with something other than a cursor and a page"));
      return NULL;
    }

  {
    char **page = dt_redis_reply_dup_strv (dt_redis_reply_get_element (reply, 1), error);

    if (page == NULL)
      return NULL;
    g_free (self->cursor);
    self->cursor = g_strdup (next);
    self->done = g_str_equal (next, "0");
    return page;
  }
}

/**
 * dt_redis_scan_iterator_next:
 * @self: a [class@DtRedis.ScanIterator] made over a [class@DtRedis.Client]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @error: return location for a [struct@GLib.Error]
 *
 * Fetches the next page. At the end of the walk, returns %NULL without
 * setting @error. The errors are those of [method@DtRedis.Client.execute]
 * and %DT_REDIS_ERROR_ENCODING; after an error the walk can go on from
 * the same cursor.
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the next
 *   page (possibly empty), or %NULL at the end or on error
 */
char **
dt_redis_scan_iterator_next (DtRedisScanIterator  *self,
                             GCancellable         *cancellable,
                             GError              **error)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(DtRedisReply) reply = NULL;

  g_return_val_if_fail (DT_REDIS_IS_SCAN_ITERATOR (self), NULL);
  g_return_val_if_fail (self->client != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->done)
    return NULL;

  argv = next_argv (self);
  reply = dt_redis_client_execute (self->client, (const char * const *) argv->pdata, cancellable, error);
  if (reply == NULL)
    return NULL;

  return take_page (self, reply, error);
}

static void
next_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DtRedisScanIterator *self = g_task_get_source_object (task);
  g_autoptr(DtRedisReply) reply = NULL;
  GError *error = NULL;
  char **page;

  reply = dt_redis_async_client_execute_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  page = take_page (self, reply, &error);
  if (page == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, page, (GDestroyNotify) g_strfreev);
}

/**
 * dt_redis_scan_iterator_next_async:
 * @self: a [class@DtRedis.ScanIterator] made over a [class@DtRedis.AsyncClient]
 * @cancellable: (nullable): a [class@Gio.Cancellable]
 * @callback: (scope async): called with the page
 * @user_data: data for @callback
 *
 * Fetches the next page without blocking; call
 * [method@DtRedis.ScanIterator.next_finish] from @callback.
 */
void
dt_redis_scan_iterator_next_async (DtRedisScanIterator *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) argv = NULL;

  g_return_if_fail (DT_REDIS_IS_SCAN_ITERATOR (self));
  g_return_if_fail (self->async_client != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, dt_redis_scan_iterator_next_async);

  if (self->done)
    {
      /* The end: NULL, no error, as next() gives it. */
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  argv = next_argv (self);
  dt_redis_async_client_execute_async (self->async_client, (const char * const *) argv->pdata,
                                       cancellable, next_cb, g_steal_pointer (&task));
}

/**
 * dt_redis_scan_iterator_next_finish:
 * @self: a [class@DtRedis.ScanIterator]
 * @result: the result passed to the callback
 * @error: return location for a [struct@GLib.Error]
 *
 * Finishes [method@DtRedis.ScanIterator.next_async].
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the next
 *   page (possibly empty), or %NULL at the end or on error
 */
char **
dt_redis_scan_iterator_next_finish (DtRedisScanIterator  *self,
                                    GAsyncResult         *result,
                                    GError              **error)
{
  g_return_val_if_fail (DT_REDIS_IS_SCAN_ITERATOR (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
