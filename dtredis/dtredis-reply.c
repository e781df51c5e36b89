/* dtredis-reply.c: one RESP reply
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "dtredis-error.h"
#include "dtredis-reply-private.h"

/**
 * DtRedisReply:
 *
 * One reply from the server: nil, a status, an error, an integer, a bulk
 * string or an array of replies.
 *
 * Replies are immutable and reference counted, so they can be shared
 * between threads. Strings are binary safe: use
 * [method@DtRedis.Reply.get_bytes] for values that may hold NUL bytes.
 */

/* The string of STRING, STATUS and ERROR replies lives in the same block
 * as the struct, NUL-terminated, so a reply is one allocation and
 * [method@DtRedis.Reply.get_bytes] can hand it out without a copy. */
struct _DtRedisReply
{
  gatomicrefcount   ref_count;
  DtRedisReplyType  type;
  guint             n_elements;
  gint64            integer;
  DtRedisReply    **elements;
  gsize             len;
  char              data[];
};

/**
 * dt_redis_reply_get_type:
 *
 * Gets the [alias@GObject.Type] of [struct@DtRedis.Reply], a boxed type.
 *
 * Returns: the type
 */
G_DEFINE_BOXED_TYPE (DtRedisReply, dt_redis_reply, dt_redis_reply_ref, dt_redis_reply_unref)

static DtRedisReply *
reply_alloc (DtRedisReplyType type,
             gsize            len)
{
  DtRedisReply *self;

  self = g_malloc (sizeof (DtRedisReply) + len + 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->type = type;
  self->n_elements = 0;
  self->integer = 0;
  self->elements = NULL;
  self->len = len;
  self->data[len] = '\0';

  return self;
}

DtRedisReply *
_dt_redis_reply_new_text (DtRedisReplyType  type,
                          const char       *data,
                          gsize             len)
{
  DtRedisReply *self = reply_alloc (type, len);

  if (len > 0)
    memcpy (self->data, data, len);

  return self;
}

DtRedisReply *
_dt_redis_reply_new_empty_array (guint n_elements)
{
  DtRedisReply *self = reply_alloc (DT_REDIS_REPLY_ARRAY, 0);

  self->n_elements = n_elements;
  self->elements = n_elements > 0 ? g_new0 (DtRedisReply *, n_elements) : NULL;

  return self;
}

void
_dt_redis_reply_set_element (DtRedisReply *array,
                             guint         index_,
                             DtRedisReply *element)
{
  g_assert (array->type == DT_REDIS_REPLY_ARRAY);
  g_assert (index_ < array->n_elements);
  g_assert (array->elements[index_] == NULL);

  array->elements[index_] = element;
}

/**
 * dt_redis_reply_new_nil:
 *
 * Creates a nil reply, what the server sends for a missing key.
 *
 * Returns: (transfer full): a new reply
 */
DtRedisReply *
dt_redis_reply_new_nil (void)
{
  return reply_alloc (DT_REDIS_REPLY_NIL, 0);
}

/**
 * dt_redis_reply_new_status:
 * @status: the status text, such as `OK`
 *
 * Creates a status reply.
 *
 * Returns: (transfer full): a new reply
 */
DtRedisReply *
dt_redis_reply_new_status (const char *status)
{
  g_return_val_if_fail (status != NULL, NULL);

  return _dt_redis_reply_new_text (DT_REDIS_REPLY_STATUS, status, strlen (status));
}

/**
 * dt_redis_reply_new_error:
 * @message: the error text, such as `ERR unknown command`
 *
 * Creates an error reply.
 *
 * Returns: (transfer full): a new reply
 */
DtRedisReply *
dt_redis_reply_new_error (const char *message)
{
  g_return_val_if_fail (message != NULL, NULL);

  return _dt_redis_reply_new_text (DT_REDIS_REPLY_ERROR, message, strlen (message));
}

/**
 * dt_redis_reply_new_integer:
 * @value: the integer
 *
 * Creates an integer reply.
 *
 * Returns: (transfer full): a new reply
 */
DtRedisReply *
dt_redis_reply_new_integer (gint64 value)
{
  DtRedisReply *self = reply_alloc (DT_REDIS_REPLY_INTEGER, 0);

  self->integer = value;

  return self;
}

/**
 * dt_redis_reply_new_string:
 * @data: (array length=length) (element-type guint8) (nullable): the bytes
 * @length: how many bytes @data holds
 *
 * Creates a bulk string reply holding a copy of @data.
 *
 * Returns: (transfer full): a new reply
 */
DtRedisReply *
dt_redis_reply_new_string (const guint8 *data,
                           gsize         length)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return _dt_redis_reply_new_text (DT_REDIS_REPLY_STRING, (const char *) data, length);
}

