/* test-fuzz-regressions.c: what the fuzzers (fuzz/) and the security
 * review found, replayed, and the seed corpora run through the same code
 * in the ordinary suite (so under valgrind and ASan too)
 *
 * Each case names where it came from. Inputs of fuzz-reply keep their two
 * leading bytes (byte 0: read sizes, byte 1: caps) as the harness reads
 * them; see fuzz/fuzz-reply.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <string.h>

#include "dtredis.h"
#include "dtredis-resp-private.h"
#include "dtredis-url-private.h"

/* The caps fuzz-reply picks with byte 1 (bits 0-1 and 2-3). */
static const gsize bulk_caps[] = { 1024 * 1024, 16, 100, 4096 };
static const guint element_caps[] = { 1000, 3, 16, 100 };

typedef struct
{
  guint     n_replies;
  gboolean  failed;
  GError   *error;
  gsize     fed;      /* bytes fed when it failed, or all of them */
} Outcome;

static void
outcome_clear (Outcome *out)
{
  g_clear_error (&out->error);
}

/* Feeds @wire in reads of @chunk bytes (0: all at once) to a reader with
 * @bulk_cap and @element_cap, popping every reply, until the end or the
 * first error. */
static void
replay (const char *wire,
        gsize       len,
        gsize       chunk,
        gsize       bulk_cap,
        guint       element_cap,
        Outcome    *out)
{
  g_autoptr(DtRedisRespReader) reader = dt_redis_resp_reader_new (bulk_cap, element_cap);
  gsize off = 0;

  memset (out, 0, sizeof *out);
  while (off < len && !out->failed)
    {
      gsize n = chunk == 0 ? len - off : MIN (chunk, len - off);

      g_assert_true (dt_redis_resp_reader_feed (reader, wire + off, n, &out->error));
      off += n;
      for (;;)
        {
          g_autoptr(DtRedisReply) reply = NULL;

          if (!dt_redis_resp_reader_pop (reader, &reply, &out->error))
            {
              out->failed = TRUE;
              break;
            }
          if (reply == NULL)
            break;
          out->n_replies++;
        }
    }
  out->fed = off;
}

/* Replays one fuzz-reply input as the harness reads it (byte 0 = 0: one
 * read; the round-robin read sizes of other values are not reproduced,
 * reads of byte 0 bytes are). */
static void
replay_fuzz_input (const guint8 *data,
                   gsize         size,
                   Outcome      *out)
{
  g_assert_cmpuint (size, >=, 2);
  replay ((const char *) data + 2, size - 2, data[0],
          bulk_caps[data[1] & 3], element_caps[(data[1] >> 2) & 3], out);
}

/* fuzz-reply, first minute of its first run (crash-654f5724...): a bulk
 * string longer than the cap was accepted when it arrived in one read,
 * because the cap was only checked on items still arriving. */
