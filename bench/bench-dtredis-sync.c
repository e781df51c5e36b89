/* bench-dtredis-sync.c: blocking GETs through DtRedisClient
 *
 * N dt_redis_client_get() calls in a loop on one thread, or, with
 * --threads T, T threads sharing ONE DtRedisClient (the documented
 * thread-safe way: the client leases a pooled connection per call) and
 * splitting the N GETs between them.
 *
 * With --pipeline P (P > 1) each round trip carries P GETs: one
 * DtRedisPipeline (transaction FALSE), reused, gets P GETs appended and
 * executed; N counts GETs, not round trips. With --bytes the GETs are
 * dt_redis_client_get_bytes() (the value as GBytes, no UTF-8 check): what
 * large binary values use, and what plain hiredis does.
 *
 * Connection setup and one warm-up GET per thread are not timed.
 * Prints one line: "ops=N seconds=S ops_per_sec=R", then the pool stats
 * on stderr.
 *
 * Usage: bench-dtredis-sync [--host H] [--port P] [-n N] [--threads T]
 *                           [--key K] [--max-connections M] [--pipeline P]
 *                           [--bytes]
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <dtredis.h>

typedef struct
{
  DtRedisClient *client;
  const char    *key;
  guint64        n;
  guint          pipeline;
  GThread       *thread;
  gboolean       failed;
} Worker;

/* A two-phase start line: workers check in after warming up, the main
 * thread reads the clock, then releases them. */
static GMutex start_lock;
static GCond  start_cond;
static guint  n_ready;
static gboolean go;

static gboolean use_bytes;

static gboolean
get_once (DtRedisClient *client,
          const char    *key)
{
  g_autoptr(GError) error = NULL;

  if (use_bytes)
    {
      GBytes *bytes = dt_redis_client_get_bytes (client, key, NULL, &error);

      if (bytes == NULL)
        goto failed;
      g_bytes_unref (bytes);
    }
  else
    {
      /* The text GET: the value is ASCII; its UTF-8 check is part of the cost. */
      char *value = dt_redis_client_get (client, key, NULL, &error);

      if (value == NULL)
        goto failed;
      g_free (value);
    }
  return TRUE;

failed:
  g_printerr ("bench-dtredis-sync: GET %s: %s\n", key,
              error ? error->message : "missing key");
  return FALSE;
}

