/* test-resp.c: the RESP reader and formatter, command classification and
 * reply conversion: everything between the socket and the typed value
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <hiredis/hiredis.h>
#include <string.h>

#include "dtredis-command-private.h"
#include "dtredis-resp-private.h"
#include "dtredis-value-private.h"

static DtRedisRespReader *
new_reader (void)
{
  return dt_redis_resp_reader_new (DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN,
                                   DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS);
}

/* Feeds @wire in chunks of @chunk bytes and collects every reply. */
static GPtrArray *
parse_all (DtRedisRespReader *reader,
           const char        *wire,
           gsize              len,
           gsize              chunk,
           GError           **error)
{
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) dt_redis_reply_unref);

  for (gsize off = 0; off < len; off += chunk)
    {
      DtRedisReply *reply = NULL;

      if (!dt_redis_resp_reader_feed (reader, wire + off, MIN (chunk, len - off), error))
        return NULL;
      for (;;)
        {
          if (!dt_redis_resp_reader_pop (reader, &reply, error))
            return NULL;
          if (reply == NULL)
            break;
          g_ptr_array_add (replies, reply);
        }
    }

  return g_steal_pointer (&replies);
}

static const char pipelined_wire[] =
  "+OK\r\n"
  "-ERR wrong\r\n"
  ":-42\r\n"
  "$5\r\nhel\0o\r\n"
  "$-1\r\n"
  "*-1\r\n"
  "*0\r\n"
  "*3\r\n$1\r\na\r\n*2\r\n:1\r\n$0\r\n\r\n$-1\r\n";

static void
check_pipelined (GPtrArray *replies)
{
  DtRedisReply *r;
  gsize len;

  g_assert_cmpuint (replies->len, ==, 8);

  r = replies->pdata[0];
  g_assert_cmpint (dt_redis_reply_get_reply_type (r), ==, DT_REDIS_REPLY_STATUS);
  g_assert_cmpstr (dt_redis_reply_get_string (r, NULL), ==, "OK");

  r = replies->pdata[1];
  g_assert_cmpint (dt_redis_reply_get_reply_type (r), ==, DT_REDIS_REPLY_ERROR);
  g_assert_cmpstr (dt_redis_reply_get_string (r, NULL), ==, "ERR wrong");

  r = replies->pdata[2];
  g_assert_cmpint (dt_redis_reply_get_integer (r), ==, -42);

  r = replies->pdata[3];
  g_assert_cmpint (dt_redis_reply_get_reply_type (r), ==, DT_REDIS_REPLY_STRING);
  g_assert_cmpmem (dt_redis_reply_get_string (r, &len), len, "hel\0o", 5);

  g_assert_true (dt_redis_reply_is_nil (replies->pdata[4]));
  g_assert_true (dt_redis_reply_is_nil (replies->pdata[5]));

  r = replies->pdata[6];
  g_assert_cmpint (dt_redis_reply_get_reply_type (r), ==, DT_REDIS_REPLY_ARRAY);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (r), ==, 0);

  r = replies->pdata[7];
  g_assert_cmpuint (dt_redis_reply_get_n_elements (r), ==, 3);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (r, 0), NULL), ==, "a");
  r = dt_redis_reply_get_element (r, 1);
  g_assert_cmpuint (dt_redis_reply_get_n_elements (r), ==, 2);
  g_assert_cmpint (dt_redis_reply_get_integer (dt_redis_reply_get_element (r, 0)), ==, 1);
  g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (r, 1), &len), ==, "");
  g_assert_cmpuint (len, ==, 0);
  g_assert_true (dt_redis_reply_is_nil (dt_redis_reply_get_element (replies->pdata[7], 2)));
}

