/* fuzz-reply.c: libFuzzer harness for the RESP reader and reply conversion
 *
 * Input layout:
 *
 *   byte 0   how the socket delivers the rest: 0 in one read, n > 0 in
 *            reads of 1 to n bytes (sizes drawn from a generator seeded
 *            with the byte)
 *   byte 1   which caps the reader gets (bits 0-1: bulk length, bits 2-3:
 *            array size), small ones so that the fuzzer reaches them
 *   rest     the bytes the server sent
 *
 * The reader must turn them into well-formed reply trees or a PROTOCOL
 * error, after which it stays failed. Every reply is walked (types, NUL
 * terminators, caps, nesting), printed with to_string, converted with each
 * value kind, written back as RESP and read again to an equal reply. When
 * the bytes came in pieces they are also read in one go: the replies both
 * readers produce must agree, so that no reply depends on how the kernel
 * happened to split the stream.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-error.h"
#include "dtredis-reply.h"
#include "dtredis-resp-private.h"
#include "dtredis-value-private.h"

#define MAX_INPUT_SIZE    65536
/* hiredis 0.14 nests arrays 8 deep at most: the root at 0, leaves at 8. */
#define MAX_DEPTH    8
/* No input can hold more replies than bytes; this bounds the loops. */
#define MAX_REPLIES  MAX_INPUT_SIZE

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct
{
  gsize max_bulk_len;
  guint max_elements;
} Caps;

static const gsize bulk_caps[] = { 1024 * 1024, 16, 100, 4096 };
static const guint element_caps[] = { 1000, 3, 16, 100 };

typedef struct
{
  GPtrArray *replies;
  gboolean   failed;
  gboolean   buffered; /* unparsed bytes left at the end, when !failed */
} Outcome;

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void
fail (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  fputs ("fuzz-reply: invariant broken: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  abort ();
}

static void
check_protocol_error (const GError *error,
                      const char   *what)
{
  if (!g_error_matches (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL))
    fail ("%s failed with %s, not PROTOCOL", what,
          error != NULL ? g_quark_to_string (error->domain) : "no error");
  if (error->message == NULL || *error->message == '\0' ||
      !g_utf8_validate (error->message, -1, NULL))
    fail ("%s failed with an empty or non-UTF-8 message", what);
}

static void
check_tree (DtRedisReply *reply,
            const Caps   *caps,
            guint         depth)
{
  const char *text;
  gsize len = 12345;

  if (reply == NULL)
    fail ("a NULL reply or element");
  if (depth > MAX_DEPTH)
    fail ("replies nested %u deep", depth);

  text = dt_redis_reply_get_string (reply, &len);

  switch (dt_redis_reply_get_reply_type (reply))
    {
    case DT_REDIS_REPLY_STRING:
      if (len > caps->max_bulk_len)
        fail ("a bulk string of %" G_GSIZE_FORMAT " bytes went past the cap of %" G_GSIZE_FORMAT,
              len, caps->max_bulk_len);
      G_GNUC_FALLTHROUGH;
    case DT_REDIS_REPLY_STATUS:
    case DT_REDIS_REPLY_ERROR:
      {
        g_autoptr(GBytes) bytes = dt_redis_reply_get_bytes (reply);

        if (text == NULL || text[len] != '\0')
          fail ("a text reply without its NUL terminator");
        if (bytes == NULL || g_bytes_get_size (bytes) != len ||
            (len > 0 && memcmp (g_bytes_get_data (bytes, NULL), text, len) != 0))
          fail ("get_bytes disagrees with get_string");
        if (len > caps->max_bulk_len)
          fail ("a status line of %" G_GSIZE_FORMAT " bytes went past the cap", len);
        if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_STRING &&
            len > DT_REDIS_RESP_MAX_LINE_LEN)
          fail ("a status or error line of %" G_GSIZE_FORMAT " bytes went past the line cap", len);
        if (dt_redis_reply_get_reply_type (reply) != DT_REDIS_REPLY_STRING &&
            g_strstr_len (text, (gssize) len, "\r\n") != NULL)
          fail ("a status or error line holds CRLF");
      }
      break;

    case DT_REDIS_REPLY_NIL:
    case DT_REDIS_REPLY_INTEGER:
      if (text != NULL || len != 0 || dt_redis_reply_get_bytes (reply) != NULL)
        fail ("a nil or integer reply with text");
      if (dt_redis_reply_get_n_elements (reply) != 0)
        fail ("a nil or integer reply with elements");
      break;

    case DT_REDIS_REPLY_ARRAY:
      {
        guint n = dt_redis_reply_get_n_elements (reply);

        if (text != NULL || len != 0)
          fail ("an array with text");
        if (n > caps->max_elements)
          fail ("an array of %u elements went past the cap of %u", n, caps->max_elements);
        for (guint i = 0; i < n; i++)
          check_tree (dt_redis_reply_get_element (reply, i), caps, depth + 1);
        if (dt_redis_reply_get_element (reply, n) != NULL)
          fail ("an element past the end");
      }
      break;

    default:
      fail ("a reply of unknown type %d", (int) dt_redis_reply_get_reply_type (reply));
    }
}

