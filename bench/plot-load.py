#!/usr/bin/env python3
"""Draws the simulator's per-second load lines (answered/s, p50, p99) as an SVG chart.

    python3 bench/plot-load.py load-5000.txt docs/img/scan-load-5000.svg "5,000 scans/s"

Reads the lines `Portier.Simulator load` prints after "measured run:" (or all of them when there is
no warm-up), so it needs nothing beyond Python's standard library.
"""
import math
import re
import sys

LINE = re.compile(r"^\s*(\d+)s\s+answered\s+\d+\s+in flight\s+\d+\s+last second:\s+(\d+)/s\s+p50 ([\d.]+)\s+p99 ([\d.]+)")


def read(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    if "measured run:" in lines:
        lines = lines[lines.index("measured run:"):]
    return [(int(m[1]), int(m[2]), float(m[3]), float(m[4])) for m in map(LINE.match, lines) if m]


def nice_top(value):
    """The smallest 4-step axis top at or above the value whose step is 1, 2 or 5 times a power of ten."""
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return step * 4


def chart(points, title):
    width, height, left, right, top, bottom = 760, 360, 60, 60, 40, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    seconds = max(p[0] for p in points)
    top_ms = nice_top(max(10.0, max(p[3] for p in points)))
    top_rate = nice_top(max(p[1] for p in points) * 1.1)
    x = lambda s: left + plot_w * s / seconds
    y_ms = lambda v: top + plot_h * (1 - v / top_ms)
    y_rate = lambda v: top + plot_h * (1 - v / top_rate)
    path = lambda pts: " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(pts))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{left}" y="22" font-size="14">{title}: latency per second (ms, left) and answered per second (right)</text>',
           f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#999"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#999"/>']
    for i in range(5):
        v = top_ms * i / 4
        out.append(f'<text x="{left - 6}" y="{y_ms(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        out.append(f'<line x1="{left}" y1="{y_ms(v):.1f}" x2="{left + plot_w}" y2="{y_ms(v):.1f}" stroke="#eee"/>')
        r = top_rate * i / 4
        out.append(f'<text x="{left + plot_w + 6}" y="{y_rate(r) + 4:.1f}">{r:.0f}</text>')
    for s in range(0, seconds + 1, 10):
        out.append(f'<text x="{x(s):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{s}s</text>')
    out.append(f'<path d="{path([(x(p[0]), y_rate(p[1])) for p in points])}" fill="none" stroke="#9aa5b1" stroke-width="1.5"/>')
    out.append(f'<path d="{path([(x(p[0]), y_ms(p[3])) for p in points])}" fill="none" stroke="#c0392b" stroke-width="2"/>')
    out.append(f'<path d="{path([(x(p[0]), y_ms(p[2])) for p in points])}" fill="none" stroke="#2471a3" stroke-width="2"/>')
    for i, (name, colour) in enumerate([("p50", "#2471a3"), ("p99", "#c0392b"), ("answered/s", "#9aa5b1")]):
        out.append(f'<rect x="{left + 10 + i * 110}" y="{top + 6}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{left + 28 + i * 110}" y="{top + 16}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    points = read(sys.argv[1])
    if not points:
        sys.exit(f"no per-second lines in {sys.argv[1]}")
    open(sys.argv[2], "w", encoding="utf-8").write(chart(points, sys.argv[3]))
