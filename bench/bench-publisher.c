/* bench-publisher.c: the one publisher of the pub/sub scenarios, plain
 * hiredis, the same for every subscriber measured
 *
 * Waits until exactly one client is subscribed to --channel (PUBSUB
 * NUMSUB; bench/run also starts it only once the subscriber said it is
 * subscribed), then publishes N messages of --size bytes:
 *
 *   --mode throughput  as fast as it can: batches of --batch PUBLISHes
 *                      written in one go (redisAppendCommand), then their
 *                      replies read. Payload: the message's sequence number.
 *   --mode latency     --warmup + N PUBLISHes one at a time, one every
 *                      --interval-us on an absolute clock; the payload is
 *                      CLOCK_MONOTONIC in nanoseconds, read just before the
 *                      PUBLISH is written, for the subscriber to subtract.
 *
 * Every PUBLISH must report one receiver: a subscriber that left fails the
 * run instead of leaving it waiting. Payloads are 20 decimal digits padded
 * with 'x'. Prints one line: "ops=N seconds=S ops_per_sec=R" (the
 * publishing rate, replies included). Exit status 0 on success.
 *
 * Usage: bench-publisher [--host H] [--port P] --channel C [-n N]
 *                        [--mode throughput|latency] [--size BYTES]
 *                        [--batch B] [--warmup W] [--interval-us U]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#define DIGITS 20

static uint64_t
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void
fill_payload (char     *buf,
              size_t    size,
              uint64_t  value)
{
  char digits[DIGITS + 1];

  snprintf (digits, sizeof digits, "%0*llu", DIGITS, (unsigned long long) value);
  memset (buf, 'x', size);
  memcpy (buf, digits, size < DIGITS ? size : DIGITS);
}

/* One reply to a PUBLISH: it must have reached our one subscriber. */
static int
check_publish (redisContext *c,
               redisReply   *reply)
{
  int ok;

  if (reply == NULL)
    {
      fprintf (stderr, "bench-publisher: PUBLISH: %s\n", c->errstr);
      return -1;
    }
  ok = reply->type == REDIS_REPLY_INTEGER && reply->integer == 1;
  if (!ok)
    fprintf (stderr, "bench-publisher: PUBLISH reached %lld subscribers, not 1\n",
             reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1LL);
  freeReplyObject (reply);
  return ok ? 0 : -1;
}

static int
wait_for_subscriber (redisContext *c,
                     const char   *channel)
{
  uint64_t deadline = now_ns () + 60 * 1000000000ull;

  while (now_ns () < deadline)
    {
      redisReply *reply = redisCommand (c, "PUBSUB NUMSUB %s", channel);
      long long subscribers = -1;

      if (reply == NULL)
        {
          fprintf (stderr, "bench-publisher: PUBSUB NUMSUB: %s\n", c->errstr);
          return -1;
        }
      if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 2
          && reply->element[1]->type == REDIS_REPLY_INTEGER)
        subscribers = reply->element[1]->integer;
      freeReplyObject (reply);
      if (subscribers == 1)
        return 0;
      if (subscribers > 1)
        {
          fprintf (stderr, "bench-publisher: %lld subscribers to %s, not 1\n", subscribers, channel);
          return -1;
        }
      nanosleep (&(struct timespec) { 0, 5 * 1000 * 1000 }, NULL);
    }
  fprintf (stderr, "bench-publisher: nobody subscribed to %s within 60 s\n", channel);
  return -1;
}

static int
publish_throughput (redisContext *c,
                    const char   *channel,
                    uint64_t      n,
                    size_t        size,
                    unsigned      batch)
{
  char *buf = malloc (size);
  uint64_t sent = 0;
  int failed = 0;

  while (sent < n && !failed)
    {
      unsigned k = (n - sent < batch) ? (unsigned) (n - sent) : batch;
      unsigned i;

      for (i = 0; i < k; i++)
        {
          fill_payload (buf, size, sent + i);
          redisAppendCommand (c, "PUBLISH %s %b", channel, buf, size);
        }
      for (i = 0; i < k && !failed; i++)
        {
          void *reply = NULL;

          if (redisGetReply (c, &reply) != REDIS_OK)
            reply = NULL;
          failed = check_publish (c, reply) < 0;
        }
      sent += k;
    }
  free (buf);
  return failed ? -1 : 0;
}

