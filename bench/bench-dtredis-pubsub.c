/* bench-dtredis-pubsub.c: one DtRedisPubSub subscriber receiving what
 * bench-publisher sends to --channel
 *
 * By default messages arrive through a "message" signal handler on a
 * GMainLoop, the way a GNOME program receives them; with --pull the
 * program connects no handler and reads the pull queue with
 * dt_redis_pubsub_next_message() (its queue-limit raised so that nothing is
 * dropped; a drop fails the run).
 *
 *   --mode throughput  receives N messages; times them from the first to
 *                      the last. Prints "ops=N-1 seconds=S ops_per_sec=R
 *                      cpu_seconds=C" (C: this process's CPU time over the
 *                      same span). With --backlog it reads a line from stdin
 *                      between subscribing and receiving, so that the
 *                      publisher is done and the messages wait in the
 *                      server and the socket.
 *   --mode latency     ignores --warmup messages, then takes N samples of
 *                      CLOCK_MONOTONIC at delivery minus the timestamp in
 *                      the payload. Prints "samples=N p50_us=.. p99_us=..
 *                      max_us=..".
 *
 * Prints "subscribed" once the server confirmed the subscription (bench/run
 * starts the publisher then). Every payload is read (its text, as a
 * handler would). Exit status 0 on
 * success; a run with no message for 20 s fails.
 *
 * Usage: bench-dtredis-pubsub [--host H] [--port P] --channel C [-n N]
 *                             [--mode throughput|latency] [--warmup W] [--pull]
 *                             [--backlog]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dtredis.h>

#include "bench-pubsub-common.h"

typedef struct
{
  GMainLoop *loop;
  gboolean   latency;
  guint64    warmup;
  guint64    n;         /* messages to time, or samples to take */
  guint64    received;  /* after the warm-up */
  guint64    seen;      /* in all */
  guint64    last_seen;
  double     t0, t1, cpu0, cpu1;
  guint64   *samples;
  gboolean   failed;
} State;

static void
take (State          *s,
      DtRedisMessage *message)
{
  /* The bytes, as hiredis's subscriber takes them: no UTF-8 check. They
   * end in a NUL, as every reply's do. */
  const char *text = (const char *) dt_redis_message_get_data (message, NULL);
  guint64 now = bench_now_ns ();

  if (text == NULL)
    {
      g_printerr ("bench-dtredis-pubsub: a message without a text payload\n");
      s->failed = TRUE;
      return;
    }
  s->seen++;
  if (s->latency)
    {
      if (s->seen > s->warmup)
        s->samples[s->received++] = now - g_ascii_strtoull (text, NULL, 10);
      return;
    }
  if (s->received == 0)
    {
      s->t0 = now / 1e9;
      s->cpu0 = bench_cpu_seconds ();
    }
  s->received++;
  if (s->received == s->n)
    {
      s->t1 = now / 1e9;
      s->cpu1 = bench_cpu_seconds ();
      if (g_ascii_strtoull (text, NULL, 10) != s->n - 1)
        {
          g_printerr ("bench-dtredis-pubsub: the last message is %s, not number %"
                      G_GUINT64_FORMAT "\n", text, s->n - 1);
          s->failed = TRUE;
        }
    }
}

static gboolean
done (State *s)
{
  return s->failed || s->received == s->n;
}

static void
on_message (DtRedisPubSub  *pubsub,
            DtRedisMessage *message,
            gpointer        user_data)
{
  State *s = user_data;

  take (s, message);
  if (done (s))
    g_main_loop_quit (s->loop);
}

static gboolean
on_watchdog (gpointer data)
{
  State *s = data;

  if (s->seen == s->last_seen)
    {
      g_printerr ("bench-dtredis-pubsub: no message for 20 s, giving up (%" G_GUINT64_FORMAT
                  " of %" G_GUINT64_FORMAT " received)\n", s->received, s->n);
      exit (1);
    }
  s->last_seen = s->seen;
  return G_SOURCE_CONTINUE;
}

