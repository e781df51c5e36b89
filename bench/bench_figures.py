# bench/bench_figures.py: bench/run's helpers for figures (rates, ratios
# over paired runs) and the SVG chart of its report.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import html
import math
import statistics

from bench_scenarios import *  # noqa: F401,F403 (the tables and helpers)


def fmt_ops(v):
    return '—' if v is None else '{:,.0f}'.format(v)


def fmt_ratio(v, target=None):
    if v is None:
        return '—'
    if target is not None and abs(v - target) < 0.005:
        return '%.3fx' % v   # 1.00x would hide which side of the target it is
    return '%.2fx' % v


def ran(scenarios, results):
    """The scenarios that ran (all, unless --only left some out)."""
    return [s for s in scenarios if any((s[0], impl) in results for impl, _ in s[2])]


def ratio(a, b):
    return a / b if a and b else None


def paired_ratio(results, name, impl, base):
    """The median over rounds of impl ÷ base measured in the same round:
    steadier than a ratio of medians when the machine's load drifts."""
    pairs = [a / b for a, b in zip(results.get((name, impl), []), results.get((name, base), []))
             if a and b]
    return statistics.median(pairs) if pairs else None


def write_svg(path, results, medians):
    """Two panels, drawn by hand: throughput per program (log scale) and
    dtredis's ratio to its baseline against the target."""
    colours = {'dtredis': '#3584e4', 'dtredis-1conn': '#99c1f1', 'dtredis-pull': '#99c1f1',
               'dtredis-py': '#1c71d8', 'hiredis': '#e66100',
               'redis-py': '#e66100', 'redis-py-hiredis': '#ffa348', 'rb': '#9a9996'}
    width, left, right = 960, 330, 110
    plot_w = width - left - right
    bar_h, gap, group_gap = 16, 3, 16
    y = 60
    body = []

    values = [v for v in medians.values() if v]
    lo = 10 ** math.floor(math.log10(min(values))) if values else 1e3
    hi = 10 ** math.ceil(math.log10(max(values))) if values else 1e6
    if hi <= lo:
        hi = lo * 10

    def x_of(v):
        return left + plot_w * (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    body.append('<text x="%d" y="30" class="h">Throughput, GET/s or msgs/s (log scale; median of runs)</text>' % 10)
    top = y
    for name, title, impls, _ in ran(SCENARIOS, results):
        body.append('<text x="10" y="%d" class="g">%s</text>' % (y + 12, html.escape(title)))
        y += 18
        for impl, label in impls:
            v = medians.get((name, impl))
            body.append('<text x="%d" y="%d" class="l" text-anchor="end">%s</text>'
                        % (left - 8, y + bar_h - 4, html.escape(label)))
            if v:
                body.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                            % (left, y, max(1.0, x_of(v) - left), bar_h, colours[impl]))
                body.append('<text x="%.1f" y="%d" class="v">%s</text>'
                            % (x_of(v) + 5, y + bar_h - 4, fmt_ops(v)))
            else:
                body.append('<text x="%d" y="%d" class="v">failed / not run / not available</text>'
                            % (left + 5, y + bar_h - 4))
            y += bar_h + gap
        y += group_gap
    # log grid
    decade = lo
    while decade <= hi * 1.001:
        x = x_of(decade)
        body.insert(0, '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/>' % (x, top, x, y - group_gap))
        label = '{:,.0f}'.format(decade)
        body.append('<text x="%.1f" y="%d" class="a" text-anchor="middle">%s</text>' % (x, y, label))
        decade *= 10
    y += 40

    # ratio panel
    body.append('<text x="10" y="%d" class="h">dtredis ÷ baseline (dashed line: target)</text>' % y)
    y += 20
    rows = []
    for name, title, impls, target in ran(SCENARIOS, results):
        for i, (impl, base) in enumerate(comparisons(name)):
            rows.append((title if i == 0 else '… %s ÷ %s' % (impl, base),
                         paired_ratio(results, name, impl, base),
                         target_for(target, impl, base)))
    max_r = max([r for _, r, _ in rows if r] + [t for _, _, t in rows if t] + [1.0]) * 1.1

    def rx(v):
        return left + plot_w * v / max_r

    top = y
    for title, r, t in rows:
        body.append('<text x="%d" y="%d" class="l" text-anchor="end">%s</text>'
                    % (left - 8, y + bar_h - 4, html.escape(title)))
        if r:
            colour = '#77767b' if t is None else ('#2ec27e' if r >= t else '#c01c28')
            body.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                        % (left, y, max(1.0, rx(r) - left), bar_h, colour))
            label = fmt_ratio(r, t) + ('' if t is None else '  (target %.1fx)' % t)
            body.append('<text x="%.1f" y="%d" class="v">%s</text>'
                        % (max(rx(r), rx(t) if t else 0) + 6, y + bar_h - 4, label))
        else:
            body.append('<text x="%d" y="%d" class="v">—</text>' % (left + 5, y + bar_h - 4))
        if t:
            body.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="target"/>'
                        % (rx(t), y - 2, rx(t), y + bar_h + 2))
        y += bar_h + gap + 4
    body.insert(0, '<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" class="grid"/>' % (rx(1.0), top - 4, rx(1.0), y))
    body.append('<text x="%.1f" y="%d" class="a" text-anchor="middle">1x</text>' % (rx(1.0), y + 12))
    y += 30

    legend = [('#3584e4', 'dtredis'), ('#e66100', 'plain hiredis / redis-py'),
              ('#ffa348', 'redis-py + hiredis'), ('#9a9996', 'redis-benchmark'), ('#2ec27e', 'target met'), ('#c01c28', 'target missed'),
              ('#77767b', 'no target')]
    x = 10
    for colour, label in legend:
        body.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (x, y - 10, colour))
        body.append('<text x="%d" y="%d" class="l">%s</text>' % (x + 16, y, label))
        x += 30 + 7 * len(label)
    y += 14

    svg = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">'
           % (width, y, width, y),
           '<style>text{font-family:Cantarell,"DejaVu Sans",sans-serif;font-size:12px;fill:#241f31}'
           '.h{font-size:15px;font-weight:bold}.g{font-weight:bold}.v{font-size:11px}'
           '.a{font-size:10px;fill:#5e5c64}.grid{stroke:#deddda;stroke-width:1}'
           '.target{stroke:#241f31;stroke-width:2;stroke-dasharray:3,2}</style>',
           '<rect width="100%" height="100%" fill="#ffffff"/>'] + body + ['</svg>']
    with open(path, 'w') as f:
        f.write('\n'.join(svg) + '\n')
