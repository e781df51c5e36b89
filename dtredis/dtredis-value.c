/* dtredis-value.c: reply to typed value conversion
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-error.h"
#include "dtredis-scored-member.h"
#include "dtredis-value-private.h"

/* The one table from an error reply's text to an error code, for every
 * path (commands, pipelines, the handshake). Matched on the first word, as
 * Redis classifies its errors, and on the few "ERR" texts that say more. */
typedef struct
{
  const char   *prefix;
  DtRedisError  code;
  gboolean      only_in_handshake;
} ErrorRule;

static const ErrorRule error_rules[] = {
  { "NOAUTH ",    DT_REDIS_ERROR_AUTH,       FALSE },
  { "WRONGPASS ", DT_REDIS_ERROR_AUTH,       FALSE },
  { "LOADING ",   DT_REDIS_ERROR_LOADING,    FALSE },
  /* Sent before the server reads anything: whatever we asked, the answer
   * is that there is no room, not that the credentials are wrong. */
  { "ERR max number of clients reached", DT_REDIS_ERROR_CONNECTION, FALSE },
  /* Only the handshake's commands say something about the credentials:
   * the user may not SELECT its db, the user or password is unknown
   * (servers before ACLs), or the server wants none. Elsewhere NOPERM is
   * about one command. */
  { "NOPERM ",                 DT_REDIS_ERROR_AUTH, TRUE },
  { "ERR invalid password",    DT_REDIS_ERROR_AUTH, TRUE },
  { "ERR invalid username",    DT_REDIS_ERROR_AUTH, TRUE },
  /* A password for a server that has none: the credentials are wrong. */
  { "ERR AUTH ",               DT_REDIS_ERROR_AUTH, TRUE },
  { "ERR Client sent AUTH",    DT_REDIS_ERROR_AUTH, TRUE },
};

DtRedisError
dt_redis_value_error_code_for_text (const char *text,
                                    gboolean    handshake)
{
  for (guint i = 0; i < G_N_ELEMENTS (error_rules); i++)
    {
      const ErrorRule *rule = &error_rules[i];

      if ((handshake || !rule->only_in_handshake) && g_str_has_prefix (text, rule->prefix))
        return rule->code;
    }

  return DT_REDIS_ERROR_SERVER;
}

GError *
dt_redis_value_error_from_reply (const DtRedisReply *reply)
{
  const char *text = dt_redis_reply_get_string (reply, NULL);

  /* The server's own words: they name the problem better than we could. */
  return g_error_new_literal (DT_REDIS_ERROR, dt_redis_value_error_code_for_text (text, FALSE), text);
}

static gboolean
unexpected (DtRedisReply  *reply,
            const char    *wanted,
            GError       **error)
{
  static const char * const names[] = {
    "nil", "status", "error", "integer", "bulk string", "array",
  };
  DtRedisReplyType type = dt_redis_reply_get_reply_type (reply);

  g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
               _("Expected %s in the reply but the server sent %s"),
               wanted, names[type]);
  return FALSE;
}

static gboolean
parse_double (DtRedisReply *reply,
              gdouble      *out,
              GError      **error)
{
  gsize len = 0;
  const char *text;
  char *end = NULL;

  if (dt_redis_reply_get_reply_type (reply) == DT_REDIS_REPLY_INTEGER)
    {
      *out = (gdouble) dt_redis_reply_get_integer (reply);
      return TRUE;
    }
  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_STRING)
    return unexpected (reply, _("a number"), error);

  text = dt_redis_reply_get_string (reply, &len);
  /* Redis writes "inf" and "-inf" for infinite scores, which strtod reads. */
  *out = g_ascii_strtod (text, &end);
  if (len == 0 || end != text + len)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("Expected a number in the reply but the server sent “%.*s”"),
                   (int) MIN (len, 64), text);
      return FALSE;
    }

  return TRUE;
}

static GPtrArray *
new_bytes_list (guint size)
{
  /* Elements may be NULL (MGET of a missing key); g_bytes_unref takes that. */
  return g_ptr_array_new_full (size, (GDestroyNotify) g_bytes_unref);
}

