/* bench-hiredis-async.c: the async baseline a GLib user would write with
 * plain hiredis: one redisAsyncContext attached to the default
 * GMainContext through hiredis's own adapters/glib.h (redis_source_new()
 * in hiredis 0.14.1), keeping exactly --inflight GETs outstanding: every
 * reply callback issues the next GET until N have completed.
 *
 * A warm-up phase (connect, then 2 x inflight GETs) is not timed.
 * The heap the timed phase's first --inflight GETs take before any reply
 * (glibc's mallinfo2() in-use bytes, before and after issuing them,
 * before the main loop runs) divided by their number goes to stderr as
 * "memory: bytes_per_inflight=B": the memory of a command in flight.
 * Prints one line: "ops=N seconds=S ops_per_sec=R".
 *
 * Usage: bench-hiredis-async [--host H] [--port P] [-n N] [--inflight K] [--key K]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <getopt.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <glib.h>
#include <hiredis/hiredis.h>
#include <hiredis/async.h>
#include <hiredis/adapters/glib.h>

typedef struct
{
  redisAsyncContext *ac;
  GMainLoop         *loop;
  const char        *key;
  uint64_t           target;   /* GETs to complete in this phase */
  uint64_t           issued;
  uint64_t           done;
  int                failed;
  double             bytes_per_inflight;
} State;

static void on_get (redisAsyncContext *ac, void *r, void *privdata);

static void
issue (State *s)
{
  s->issued++;
  if (redisAsyncCommand (s->ac, on_get, s, "GET %s", s->key) != REDIS_OK)
    {
      fprintf (stderr, "bench-hiredis-async: redisAsyncCommand: %s\n", s->ac->errstr);
      s->failed = 1;
      g_main_loop_quit (s->loop);
    }
}

static void
on_get (redisAsyncContext *ac,
        void              *r,
        void              *privdata)
{
  State *s = privdata;
  redisReply *reply = r;

  if (s->failed)
    return;
  if (reply == NULL || reply->type != REDIS_REPLY_STRING)
    {
      fprintf (stderr, "bench-hiredis-async: GET failed: %s\n",
               reply == NULL ? ac->errstr : "unexpected reply type");
      s->failed = 1;
      g_main_loop_quit (s->loop);
      return;
    }
  s->done++;
  if (s->issued < s->target)
    issue (s);
  else if (s->done == s->target)
    g_main_loop_quit (s->loop);
}

static void
on_connect (const redisAsyncContext *ac,
            int                      status)
{
  if (status != REDIS_OK)
    {
      fprintf (stderr, "bench-hiredis-async: connect: %s\n", ac->errstr);
      exit (1);
    }
}

static gboolean
on_watchdog (gpointer data)
{
  State *s = data;

  fprintf (stderr, "bench-hiredis-async: no progress, giving up (%llu of %llu done)\n",
           (unsigned long long) s->done, (unsigned long long) s->target);
  exit (1);
  return G_SOURCE_REMOVE;
}

/* Runs one phase of @n GETs with @inflight outstanding; returns seconds. */
static double
run_phase (State    *s,
           uint64_t  n,
           unsigned  inflight)
{
  gint64 t0, t1;
  guint watchdog;
  uint64_t i;
  size_t heap;

  s->target = n;
  s->issued = s->done = 0;
  watchdog = g_timeout_add_seconds (120, on_watchdog, s);

  t0 = g_get_monotonic_time ();
  heap = mallinfo2 ().uordblks;
  for (i = 0; i < inflight && i < n; i++)
    issue (s);
  s->bytes_per_inflight = ((double) mallinfo2 ().uordblks - (double) heap) / (double) i;
  g_main_loop_run (s->loop);
  t1 = g_get_monotonic_time ();

  g_source_remove (watchdog);
  return (t1 - t0) / 1e6;
}

int
main (int    argc,
      char **argv)
{
  static const struct option options[] = {
    { "host", required_argument, NULL, 'h' },
    { "port", required_argument, NULL, 'p' },
    { "requests", required_argument, NULL, 'n' },
    { "inflight", required_argument, NULL, 'i' },
    { "key", required_argument, NULL, 'k' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  State s = { 0 };
  GSource *source;
  int port = 6379, opt;
  uint64_t n = 1000000;
  unsigned inflight = 1000;
  double seconds = 0;

  s.key = "key:000000000000";
  while ((opt = getopt_long (argc, argv, "h:p:n:i:k:", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = atoi (optarg); break;
        case 'n': n = strtoull (optarg, NULL, 10); break;
        case 'i': inflight = (unsigned) atoi (optarg); break;
        case 'k': s.key = optarg; break;
        default:
          fprintf (stderr, "usage: %s [--host H] [--port P] [-n N] [--inflight K] [--key K]\n", argv[0]);
          return 2;
        }
    }
  if (inflight < 1 || n < 1)
    {
      fprintf (stderr, "bench-hiredis-async: bad --inflight or -n\n");
      return 2;
    }

  s.loop = g_main_loop_new (NULL, FALSE);
  s.ac = redisAsyncConnect (host, port);
  if (s.ac == NULL || s.ac->err)
    {
      fprintf (stderr, "bench-hiredis-async: connect: %s\n", s.ac ? s.ac->errstr : "out of memory");
      return 1;
    }
  redisAsyncSetConnectCallback (s.ac, on_connect);
  source = redis_source_new (s.ac);
  g_source_attach (source, NULL);

  run_phase (&s, 2 * (uint64_t) inflight, inflight);  /* warm-up */
  if (!s.failed)
    seconds = run_phase (&s, n, inflight);

  redisAsyncFree (s.ac);
  g_source_destroy (source);
  g_source_unref (source);
  g_main_loop_unref (s.loop);

  if (s.failed)
    return 1;
  fprintf (stderr, "memory: bytes_per_inflight=%.1f\n", s.bytes_per_inflight);
  printf ("ops=%llu seconds=%.6f ops_per_sec=%.1f\n",
          (unsigned long long) n, seconds, n / seconds);
  return 0;
}
