/* dtredis-resp.c: RESP2 parsing through hiredis, and formatting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <hiredis/hiredis.h>
#include <hiredis/read.h>
#include <stdlib.h>
#include <string.h>

#include "dtredis-error.h"
#include "dtredis-reply-private.h"
#include "dtredis-resp-private.h"

struct _DtRedisRespReader
{
  redisReader *reader;
  gsize        max_bulk_len;
  guint        max_elements;
  /* Set when one of our object functions refused a value; hiredis then
   * reports "out of memory", which would be the wrong thing to tell. */
  char        *refusal;
  /* Bytes fed but not yet given to hiredis: see FEED_SLICE. The array is
   * kept between feeds up to UNFED_KEEP bytes (allocating and freeing it
   * per read made malloc consolidate its free lists each time while many
   * small replies were alive). */
  GByteArray  *unfed;
  gsize        unfed_pos;
};

/* How much hiredis gets at a time. It moves its buffer's unread bytes to
 * the front each time a KiB of it was consumed, so one big feed costs
 * time quadratic in its size (a 64 KiB read of small replies moved about
 * 2 MiB); pop() hands a bigger feed over in slices of this size instead,
 * as the replies before them are taken. Handing hiredis the rest of a big
 * bulk string in one piece instead saved a copy but changed the order in
 * which malloc saw the blocks: with a 10 MiB value per GET, glibc then
 * gave the heap back and faulted 20 MiB in again per GET in 5 runs of 6 (plain
 * hiredis: 1 in 6), at half the speed. */
#define FEED_SLICE ((gsize) 4096)
#define UNFED_KEEP ((gsize) 16 * 1024)

/* hiredis frees its buffer when it is empty and has more room than this
 * (16 KiB by default). With a reply of 100 KiB in each command, that freed
 * and grew the buffer again every time, and malloc gave the pages back to
 * the system and faulted them in again: 45 page faults and twice the time
 * per GET of plain hiredis. A buffer is kept up to this size. */
#define READER_KEEP ((gsize) 256 * 1024)

/* Whether feed() kept bytes that hiredis has not had yet. */
static inline gboolean
has_unfed (const DtRedisRespReader *self)
{
  return self->unfed != NULL && self->unfed_pos < self->unfed->len;
}

static DtRedisReplyType
reply_type_from_task (int type)
{
  switch (type)
    {
    case REDIS_REPLY_STATUS:
      return DT_REDIS_REPLY_STATUS;
    case REDIS_REPLY_ERROR:
      return DT_REDIS_REPLY_ERROR;
    case REDIS_REPLY_STRING:
    default:
      return DT_REDIS_REPLY_STRING;
    }
}

/* hiredis builds parents before children and tells each child its index. */
static void *
attach (const redisReadTask *task,
        DtRedisReply        *reply)
{
  if (task->parent != NULL)
    _dt_redis_reply_set_element (task->parent->obj, (guint) task->idx, reply);

  return reply;
}

static DtRedisRespReader *
reader_from_task (const redisReadTask *task)
{
  /* The root task's privdata is the reader's, set by hiredis. */
  return task->privdata;
}

/* A status or error line is never allowed more than a bulk string. */
static gsize
max_line_len (const DtRedisRespReader *self)
{
  return MIN (self->max_bulk_len, DT_REDIS_RESP_MAX_LINE_LEN);
}

static void *
create_string (const redisReadTask *task,
               char                *str,
               size_t               len)
{
  DtRedisRespReader *self = reader_from_task (task);

  /* pending_item_too_long() only sees items that are still arriving; one
   * that came whole in a single read is checked here, so that the cap does
   * not depend on how the stream was split. */
  if (len > (task->type == REDIS_REPLY_STRING ? self->max_bulk_len : max_line_len (self)))
    {
      g_free (self->refusal);
      if (task->type == REDIS_REPLY_STRING)
        self->refusal = g_strdup_printf (_("a bulk string of %lld bytes is more than the limit of %lu"),
                                         (long long) len, (unsigned long) self->max_bulk_len);
      else
        self->refusal = g_strdup_printf (_("a status line longer than %lu bytes"),
                                         (unsigned long) max_line_len (self));
      return NULL;
    }

  return attach (task, _dt_redis_reply_new_text (reply_type_from_task (task->type), str, len));
}

static void *
create_array (const redisReadTask *task,
              int                  n_elements)
{
  DtRedisRespReader *self = reader_from_task (task);

  if (n_elements < 0 || (guint) n_elements > self->max_elements)
    {
      g_free (self->refusal);
      self->refusal = g_strdup_printf (_("an array of %d elements is more than the limit of %u"),
                                       n_elements, self->max_elements);
      return NULL;
    }

  return attach (task, _dt_redis_reply_new_empty_array ((guint) n_elements));
}