static gboolean
to_bytes_list (DtRedisReply  *reply,
               GPtrArray    **out,
               GError       **error)
{
  guint n = dt_redis_reply_get_n_elements (reply);
  g_autoptr(GPtrArray) list = NULL;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    return unexpected (reply, _("an array"), error);

  list = new_bytes_list (n);
  for (guint i = 0; i < n; i++)
    {
      DtRedisReply *element = dt_redis_reply_get_element (reply, i);

      switch (dt_redis_reply_get_reply_type (element))
        {
        case DT_REDIS_REPLY_NIL:
          g_ptr_array_add (list, NULL);
          break;
        case DT_REDIS_REPLY_STRING:
        case DT_REDIS_REPLY_STATUS:
          g_ptr_array_add (list, dt_redis_reply_get_bytes (element));
          break;
        case DT_REDIS_REPLY_ERROR:
        case DT_REDIS_REPLY_INTEGER:
        case DT_REDIS_REPLY_ARRAY:
        default:
          return unexpected (element, _("a bulk string"), error);
        }
    }

  *out = g_steal_pointer (&list);
  return TRUE;
}

static gboolean
set_not_text_error (GError **error)
{
  g_set_error_literal (error, DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING,
                       _("The reply is not UTF-8 text; read it as bytes"));
  return FALSE;
}

/* A bulk or status string as new text; ENCODING when it is not text. */
static gboolean
to_text (DtRedisReply  *reply,
         char         **out,
         GError       **error)
{
  DtRedisReplyType type = dt_redis_reply_get_reply_type (reply);
  gsize len = 0;
  const char *data;

  if (type != DT_REDIS_REPLY_STRING && type != DT_REDIS_REPLY_STATUS)
    return unexpected (reply, _("a bulk string"), error);
  data = dt_redis_reply_get_string (reply, &len);
  if (memchr (data, '\0', len) != NULL || !g_utf8_validate_len (data, len, NULL))
    return set_not_text_error (error);

  *out = g_strndup (data, len);
  return TRUE;
}

static gboolean
to_text_list (DtRedisReply  *reply,
              gboolean       nullable,
              GPtrArray    **out,
              GError       **error)
{
  guint n = dt_redis_reply_get_n_elements (reply);
  g_autoptr(GPtrArray) list = NULL;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    return unexpected (reply, _("an array"), error);

  list = g_ptr_array_new_full (n + 1, g_free);
  for (guint i = 0; i < n; i++)
    {
      DtRedisReply *element = dt_redis_reply_get_element (reply, i);
      char *text = NULL;

      if (dt_redis_reply_get_reply_type (element) == DT_REDIS_REPLY_NIL && nullable)
        {
          g_ptr_array_add (list, NULL);
          continue;
        }
      if (!to_text (element, &text, error))
        return FALSE;
      g_ptr_array_add (list, text);
    }

  *out = g_steal_pointer (&list);
  return TRUE;
}

static gboolean
to_text_map (DtRedisReply  *reply,
             gboolean       bytes_values,
             GHashTable   **out,
             GError       **error)
{
  guint n = dt_redis_reply_get_n_elements (reply);
  g_autoptr(GHashTable) map = NULL;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    return unexpected (reply, _("an array"), error);
  if (n % 2 != 0)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("Expected field and value pairs but the server sent %u elements"), n);
      return FALSE;
    }

  map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                               bytes_values ? (GDestroyNotify) g_bytes_unref : g_free);
  for (guint i = 0; i < n; i += 2)
    {
      DtRedisReply *value = dt_redis_reply_get_element (reply, i + 1);
      char *field = NULL;

      if (!to_text (dt_redis_reply_get_element (reply, i), &field, error))
        return FALSE;
      if (bytes_values)
        {
          if (dt_redis_reply_get_reply_type (value) != DT_REDIS_REPLY_STRING)
            {
              g_free (field);
              return unexpected (value, _("a bulk string"), error);
            }
          g_hash_table_replace (map, field, dt_redis_reply_get_bytes (value));
        }
      else
        {
          char *text = NULL;

          if (!to_text (value, &text, error))
            {
              g_free (field);
              return FALSE;
            }
          g_hash_table_replace (map, field, text);
        }
    }

  *out = g_steal_pointer (&map);
  return TRUE;
}

