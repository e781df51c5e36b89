/* bench-dtredis-async.c: GETs through DtRedisAsyncClient on one thread's
 * main loop, keeping exactly --inflight of them outstanding: every
 * completion callback calls _finish and issues the next GET, until N have
 * completed.
 *
 * A warm-up phase (2 x inflight GETs, which also opens the pool's
 * connections) is not timed.
 * The heap the timed phase's first --inflight GETs take before any reply
 * (glibc's mallinfo2() in-use bytes, before and after issuing them,
 * before the main loop runs) divided by their number goes to stderr as
 * "memory: bytes_per_inflight=B": the memory of a command in flight.
 * Prints one line: "ops=N seconds=S ops_per_sec=R", then the pool stats
 * on stderr.
 *
 * Usage: bench-dtredis-async [--host H] [--port P] [-n N] [--inflight K]
 *                            [--key K] [--max-connections M]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtredis.h>

typedef struct
{
  DtRedisAsyncClient *client;
  GMainLoop          *loop;
  const char         *key;
  guint64             target;  /* GETs to complete in this phase */
  guint64             issued;
  guint64             done;
  gboolean            failed;
  double              bytes_per_inflight;
} State;

static void on_get (GObject *source, GAsyncResult *result, gpointer user_data);

static inline void
issue (State *s)
{
  s->issued++;
  dt_redis_async_client_get_async (s->client, s->key, NULL, on_get, s);
}

static void
on_get (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  State *s = user_data;
  GError *error = NULL;
  char *value;

  /* The text GET: the value is ASCII; its UTF-8 check is part of the cost. */
  value = dt_redis_async_client_get_finish (DT_REDIS_ASYNC_CLIENT (source), result, &error);
  if (value == NULL)
    {
      if (!s->failed)
        g_printerr ("bench-dtredis-async: GET %s: %s\n", s->key,
                    error ? error->message : "missing key");
      g_clear_error (&error);
      s->failed = TRUE;
      g_main_loop_quit (s->loop);
      return;
    }
  g_free (value);

  s->done++;
  if (s->failed)
    return;
  if (s->issued < s->target)
    issue (s);
  else if (s->done == s->target)
    g_main_loop_quit (s->loop);
}

static gboolean
on_watchdog (gpointer data)
{
  State *s = data;

  g_printerr ("bench-dtredis-async: no progress, giving up (%" G_GUINT64_FORMAT
              " of %" G_GUINT64_FORMAT " done)\n", s->done, s->target);
  exit (1);
  return G_SOURCE_REMOVE;
}

/* Runs one phase of @n GETs with @inflight outstanding; returns seconds. */
static double
run_phase (State   *s,
           guint64  n,
           guint    inflight)
{
  gint64 t0, t1;
  guint watchdog;
  guint64 i;
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

static void
on_reset (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  State *s = user_data;

  dt_redis_instance_reset_async_pool_finish (DT_REDIS_INSTANCE (source), result, NULL);
  g_main_loop_quit (s->loop);
}

static gboolean
on_reset_timeout (gpointer user_data)
{
  State *s = user_data;

  g_printerr ("bench-dtredis-async: closing the pool took over 10 s\n");
  g_main_loop_quit (s->loop);
  return G_SOURCE_CONTINUE;
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
    { "max-connections", required_argument, NULL, 'm' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  guint port = 6379, inflight = 1000, max_connections = 0;
  guint64 n = 1000000;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  State s = { 0 };
  double seconds = 0;
  guint reset_timeout;
  int opt;

  s.key = "key:000000000000";
  while ((opt = getopt_long (argc, argv, "h:p:n:i:k:m:", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = (guint) atoi (optarg); break;
        case 'n': n = g_ascii_strtoull (optarg, NULL, 10); break;
        case 'i': inflight = (guint) atoi (optarg); break;
        case 'k': s.key = optarg; break;
        case 'm': max_connections = (guint) atoi (optarg); break;
        default:
          g_printerr ("usage: %s [--host H] [--port P] [-n N] [--inflight K] [--key K] [--max-connections M]\n", argv[0]);
          return 2;
        }
    }
  if (inflight < 1 || n < 1)
    {
      g_printerr ("bench-dtredis-async: bad --inflight or -n\n");
      return 2;
    }

  config = dt_redis_config_new ();
  dt_redis_config_set_redis_host (config, host);
  dt_redis_config_set_redis_port (config, port);
  if (max_connections > 0)
    dt_redis_config_set_redis_max_connections (config, max_connections);
  instance = dt_redis_instance_new (config);
  s.client = dt_redis_instance_get_async_redis_client (instance);
  s.loop = g_main_loop_new (NULL, FALSE);

  run_phase (&s, 2 * (guint64) inflight, inflight);  /* warm-up */
  if (!s.failed)
    seconds = run_phase (&s, n, inflight);

  stats = dt_redis_instance_get_async_pool_stats (instance);
  if (stats != NULL)
    g_printerr ("pool: total=%u hits=%" G_GUINT64_FORMAT " misses=%" G_GUINT64_FORMAT
                " waits=%" G_GUINT64_FORMAT "\n",
                (guint) stats->total, (guint64) stats->hits,
                (guint64) stats->misses, (guint64) stats->waits);

  if (!s.failed)
    g_printerr ("memory: bytes_per_inflight=%.1f\n", s.bytes_per_inflight);
  if (!s.failed)
    g_print ("ops=%" G_GUINT64_FORMAT " seconds=%.6f ops_per_sec=%.1f\n",
             n, seconds, n / seconds);

  /* Close the pool's connections before leaving, as a tidy program would
   * (bounded: a hang here must not hang the benchmark run). */
  reset_timeout = g_timeout_add_seconds (10, on_reset_timeout, &s);
  dt_redis_instance_reset_async_pool_async (instance, NULL, on_reset, &s);
  g_main_loop_run (s.loop);
  g_source_remove (reset_timeout);

  g_object_unref (s.client);
  g_main_loop_unref (s.loop);

  if (s.failed)
    return 1;
  return 0;
}