static void
serialize (GString      *out,
           DtRedisReply *reply)
{
  gsize len = 0;
  const char *text = dt_redis_reply_get_string (reply, &len);

  switch (dt_redis_reply_get_reply_type (reply))
    {
    case DT_REDIS_REPLY_NIL:
      g_string_append (out, "$-1\r\n");
      break;
    case DT_REDIS_REPLY_STATUS:
      g_string_append_c (out, '+');
      g_string_append_len (out, text, (gssize) len);
      g_string_append (out, "\r\n");
      break;
    case DT_REDIS_REPLY_ERROR:
      g_string_append_c (out, '-');
      g_string_append_len (out, text, (gssize) len);
      g_string_append (out, "\r\n");
      break;
    case DT_REDIS_REPLY_INTEGER:
      g_string_append_printf (out, ":%" G_GINT64_FORMAT "\r\n", dt_redis_reply_get_integer (reply));
      break;
    case DT_REDIS_REPLY_STRING:
      g_string_append_printf (out, "$%" G_GSIZE_FORMAT "\r\n", len);
      g_string_append_len (out, text, (gssize) len);
      g_string_append (out, "\r\n");
      break;
    case DT_REDIS_REPLY_ARRAY:
      g_string_append_printf (out, "*%u\r\n", dt_redis_reply_get_n_elements (reply));
      for (guint i = 0; i < dt_redis_reply_get_n_elements (reply); i++)
        serialize (out, dt_redis_reply_get_element (reply, i));
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Written back as RESP, a reply reads back equal, whole, with nothing left. */
static void
check_round_trip (DtRedisReply *reply,
                  const Caps   *caps)
{
  g_autoptr(DtRedisRespReader) reader = dt_redis_resp_reader_new (caps->max_bulk_len,
                                                                  caps->max_elements);
  g_autoptr(GString) wire = g_string_new (NULL);
  g_autoptr(DtRedisReply) again = NULL;
  g_autoptr(GError) error = NULL;

  serialize (wire, reply);
  if (!dt_redis_resp_reader_feed (reader, wire->str, wire->len, &error) ||
      !dt_redis_resp_reader_pop (reader, &again, &error))
    fail ("a reply written back does not read back: %s", error->message);
  if (again == NULL)
    fail ("a reply written back reads back incomplete");
  if (!dt_redis_reply_equal (reply, again))
    fail ("a reply written back reads back different");
  if (dt_redis_resp_reader_has_buffered (reader))
    fail ("a reply written back leaves bytes behind");
}

static void
check_values (DtRedisReply *reply)
{
  for (int kind = DT_REDIS_VALUE_REPLY; kind <= DT_REDIS_VALUE_INTEGER_LIST; kind++)
    {
      DtRedisValue value;
      g_autoptr(GError) error = NULL;

      if (dt_redis_value_from_reply (kind, reply, &value, &error))
        {
          if (error != NULL)
            fail ("value_from_reply succeeded with an error set");
          if (value.list != NULL && kind == DT_REDIS_VALUE_SCORED_MEMBERS &&
              value.list->len * 2 != dt_redis_reply_get_n_elements (reply))
            fail ("%u scored members from an array of %u elements",
                  value.list->len, dt_redis_reply_get_n_elements (reply));
          if (value.list != NULL && kind == DT_REDIS_VALUE_BYTES_LIST &&
              value.list->len != dt_redis_reply_get_n_elements (reply))
            fail ("a bytes list of another length than its array");
          /* The value holds the one pointer its kind names. */
          if ((kind == DT_REDIS_VALUE_TEXT_MAP || kind == DT_REDIS_VALUE_BYTES_TEXT_MAP) &&
              value.map != NULL &&
              g_hash_table_size (value.map) > dt_redis_reply_get_n_elements (reply) / 2)
            fail ("a map larger than its array");
        }
      else
        {
          gboolean from_error_reply;

          if (error == NULL || error->domain != DT_REDIS_ERROR ||
              (error->code != DT_REDIS_ERROR_PROTOCOL &&
               error->code != DT_REDIS_ERROR_ENCODING &&
               error->code != DT_REDIS_ERROR_SERVER &&
               error->code != DT_REDIS_ERROR_AUTH &&
               error->code != DT_REDIS_ERROR_LOADING &&
               error->code != DT_REDIS_ERROR_CONNECTION))
            fail ("value_from_reply failed without a PROTOCOL, ENCODING or error-reply code");
          /* The codes of error replies (one table: SERVER, AUTH, LOADING,
           * CONNECTION for "max number of clients") come only from them. */
          from_error_reply = error->code != DT_REDIS_ERROR_PROTOCOL &&
                             error->code != DT_REDIS_ERROR_ENCODING;
          if (from_error_reply != dt_redis_reply_is_error (reply))
            fail ("an error-reply code from a reply that is not an error, or the reverse");
          if (error->code == DT_REDIS_ERROR_ENCODING && kind < DT_REDIS_VALUE_TEXT)
            fail ("ENCODING from a conversion that asks for no text");
        }
      dt_redis_value_clear (&value);
    }
}

static void
check_reply (DtRedisReply *reply,
             const Caps   *caps)
{
  g_autofree char *text = NULL;

  check_tree (reply, caps, 0);

  text = dt_redis_reply_to_string (reply);
  if (text == NULL)
    fail ("to_string returned NULL");
  if (!dt_redis_reply_equal (reply, reply))
    fail ("a reply is not equal to itself");

  check_round_trip (reply, caps);
  check_values (reply);
}

static guint32
next_random (guint32 *state)
{
  /* xorshift32: any fixed generator will do, it only has to replay. */
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static void
parse (const Caps   *caps,
       const guint8 *wire,
       gsize         len,
       guint         max_chunk,
       gboolean      check,
       Outcome      *out)
{
  g_autoptr(DtRedisRespReader) reader = dt_redis_resp_reader_new (caps->max_bulk_len,
                                                                  caps->max_elements);
  guint32 state = 0x9e3779b9u ^ max_chunk;
  gsize off = 0;

  out->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_reply_unref);
  out->failed = FALSE;
  out->buffered = FALSE;

  while (off < len && !out->failed)
    {
      g_autoptr(GError) error = NULL;
      gsize chunk = len - off;

      if (max_chunk > 0)
        {
          gsize drawn = 1 + next_random (&state) % max_chunk;

          chunk = MIN (chunk, drawn);
        }

      if (!dt_redis_resp_reader_feed (reader, (const char *) wire + off, chunk, &error))
        fail ("feed failed on a reader that had not failed: %s", error->message);
      off += chunk;

      for (guint n = 0; n <= MAX_REPLIES; n++)
        {
          DtRedisReply *reply = NULL;

          if (n == MAX_REPLIES)
            fail ("more replies than bytes");

          if (!dt_redis_resp_reader_pop (reader, &reply, &error))
            {
              if (reply != NULL)
                fail ("pop failed and still gave a reply");
              check_protocol_error (error, "pop");
              out->failed = TRUE;
              break;
            }
          if (reply == NULL)
            break;

          if (check)
            check_reply (reply, caps);
          g_ptr_array_add (out->replies, reply);
        }
    }

  if (out->failed)
    {
      g_autoptr(GError) error = NULL;
      DtRedisReply *reply = NULL;

      /* A failed reader stays failed: the connection is unusable. */
      if (dt_redis_resp_reader_pop (reader, &reply, &error) || reply != NULL)
        fail ("pop succeeded after an error");
      check_protocol_error (error, "pop after an error");
      g_clear_error (&error);
      if (dt_redis_resp_reader_feed (reader, "+OK\r\n", 5, &error))
        fail ("feed succeeded after an error");
      check_protocol_error (error, "feed after an error");
      g_clear_error (&error);
      if (dt_redis_resp_reader_pop (reader, &reply, &error) || reply != NULL)
        fail ("pop succeeded after a feed after an error");
      check_protocol_error (error, "pop after a feed after an error");
    }
  else
    out->buffered = dt_redis_resp_reader_has_buffered (reader);
}

static void
outcome_clear (Outcome *out)
{
  g_clear_pointer (&out->replies, g_ptr_array_unref);
}

/* Split or not, the stream means the same replies. One difference is
 * allowed: the reader in pieces sees an over-long length or integer line
 * before it ends, and refuses it there, where the one-shot reader reads a
 * complete line (which hiredis takes, overflow and all). So the reader in
 * pieces may fail earlier, never later, and never disagree before. */
static void
check_same_outcome (const Outcome *split,
                    const Outcome *whole)
{
  guint common = MIN (split->replies->len, whole->replies->len);

  for (guint i = 0; i < common; i++)
    if (!dt_redis_reply_equal (split->replies->pdata[i], whole->replies->pdata[i]))
      fail ("reply %u differs when the bytes come in pieces", i);

  if (!split->failed)
    {
      if (whole->failed)
        fail ("the one-shot reader failed where the one in pieces did not");
      if (split->replies->len != whole->replies->len)
        fail ("%u replies in pieces, %u in one go", split->replies->len, whole->replies->len);
      if (split->buffered != whole->buffered)
        fail ("the readers disagree on what is left unparsed");
    }
  else if (split->replies->len > whole->replies->len)
    fail ("the reader in pieces got further (%u replies) than the one-shot one (%u)",
          split->replies->len, whole->replies->len);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  Outcome split = { 0, }, whole = { 0, };
  Caps caps;
  guint max_chunk;

  if (size < 2)
    return -1;
  if (size > MAX_INPUT_SIZE)
    return -1;

  max_chunk = data[0];
  caps.max_bulk_len = bulk_caps[data[1] & 3];
  caps.max_elements = element_caps[(data[1] >> 2) & 3];

  parse (&caps, data + 2, size - 2, max_chunk, TRUE, &split);
  if (max_chunk > 0)
    {
      parse (&caps, data + 2, size - 2, 0, FALSE, &whole);
      check_same_outcome (&split, &whole);
      outcome_clear (&whole);
    }
  outcome_clear (&split);

  return 0;
}