static void *
create_integer (const redisReadTask *task,
                long long            value)
{
  return attach (task, dt_redis_reply_new_integer (value));
}

static void *
create_nil (const redisReadTask *task)
{
  return attach (task, dt_redis_reply_new_nil ());
}

static void
free_object (void *obj)
{
  dt_redis_reply_unref (obj);
}

static redisReplyObjectFunctions reply_functions = {
  create_string,
  create_array,
  create_integer,
  create_nil,
  free_object,
};

DtRedisRespReader *
dt_redis_resp_reader_new (gsize max_bulk_len,
                          guint max_elements)
{
  DtRedisRespReader *self = g_new0 (DtRedisRespReader, 1);

  self->reader = redisReaderCreateWithFunctions (&reply_functions);
  if (self->reader == NULL)
    g_error ("hiredis could not allocate a reader");
  self->reader->privdata = self;
  self->reader->maxbuf = READER_KEEP;
  self->max_bulk_len = max_bulk_len;
  self->max_elements = max_elements;

  return self;
}

void
dt_redis_resp_reader_free (DtRedisRespReader *self)
{
  if (self == NULL)
    return;

  redisReaderFree (self->reader);
  g_free (self->refusal);
  g_clear_pointer (&self->unfed, g_byte_array_unref);
  g_free (self);
}

static void
set_protocol_error (DtRedisRespReader  *self,
                    GError            **error)
{
  const char *why = self->refusal != NULL ? self->refusal : self->reader->errstr;

  g_set_error (error, DT_REDIS_ERROR, DT_REDIS_ERROR_PROTOCOL,
               _("The server sent an invalid reply: %s"), why);
}

gboolean
dt_redis_resp_reader_feed (DtRedisRespReader  *self,
                           const char         *data,
                           gsize               len,
                           GError            **error)
{
  if (self->reader->err != 0 || self->refusal != NULL)
    {
      set_protocol_error (self, error);
      return FALSE;
    }

  /* Behind bytes still waiting, or beyond one slice: kept for pop(). */
  if (has_unfed (self) || len > FEED_SLICE)
    {
      gsize now = has_unfed (self) ? 0 : FEED_SLICE;

      if (now > 0 && redisReaderFeed (self->reader, data, now) != REDIS_OK)
        {
          set_protocol_error (self, error);
          return FALSE;
        }
      if (self->unfed == NULL)
        self->unfed = g_byte_array_sized_new (len - now);
      g_byte_array_append (self->unfed, (const guint8 *) data + now, len - now);
      return TRUE;
    }

  if (redisReaderFeed (self->reader, data, len) != REDIS_OK)
    {
      set_protocol_error (self, error);
      return FALSE;
    }

  return TRUE;
}

/* Gives hiredis the next slice of what feed() kept; FALSE when there was
 * none. */
static gboolean
feed_next_slice (DtRedisRespReader *self)
{
  gsize n;

  if (!has_unfed (self))
    return FALSE;

  n = MIN (FEED_SLICE, self->unfed->len - self->unfed_pos);
  /* hiredis refuses a feed only after an error, which pop() reports. */
  redisReaderFeed (self->reader, (const char *) self->unfed->data + self->unfed_pos, n);
  self->unfed_pos += n;
  if (self->unfed_pos == self->unfed->len)
    {
      if (self->unfed->len > UNFED_KEEP)
        g_clear_pointer (&self->unfed, g_byte_array_unref);
      else
        g_byte_array_set_size (self->unfed, 0);
      self->unfed_pos = 0;
    }

  return TRUE;
}

/* Where the line starting at @p ends: hiredis ends lines at "\r\n" only,
 * so a lone '\r' does not end one. */
static const char *
find_line_end (const char *p,
               const char *end)
{
  while (p < end)
    {
      const char *cr = memchr (p, '\r', (gsize) (end - p));

      if (cr == NULL || cr + 1 >= end)
        return NULL;
      if (cr[1] == '\n')
        return cr;
      p = cr + 1;
    }

  return NULL;
}

/* hiredis waits for a whole bulk string before it builds it, buffering as
 * much as the server announces, and for the end of a line however long it
 * gets. Look at the item it is waiting on (its type byte already consumed),
 * so that an oversized one is refused before it is buffered. */