static void
test_reader_whole (void)
{
  g_autoptr(DtRedisRespReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (reader, pipelined_wire, sizeof pipelined_wire - 1,
                                            sizeof pipelined_wire, &error);

  g_assert_no_error (error);
  check_pipelined (replies);
  g_assert_false (dt_redis_resp_reader_has_buffered (reader));
}

static void
test_reader_byte_by_byte (void)
{
  g_autoptr(DtRedisRespReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (reader, pipelined_wire, sizeof pipelined_wire - 1, 1, &error);

  g_assert_no_error (error);
  check_pipelined (replies);
}

static void
test_reader_partial (void)
{
  g_autoptr(DtRedisRespReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  DtRedisReply *reply = NULL;

  g_assert_true (dt_redis_resp_reader_feed (reader, "$10\r\nhello", 10, &error));
  g_assert_true (dt_redis_resp_reader_pop (reader, &reply, &error));
  g_assert_no_error (error);
  g_assert_null (reply);
  g_assert_true (dt_redis_resp_reader_has_buffered (reader));
}

static void
test_reader_large_bulk (void)
{
  g_autoptr(DtRedisRespReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  gsize size = 3 * 1024 * 1024 + 7;
  g_autoptr(GString) wire = g_string_new (NULL);
  g_autoptr(GPtrArray) replies = NULL;
  const char *data;
  gsize len;

  g_string_append_printf (wire, "$%" G_GSIZE_FORMAT "\r\n", size);
  for (gsize i = 0; i < size; i++)
    g_string_append_c (wire, (char) (i % 251));
  g_string_append (wire, "\r\n");

  replies = parse_all (reader, wire->str, wire->len, 16384, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  data = dt_redis_reply_get_string (replies->pdata[0], &len);
  g_assert_cmpuint (len, ==, size);
  g_assert_cmpint ((guchar) data[size - 1], ==, (size - 1) % 251);
}

/* A big bulk string inside an array, between small replies, fed in reads
 * of several sizes, from one byte to more than the whole: nothing is lost
 * or reordered whichever way the reads cut it. */
static void
test_reader_large_bulk_among_small (void)
{
  static const gsize reads[] = { 1, 1000, 4096, 16384, 65536, 1024 * 1024 };
  gsize size = 200 * 1024 + 3;
  g_autoptr(GString) wire = g_string_new (NULL);

  for (guint i = 0; i < 500; i++)
    g_string_append_printf (wire, ":%u\r\n", i);
  g_string_append_printf (wire, "*3\r\n+before\r\n$%" G_GSIZE_FORMAT "\r\n", size);
  for (gsize i = 0; i < size; i++)
    g_string_append_c (wire, (char) (i % 253));
  g_string_append (wire, "\r\n:7\r\n");
  for (guint i = 0; i < 500; i++)
    g_string_append_printf (wire, "$3\r\n%03u\r\n", i);

  for (guint r = 0; r < G_N_ELEMENTS (reads); r++)
    {
      g_autoptr(DtRedisRespReader) reader = new_reader ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) replies = parse_all (reader, wire->str, wire->len, reads[r], &error);
      DtRedisReply *array;
      const char *data;
      gsize len;

      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 1001);
      for (guint i = 0; i < 500; i++)
        g_assert_cmpint (dt_redis_reply_get_integer (replies->pdata[i]), ==, i);
      array = replies->pdata[500];
      g_assert_cmpuint (dt_redis_reply_get_n_elements (array), ==, 3);
      g_assert_cmpstr (dt_redis_reply_get_string (dt_redis_reply_get_element (array, 0), NULL), ==, "before");
      data = dt_redis_reply_get_string (dt_redis_reply_get_element (array, 1), &len);
      g_assert_cmpuint (len, ==, size);
      for (gsize i = 0; i < size; i++)
        if ((guchar) data[i] != i % 253)
          g_error ("byte %" G_GSIZE_FORMAT " of the bulk string is %u, fed %u bytes at a time",
                   i, (guchar) data[i], (guint) reads[r]);
      g_assert_cmpint (dt_redis_reply_get_integer (dt_redis_reply_get_element (array, 2)), ==, 7);
      for (guint i = 0; i < 500; i++)
        {
          char expected[4];

          g_snprintf (expected, sizeof expected, "%03u", i);
          g_assert_cmpstr (dt_redis_reply_get_string (replies->pdata[501 + i], NULL), ==, expected);
        }
      g_assert_false (dt_redis_resp_reader_has_buffered (reader));
    }
}

/* The length line comes alone, the string after it in one big read: the
 * cap refuses it on the length line, before the string is buffered. */
static void
test_reader_bulk_cap_after_header (void)
{
  g_autoptr(DtRedisRespReader) reader = dt_redis_resp_reader_new (1024, DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS);
  g_autoptr(GError) error = NULL;
  g_autofree char *body = g_malloc0 (64 * 1024);
  DtRedisReply *reply = NULL;
  gboolean ok;

  g_assert_true (dt_redis_resp_reader_feed (reader, "$60000\r\n", 8, &error));
  g_assert_false (dt_redis_resp_reader_pop (reader, &reply, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "60000"));
  g_assert_null (reply);
  g_clear_error (&error);

  ok = dt_redis_resp_reader_feed (reader, body, 64 * 1024, &error);
  g_assert_false (ok);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
expect_protocol_error (const char *wire,
                       gsize       len,
                       gsize       max_bulk,
                       guint       max_elements,
                       const char *expected_fragment)
{
  g_autoptr(DtRedisRespReader) reader = dt_redis_resp_reader_new (max_bulk, max_elements);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = parse_all (reader, wire, len, len, &error);

  g_assert_null (replies);
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  if (expected_fragment != NULL && strstr (error->message, expected_fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, expected_fragment);

  /* The reader stays failed: nothing after garbage can be trusted. */
  g_clear_error (&error);
  g_assert_false (dt_redis_resp_reader_feed (reader, "+OK\r\n", 5, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
test_reader_garbage (void)
{
  expect_protocol_error ("!garbage\r\n", 10, DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN,
                         DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS, NULL);
}

static void
test_reader_too_deep (void)
{
  /* hiredis 0.14 keeps 9 levels of array nesting at most. */
  g_autoptr(GString) wire = g_string_new (NULL);

  for (guint i = 0; i < 12; i++)
    g_string_append (wire, "*1\r\n");
  g_string_append (wire, ":1\r\n");

  expect_protocol_error (wire->str, wire->len, DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN,
                         DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS, NULL);
}

static void
test_reader_bulk_cap (void)
{
  /* Refused on the announcement, before any of the 4 GiB arrives. */
  static const char wire[] = "$4294967296\r\nabc";

  expect_protocol_error (wire, sizeof wire - 1, 1024 * 1024, DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS,
                         "4294967296");
}

static void
test_reader_array_cap (void)
{
  static const char wire[] = "*1000\r\n:1\r\n";

  expect_protocol_error (wire, sizeof wire - 1, DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN, 100, "1000");
}

static void
test_reader_endless_length (void)
{
  static const char wire[] = "$11111111111111111111111111111111111111";

  expect_protocol_error (wire, sizeof wire - 1, DT_REDIS_RESP_DEFAULT_MAX_BULK_LEN,
                         DT_REDIS_RESP_DEFAULT_MAX_ELEMENTS, NULL);
}

static void
test_format_binary (void)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  const char *argv[] = { "SET", "k\r\n", "a\0b" };
  gsize lens[] = { 3, 3, 3 };
  static const char expected[] = "*3\r\n$3\r\nSET\r\n$3\r\nk\r\n\r\n$3\r\na\0b\r\n";

  dt_redis_resp_append_command (out, 3, argv, lens);
  g_assert_cmpmem (out->data, out->len, expected, sizeof expected - 1);
}

/* Our formatter against hiredis's: the same bytes for argument counts and
 * lengths across every decimal width (0, 9, 10, 99, 100... digits carry),
 * empty and binary arguments, and appended after bytes already there. */
static void
test_format_matches_hiredis (void)
{
  static const gsize lengths[] = { 0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65536, 1000000 };
  g_autofree char *big = g_malloc (1000000);
  g_autoptr(GByteArray) out = g_byte_array_new ();

  for (gsize i = 0; i < 1000000; i++)
    big[i] = (char) (i * 131 + 7);

  for (guint argc = 1; argc <= 120; argc += (argc < 12 ? 1 : 27))
    for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
      {
        g_autofree const char **argv = g_new (const char *, argc);
        g_autofree gsize *lens = g_new (gsize, argc);
        char *theirs = NULL;
        int n;

        for (guint a = 0; a < argc; a++)
          {
            argv[a] = big + a;
            lens[a] = a == 0 ? lengths[l] : (lengths[l] + a) % 257;
          }
        g_byte_array_set_size (out, 0);
        g_byte_array_append (out, (const guint8 *) "prefix", 6);
        dt_redis_resp_append_command (out, argc, argv, lens);
        n = redisFormatCommandArgv (&theirs, (int) argc, argv, lens);
        g_assert_cmpint (n, >, 0);
        g_assert_cmpmem (out->data, 6, "prefix", 6);
        g_assert_cmpmem (out->data + 6, out->len - 6, theirs, (gsize) n);
        redisFreeCommand (theirs);
      }
}

static void
test_command_plain (void)
{
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_BYTES, "GET", "key", NULL);
  static const char expected[] = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";

  g_assert_cmpmem (cmd->payload.data, cmd->payload.len, expected, sizeof expected - 1);
  g_assert_cmpuint (cmd->n_replies, ==, 1);
  g_assert_cmpint (cmd->flags, ==, DT_REDIS_COMMAND_FLAG_NONE);
  g_assert_cmpint (cmd->kind, ==, DT_REDIS_VALUE_BYTES);
  g_assert_cmpint (dt_redis_command_deadline (cmd, 1000, 5000000), ==, 5001000);
}

/* A builder's command is one block: its bytes sit in the room it was made
 * with. Bytes that outgrow the room move to a buffer of their own, whole,
 * and a copy gets exactly the room it needs. */
static void
test_command_payload_room (void)
{
  static const char get[] = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
  const char *argv[] = { "GET", "key" };
  const gsize lens[] = { 3, 3 };
  g_autofree char *big = g_strnfill (5000, 'z');
  const char *big_argv[] = { "SET", "k", big };
  const gsize big_lens[] = { 3, 1, 5000 };
  g_autoptr(DtRedisCommand) cmd = NULL;
  g_autoptr(DtRedisCommand) copy = NULL;
  g_autoptr(GByteArray) expected = g_byte_array_new ();
  gsize size = dt_redis_resp_command_size (2, lens);

  g_assert_cmpuint (size, ==, sizeof get - 1);
  cmd = dt_redis_command_new_sized (DT_REDIS_VALUE_BYTES, size);
  dt_redis_command_append_argv (cmd, 2, argv, lens);
  g_assert_true (cmd->payload.data == cmd->room);
  g_assert_cmpmem (cmd->payload.data, cmd->payload.len, get, sizeof get - 1);

  /* Past the room: moved, nothing lost, then grown again in place. */
  dt_redis_command_append_argv (cmd, 3, big_argv, big_lens);
  g_assert_true (cmd->payload.data != cmd->room);
  dt_redis_command_append_raw (cmd, (const guint8 *) get, sizeof get - 1);
  g_assert_cmpuint (cmd->n_replies, ==, 2);
  g_byte_array_append (expected, (const guint8 *) get, sizeof get - 1);
  dt_redis_resp_append_command (expected, 3, big_argv, big_lens);
  g_byte_array_append (expected, (const guint8 *) get, sizeof get - 1);
  g_assert_cmpmem (cmd->payload.data, cmd->payload.len, expected->data, expected->len);
  g_assert_cmpuint (cmd->payload.alloc, >=, cmd->payload.len);

  copy = dt_redis_command_copy (cmd);
  g_assert_true (copy->payload.data == copy->room);
  g_assert_cmpuint (copy->payload.alloc, ==, cmd->payload.len);
  g_assert_cmpmem (copy->payload.data, copy->payload.len, expected->data, expected->len);
  g_assert_cmpuint (copy->n_replies, ==, cmd->n_replies);
}

static void
test_command_many_args (void)
{
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_INTEGER, "DEL",
                                                         "1", "2", "3", "4", "5", "6", "7", "8",
                                                         "9", "10", "11", "12", "13", "14", "15",
                                                         "16", "17", "18", "19", "20", NULL);

  g_assert_true (g_str_has_prefix ((const char *) cmd->payload.data, "*21\r\n$3\r\nDEL\r\n"));
  g_assert_cmpuint (cmd->n_replies, ==, 1);
}

static void
test_command_blocking (void)
{
  const gint64 s = G_USEC_PER_SEC;
  struct {
    const char *argv[10];
    gint64 block_us;
  } cases[] = {
    { { "BLPOP", "a", "b", "10", NULL }, 10 * s },
    { { "brpop", "a", "0.5", NULL }, s / 2 },
    { { "BLMOVE", "a", "b", "LEFT", "RIGHT", "2", NULL }, 2 * s },
    { { "BRPOPLPUSH", "a", "b", "3", NULL }, 3 * s },
    { { "BLMPOP", "4", "1", "a", "LEFT", NULL }, 4 * s },
    { { "BZPOPMIN", "z", "1.5", NULL }, 3 * s / 2 },
    { { "BZPOPMAX", "z", "1", NULL }, s },
    { { "BZMPOP", "2", "1", "z", "MIN", NULL }, 2 * s },
    { { "XREAD", "COUNT", "1", "BLOCK", "1500", "STREAMS", "s", "$", NULL }, 3 * s / 2 },
    { { "XREADGROUP", "GROUP", "g", "c", "BLOCK", "250", "STREAMS", "s", ">", NULL }, s / 4 },
    { { "WAIT", "1", "100", NULL }, s / 10 },
    { { "BLPOP", "a", "0", NULL }, DT_REDIS_BLOCK_FOREVER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(DtRedisCommand) cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);

      dt_redis_command_append_strv (cmd, cases[i].argv);
      g_assert_true (cmd->flags & DT_REDIS_COMMAND_FLAG_BLOCKING);
      g_assert_true (cmd->flags & DT_REDIS_COMMAND_FLAG_EXCLUSIVE);
      /* A blocking command leaves the connection as it found it. */
      g_assert_false (cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL);
      g_assert_cmpint (cmd->block_us, ==, cases[i].block_us);
    }

  {
    g_autoptr(DtRedisCommand) forever = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "BLPOP", "a", "0", NULL);
    g_autoptr(DtRedisCommand) ten = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "BLPOP", "a", "10", NULL);
    g_autoptr(DtRedisCommand) xread = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "XREAD", "STREAMS", "BLOCK", "0", NULL);

    /* Block time plus socket timeout: a 10 s BLPOP with 5 s of socket
     * timeout may take 15 s. Forever has no deadline. */
    g_assert_cmpint (dt_redis_command_deadline (ten, 0, 5 * s), ==, 15 * s);
    g_assert_cmpint (dt_redis_command_deadline (forever, 0, 5 * s), ==, 0);
    /* "BLOCK" after STREAMS is a key name, not the option. */
    g_assert_false (xread->flags & DT_REDIS_COMMAND_FLAG_BLOCKING);
  }
}

static void
test_command_exclusive (void)
{
  const char *exclusive[] = { "MULTI", "exec", "WATCH", "SELECT", "AUTH", "SUBSCRIBE",
                              "PSUBSCRIBE", "MONITOR", "UNWATCH", "DISCARD" };
  const char *plain[] = { "GET", "SET", "CLIENT", "PING", "INCR" };

  for (guint i = 0; i < G_N_ELEMENTS (exclusive); i++)
    {
      g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, exclusive[i], "x", NULL);

      g_assert_true (cmd->flags & DT_REDIS_COMMAND_FLAG_EXCLUSIVE);
      g_assert_true (cmd->flags & DT_REDIS_COMMAND_FLAG_STATEFUL);
      g_assert_false (cmd->flags & DT_REDIS_COMMAND_FLAG_BLOCKING);
    }
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    {
      g_autoptr(DtRedisCommand) cmd = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, plain[i], "LIST", NULL);

      g_assert_cmpint (cmd->flags, ==, DT_REDIS_COMMAND_FLAG_NONE);
    }
  {
    g_autoptr(DtRedisCommand) reply_off = dt_redis_command_newv (DT_REDIS_VALUE_REPLY, "CLIENT", "REPLY", "OFF", NULL);

    g_assert_true (reply_off->flags & DT_REDIS_COMMAND_FLAG_EXCLUSIVE);
  }
}