/**
 * dt_redis_reply_new_array:
 * @elements: (array length=n_elements) (nullable): the elements
 * @n_elements: how many elements there are
 *
 * Creates an array reply that holds a reference to each of @elements.
 *
 * Returns: (transfer full): a new reply
 */
DtRedisReply *
dt_redis_reply_new_array (DtRedisReply * const *elements,
                          guint                 n_elements)
{
  DtRedisReply *self;

  g_return_val_if_fail (elements != NULL || n_elements == 0, NULL);

  self = _dt_redis_reply_new_empty_array (n_elements);
  for (guint i = 0; i < n_elements; i++)
    {
      g_return_val_if_fail (elements[i] != NULL, self);
      self->elements[i] = dt_redis_reply_ref (elements[i]);
    }

  return self;
}

/**
 * dt_redis_reply_ref:
 * @self: a [struct@DtRedis.Reply]
 *
 * Takes a reference to @self.
 *
 * Returns: (transfer full): @self
 */
DtRedisReply *
dt_redis_reply_ref (DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

/**
 * dt_redis_reply_unref:
 * @self: (transfer full): a [struct@DtRedis.Reply]
 *
 * Drops a reference to @self, freeing it (and its elements' references)
 * with the last one.
 */
void
dt_redis_reply_unref (DtRedisReply *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint i = 0; i < self->n_elements; i++)
    {
      /* NULL when the reader gave up halfway through an array. */
      if (self->elements[i] != NULL)
        dt_redis_reply_unref (self->elements[i]);
    }
  g_free (self->elements);
  g_free (self);
}

/**
 * dt_redis_reply_get_reply_type:
 * @self: a [struct@DtRedis.Reply]
 *
 * Gets what kind of value @self holds.
 *
 * Returns: the reply type
 */
DtRedisReplyType
dt_redis_reply_get_reply_type (const DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, DT_REDIS_REPLY_NIL);

  return self->type;
}

/**
 * dt_redis_reply_is_nil:
 * @self: a [struct@DtRedis.Reply]
 *
 * Whether @self is the nil reply (a missing key, a timed-out BLPOP).
 *
 * Returns: %TRUE for a nil reply
 */
gboolean
dt_redis_reply_is_nil (const DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->type == DT_REDIS_REPLY_NIL;
}

/**
 * dt_redis_reply_is_error:
 * @self: a [struct@DtRedis.Reply]
 *
 * Whether @self is an error reply. Inside a pipeline's results, a command
 * that failed on the server is such a reply.
 *
 * Returns: %TRUE for an error reply
 */
gboolean
dt_redis_reply_is_error (const DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->type == DT_REDIS_REPLY_ERROR;
}

/**
 * dt_redis_reply_get_integer:
 * @self: a [struct@DtRedis.Reply]
 *
 * Gets the value of an integer reply.
 *
 * Returns: the integer, or 0 when @self is not an integer reply
 */
gint64
dt_redis_reply_get_integer (const DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->integer;
}

/**
 * dt_redis_reply_get_string:
 * @self: a [struct@DtRedis.Reply]
 * @length: (out) (optional): where to store the length in bytes
 *
 * Gets the text of a bulk string, status or error reply. The string is
 * always NUL-terminated, but a bulk string may hold NUL bytes of its own:
 * use @length, or [method@DtRedis.Reply.get_bytes], for binary values.
 *
 * Returns: (nullable): the text, owned by @self, or %NULL when @self holds
 *   no text
 */
const char *
dt_redis_reply_get_string (const DtRedisReply *self,
                           gsize              *length)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->type)
    {
    case DT_REDIS_REPLY_STRING:
    case DT_REDIS_REPLY_STATUS:
    case DT_REDIS_REPLY_ERROR:
      if (length != NULL)
        *length = self->len;
      return self->data;

    case DT_REDIS_REPLY_NIL:
    case DT_REDIS_REPLY_INTEGER:
    case DT_REDIS_REPLY_ARRAY:
    default:
      if (length != NULL)
        *length = 0;
      return NULL;
    }
}

/**
 * dt_redis_reply_get_data:
 * @self: a [struct@DtRedis.Reply]
 * @length: (out): where to store the length in bytes
 *
 * Gets the bytes of a bulk string or status reply, for bindings: one call
 * gives a language's byte string where [method@DtRedis.Reply.get_bytes]
 * takes two. Any other reply, an error included, gives %NULL (which
 * bindings may show as an empty byte string: check the reply's type
 * first).
 *
 * Returns: (array length=length) (element-type guint8) (transfer none) (nullable):
 *   the bytes, owned by @self
 */