static void
pull (State         *s,
      DtRedisPubSub *pubsub)
{
  while (!done (s))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(DtRedisMessage) message = dt_redis_pubsub_next_message (pubsub, 20000, NULL, &error);

      if (message == NULL)
        {
          g_printerr ("bench-dtredis-pubsub: next_message: %s\n",
                      error ? error->message : "no message for 20 s");
          s->failed = TRUE;
          return;
        }
      /* The subscribe confirmation is queued too. */
      if (dt_redis_message_get_kind (message) == DT_REDIS_MESSAGE_KIND_MESSAGE)
        take (s, message);
    }
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
    { "pull", no_argument, NULL, 'q' },
    { "backlog", no_argument, NULL, 'b' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  const char *channel = NULL;
  const char *mode = "throughput";
  guint port = 6379;
  gboolean use_pull = FALSE, backlog = FALSE;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisPubSub) pubsub = NULL;
  g_autoptr(GError) error = NULL;
  State s = { 0 };
  guint watchdog;
  int opt;

  s.n = 200000;
  s.warmup = 100;
  while ((opt = getopt_long (argc, argv, "h:p:c:n:m:w:qb", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = (guint) atoi (optarg); break;
        case 'c': channel = optarg; break;
        case 'n': s.n = g_ascii_strtoull (optarg, NULL, 10); break;
        case 'm': mode = optarg; break;
        case 'w': s.warmup = g_ascii_strtoull (optarg, NULL, 10); break;
        case 'q': use_pull = TRUE; break;
        case 'b': backlog = TRUE; break;
        default:
          g_printerr ("usage: %s [--host H] [--port P] --channel C [-n N] "
                      "[--mode throughput|latency] [--warmup W] [--pull] [--backlog]\n", argv[0]);
          return 2;
        }
    }
  if (channel == NULL || s.n < 2
      || (strcmp (mode, "throughput") != 0 && strcmp (mode, "latency") != 0))
    {
      g_printerr ("bench-dtredis-pubsub: needs --channel, -n >= 2 and --mode throughput or latency\n");
      return 2;
    }
  s.latency = strcmp (mode, "latency") == 0;
  if (!s.latency)
    s.warmup = 0;
  if (s.latency)
    s.samples = g_new (guint64, s.n);

  config = dt_redis_config_new ();
  dt_redis_config_set_redis_host (config, host);
  dt_redis_config_set_redis_port (config, port);
  instance = dt_redis_instance_new (config);
  pubsub = dt_redis_instance_get_pubsub (instance);
  s.loop = g_main_loop_new (NULL, FALSE);

  if (use_pull)
    dt_redis_pubsub_set_queue_limit (pubsub, (guint) MIN (s.n + s.warmup + 16, G_MAXUINT));
  else
    g_signal_connect (pubsub, "message", G_CALLBACK (on_message), &s);

  if (!dt_redis_pubsub_subscribe (pubsub, (const char * const []) { channel, NULL }, NULL, &error))
    {
      g_printerr ("bench-dtredis-pubsub: SUBSCRIBE %s: %s\n", channel, error->message);
      return 1;
    }

  printf ("subscribed\n");
  fflush (stdout);
  if (backlog)
    {
      char line[16];

      /* No iteration of the main context meanwhile: nothing is read. */
      if (fgets (line, sizeof line, stdin) == NULL)
        {
          g_printerr ("bench-dtredis-pubsub: --backlog: stdin closed\n");
          return 1;
        }
    }

  watchdog = g_timeout_add_seconds (20, on_watchdog, &s);
  if (use_pull)
    pull (&s, pubsub);
  else if (!done (&s))  /* what came with the confirmation was delivered already */
    g_main_loop_run (s.loop);
  g_source_remove (watchdog);

  if (use_pull && dt_redis_pubsub_get_dropped (pubsub) > 0)
    {
      g_printerr ("bench-dtredis-pubsub: the pull queue dropped %" G_GUINT64_FORMAT " messages\n",
                  dt_redis_pubsub_get_dropped (pubsub));
      s.failed = TRUE;
    }
  dt_redis_pubsub_close (pubsub);
  g_main_loop_unref (s.loop);

  if (s.failed)
    return 1;
  if (s.latency)
    bench_print_latency (s.samples, s.n);
  else
    bench_print_throughput (s.n - 1, s.t1 - s.t0, s.cpu1 - s.cpu0);
  g_free (s.samples);
  return 0;
}