static gboolean
pending_item_too_long (DtRedisRespReader *self)
{
  redisReader *r = self->reader;
  const char *p, *end, *cr;
  gint64 announced;
  int type;

  if (r->ridx < 0 || r->buf == NULL)
    return FALSE;

  type = r->rstack[r->ridx].type;
  if (type < 0)
    return FALSE;

  p = r->buf + r->pos;
  end = r->buf + r->len;
  cr = find_line_end (p, end);

  if (type == REDIS_REPLY_STATUS || type == REDIS_REPLY_ERROR)
    {
      if (cr == NULL && (gsize) (end - p) > max_line_len (self))
        {
          g_free (self->refusal);
          /* Plain C formats: xgettext cannot see through G_GSIZE_FORMAT. */
          self->refusal = g_strdup_printf (_("a status line longer than %lu bytes"),
                                           (unsigned long) max_line_len (self));
          return TRUE;
        }
      return FALSE;
    }

  /* Lengths and integers fit in 20 digits and a sign. */
  if (cr == NULL)
    {
      if ((end - p) > 24)
        {
          g_free (self->refusal);
          self->refusal = g_strdup (_("a length or integer line that does not end"));
          return TRUE;
        }
      return FALSE;
    }

  if (type != REDIS_REPLY_STRING)
    return FALSE;

  announced = g_ascii_strtoll (p, NULL, 10);
  if (announced >= 0 && (guint64) announced > self->max_bulk_len)
    {
      g_free (self->refusal);
      self->refusal = g_strdup_printf (_("a bulk string of %lld bytes is more than the limit of %lu"),
                                       (long long) announced, (unsigned long) self->max_bulk_len);
      return TRUE;
    }

  return FALSE;
}

gboolean
dt_redis_resp_reader_pop (DtRedisRespReader  *self,
                          DtRedisReply      **reply,
                          GError            **error)
{
  void *obj = NULL;

  *reply = NULL;

  do
    {
      if (self->refusal != NULL)
        {
          set_protocol_error (self, error);
          return FALSE;
        }

      if (redisReaderGetReply (self->reader, &obj) != REDIS_OK)
        {
          set_protocol_error (self, error);
          return FALSE;
        }

      if (obj == NULL && pending_item_too_long (self))
        {
          set_protocol_error (self, error);
          return FALSE;
        }
    }
  while (obj == NULL && feed_next_slice (self));

  *reply = obj;

  return TRUE;
}

gboolean
dt_redis_resp_reader_has_buffered (DtRedisRespReader *self)
{
  return self->reader->len > self->reader->pos || has_unfed (self);
}

/* How many decimal digits @value has. */
static inline guint
decimal_width (gsize value)
{
  guint width = 1;

  while (value >= 10)
    {
      value /= 10;
      width++;
    }
  return width;
}

/* Writes @value in decimal at @p, which has room for it; the end. */
static inline guint8 *
put_decimal (guint8 *p,
             gsize   value)
{
  guint8 *end = p + decimal_width (value);

  p = end;
  do
    {
      *--p = (guint8) ('0' + value % 10);
      value /= 10;
    }
  while (value != 0);
  return end;
}

static inline guint8 *
put_crlf (guint8 *p)
{
  p[0] = '\r';
  p[1] = '\n';
  return p + 2;
}

gsize
dt_redis_resp_command_size (guint        argc,
                            const gsize *argvlen)
{
  gsize total = 1 + decimal_width (argc) + 2;

  for (guint i = 0; i < argc; i++)
    {
      if (argvlen[i] > G_MAXUINT - total)
        g_error ("a Redis command of more than %u bytes cannot be formatted", G_MAXUINT);
      total += 1 + decimal_width (argvlen[i]) + 2 + argvlen[i] + 2;
    }
  if (total > G_MAXUINT)
    g_error ("a Redis command of more than %u bytes cannot be formatted", G_MAXUINT);

  return total;
}

/* `*N\r\n`, then `$LEN\r\n`, the bytes and `\r\n` per argument, straight
 * into the caller's memory: no intermediate buffer and no printf family.
 * The bytes are those hiredis's redisFormatCommandArgv() would produce
 * (test-resp checks). */
void
dt_redis_resp_write_command (guint8             *out,
                             guint               argc,
                             const char * const *argv,
                             const gsize        *argvlen,
                             gsize               size)
{
  guint8 *p = out;

  *p++ = '*';
  p = put_crlf (put_decimal (p, argc));
  for (guint i = 0; i < argc; i++)
    {
      *p++ = '$';
      p = put_crlf (put_decimal (p, argvlen[i]));
      if (argvlen[i] > 0)
        memcpy (p, argv[i], argvlen[i]);
      p = put_crlf (p + argvlen[i]);
    }
  g_assert (p == out + size);
}

void
dt_redis_resp_append_command (GByteArray         *out,
                              guint               argc,
                              const char * const *argv,
                              const gsize        *argvlen)
{
  gsize size = dt_redis_resp_command_size (argc, argvlen);
  guint start = out->len;

  if (size > (gsize) (G_MAXUINT - start))
    g_error ("a Redis command of more than %u bytes cannot be formatted", G_MAXUINT);
  g_byte_array_set_size (out, start + (guint) size);
  dt_redis_resp_write_command (out->data + start, argc, argv, argvlen, size);
}