const guint8 *
dt_redis_reply_get_data (const DtRedisReply *self,
                         gsize              *length)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  if (self->type != DT_REDIS_REPLY_STRING && self->type != DT_REDIS_REPLY_STATUS)
    {
      *length = 0;
      return NULL;
    }
  *length = self->len;
  return (const guint8 *) self->data;
}

/* Whether @self's string can be handed out as C text: valid UTF-8 with no
 * NUL byte inside, which a C string would cut short. */
static gboolean
is_text (const DtRedisReply *self)
{
  return memchr (self->data, '\0', self->len) == NULL &&
         g_utf8_validate_len (self->data, self->len, NULL);
}

/**
 * dt_redis_reply_get_text:
 * @self: a [struct@DtRedis.Reply]
 * @error: return location for a [struct@GLib.Error]
 *
 * The string of a string, status or error reply as UTF-8 text. Text is
 * never truncated or invalid: a string that is not valid UTF-8, or that
 * holds a NUL byte, fails with %DT_REDIS_ERROR_ENCODING (read it with
 * [method@DtRedis.Reply.get_bytes]). A nil reply gives %NULL without an
 * error; an integer or an array fails with %DT_REDIS_ERROR_PROTOCOL.
 *
 * Returns: (transfer none) (nullable): the text, valid as long as @self
 */
const char *
dt_redis_reply_get_text (const DtRedisReply  *self,
                         GError             **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (self->type)
    {
    case DT_REDIS_REPLY_STRING:
    case DT_REDIS_REPLY_STATUS:
    case DT_REDIS_REPLY_ERROR:
      if (!is_text (self))
        {
          g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING,
                               _("The reply is not UTF-8 text; read it as bytes"));
          return NULL;
        }
      return self->data;

    case DT_REDIS_REPLY_NIL:
      return NULL;

    case DT_REDIS_REPLY_INTEGER:
    case DT_REDIS_REPLY_ARRAY:
    default:
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                           _("The reply is not a string"));
      return NULL;
    }
}

/**
 * dt_redis_reply_dup_strv:
 * @self: a [struct@DtRedis.Reply]
 * @error: return location for a [struct@GLib.Error]
 *
 * The elements of an array reply of strings as a %NULL-terminated array
 * of UTF-8 text (`KEYS`, `SMEMBERS`, `LRANGE`...). An element that is not
 * text fails with %DT_REDIS_ERROR_ENCODING; a nil element, a nested array,
 * or a reply that is not an array fails with %DT_REDIS_ERROR_PROTOCOL
 * (read such replies element by element).
 *
 * Returns: (transfer full) (array zero-terminated=1): the texts, or %NULL
 *   on error
 */
char **
dt_redis_reply_dup_strv (const DtRedisReply  *self,
                         GError             **error)
{
  g_auto(GStrv) strv = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->type != DT_REDIS_REPLY_ARRAY)
    {
      g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                           _("The reply is not an array"));
      return NULL;
    }

  strv = g_new0 (char *, self->n_elements + 1);
  for (guint i = 0; i < self->n_elements; i++)
    {
      const DtRedisReply *element = self->elements[i];
      const char *text;

      if (element->type == DT_REDIS_REPLY_NIL)
        {
          g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                       _("Element %u of the reply is nil"), i);
          return NULL;
        }
      text = dt_redis_reply_get_text (element, error);
      if (text == NULL)
        return NULL;
      strv[i] = g_strndup (text, element->len);
    }

  return g_steal_pointer (&strv);
}

static void
unref_reply_cb (gpointer data)
{
  dt_redis_reply_unref (data);
}

/**
 * dt_redis_reply_get_bytes:
 * @self: a [struct@DtRedis.Reply]
 *
 * Gets the bytes of a bulk string, status or error reply, without copying
 * them: the [struct@GLib.Bytes] keeps @self alive.
 *
 * Returns: (transfer full) (nullable): the bytes, or %NULL when @self
 *   holds no text
 */
GBytes *
dt_redis_reply_get_bytes (DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->type)
    {
    case DT_REDIS_REPLY_STRING:
    case DT_REDIS_REPLY_STATUS:
    case DT_REDIS_REPLY_ERROR:
      return g_bytes_new_with_free_func (self->data, self->len,
                                         unref_reply_cb, dt_redis_reply_ref (self));

    case DT_REDIS_REPLY_NIL:
    case DT_REDIS_REPLY_INTEGER:
    case DT_REDIS_REPLY_ARRAY:
    default:
      return NULL;
    }
}