static gboolean
to_scored_members (DtRedisReply  *reply,
                   GPtrArray    **out,
                   GError       **error)
{
  guint n = dt_redis_reply_get_n_elements (reply);
  g_autoptr(GPtrArray) list = NULL;

  if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_ARRAY)
    return unexpected (reply, _("an array"), error);
  if (n % 2 != 0)
    {
      g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
                   _("Expected member and score pairs but the server sent %u elements"), n);
      return FALSE;
    }

  list = g_ptr_array_new_full (n / 2, (GDestroyNotify) dt_redis_scored_member_free);
  for (guint i = 0; i < n; i += 2)
    {
      DtRedisReply *member = dt_redis_reply_get_element (reply, i);
      g_autoptr(GBytes) bytes = NULL;
      gdouble score;

      if (dt_redis_reply_get_reply_type (member) != DT_REDIS_REPLY_STRING)
        return unexpected (member, _("a bulk string"), error);
      if (!parse_double (dt_redis_reply_get_element (reply, i + 1), &score, error))
        return FALSE;

      bytes = dt_redis_reply_get_bytes (member);
      g_ptr_array_add (list, dt_redis_scored_member_new_bytes (bytes, score));
    }

  *out = g_steal_pointer (&list);
  return TRUE;
}

gboolean
dt_redis_value_from_reply (DtRedisValueKind  kind,
                           DtRedisReply     *reply,
                           DtRedisValue     *out,
                           GError          **error)
{
  DtRedisReplyType type = dt_redis_reply_get_reply_type (reply);

  memset (out, 0, sizeof *out);
  out->kind = kind;

  if (type == DT_REDIS_REPLY_ERROR)
    {
      g_propagate_error (error, dt_redis_value_error_from_reply (reply));
      return FALSE;
    }

  switch (kind)
    {
    case DT_REDIS_VALUE_REPLY:
      out->reply = dt_redis_reply_ref (reply);
      return TRUE;

    case DT_REDIS_VALUE_BYTES:
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      if (type != DT_REDIS_REPLY_STRING && type != DT_REDIS_REPLY_STATUS)
        return unexpected (reply, _("a bulk string"), error);
      out->bytes = dt_redis_reply_get_bytes (reply);
      return TRUE;

    case DT_REDIS_VALUE_INTEGER_OR_NIL:
      if (type == DT_REDIS_REPLY_NIL)
        {
          out->integer = -1;
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    case DT_REDIS_VALUE_INTEGER:
      if (type != DT_REDIS_REPLY_INTEGER)
        return unexpected (reply, _("an integer"), error);
      out->integer = dt_redis_reply_get_integer (reply);
      return TRUE;

    case DT_REDIS_VALUE_BOOLEAN:
      if (type != DT_REDIS_REPLY_INTEGER)
        return unexpected (reply, _("an integer"), error);
      out->integer = dt_redis_reply_get_integer (reply) != 0;
      return TRUE;

    case DT_REDIS_VALUE_OK:
      /* SET ... NX answers nil when it did not set. */
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      if (type != DT_REDIS_REPLY_STATUS)
        return unexpected (reply, _("a status"), error);
      out->integer = TRUE;
      return TRUE;

    case DT_REDIS_VALUE_DOUBLE_OR_NIL:
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      if (!parse_double (reply, &out->number, error))
        return FALSE;
      out->found = TRUE;
      return TRUE;

    case DT_REDIS_VALUE_DOUBLE:
      out->found = TRUE;
      return parse_double (reply, &out->number, error);

    case DT_REDIS_VALUE_BYTES_LIST:
      /* A blocking pop that timed out answers nil. */
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      return to_bytes_list (reply, &out->list, error);


    case DT_REDIS_VALUE_TEXT:
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      return to_text (reply, &out->text, error);

    case DT_REDIS_VALUE_TEXT_LIST:
      {
        GPtrArray *list = NULL;

        /* LPOP key count of a missing key answers nil: no elements. */
        if (type == DT_REDIS_REPLY_NIL)
          {
            out->strv = g_new0 (char *, 1);
            return TRUE;
          }
        if (!to_text_list (reply, FALSE, &list, error))
          return FALSE;
        g_ptr_array_add (list, NULL);
        out->strv = (char **) g_ptr_array_free (list, FALSE);
        return TRUE;
      }

    case DT_REDIS_VALUE_TEXT_LIST_NULLABLE:
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      return to_text_list (reply, TRUE, &out->list, error);

    case DT_REDIS_VALUE_TEXT_MAP:
      return to_text_map (reply, FALSE, &out->map, error);

    case DT_REDIS_VALUE_BYTES_TEXT_MAP:
      return to_text_map (reply, TRUE, &out->map, error);

    case DT_REDIS_VALUE_SCORED_MEMBERS:
      if (type == DT_REDIS_REPLY_NIL)
        return TRUE;
      return to_scored_members (reply, &out->list, error);

    case DT_REDIS_VALUE_INTEGER_LIST:
      {
        guint n = dt_redis_reply_get_n_elements (reply);

        out->scores = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
        if (type == DT_REDIS_REPLY_NIL)
          return TRUE;
        if (type != DT_REDIS_REPLY_ARRAY)
          return unexpected (reply, _("an array"), error);
        for (guint i = 0; i < n; i++)
          {
            DtRedisReply *element = dt_redis_reply_get_element (reply, i);
            gint64 number;

            if (dt_redis_reply_get_reply_type (element) != DT_REDIS_REPLY_INTEGER)
              return unexpected (element, _("an integer"), error);
            number = dt_redis_reply_get_integer (element);
            g_array_append_val (out->scores, number);
          }
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }
}

GError *
dt_redis_value_new_encoding_error (const char *key,
                                   const char *twin)
{
  if (key != NULL)
    return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING,
                        _("The value of “%s” is not UTF-8 text: read it with %s()"), key, twin);

  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING,
                      _("The reply is not UTF-8 text: read it with %s()"), twin);
}

