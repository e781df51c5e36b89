/* bench-hiredis-sync.c: the baseline a C user would write with plain hiredis
 *
 * N blocking GETs in a redisCommand() loop on one thread, or, with
 * --threads T, T threads sharing the N GETs. A hiredis redisContext is not
 * thread-safe, and what a user picks for T threads with plain hiredis is
 * one context per thread (a mutex around one shared context would serialise
 * the round trips and be slower), so that is what this does.
 *
 * With --pipeline P (P > 1) each round trip carries P GETs: P
 * redisAppendCommand() calls, then P redisGetReply() calls, the way plain
 * hiredis pipelines; N counts GETs, not round trips.
 *
 * Prints one line: "ops=N seconds=S ops_per_sec=R". Exit status 0 on
 * success. Connection setup and one warm-up GET per thread are not timed.
 *
 * Usage: bench-hiredis-sync [--host H] [--port P] [-n N] [--threads T] [--key K]
 *                           [--pipeline P]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

typedef struct
{
  const char        *host;
  int                port;
  const char        *key;
  uint64_t           n;
  unsigned           pipeline;
  pthread_barrier_t *start;
  int                failed;
} Worker;

static double
now_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
check_reply (redisContext *c,
             const char   *key,
             redisReply   *reply)
{
  if (reply == NULL)
    {
      fprintf (stderr, "bench-hiredis-sync: GET: %s\n", c->errstr);
      return -1;
    }
  if (reply->type != REDIS_REPLY_STRING)
    {
      fprintf (stderr, "bench-hiredis-sync: GET %s: unexpected reply type %d\n", key, reply->type);
      freeReplyObject (reply);
      return -1;
    }
  freeReplyObject (reply);
  return 0;
}

static int
get_once (redisContext *c,
          const char   *key)
{
  return check_reply (c, key, redisCommand (c, "GET %s", key));
}

/* @count GETs in one round trip. */
static int
get_batch (redisContext *c,
           const char   *key,
           uint64_t      count)
{
  uint64_t k;

  if (count == 1)
    return get_once (c, key);
  for (k = 0; k < count; k++)
    if (redisAppendCommand (c, "GET %s", key) != REDIS_OK)
      {
        fprintf (stderr, "bench-hiredis-sync: redisAppendCommand: %s\n", c->errstr);
        return -1;
      }
  for (k = 0; k < count; k++)
    {
      void *reply = NULL;

      if (redisGetReply (c, &reply) != REDIS_OK)
        reply = NULL;
      if (check_reply (c, key, reply) < 0)
        return -1;
    }
  return 0;
}

static void *
worker_run (void *data)
{
  Worker *w = data;
  struct timeval tv = { 5, 0 };
  redisContext *c = redisConnectWithTimeout (w->host, w->port, tv);
  uint64_t i;

  if (c == NULL || c->err)
    {
      fprintf (stderr, "bench-hiredis-sync: connect: %s\n", c ? c->errstr : "out of memory");
      w->failed = 1;
    }
  else
    {
      redisSetTimeout (c, tv);
      if (get_once (c, w->key) < 0)  /* warm-up, and checks the key exists */
        w->failed = 1;
    }

  pthread_barrier_wait (w->start);
  pthread_barrier_wait (w->start);  /* the main thread reads the clock in between */

  for (i = 0; i < w->n && !w->failed; i += w->pipeline)
    if (get_batch (c, w->key, w->n - i < w->pipeline ? w->n - i : w->pipeline) < 0)
      w->failed = 1;

  if (c != NULL)
    redisFree (c);
  return NULL;
}

int
main (int    argc,
      char **argv)
{
  static const struct option options[] = {
    { "host", required_argument, NULL, 'h' },
    { "port", required_argument, NULL, 'p' },
    { "requests", required_argument, NULL, 'n' },
    { "threads", required_argument, NULL, 't' },
    { "key", required_argument, NULL, 'k' },
    { "pipeline", required_argument, NULL, 'P' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  const char *key = "key:000000000000";
  int port = 6379;
  uint64_t n = 100000;
  unsigned threads = 1, pipeline = 1, i;
  Worker *workers;
  pthread_t *tids;
  pthread_barrier_t start;
  double t0, t1;
  int opt, failed = 0;

  while ((opt = getopt_long (argc, argv, "h:p:n:t:k:P:", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = atoi (optarg); break;
        case 'n': n = strtoull (optarg, NULL, 10); break;
        case 't': threads = (unsigned) atoi (optarg); break;
        case 'k': key = optarg; break;
        case 'P': pipeline = (unsigned) atoi (optarg); break;
        default:
          fprintf (stderr, "usage: %s [--host H] [--port P] [-n N] [--threads T] [--key K] [--pipeline P]\n", argv[0]);
          return 2;
        }
    }
  if (threads < 1 || threads > 256 || n < threads || pipeline < 1)
    {
      fprintf (stderr, "bench-hiredis-sync: bad --threads, --pipeline or -n\n");
      return 2;
    }

  workers = calloc (threads, sizeof *workers);
  tids = calloc (threads, sizeof *tids);
  pthread_barrier_init (&start, NULL, threads + 1);
  for (i = 0; i < threads; i++)
    {
      workers[i].host = host;
      workers[i].port = port;
      workers[i].key = key;
      workers[i].n = n / threads + (i < n % threads ? 1 : 0);
      workers[i].pipeline = pipeline;
      workers[i].start = &start;
      pthread_create (&tids[i], NULL, worker_run, &workers[i]);
    }

  pthread_barrier_wait (&start);  /* all connected and warmed up */
  t0 = now_seconds ();
  pthread_barrier_wait (&start);
  for (i = 0; i < threads; i++)
    {
      pthread_join (tids[i], NULL);
      failed |= workers[i].failed;
    }
  t1 = now_seconds ();

  pthread_barrier_destroy (&start);
  free (workers);
  free (tids);

  if (failed)
    return 1;
  printf ("ops=%llu seconds=%.6f ops_per_sec=%.1f\n",
          (unsigned long long) n, t1 - t0, n / (t1 - t0));
  return 0;
}