static void
test_bulk_over_cap_in_one_read (void)
{
  static const guint8 input[] = "\x00\x01$20\r\n01234567890123456789\r\n";
  Outcome out;

  replay_fuzz_input (input, sizeof input - 1, &out);
  g_assert_true (out.failed);
  g_assert_error (out.error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_assert_cmpuint (out.n_replies, ==, 0);
  outcome_clear (&out);

  /* In pieces it was already refused; both ways agree now. */
  replay ("$20\r\n01234567890123456789\r\n", 27, 3, 16, 1000, &out);
  g_assert_error (out.error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  outcome_clear (&out);

  /* At the cap exactly it is fine. */
  replay ("$16\r\n0123456789abcdef\r\n", 23, 0, 16, 1000, &out);
  g_assert_false (out.failed);
  g_assert_cmpuint (out.n_replies, ==, 1);
  outcome_clear (&out);
}

/* The same for status and error lines (seed status-over-cap). */
static void
test_status_over_cap_in_one_read (void)
{
  g_autofree char *line = g_strdup_printf ("-%s\r\n", "ERR 0123456789012345678901234567890123456789");
  Outcome out;

  replay (line, strlen (line), 0, 16, 1000, &out);
  g_assert_error (out.error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
  g_assert_cmpuint (out.n_replies, ==, 0);
  outcome_clear (&out);
}

/* Security review of dtredis-resp.c: the check of items still arriving
 * looked for a '\r' where hiredis waits for "\r\n", so a line with a lone
 * '\r' was never refused and a hostile server could make us buffer
 * without bound. */
static void
test_lone_cr_line_is_bounded (void)
{
  static const char * const heads[] = { "+abc\r", "-ERR\r", ":12\r", "$5\r", "*2\r" };

  for (gsize i = 0; i < G_N_ELEMENTS (heads); i++)
    {
      g_autoptr(GString) wire = g_string_new (heads[i]);
      Outcome out;

      for (guint k = 0; k < 8192; k++)
        g_string_append_c (wire, 'x');

      replay (wire->str, wire->len, 64, 1024, 1000, &out);
      g_assert_true (out.failed);
      g_assert_error (out.error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
      /* Refused soon after the cap, not after the whole stream. */
      g_assert_cmpuint (out.fed, <=, 1024 + 2 * 64);
      outcome_clear (&out);
    }

  /* A '\r' inside a line that does end is still fine. */
  {
    Outcome out;

    replay ("+a\rb\r\n", 6, 1, 1024, 1000, &out);
    g_assert_false (out.failed);
    g_assert_cmpuint (out.n_replies, ==, 1);
    outcome_clear (&out);
  }
}

/* hiredis 0.14 reads arrays nested 8 deep and refuses a 9th level; the
 * documented limit (docs/reliability.md) rests on this. */
static void
test_nesting_limit (void)
{
  for (guint depth = 7; depth <= 10; depth++)
    {
      g_autoptr(GString) wire = g_string_new (NULL);
      Outcome out;

      for (guint i = 0; i < depth; i++)
        g_string_append (wire, "*1\r\n");
      g_string_append (wire, ":1\r\n");

      replay (wire->str, wire->len, 0, 1024, 16, &out);
      if (depth <= 8)
        {
          g_assert_false (out.failed);
          g_assert_cmpuint (out.n_replies, ==, 1);
        }
      else
        g_assert_error (out.error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
      outcome_clear (&out);
    }
}

#define SECRET "Zq7-hunter2!pw"

/* Found by test-security: a password with an unescaped '#' (or an '@' in
 * the user name) makes the URL fail to parse, and redacting it for a log
 * line showed the password. */
static void
test_redact_broken_urls (void)
{
  static const char * const urls[] = {
    "redis://:" SECRET "#frag@host:6379/0",
    "redis://:a#" SECRET "@host:6379/0",
    "redis://:a?" SECRET "@host:6379/0",
    "redis://:a/" SECRET "@host:6379/0",
    "redis://u@x:" SECRET "#w@h/0",
    "rediss://user:" SECRET "#@[::1]:6380",
    "unix://:" SECRET "#x@/tmp/redis.sock",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autofree char *redacted = dt_redis_url_redact (urls[i]);
      g_autoptr(DtRedisConfig) config = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", redacted);
      g_assert_null (strstr (redacted, SECRET));
      g_assert_nonnull (strstr (redacted, "***"));

      config = dt_redis_config_new_from_url (urls[i], &error);
      g_assert_null (config);
      g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
      g_assert_null (strstr (error->message, SECRET));
    }

  /* URLs that parse are redacted as before. */
  {
    g_autofree char *redacted = dt_redis_url_redact ("redis://u:" SECRET "@h:6379/0#x@y");

    g_assert_cmpstr (redacted, ==, "redis://u:***@h:6379/0#x@y");
  }
}

static char *
corpus_dir (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "fuzz", "corpus", name, NULL);
}

/* Every seed of fuzz-reply: well-formed replies or a PROTOCOL error. */
static void
test_reply_corpus (void)
{
  g_autofree char *path = corpus_dir ("reply");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;
  guint n = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *data = NULL;
      gsize size = 0;
      Outcome out;

      g_file_get_contents (file, &data, &size, &error);
      g_assert_no_error (error);
      if (size < 2)
        continue;

      replay_fuzz_input ((const guint8 *) data, size, &out);
      if (out.failed)
        g_assert_error (out.error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL);
      outcome_clear (&out);
      n++;
    }

  g_test_message ("%u reply seeds", n);
  g_assert_cmpuint (n, >, 10);
}

/* Every seed of fuzz-url (0x7f stands for a password): a config, or
 * INVALID_CONFIG with a message that does not show the password. */
static void
test_url_corpus (void)
{
  g_autofree char *path = corpus_dir ("url");
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  const char *name;
  guint n = 0, n_ok = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *data = NULL;
      g_auto(GStrv) parts = NULL;
      g_autofree char *url = NULL;
      g_autofree char *redacted = NULL;
      g_autoptr(DtRedisConfig) config = NULL;

      g_file_get_contents (file, &data, NULL, &error);
      g_assert_no_error (error);
      parts = g_strsplit (data, "\x7f", -1);
      url = g_strjoinv (SECRET, parts);

      config = dt_redis_config_new_from_url (url, &error);
      if (config == NULL)
        {
          g_assert_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_INVALID_CONFIG);
          g_assert_null (strstr (error->message, SECRET));
          g_clear_error (&error);
        }
      else
        {
          n_ok++;
          redacted = dt_redis_config_build_redacted_url (config);
          if (g_strcmp0 (dt_redis_config_get_redis_password (config), SECRET) == 0)
            g_assert_null (strstr (redacted, SECRET));
        }
      n++;
    }

  g_test_message ("%u URL seeds, %u valid", n, n_ok);
  g_assert_cmpuint (n_ok, >, 10);
  g_assert_cmpuint (n_ok, <, n);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fuzz-regressions/reply/bulk-over-cap-in-one-read", test_bulk_over_cap_in_one_read);
  g_test_add_func ("/fuzz-regressions/reply/status-over-cap-in-one-read", test_status_over_cap_in_one_read);
  g_test_add_func ("/fuzz-regressions/reply/lone-cr-line-is-bounded", test_lone_cr_line_is_bounded);
  g_test_add_func ("/fuzz-regressions/reply/nesting-limit", test_nesting_limit);
  g_test_add_func ("/fuzz-regressions/url/redact-broken-urls", test_redact_broken_urls);
  g_test_add_func ("/fuzz-regressions/corpus/reply", test_reply_corpus);
  g_test_add_func ("/fuzz-regressions/corpus/url", test_url_corpus);

  return g_test_run ();
}
