/* bench-hiredis-pubsub.c: the baseline subscriber a C user would write with
 * plain hiredis: SUBSCRIBE, then a blocking redisGetReply() loop
 *
 * Receives what bench-publisher sends to --channel, in the same two modes
 * as bench-dtredis-pubsub, and prints the same lines:
 *
 *   --mode throughput  "ops=N-1 seconds=S ops_per_sec=R cpu_seconds=C",
 *                      timed from the first message to the last; with
 *                      --backlog, a line read from stdin between
 *                      subscribing and receiving
 *   --mode latency     "samples=N p50_us=.. p99_us=.. max_us=.." after
 *                      --warmup messages
 *
 * Prints "subscribed" once SUBSCRIBE is confirmed. Exit status 0 on success; a run with no message for 20 s fails.
 *
 * Usage: bench-hiredis-pubsub [--host H] [--port P] --channel C [-n N]
 *                             [--mode throughput|latency] [--warmup W] [--backlog]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "bench-pubsub-common.h"

/* The payload of a "message" push, or NULL (and a complaint). */
static const char *
payload (redisReply *reply)
{
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3
      || reply->element[0]->type != REDIS_REPLY_STRING
      || strcmp (reply->element[0]->str, "message") != 0
      || reply->element[2]->type != REDIS_REPLY_STRING)
    {
      fprintf (stderr, "bench-hiredis-pubsub: not a message (reply type %d)\n", reply->type);
      return NULL;
    }
  return reply->element[2]->str;
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
    { "warmup", required_argument, NULL, 'w' },
    { "backlog", no_argument, NULL, 'b' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  const char *channel = NULL;
  const char *mode = "throughput";
  int port = 6379, opt, latency, backlog = 0, failed = 0;
  uint64_t n = 200000, warmup = 100, seen = 0, received = 0;
  uint64_t *samples = NULL;
  struct timeval tv = { 20, 0 };
  double t0 = 0, t1 = 0, cpu0 = 0, cpu1 = 0;
  redisContext *c;
  redisReply *reply;

  while ((opt = getopt_long (argc, argv, "h:p:c:n:m:w:b", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = atoi (optarg); break;
        case 'c': channel = optarg; break;
        case 'n': n = strtoull (optarg, NULL, 10); break;
        case 'm': mode = optarg; break;
        case 'w': warmup = strtoull (optarg, NULL, 10); break;
        case 'b': backlog = 1; break;
        default:
          fprintf (stderr, "usage: %s [--host H] [--port P] --channel C [-n N] "
                   "[--mode throughput|latency] [--warmup W] [--backlog]\n", argv[0]);
          return 2;
        }
    }
  if (channel == NULL || n < 2
      || (strcmp (mode, "throughput") != 0 && strcmp (mode, "latency") != 0))
    {
      fprintf (stderr, "bench-hiredis-pubsub: needs --channel, -n >= 2 and --mode throughput or latency\n");
      return 2;
    }
  latency = strcmp (mode, "latency") == 0;
  if (!latency)
    warmup = 0;
  else
    samples = malloc (n * sizeof *samples);

  c = redisConnectWithTimeout (host, port, tv);
  if (c == NULL || c->err)
    {
      fprintf (stderr, "bench-hiredis-pubsub: connect: %s\n", c ? c->errstr : "out of memory");
      return 1;
    }
  /* The read timeout is the watchdog. */
  redisSetTimeout (c, tv);
  reply = redisCommand (c, "SUBSCRIBE %s", channel);
  if (reply == NULL)
    {
      fprintf (stderr, "bench-hiredis-pubsub: SUBSCRIBE: %s\n", c->errstr);
      return 1;
    }
  freeReplyObject (reply);
  printf ("subscribed\n");
  fflush (stdout);
  if (backlog)
    {
      char line[16];

      if (fgets (line, sizeof line, stdin) == NULL)
        {
          fprintf (stderr, "bench-hiredis-pubsub: --backlog: stdin closed\n");
          return 1;
        }
    }

  while (received < n && !failed)
    {
      void *r = NULL;
      const char *text;
      uint64_t now;

      if (redisGetReply (c, &r) != REDIS_OK)
        {
          fprintf (stderr, "bench-hiredis-pubsub: %s (%llu of %llu received)\n", c->errstr,
                   (unsigned long long) received, (unsigned long long) n);
          failed = 1;
          break;
        }
      reply = r;
      text = payload (reply);
      now = bench_now_ns ();
      if (text == NULL)
        failed = 1;
      else if (latency)
        {
          if (++seen > warmup)
            samples[received++] = now - strtoull (text, NULL, 10);
        }
      else
        {
          if (received == 0)
            {
              t0 = now / 1e9;
              cpu0 = bench_cpu_seconds ();
            }
          if (++received == n)
            {
              t1 = now / 1e9;
              cpu1 = bench_cpu_seconds ();
              if (strtoull (text, NULL, 10) != n - 1)
                {
                  fprintf (stderr, "bench-hiredis-pubsub: the last message is %s, not number %llu\n",
                           text, (unsigned long long) (n - 1));
                  failed = 1;
                }
            }
        }
      freeReplyObject (reply);
    }
  redisFree (c);

  if (failed)
    return 1;
  if (latency)
    bench_print_latency (samples, n);
  else
    bench_print_throughput (n - 1, t1 - t0, cpu1 - cpu0);
  free (samples);
  return 0;
}
