"""Every number on a report page carries its source, so a reader (or a test) can check it.

``mark`` wraps a formatted value in ``<span class="num" data-mart=... data-column=...
data-key=... data-value=...>``: the relation, the column, a JSON object of the key columns
that pick the row, and the value exactly as stored (``repr`` of a float round-trips the
double; an empty string is a SQL null).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from markupsafe import Markup, escape

NULL_TEXT = "n/a"


def stored_text(value: Any) -> str:
    """The value as stored, as text: floats round-trip, dates ISO, null empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def key_json(key: Mapping[str, Any]) -> str:
    return json.dumps({k: stored_text(v) for k, v in key.items()}, sort_keys=True)


def _grouped(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def fmt_usd(value: float) -> str:
    """Dollars: $1,234 (cents below $100); thousands as $12.3k."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 10_000:
        return f"{sign}${_grouped(v / 1000, 1)}k"
    if v >= 100:
        return f"{sign}${_grouped(v, 0)}"
    if v >= 1 or v == 0:
        return f"{sign}${_grouped(v, 2)}"
    # under a dollar: two significant digits ($0.0066), never a misleading $0.00
    return f"{sign}${v:.{max(2, 1 - math.floor(math.log10(v)))}f}"


def fmt_pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}"


def fmt_count(value: float) -> str:
    return _grouped(value, 0)


def fmt_auto(value: float) -> str:
    """A metric value of unknown unit: 3 significant digits, grouped above 1,000."""
    v = abs(value)
    if v >= 1000:
        return _grouped(value, 0)
    if v >= 10:
        return f"{value:.1f}"
    if v >= 0.01 or v == 0:
        return f"{value:.3f}"
    return f"{value:.5f}"


def fmt_p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


FORMATS: dict[str, Callable[[float], str]] = {
    "usd": fmt_usd, "pct": fmt_pct, "ratio": fmt_ratio, "count": fmt_count, "auto": fmt_auto, "p": fmt_p,
}


def format_value(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NULL_TEXT
    return FORMATS[kind](float(value))


def mark(mart: str, column: str, key: Mapping[str, Any], value: Any, kind: str = "auto",
         text: str | None = None) -> Markup:
    """A number on the page with its source; ``text`` overrides the formatted value."""
    shown = text if text is not None else format_value(value, kind)
    return Markup(
        '<span class="num" data-mart="{}" data-column="{}" data-key="{}" data-value="{}" data-format="{}">{}</span>'
    ).format(mart, column, key_json(key), stored_text(value), kind, escape(shown))


def label(text: str) -> Markup:
    """Text with digits that is not a number from a mart (a month, a date): marked as a label."""
    return Markup('<span class="label" data-label="true">{}</span>').format(text)