gboolean
dt_redis_value_mapping_is_text (GHashTable *mapping)
{
  GHashTableIter iter;
  gpointer field, value;

  g_hash_table_iter_init (&iter, mapping);
  while (g_hash_table_iter_next (&iter, &field, &value))
    {
      if (!g_utf8_validate (field, -1, NULL) || !g_utf8_validate (value, -1, NULL))
        return FALSE;
    }

  return TRUE;
}

GError *
dt_redis_value_new_argument_encoding_error (const char *key,
                                            const char *what,
                                            const char *twin)
{
  if (key != NULL)
    return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING,
                        /* Translators: the first %s is "value" or "member" */
                        _("The %s given for “%s” is not UTF-8 text: pass it to %s() instead"),
                        what, key, twin);

  return g_error_new (DT_REDIS_ERROR, DT_REDIS_ERROR_ENCODING,
                      _("The %s given is not UTF-8 text: pass it to %s() instead"), what, twin);
}

void
dt_redis_value_clear (DtRedisValue *value)
{
  switch (value->kind)
    {
    case DT_REDIS_VALUE_REPLY:
      g_clear_pointer (&value->reply, dt_redis_reply_unref);
      break;
    case DT_REDIS_VALUE_BYTES:
      g_clear_pointer (&value->bytes, g_bytes_unref);
      break;
    case DT_REDIS_VALUE_BYTES_LIST:
    case DT_REDIS_VALUE_TEXT_LIST_NULLABLE:
    case DT_REDIS_VALUE_SCORED_MEMBERS:
      g_clear_pointer (&value->list, g_ptr_array_unref);
      break;
    case DT_REDIS_VALUE_TEXT:
      g_clear_pointer (&value->text, g_free);
      break;
    case DT_REDIS_VALUE_TEXT_LIST:
      g_clear_pointer (&value->strv, g_strfreev);
      break;
    case DT_REDIS_VALUE_TEXT_MAP:
    case DT_REDIS_VALUE_BYTES_TEXT_MAP:
      g_clear_pointer (&value->map, g_hash_table_unref);
      break;
    case DT_REDIS_VALUE_INTEGER_LIST:
      g_clear_pointer (&value->scores, g_array_unref);
      break;
    case DT_REDIS_VALUE_INTEGER:
    case DT_REDIS_VALUE_INTEGER_OR_NIL:
    case DT_REDIS_VALUE_BOOLEAN:
    case DT_REDIS_VALUE_OK:
    case DT_REDIS_VALUE_DOUBLE:
    case DT_REDIS_VALUE_DOUBLE_OR_NIL:
    default:
      break;
    }
}
