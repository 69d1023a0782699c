"""Inline SVG charts (no script, no CDN): each one an ``<svg role="img">`` with a ``<title>``
and ``<desc>`` that say in words what it shows, for screen readers and for print.

Charts draw shapes only; the numbers a reader needs are printed beside them as marked
numbers (``marks.mark``), so every number on the page can be traced to its mart row.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

STATUS_COLORS = {
    "on_track": "#1a7f37", "at_risk": "#bf8700", "off_track": "#cf222e", "no_data": "#8c959f", "no_target": "#8c959f",
}
CATEGORY_COLORS = ("#0969da", "#8250df", "#1a7f37", "#bf8700", "#cf222e", "#57606a", "#1b7c83", "#a475f9")
_ids = itertools.count(1)


def _svg(width: int, height: int, title: str, desc: str, body: str) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="chart-title-{n} chart-desc-{n}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-title-{n}">{escape(title)}</title><desc id="chart-desc-{n}">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


@dataclass(frozen=True)
class TrendPoint:
    label: str
    value: float | None
    status: str


def trend(points: Sequence[TrendPoint], baseline: float | None, target: float | None, title: str, desc: str,
          width: int = 120, height: int = 30) -> Markup:
    """A sparkline of the review periods: dots coloured by status, the baseline dotted, the target dashed."""
    values = [p.value for p in points if p.value is not None] + [v for v in (baseline, target) if v is not None]
    if not values:
        return _svg(width, height, title, desc, "")
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    pad = 4

    def y(v: float) -> float:
        return round(height - pad - (v - lo) / span * (height - 2 * pad), 1)

    step = (width - 2 * pad) / max(len(points) - 1, 1)
    xs = [round(pad + i * step, 1) for i in range(len(points))]
    body = []
    for value, dash, color in ((baseline, "1,2", "#57606a"), (target, "4,2", "#0969da")):
        if value is not None:
            body.append(f'<line x1="0" x2="{width}" y1="{y(value)}" y2="{y(value)}" stroke="{color}" '
                        f'stroke-dasharray="{dash}" stroke-width="1"/>')
    line = " ".join(f"{x},{y(p.value)}" for x, p in zip(xs, points, strict=True) if p.value is not None)
    if line:
        body.append(f'<polyline points="{line}" fill="none" stroke="#24292f" stroke-width="1"/>')
    for x, p in zip(xs, points, strict=True):
        cy = y(p.value) if p.value is not None else height - pad
        body.append(f'<circle cx="{x}" cy="{cy}" r="2.2" fill="{STATUS_COLORS.get(p.status, "#8c959f")}"/>')
    return _svg(width, height, title, desc, "".join(body))


@dataclass(frozen=True)
class Interval:
    label: str
    low: float | None
    point: float | None
    high: float | None
    significant: bool


def interval(row: Interval, title: str, desc: str, width: int = 110, height: int = 14) -> Markup:
    """One lift with its 95% interval on its own symmetric scale around zero (the zero line in grey)."""
    if row.point is None or row.low is None or row.high is None:
        return _svg(width, height, title, desc, "")
    reach = max(abs(row.low), abs(row.high), abs(row.point)) or 1.0
    mid = width / 2

    def x(v: float) -> float:
        return round(mid + v / reach * (mid - 4), 1)

    color = "#0969da" if row.significant else "#8c959f"
    body = (
        f'<line x1="{mid}" x2="{mid}" y1="0" y2="{height}" stroke="#8c959f" stroke-width="1"/>'
        f'<line x1="{x(row.low)}" x2="{x(row.high)}" y1="{height / 2}" y2="{height / 2}" stroke="{color}" '
        f'stroke-width="2"/>'
        f'<circle cx="{x(row.point)}" cy="{height / 2}" r="3" fill="{color}"/>'
    )
    return _svg(width, height, title, desc, body)


@dataclass(frozen=True)
class Segment:
    category: str
    amount: float


def stacked_bar(segments: Sequence[Segment], scale_max: float, categories: Sequence[str], title: str, desc: str,
                width: int = 150, height: int = 10) -> Markup:
    """One horizontal bar of positive amounts stacked by category, on a scale shared by its siblings."""
    body, x = [], 0.0
    for seg in segments:
        if seg.amount <= 0 or scale_max <= 0:
            continue
        w = seg.amount / scale_max * width
        color = category_color(seg.category, categories)
        body.append(f'<rect x="{round(x, 1)}" y="0" width="{round(w, 1)}" height="{height}" fill="{color}"/>')
        x += w
    return _svg(width, height, title, desc, "".join(body))


def category_color(category: str, categories: Sequence[str]) -> str:
    return CATEGORY_COLORS[list(categories).index(category) % len(CATEGORY_COLORS)] if category in categories \
        else CATEGORY_COLORS[-1]


def swatch(color: str) -> Markup:
    """A small coloured square for a legend (decorative: the legend's text names it)."""
    return Markup(f'<span class="swatch" style="background:{color}" aria-hidden="true"></span>')


def status_dot(status: str) -> Markup:
    """A coloured dot with the status in words beside it for screen readers."""
    color = STATUS_COLORS.get(status, "#8c959f")
    words = status.replace("_", " ")
    return Markup(f'<span class="dot" style="background:{color}" title="{words}"></span>'
                  f'<span class="sr">{words}</span>')