/* @count GETs in one round trip, through @pipeline when there are several. */
static gboolean
get_batch (DtRedisClient   *client,
           DtRedisPipeline *pipeline,
           const char      *key,
           guint64          count)
{
  const char *argv[] = { "GET", key, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  guint64 k;

  if (count == 1)
    return get_once (client, key);
  for (k = 0; k < count; k++)
    dt_redis_pipeline_append (pipeline, argv);
  replies = dt_redis_pipeline_execute (pipeline, NULL, &error);
  if (replies == NULL)
    {
      g_printerr ("bench-dtredis-sync: pipeline: %s\n", error->message);
      return FALSE;
    }
  if (replies->len != count)
    {
      g_printerr ("bench-dtredis-sync: pipeline: %u replies for %" G_GUINT64_FORMAT " GETs\n",
                  replies->len, count);
      return FALSE;
    }
  for (k = 0; k < count; k++)
    if (dt_redis_reply_get_reply_type (g_ptr_array_index (replies, k)) != DT_REDIS_REPLY_STRING)
      {
        g_printerr ("bench-dtredis-sync: pipeline: GET %s: not a string\n", key);
        return FALSE;
      }
  return TRUE;
}

/* The worker's @n GETs, @pipeline_size per round trip. */
static gboolean
get_all (DtRedisClient *client,
         const char    *key,
         guint64        n,
         guint          pipeline_size)
{
  g_autoptr(DtRedisPipeline) pipeline = NULL;
  guint64 i;

  if (pipeline_size > 1)
    pipeline = dt_redis_client_pipeline (client, FALSE);
  for (i = 0; i < n; i += pipeline_size)
    if (!get_batch (client, pipeline, key, MIN (pipeline_size, n - i)))
      return FALSE;
  return TRUE;
}

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  if (!get_once (w->client, w->key))  /* warm-up: opens this thread's connection */
    w->failed = TRUE;

  g_mutex_lock (&start_lock);
  n_ready++;
  g_cond_broadcast (&start_cond);
  while (!go)
    g_cond_wait (&start_cond, &start_lock);
  g_mutex_unlock (&start_lock);

  if (!w->failed && !get_all (w->client, w->key, w->n, w->pipeline))
    w->failed = TRUE;

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
    { "max-connections", required_argument, NULL, 'm' },
    { "pipeline", required_argument, NULL, 'P' },
    { "bytes", no_argument, NULL, 'b' },
    { NULL, 0, NULL, 0 },
  };
  const char *host = "127.0.0.1";
  const char *key = "key:000000000000";
  guint port = 6379, threads = 1, max_connections = 0, pipeline = 1, i;
  guint64 n = 100000;
  g_autoptr(DtRedisConfig) config = NULL;
  g_autoptr(DtRedisInstance) instance = NULL;
  g_autoptr(DtRedisClient) client = NULL;
  g_autoptr(DtRedisPoolStats) stats = NULL;
  Worker *workers;
  gint64 t0, t1;
  gboolean failed = FALSE;
  int opt;

  while ((opt = getopt_long (argc, argv, "h:p:n:t:k:m:P:b", options, NULL)) != -1)
    {
      switch (opt)
        {
        case 'h': host = optarg; break;
        case 'p': port = (guint) atoi (optarg); break;
        case 'n': n = g_ascii_strtoull (optarg, NULL, 10); break;
        case 't': threads = (guint) atoi (optarg); break;
        case 'k': key = optarg; break;
        case 'm': max_connections = (guint) atoi (optarg); break;
        case 'P': pipeline = (guint) atoi (optarg); break;
        case 'b': use_bytes = TRUE; break;
        default:
          g_printerr ("usage: %s [--host H] [--port P] [-n N] [--threads T] [--key K]"
                      " [--max-connections M] [--pipeline P] [--bytes]\n", argv[0]);
          return 2;
        }
    }
  if (threads < 1 || threads > 256 || n < threads || pipeline < 1)
    {
      g_printerr ("bench-dtredis-sync: bad --threads, --pipeline or -n\n");
      return 2;
    }

  config = dt_redis_config_new ();
  dt_redis_config_set_redis_host (config, host);
  dt_redis_config_set_redis_port (config, port);
  if (max_connections > 0)
    dt_redis_config_set_redis_max_connections (config, max_connections);
  instance = dt_redis_instance_new (config);
  client = dt_redis_instance_get_redis_client (instance);

  workers = g_new0 (Worker, threads);
  for (i = 0; i < threads; i++)
    {
      workers[i].client = client;
      workers[i].key = key;
      workers[i].n = n / threads + (i < n % threads ? 1 : 0);
      workers[i].pipeline = pipeline;
    }

  if (threads == 1)
    {
      /* The plain case: no extra thread, the loop runs on the main thread. */
      failed = !get_once (client, key);
      t0 = g_get_monotonic_time ();
      if (!failed)
        failed = !get_all (client, key, n, pipeline);
      t1 = g_get_monotonic_time ();
    }
  else
    {
      for (i = 0; i < threads; i++)
        workers[i].thread = g_thread_new ("bench-worker", worker_run, &workers[i]);

      g_mutex_lock (&start_lock);
      while (n_ready < threads)
        g_cond_wait (&start_cond, &start_lock);
      t0 = g_get_monotonic_time ();
      go = TRUE;
      g_cond_broadcast (&start_cond);
      g_mutex_unlock (&start_lock);

      for (i = 0; i < threads; i++)
        {
          g_thread_join (workers[i].thread);
          failed |= workers[i].failed;
        }
      t1 = g_get_monotonic_time ();
    }

  stats = dt_redis_instance_get_sync_pool_stats (instance);
  if (stats != NULL)
    g_printerr ("pool: total=%u idle=%u hits=%" G_GUINT64_FORMAT " misses=%" G_GUINT64_FORMAT
                " waits=%" G_GUINT64_FORMAT "\n",
                (guint) stats->total, (guint) stats->idle,
                (guint64) stats->hits, (guint64) stats->misses, (guint64) stats->waits);

  g_free (workers);
  if (failed)
    return 1;
  g_print ("ops=%" G_GUINT64_FORMAT " seconds=%.6f ops_per_sec=%.1f\n",
           n, (t1 - t0) / 1e6, n / ((t1 - t0) / 1e6));
  return 0;
}