static void
test_command_batch (void)
{
  g_autoptr(DtRedisCommand) cmd = dt_redis_command_new (DT_REDIS_VALUE_REPLY);
  GBytes *args[2];

  dt_redis_command_append_strv (cmd, (const char *[]) { "SET", "a", "1", NULL });
  args[0] = g_bytes_new_static ("GET", 3);
  args[1] = g_bytes_new_static ("a\0b", 3);
  dt_redis_command_append_bytes (cmd, args, 2);
  g_bytes_unref (args[0]);
  g_bytes_unref (args[1]);

  g_assert_cmpuint (cmd->n_replies, ==, 2);
  g_assert_cmpmem (cmd->payload.data, cmd->payload.len,
                   "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$3\r\nGET\r\n$3\r\na\0b\r\n", 49);
}

static DtRedisReply *
reply_from_wire (const char *wire)
{
  g_autoptr(DtRedisRespReader) reader = new_reader ();
  g_autoptr(GError) error = NULL;
  DtRedisReply *reply = NULL;

  g_assert_true (dt_redis_resp_reader_feed (reader, wire, strlen (wire), &error));
  g_assert_true (dt_redis_resp_reader_pop (reader, &reply, &error));
  g_assert_no_error (error);
  g_assert_nonnull (reply);

  return reply;
}

