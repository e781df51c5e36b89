# bench/bench_memory.py: what a GET costs in memory, beside plain hiredis:
# heap allocations per GET (valgrind's memcheck, the difference between
# two request counts) and the heap a command in flight holds (the async
# programs' "memory:" line), and bench/run's report section on both.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess

from bench_scenarios import MEMORY_RE, MEMORY_TARGET

ALLOC_N = 2000   # GETs in the small run; the large one has 6x as many
# (title, dtredis program, hiredis program, extra arguments)
ALLOC_PROGRAMS = [
    ('sync GET, 1 thread', 'bench-dtredis-sync', 'bench-hiredis-sync', []),
    ('async GET, 1,000 in flight', 'bench-dtredis-async', 'bench-hiredis-async',
     ['--inflight', '1000']),
]
HEAP_RE = re.compile(r'total heap usage: ([\d,]+) allocs')


def heap_allocations(cmd, env):
    """The malloc() calls (calloc and realloc of a new block included) of
    one run of @cmd under memcheck."""
    r = subprocess.run(['valgrind', '--tool=memcheck', '--leak-check=no'] + cmd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    m = HEAP_RE.search(r.stderr)
    if m is None:
        raise RuntimeError('no heap summary from %s' % cmd[0])
    return int(m.group(1).replace(',', ''))


def allocations_per_get(bench_dir, port, key, env=None):
    """{(title, program): allocations per GET}: (allocs(6N) - allocs(N)) / 5N,
    so that set-up and teardown cancel out."""
    env = dict(env or os.environ, G_SLICE='always-malloc')
    out = {}
    for title, ours, theirs, extra in ALLOC_PROGRAMS:
        for program in (ours, theirs):
            totals = [heap_allocations([os.path.join(bench_dir, program), '--port', str(port),
                                        '--key', key, '--requests', str(count)] + extra, env)
                      for count in (ALLOC_N, 6 * ALLOC_N)]
            out[(title, program)] = (totals[1] - totals[0]) / (5 * ALLOC_N)
    return out


def bytes_per_inflight(bench_dir, port, key, depths, env=None):
    """{(depth, program): heap bytes per command in flight}: each async
    program's "memory:" line (mallinfo2() in-use bytes before and after its
    timed phase issues its first @depth GETs, before any reply, divided by
    @depth). GLib 2.74's slice allocator keeps freed GObjects in slabs that
    malloc counts as in use, so an object taken from them would not show:
    G_SLICE=always-malloc makes every one a malloc() that does."""
    env = dict(env or os.environ, G_SLICE='always-malloc')
    out = {}
    for depth in depths:
        for program in ('bench-dtredis-async', 'bench-hiredis-async'):
            r = subprocess.run([os.path.join(bench_dir, program), '--port', str(port), '--key', key,
                                '--inflight', str(depth), '--requests', str(max(2 * depth, 1000))],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, timeout=300)
            m = MEMORY_RE.search(r.stderr)
            if r.returncode != 0 or m is None:
                raise RuntimeError('%s --inflight %d: %s' % (program, depth, r.stderr.strip()[-300:]))
            out[(depth, program)] = float(m.group(1))
    return out


def write_memory_section(L, memory, allocations):
    """The report's section: bytes per command in flight for every async
    scenario that ran, then allocations per GET when they were counted."""
    if not memory and not allocations:
        return
    L.append('## Memory per GET')
    L.append('')
    if memory:
        L.append('Heap per command in flight: glibc\'s `mallinfo2()` in-use bytes before and '
                 'after an async program (`G_SLICE=always-malloc`, so that GLib objects count '
                 'like any other block) issues N GETs at once, before any reply is read, '
                 'divided by N. It holds the request, the command\'s bytes, the result and '
                 'each program\'s share of its output buffer, with malloc\'s own overhead per '
                 'block. One run each, after a warm-up of 2N GETs. Target: at most %d bytes '
                 'for dtredis.' % MEMORY_TARGET)
        L.append('')
        L.append('| GETs in flight | dtredis bytes | plain hiredis bytes | dtredis ÷ hiredis '
                 '| ≤ %d? |' % MEMORY_TARGET)
        L.append('| ---: | ---: | ---: | ---: | :---: |')
        for depth in sorted({d for d, _ in memory}):
            ours = memory.get((depth, 'bench-dtredis-async'))
            theirs = memory.get((depth, 'bench-hiredis-async'))
            L.append('| {:,} | {:.0f} | {:.0f} | {} | {} |'.format(
                depth, ours, theirs, '%.2fx' % (ours / theirs) if theirs else '—',
                'yes' if ours <= MEMORY_TARGET else '**no**'))
        L.append('')
    if allocations:
        L.append('Heap allocations per GET (valgrind memcheck\'s "total heap usage" at %s and '
                 '%s GETs, the difference divided by the difference; `G_SLICE=always-malloc`, '
                 'so GLib\'s slices count as what they are):' % ('{:,}'.format(ALLOC_N),
                                                                 '{:,}'.format(6 * ALLOC_N)))
        L.append('')
        L.append('| scenario | dtredis | plain hiredis |')
        L.append('| --- | ---: | ---: |')
        for title, ours, theirs, _ in ALLOC_PROGRAMS:
            a, b = allocations.get((title, ours)), allocations.get((title, theirs))
            L.append('| %s | %s | %s |' % (title, '—' if a is None else '%.2f' % a,
                                           '—' if b is None else '%.2f' % b))
        L.append('')