/**
 * dt_redis_reply_get_n_elements:
 * @self: a [struct@DtRedis.Reply]
 *
 * Gets how many elements an array reply has.
 *
 * Returns: the number of elements, 0 when @self is not an array
 */
guint
dt_redis_reply_get_n_elements (const DtRedisReply *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_elements;
}

/**
 * dt_redis_reply_get_element:
 * @self: a [struct@DtRedis.Reply]
 * @index_: the position of the element, from 0
 *
 * Gets one element of an array reply.
 *
 * Returns: (transfer none) (nullable): the element, or %NULL when @index_
 *   is out of range or @self is not an array
 */
DtRedisReply *
dt_redis_reply_get_element (const DtRedisReply *self,
                            guint               index_)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (index_ >= self->n_elements)
    return NULL;

  return self->elements[index_];
}

/**
 * dt_redis_reply_equal:
 * @a: a [struct@DtRedis.Reply]
 * @b: another [struct@DtRedis.Reply]
 *
 * Compares two replies deeply: same type, same bytes or integer, equal
 * elements in the same order.
 *
 * Returns: %TRUE when @a and @b hold the same value
 */
gboolean
dt_redis_reply_equal (const DtRedisReply *a,
                      const DtRedisReply *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a == b)
    return TRUE;
  if (a->type != b->type || a->integer != b->integer ||
      a->len != b->len || a->n_elements != b->n_elements)
    return FALSE;
  if (a->len > 0 && memcmp (a->data, b->data, a->len) != 0)
    return FALSE;
  for (guint i = 0; i < a->n_elements; i++)
    {
      if (a->elements[i] == NULL || b->elements[i] == NULL)
        return FALSE;
      if (!dt_redis_reply_equal (a->elements[i], b->elements[i]))
        return FALSE;
    }

  return TRUE;
}

/* Quotes like redis-cli: printable ASCII as is, the usual escapes, the rest
 * as \xHH. */
static void
append_quoted (GString    *out,
               const char *data,
               gsize       len)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) data[i];

      switch (c)
        {
        case '\\': g_string_append (out, "\\\\"); break;
        case '"': g_string_append (out, "\\\""); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\a': g_string_append (out, "\\a"); break;
        case '\b': g_string_append (out, "\\b"); break;
        default:
          if (g_ascii_isprint (c))
            g_string_append_c (out, (char) c);
          else
            g_string_append_printf (out, "\\x%02x", c);
          break;
        }
    }
  g_string_append_c (out, '"');
}

static void
append_reply (GString            *out,
              const DtRedisReply *self,
              guint               indent)
{
  switch (self->type)
    {
    case DT_REDIS_REPLY_NIL:
      g_string_append (out, "(nil)");
      break;

    case DT_REDIS_REPLY_STATUS:
      g_string_append_len (out, self->data, self->len);
      break;

    case DT_REDIS_REPLY_ERROR:
      g_string_append (out, "(error) ");
      g_string_append_len (out, self->data, self->len);
      break;

    case DT_REDIS_REPLY_INTEGER:
      g_string_append_printf (out, "(integer) %" G_GINT64_FORMAT, self->integer);
      break;

    case DT_REDIS_REPLY_STRING:
      append_quoted (out, self->data, self->len);
      break;

    case DT_REDIS_REPLY_ARRAY:
      if (self->n_elements == 0)
        {
          g_string_append (out, "(empty array)");
          break;
        }
      {
        /* Nested arrays line up under their parent's first element, and
         * numbers are padded to the widest index, as redis-cli does. */
        guint width = 1;
        for (guint n = self->n_elements; n >= 10; n /= 10)
          width++;

        for (guint i = 0; i < self->n_elements; i++)
          {
            if (i > 0)
              {
                g_string_append_c (out, '\n');
                for (guint s = 0; s < indent; s++)
                  g_string_append_c (out, ' ');
              }
            g_string_append_printf (out, "%*u) ", (int) width, i + 1);
            if (self->elements[i] != NULL)
              append_reply (out, self->elements[i], indent + width + 2);
          }
      }
      break;

    default:
      g_assert_not_reached ();
    }
}

/**
 * dt_redis_reply_to_string:
 * @self: a [struct@DtRedis.Reply]
 *
 * Formats @self the way `redis-cli` prints replies: `"value"`,
 * `(integer) 5`, `(nil)`, `(error) ERR ...`, `OK`, and numbered lines for
 * arrays, nested arrays indented.
 *
 * Returns: (transfer full): the text
 */
char *
dt_redis_reply_to_string (const DtRedisReply *self)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_new (NULL);
  append_reply (out, self, 0);

  return g_string_free (out, FALSE);
}
