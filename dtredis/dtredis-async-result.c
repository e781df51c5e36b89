/* dtredis-async-result.c: the GAsyncResult of an async client's command
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis-async-result-private.h"

struct _DtRedisAsyncResult
{
  GObject              parent_instance;

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

G_DEFINE_FINAL_TYPE_WITH_CODE (DtRedisAsyncResult, dt_redis_async_result, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_ASYNC_RESULT, async_result_iface_init))

static void
dt_redis_async_result_finalize (GObject *object)
{
  DtRedisAsyncResult *self = (DtRedisAsyncResult *) object;

  if (self->data_destroy != NULL)
    self->data_destroy (self->data);
  if (!self->propagated)
    dt_redis_value_clear (&self->value);
  g_clear_error (&self->error);
  g_clear_object (&self->source_object);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (dt_redis_async_result_parent_class)->finalize (object);
}

static void
dt_redis_async_result_class_init (DtRedisAsyncResultClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = dt_redis_async_result_finalize;
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

DtRedisAsyncResult *
dt_redis_async_result_new (gpointer             source_object,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data,
                           gpointer             source_tag)
{
  DtRedisAsyncResult *self = g_object_new (DT_REDIS_TYPE_ASYNC_RESULT, NULL);
  GSource *current = g_main_current_source ();

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

  if (self->callback != NULL)
    self->callback (self->source_object, G_ASYNC_RESULT (self), self->user_data);

  return G_SOURCE_REMOVE;
}

/* Calls back now when this is the caller's context, owned here, in a
 * later iteration than the one that made the result; from an idle source
 * in the caller's context otherwise. Drops the operation's reference. */
static void
complete (DtRedisAsyncResult *self)
{
  GSource *current = g_main_current_source ();
  GSource *idle;

  self->completed = TRUE;
  if (current != NULL && g_source_get_time (current) > self->creation_time &&
      g_main_context_is_owner (self->context) &&
      g_source_get_context (current) == self->context)
    {
      invoke (self);
      g_object_unref (self);
      return;
    }

  idle = g_idle_source_new ();
  g_source_set_priority (idle, G_PRIORITY_DEFAULT);
  g_source_set_callback (idle, invoke, self, g_object_unref);
  g_source_set_static_name (idle, "[dtredis] async result");
  g_source_attach (idle, self->context);
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

gboolean
dt_redis_async_result_is_valid (GAsyncResult *result,
                                gpointer      source_object)
{
  return DT_REDIS_IS_ASYNC_RESULT (result) &&
         ((DtRedisAsyncResult *) result)->source_object == source_object;
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