static void
test_value_scalars (void)
{
  g_autoptr(GError) error = NULL;
  DtRedisValue v;
  g_autoptr(DtRedisReply) bulk = reply_from_wire ("$3\r\n1.5\r\n");
  g_autoptr(DtRedisReply) nil = reply_from_wire ("$-1\r\n");
  g_autoptr(DtRedisReply) integer = reply_from_wire (":7\r\n");
  g_autoptr(DtRedisReply) ok = reply_from_wire ("+OK\r\n");
  g_autoptr(DtRedisReply) inf = reply_from_wire ("$4\r\n-inf\r\n");
  g_autoptr(DtRedisReply) word = reply_from_wire ("$3\r\nabc\r\n");

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_BYTES, bulk, &v, &error));
  g_assert_cmpmem (g_bytes_get_data (v.bytes, NULL), g_bytes_get_size (v.bytes), "1.5", 3);
  dt_redis_value_clear (&v);

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_BYTES, nil, &v, &error));
  g_assert_null (v.bytes);
  dt_redis_value_clear (&v);

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_INTEGER, integer, &v, &error));
  g_assert_cmpint (v.integer, ==, 7);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_INTEGER_OR_NIL, nil, &v, &error));
  g_assert_cmpint (v.integer, ==, -1);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_BOOLEAN, integer, &v, &error));
  g_assert_cmpint (v.integer, ==, TRUE);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_OK, ok, &v, &error));
  g_assert_cmpint (v.integer, ==, TRUE);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_OK, nil, &v, &error));
  g_assert_cmpint (v.integer, ==, FALSE);

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_DOUBLE, bulk, &v, &error));
  g_assert_cmpfloat (v.number, ==, 1.5);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_DOUBLE, inf, &v, &error));
  g_assert_cmpfloat (v.number, <, -1e308);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_DOUBLE_OR_NIL, nil, &v, &error));
  g_assert_false (v.found);
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_DOUBLE_OR_NIL, bulk, &v, &error));
  g_assert_true (v.found);
  g_assert_no_error (error);

  g_assert_false (dt_redis_value_from_reply (DT_REDIS_VALUE_DOUBLE, word, &v, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_assert_false (dt_redis_value_from_reply (DT_REDIS_VALUE_INTEGER, bulk, &v, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
}

static void
test_value_errors (void)
{
  g_autoptr(GError) error = NULL;
  DtRedisValue v;
  g_autoptr(DtRedisReply) wrongtype = reply_from_wire ("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  g_autoptr(DtRedisReply) noauth = reply_from_wire ("-NOAUTH Authentication required.\r\n");
  g_autoptr(DtRedisReply) wrongpass = reply_from_wire ("-WRONGPASS invalid username-password pair or user is disabled.\r\n");

  /* Even a caller that wants the raw reply gets a top-level error as GError. */
  g_assert_false (dt_redis_value_from_reply (DT_REDIS_VALUE_REPLY, wrongtype, &v, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_SERVER);
  g_assert_cmpstr (error->message, ==, "WRONGTYPE Operation against a key holding the wrong kind of value");
  g_clear_error (&error);

  g_assert_false (dt_redis_value_from_reply (DT_REDIS_VALUE_BYTES, noauth, &v, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
  g_clear_error (&error);

  g_assert_false (dt_redis_value_from_reply (DT_REDIS_VALUE_OK, wrongpass, &v, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_AUTH);
}

static void
test_value_collections (void)
{
  g_autoptr(GError) error = NULL;
  DtRedisValue v;
  g_autoptr(DtRedisReply) list = reply_from_wire ("*3\r\n$1\r\na\r\n$-1\r\n$2\r\nbc\r\n");
  g_autoptr(DtRedisReply) map = reply_from_wire ("*4\r\n$4\r\nname\r\n$4\r\nJohn\r\n$3\r\nage\r\n$2\r\n30\r\n");
  g_autoptr(DtRedisReply) odd = reply_from_wire ("*1\r\n$4\r\nname\r\n");
  g_autoptr(DtRedisReply) scored = reply_from_wire ("*4\r\n$7\r\nplayer4\r\n$3\r\n300\r\n$7\r\nplayer2\r\n$3\r\n250\r\n");
  g_autoptr(DtRedisReply) nil_array = reply_from_wire ("*-1\r\n");
  const char *key = "name";
  GBytes *value;

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_BYTES_LIST, list, &v, &error));
  g_assert_cmpuint (v.list->len, ==, 3);
  g_assert_cmpmem (g_bytes_get_data (v.list->pdata[0], NULL), 1, "a", 1);
  g_assert_null (v.list->pdata[1]);
  dt_redis_value_clear (&v);

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_BYTES_LIST, nil_array, &v, &error));
  g_assert_null (v.list);

  /* Fields as text, values as bytes (hgetall_bytes) or text (hgetall). */
  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_BYTES_TEXT_MAP, map, &v, &error));
  g_assert_cmpuint (g_hash_table_size (v.map), ==, 2);
  value = g_hash_table_lookup (v.map, key);
  g_assert_nonnull (value);
  g_assert_cmpmem (g_bytes_get_data (value, NULL), g_bytes_get_size (value), "John", 4);
  dt_redis_value_clear (&v);

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_TEXT_MAP, map, &v, &error));
  g_assert_cmpstr (g_hash_table_lookup (v.map, "age"), ==, "30");
  dt_redis_value_clear (&v);

  g_assert_false (dt_redis_value_from_reply (DT_REDIS_VALUE_TEXT_MAP, odd, &v, &error));
  g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_clear_error (&error);

  g_assert_true (dt_redis_value_from_reply (DT_REDIS_VALUE_SCORED_MEMBERS, scored, &v, &error));
  g_assert_cmpuint (v.list->len, ==, 2);
  g_assert_cmpstr (dt_redis_scored_member_get_member (v.list->pdata[1]), ==, "player2");
  g_assert_cmpfloat (dt_redis_scored_member_get_score (v.list->pdata[0]), ==, 300.0);
  g_assert_cmpfloat (dt_redis_scored_member_get_score (v.list->pdata[1]), ==, 250.0);
  dt_redis_value_clear (&v);
  g_assert_null (v.list);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/resp/reader/whole", test_reader_whole);
  g_test_add_func ("/resp/reader/byte-by-byte", test_reader_byte_by_byte);
  g_test_add_func ("/resp/reader/partial", test_reader_partial);
  g_test_add_func ("/resp/reader/large-bulk", test_reader_large_bulk);
  g_test_add_func ("/resp/reader/large-bulk-among-small", test_reader_large_bulk_among_small);
  g_test_add_func ("/resp/reader/bulk-cap-after-header", test_reader_bulk_cap_after_header);
  g_test_add_func ("/resp/reader/garbage", test_reader_garbage);
  g_test_add_func ("/resp/reader/too-deep", test_reader_too_deep);
  g_test_add_func ("/resp/reader/bulk-cap", test_reader_bulk_cap);
  g_test_add_func ("/resp/reader/array-cap", test_reader_array_cap);
  g_test_add_func ("/resp/reader/endless-length", test_reader_endless_length);
  g_test_add_func ("/resp/format/binary", test_format_binary);
  g_test_add_func ("/resp/format/matches-hiredis", test_format_matches_hiredis);
  g_test_add_func ("/command/plain", test_command_plain);
  g_test_add_func ("/command/many-args", test_command_many_args);
  g_test_add_func ("/command/payload-room", test_command_payload_room);
  g_test_add_func ("/command/blocking", test_command_blocking);
  g_test_add_func ("/command/exclusive", test_command_exclusive);
  g_test_add_func ("/command/batch", test_command_batch);
  g_test_add_func ("/value/scalars", test_value_scalars);
  g_test_add_func ("/value/errors", test_value_errors);
  g_test_add_func ("/value/collections", test_value_collections);

  return g_test_run ();
}
