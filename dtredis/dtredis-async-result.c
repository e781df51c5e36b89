/* dtredis-async-result.c: the GAsyncResult of an async client's command
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-async-result-private.h"
#include "dtredis-tsan-private.h"

/* How many emptied results a cache keeps. */
#define CACHE_MAX 256

struct _DtRedisAsyncResultCache
{
  gatomicrefcount     ref_count;   /* the owner's, and one per result made from it */
  GMutex              lock;
  gboolean            closed;
  DtRedisAsyncResult *free;        /* linked through next_free */
  guint               n_free;
};

struct _DtRedisAsyncResult
{
  GObject              parent_instance;

  DtRedisAsyncResultCache *cache;  /* a reference, while out of it */
  DtRedisAsyncResult  *next_free;

  GObject             *source_object;
  GCancellable        *cancellable;
  GAsyncReadyCallback  callback;
  gpointer             user_data;
  gpointer             source_tag;
  GMainContext        *context;       /* the caller's thread-default */
  gint64               creation_time;

  gpointer             data;
  GDestroyNotify       data_destroy;

  gboolean             completed;
  gboolean             propagated;
  DtRedisValue         value;
  GError              *error;
};

static void async_result_iface_init (GAsyncResultIface *iface);
static void cache_unref             (DtRedisAsyncResultCache *cache);

static guint notify_signal_id;
static guint n_made;   /* atomic */

G_DEFINE_FINAL_TYPE_WITH_CODE (DtRedisAsyncResult, dt_redis_async_result, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT, async_result_iface_init))

/* Drops what one command put in @self. */
static void
empty (DtRedisAsyncResult *self)
{
  if (self->data_destroy != NULL)
    self->data_destroy (self->data);
  self->data = NULL;
  self->data_destroy = NULL;
  if (!self->propagated)
    dt_redis_value_clear (&self->value);
  memset (&self->value, 0, sizeof self->value);
  g_clear_error (&self->error);
  g_clear_object (&self->source_object);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  self->callback = NULL;
  self->user_data = NULL;
  self->source_tag = NULL;
  self->completed = FALSE;
  self->propagated = FALSE;
}

static void
dt_redis_async_result_finalize (GObject *object)
{
  DtRedisAsyncResult *self = (DtRedisAsyncResult *) object;

  empty (self);
  g_clear_pointer (&self->cache, cache_unref);

  G_OBJECT_CLASS (dt_redis_async_result_parent_class)->finalize (object);
}

static void
dt_redis_async_result_class_init (DtRedisAsyncResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dt_redis_async_result_finalize;
  notify_signal_id = g_signal_lookup ("notify", G_TYPE_OBJECT);
}

static void
dt_redis_async_result_init (DtRedisAsyncResult *self)
{
}

static gpointer
get_user_data (GAsyncResult *result)
{
  return ((DtRedisAsyncResult *) result)->user_data;
}

static GObject *
get_source_object (GAsyncResult *result)
{
  DtRedisAsyncResult *self = (DtRedisAsyncResult *) result;

  return self->source_object != NULL ? g_object_ref (self->source_object) : NULL;
}

static gboolean
is_tagged (GAsyncResult *result,
           gpointer      source_tag)
{
  return ((DtRedisAsyncResult *) result)->source_tag == source_tag;
}

static void
async_result_iface_init (GAsyncResultIface *iface)
{
  iface->get_user_data = get_user_data;
  iface->get_source_object = get_source_object;
  iface->is_tagged = is_tagged;
}

/* The cache */

DtRedisAsyncResultCache *
dt_redis_async_result_cache_new (void)
{
  DtRedisAsyncResultCache *cache = g_new0 (DtRedisAsyncResultCache, 1);

  g_atomic_ref_count_init (&cache->ref_count);
  g_mutex_init (&cache->lock);

  return cache;
}

static DtRedisAsyncResultCache *
cache_ref (DtRedisAsyncResultCache *cache)
{
  g_atomic_ref_count_inc (&cache->ref_count);
  return cache;
}

static void
cache_unref (DtRedisAsyncResultCache *cache)
{
  if (!g_atomic_ref_count_dec (&cache->ref_count))
    return;

  g_assert (cache->free == NULL);
  g_mutex_clear (&cache->lock);
  g_free (cache);
}

void
dt_redis_async_result_cache_close (DtRedisAsyncResultCache *cache)
{
  DtRedisAsyncResult *free;

  g_mutex_lock (&cache->lock);
  cache->closed = TRUE;
  free = g_steal_pointer (&cache->free);
  cache->n_free = 0;
  g_mutex_unlock (&cache->lock);

  while (free != NULL)
    {
      DtRedisAsyncResult *next = free->next_free;

      g_object_unref (free);
      free = next;
    }
  cache_unref (cache);
}

static DtRedisAsyncResult *
cache_take (DtRedisAsyncResultCache *cache)
{
  DtRedisAsyncResult *self;

  g_mutex_lock (&cache->lock);
  self = cache->free;
  if (self != NULL)
    {
      cache->free = self->next_free;
      cache->n_free--;
      self->next_free = NULL;
    }
  g_mutex_unlock (&cache->lock);

  return self;
}

/* Whether anything but the operation holds on to @self: another
 * reference, qdata (weak references, a binding's wrapper), a handler. */
static gboolean
held_elsewhere (DtRedisAsyncResult *self)
{
  GObject *object = (GObject *) self;

  return g_atomic_int_get (&object->ref_count) != 1 ||
         g_atomic_pointer_get (&object->qdata) != NULL ||
         g_signal_handler_find (object, G_SIGNAL_MATCH_ID, notify_signal_id, 0, NULL, NULL, NULL) != 0;
}

