/* bench-pubsub-common.h: the clocks and the result lines the C pub/sub
 * subscribers share, so that they time and report alike
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* CLOCK_MONOTONIC is one clock for every process on the machine: the
 * publisher's timestamps can be subtracted from ours. */
static inline uint64_t
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* The CPU time of the whole process, every thread. */
static inline double
bench_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void
bench_print_throughput (uint64_t ops,
                        double   seconds,
                        double   cpu_seconds)
{
  printf ("ops=%llu seconds=%.6f ops_per_sec=%.1f cpu_seconds=%.6f\n",
          (unsigned long long) ops, seconds, ops / seconds, cpu_seconds);
}

static inline int
bench_compare_u64 (const void *a,
                   const void *b)
{
  uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentiles: the value at or below which p of the samples lie. */
static inline double
bench_percentile_us (const uint64_t *sorted,
                     uint64_t        n,
                     double          p)
{
  uint64_t rank = (uint64_t) (p * n + 0.999999);

  return sorted[(rank < 1 ? 1 : rank) - 1] / 1e3;
}

static inline void
bench_print_latency (uint64_t *samples,
                     uint64_t  n)
{
  qsort (samples, n, sizeof *samples, bench_compare_u64);
  printf ("samples=%llu p50_us=%.1f p99_us=%.1f max_us=%.1f\n",
          (unsigned long long) n, bench_percentile_us (samples, n, 0.50),
          bench_percentile_us (samples, n, 0.99), samples[n - 1] / 1e3);
}
