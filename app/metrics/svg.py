"""Charts as inline SVG, written by hand: no chart library, no JavaScript.

Every chart is an <svg role="img"> named by its <title> and described by its <desc>; every bar or
point carries its own <title> (shown as a tooltip, read by screen readers) and, when there is room,
a printed value. Colours come from classes in metrics.css (the page's CSP forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil, floor, log10

from markupsafe import Markup, escape

WIDTH, HEIGHT = 600, 250
FUNNEL_WIDTH = 1000  # the funnel spans the page: drawn wider so its text keeps its size
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 28, 40
TICKS = 4


def _nice_step(peak: float) -> float:
    """A whole 1-2-5 step so that TICKS steps reach at least peak (counts are whole numbers)."""
    raw = max(peak / TICKS, 1)
    magnitude = 10 ** floor(log10(raw))
    return next(f * magnitude for f in (1, 2, 5, 10) if f * magnitude >= raw)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _open(
    chart_id: str, title: str, desc: str, height: int = HEIGHT, width: int = WIDTH
) -> list[str]:
    return [
        f'<svg class="chart-svg" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _axes(top_value: float, step: float, fmt: str = "{}") -> list[str]:
    """Horizontal grid lines with y-axis labels, 0 to top_value."""
    out, plot = [], HEIGHT - TOP - BOTTOM
    for i in range(TICKS + 1):
        value = step * i
        y = HEIGHT - BOTTOM - plot * value / top_value
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        out.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt.format(_num(value)))}</text>"
        )
    return out


def _x_labels(labels: Sequence[str], slot: float) -> list[str]:
    every = max(1, ceil(len(labels) / 12))
    return [
        f'<text class="axis" x="{LEFT + slot * (i + 0.5):.1f}" y="{HEIGHT - BOTTOM + 16}" '
        f'text-anchor="middle">{escape(label)}</text>'
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def _legend(series: Sequence[tuple[str, str]]) -> list[str]:
    out, x = [], LEFT
    for name, css in series:
        out.append(f'<rect class="{css}" x="{x}" y="8" width="12" height="12" rx="2"/>')
        out.append(f'<text class="legend" x="{x + 17}" y="18">{escape(name)}</text>')
        x += 26 + 8 * len(name)
    return out


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    long_labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[int]]],
) -> Markup:
    """Grouped vertical bars: one group per bucket, one bar per (name, css class, values)."""
    peak = max((v for _, _, values in series for v in values), default=0)
    step = _nice_step(peak)
    top = step * TICKS
    desc = "; ".join(f"{name}: {sum(values)} in all" for name, _, values in series)
    out = _open(chart_id, title, desc) + _axes(top, step)
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    bar = slot * 0.8 / max(len(series), 1)
    plot = HEIGHT - TOP - BOTTOM
    for i, long_label in enumerate(long_labels):
        for j, (name, css, values) in enumerate(series):
            value = values[i]
            h = plot * value / top
            x = LEFT + slot * i + slot * 0.1 + bar * j
            y = HEIGHT - BOTTOM - h
            out.append(
                f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}"><title>{escape(long_label)}: {value} '
                f"{escape(name.lower())}</title></rect>"
            )
            if len(labels) <= 16 and value:
                out.append(
                    f'<text class="value" x="{x + bar / 2:.1f}" y="{y - 4:.1f}" '
                    f'text-anchor="middle">{value}</text>'
                )
    out += _x_labels(labels, slot) + _legend([(name, css) for name, css, _ in series])
    return Markup("\n".join(out + ["</svg>"]))


def rate_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    long_labels: Sequence[str],
    rates: Sequence[float | None],
) -> Markup:
    """A line of percentages (0-100%); buckets without dials leave a gap in the line."""
    known = [r for r in rates if r is not None]
    average = f"{sum(known) / len(known):.0%} on average per bucket" if known else "no dials"
    out = _open(chart_id, title, f"Connect rate per bucket, {average}.")
    out += _axes(100, 25, "{}%")
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    plot = HEIGHT - TOP - BOTTOM
    points: list[tuple[float, float, float, str]] = []
    segments: list[list[str]] = [[]]
    for i, rate in enumerate(rates):
        if rate is None:
            segments.append([])
            continue
        x, y = LEFT + slot * (i + 0.5), HEIGHT - BOTTOM - plot * rate
        segments[-1].append(f"{x:.1f},{y:.1f}")
        points.append((x, y, rate, long_labels[i]))
    out += [f'<polyline class="line" points="{" ".join(s)}"/>' for s in segments if len(s) > 1]
    for x, y, rate, long_label in points:
        out.append(
            f'<circle class="dot" cx="{x:.1f}" cy="{y:.1f}" r="4">'
            f"<title>{escape(long_label)}: {rate:.0%} connect rate</title></circle>"
        )
        if len(labels) <= 16:
            out.append(
                f'<text class="value" x="{x:.1f}" y="{y - 8:.1f}" '
                f'text-anchor="middle">{rate:.0%}</text>'
            )
    out += _x_labels(labels, slot) + _legend([("Connect rate", "line-key")])
    return Markup("\n".join(out + ["</svg>"]))


def funnel_chart(chart_id: str, title: str, stages: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, widest first, each labelled with its count and share of the first."""
    row, label_width = 42, 110
    top = 8
    height = top + row * len(stages) + 8
    first = stages[0][1] if stages else 0
    desc = ", ".join(f"{label} {count}" for label, count in stages)
    out = _open(chart_id, title, desc, height, FUNNEL_WIDTH)
    track = FUNNEL_WIDTH - LEFT - RIGHT - label_width - 230
    for i, (label, count) in enumerate(stages):
        y = top + row * i
        w = track * count / first if first else 0
        share = f"{count / first:.0%} of uncovered" if first else "no names"
        x = LEFT + label_width
        out.append(
            f'<text class="stage" x="{x - 10}" y="{y + 21}" text-anchor="end">'
            f"{escape(label)}</text>"
        )
        out.append(f'<rect class="track" x="{x}" y="{y + 4}" width="{track}" height="26" rx="4"/>')
        out.append(
            f'<rect class="funnel-{i}" x="{x}" y="{y + 4}" width="{w:.1f}" height="26" '
            f'rx="4"><title>{escape(label)}: {count} ({share})</title></rect>'
        )
        out.append(
            f'<text class="stage-value" x="{x + track + 12}" y="{y + 22}">{count} '
            f'<tspan class="axis">· {escape(share)}</tspan></text>'
        )
    return Markup("\n".join(out + ["</svg>"]))