/* The operation is done with @self: back into its cache, emptied, unless
 * something else holds on to it, the cache is full or closed. */
static void
release (DtRedisAsyncResult *self)
{
  DtRedisAsyncResultCache *cache = self->cache;
  gboolean kept = FALSE;

  if (cache == NULL || held_elsewhere (self))
    {
      g_object_unref (self);
      return;
    }

  /* Dropping the source object may close the cache: the reference held
   * keeps it alive until here. */
  self->cache = NULL;
  empty (self);
  g_mutex_lock (&cache->lock);
  if (!cache->closed && cache->n_free < CACHE_MAX)
    {
      self->next_free = cache->free;
      cache->free = self;
      cache->n_free++;
      kept = TRUE;
    }
  g_mutex_unlock (&cache->lock);
  if (!kept)
    g_object_unref (self);
  cache_unref (cache);
}

/* Results */

DtRedisAsyncResult *
dt_redis_async_result_new (DtRedisAsyncResultCache *cache,
                           gpointer                 source_object,
                           GCancellable            *cancellable,
                           GAsyncReadyCallback      callback,
                           gpointer                 user_data,
                           gpointer                 source_tag)
{
  DtRedisAsyncResult *self = cache != NULL ? cache_take (cache) : NULL;
  GSource *current = g_main_current_source ();

  if (self == NULL)
    {
      self = g_object_new (DT_REDIS_TYPE_ASYNC_RESULT, NULL);
      g_atomic_int_inc (&n_made);
    }
  self->cache = cache != NULL ? cache_ref (cache) : NULL;

  self->source_object = source_object != NULL ? g_object_ref (source_object) : NULL;
  self->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  self->callback = callback;
  self->user_data = user_data;
  self->source_tag = source_tag;
  self->context = g_main_context_ref_thread_default ();
  /* As GTask does: the dispatch time of the source running now, if any,
   * tells a later iteration from this one. */
  self->creation_time = current != NULL ? g_source_get_time (current) : -1;

  return self;
}

void
dt_redis_async_result_set_data (DtRedisAsyncResult *self,
                                gpointer            data,
                                GDestroyNotify      destroy)
{
  if (self->data_destroy != NULL)
    self->data_destroy (self->data);
  self->data = data;
  self->data_destroy = destroy;
}

gpointer
dt_redis_async_result_get_data (DtRedisAsyncResult *self)
{
  return self->data;
}

static gboolean
invoke (gpointer user_data)
{
  DtRedisAsyncResult *self = user_data;

  /* From the idle source: complete() attached it in another thread, or
   * before. */
  DT_TSAN_ACQUIRE (self);
  if (self->callback != NULL)
    self->callback (self->source_object, (GAsyncResult *) self, self->user_data);

  return G_SOURCE_REMOVE;
}

/* Calls back now when this thread is dispatching a source of the
 * caller's context (so it owns it), in a later iteration than the one
 * that made the result, as GTask does; from an idle source in the
 * caller's context otherwise. Drops the operation's reference. */
static void
complete (DtRedisAsyncResult *self)
{
  GSource *current = g_main_current_source ();
  GMainContext *context;
  GSource *idle;

  self->completed = TRUE;
  if (current != NULL && g_source_get_context (current) == self->context &&
      g_source_get_time (current) > self->creation_time)
    {
      invoke (self);
      release (self);
      return;
    }

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, invoke, self, (GDestroyNotify) release);
  g_source_set_static_name (idle, "[dtredis] async result");
  context = self->context;
  /* GLib hands the attached source to the thread that dispatches it,
   * which may be done with @self before g_source_attach() returns. */
  DT_TSAN_RELEASE (self);
  g_source_attach (idle, context);
  g_source_unref (idle);
}

void
dt_redis_async_result_return_value (DtRedisAsyncResult *self,
                                    DtRedisValue       *value)
{
  g_return_if_fail (!self->completed);

  self->value = *value;
  memset (value, 0, sizeof *value);
  complete (self);
}

void
dt_redis_async_result_return_error (DtRedisAsyncResult *self,
                                    GError             *error)
{
  g_return_if_fail (!self->completed);

  self->error = error;
  complete (self);
}

guint
dt_redis_async_result_count_made (void)
{
  return (guint) g_atomic_int_get (&n_made);
}

/* A type check that matches the type itself at once: the general one
 * walks the type's interfaces, hundreds of instructions per command. */
static inline gboolean
is_async_result (gconstpointer instance)
{
  const GTypeInstance *inst = instance;

  return inst != NULL && inst->g_class != NULL && inst->g_class->g_type == DT_REDIS_TYPE_ASYNC_RESULT;
}

gboolean
dt_redis_async_result_is_valid (GAsyncResult *result,
                                gpointer      source_object,
                                gpointer      source_tag)
{
  return is_async_result (result) &&
         ((DtRedisAsyncResult *) result)->source_object == source_object &&
         ((DtRedisAsyncResult *) result)->source_tag == source_tag;
}

gboolean
dt_redis_async_result_propagate (DtRedisAsyncResult  *self,
                                 DtRedisValue        *value,
                                 GError             **error)
{
  memset (value, 0, sizeof *value);
  g_return_val_if_fail (self->completed && !self->propagated, FALSE);

  self->propagated = TRUE;
  if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
    {
      dt_redis_value_clear (&self->value);
      return FALSE;
    }
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }

  *value = self->value;
  memset (&self->value, 0, sizeof self->value);
  return TRUE;
}