static int
publish_latency (redisContext *c,
                 const char   *channel,
                 uint64_t      n,
                 size_t        size,
                 unsigned      interval_us)
{
  char *buf = malloc (size);
  struct timespec next;
  uint64_t i;
  int failed = 0;

  clock_gettime (CLOCK_MONOTONIC, &next);
  for (i = 0; i < n && !failed; i++)
    {
      fill_payload (buf, size, now_ns ());
      failed = check_publish (c, redisCommand (c, "PUBLISH %s %b", channel, buf, size)) < 0;

      next.tv_nsec += (long) interval_us * 1000;
      while (next.tv_nsec >= 1000000000)
        {
          next.tv_nsec -= 1000000000;
          next.tv_sec++;
        }
      while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
        ;
    }
  free (buf);
  return failed ? -1 : 0;
}

int
main (int    argc,
      char **argv)
{
  static const struct option options[] = {
    { "host", required_argument, NULL, 'h' },
    { "port", required_argument, NULL, 'p' },
    { "channel", required_argument, NULL, 'c' },
    { "requests", required_argument, NULL, 'n' },
    { "mode", required_argument, NULL, 'm' },
    { "size", required_argument, NULL, 's' },
    { "batch", required_argument, NULL, 'b' },
    { "warmup", required_argument, NULL, 'w' },
    { "interval-us", required_argument, NULL, 'i' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  const char *channel = NULL;
  const char *mode = "throughput";
  int port = 6379;
  uint64_t n = 200000, warmup = 100, total;
  size_t size = 32;
  unsigned batch = 1000, interval_us = 1000;
  struct timeval tv = { 60, 0 };
  redisContext *c;
  double t0, t1;
  int opt, failed;

  while ((opt = getopt_long (argc, argv, "h:p:c:n:m:s:b:w:i:", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = atoi (optarg); break;
        case 'c': channel = optarg; break;
        case 'n': n = strtoull (optarg, NULL, 10); break;
        case 'm': mode = optarg; break;
        case 's': size = strtoul (optarg, NULL, 10); break;
        case 'b': batch = (unsigned) atoi (optarg); break;
        case 'w': warmup = strtoull (optarg, NULL, 10); break;
        case 'i': interval_us = (unsigned) atoi (optarg); break;
        default:
          fprintf (stderr, "usage: %s [--host H] [--port P] --channel C [-n N] "
                   "[--mode throughput|latency] [--size BYTES] [--batch B] "
                   "[--warmup W] [--interval-us U]\n", argv[0]);
          return 2;
        }
    }
  if (channel == NULL || n < 1 || size < DIGITS || batch < 1
      || (strcmp (mode, "throughput") != 0 && strcmp (mode, "latency") != 0))
    {
      fprintf (stderr, "bench-publisher: needs --channel, -n >= 1, --size >= %d, "
               "--batch >= 1 and --mode throughput or latency\n", DIGITS);
      return 2;
    }

  c = redisConnectWithTimeout (host, port, tv);
  if (c == NULL || c->err)
    {
      fprintf (stderr, "bench-publisher: connect: %s\n", c ? c->errstr : "out of memory");
      return 1;
    }
  redisSetTimeout (c, tv);
  if (wait_for_subscriber (c, channel) < 0)
    {
      redisFree (c);
      return 1;
    }

  total = strcmp (mode, "latency") == 0 ? warmup + n : n;
  t0 = now_ns () / 1e9;
  if (strcmp (mode, "latency") == 0)
    failed = publish_latency (c, channel, total, size, interval_us) < 0;
  else
    failed = publish_throughput (c, channel, total, size, batch) < 0;
  t1 = now_ns () / 1e9;
  redisFree (c);

  if (failed)
    return 1;
  printf ("ops=%llu seconds=%.6f ops_per_sec=%.1f\n",
          (unsigned long long) total, t1 - t0, total / (t1 - t0));
  return 0;
}
