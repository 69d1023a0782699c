"""Looking at a report page as a person would, headless, for any report test.

``open_page`` loads an HTML file in Debian's Chromium through Playwright (never a browser
download: ``executable_path`` is the system's Chromium), records console errors, page errors
and failed requests, and saves a screenshot. ``marked_numbers`` reads every number's
data-mart / data-column / data-key / data-value; ``check_marks`` compares each with the mart
row it names, and checks the text shown is that value rounded; ``unmarked_numbers`` lists
visible numbers that carry no source.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run"]
# a visible number: digits not glued to a word (p95_latency_ms and 30d are names, not numbers)
NUMBER = re.compile(r"(?<![\w.])[-$<]*\d[\d,]*(\.\d+)?(e-?\d+)?[%k]?(?![\w])")
# JS: every visible text node outside marked numbers (.num), labels ([data-label]) and SVG text alternatives
VISIBLE_UNMARKED_TEXT = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, el = node.parentElement;
    if (!el || el.closest('.num, [data-label], title, desc, style, script, .sr')) continue;
    if (node.textContent.trim()) out.push(node.textContent);
  }
  return out;
}"""
MARKS = """() => Array.from(document.querySelectorAll('[data-mart]')).map(e => ({
  mart: e.dataset.mart, column: e.dataset.column, key: e.dataset.key, value: e.dataset.value,
  format: e.dataset.format, text: e.textContent}))"""


@dataclass
class PageLook:
    """What the headless browser saw."""

    marks: list[dict[str, str]]
    unmarked_text: list[str]
    text: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    screenshot: Path | None = None


def chromium_or_fail() -> str:
    """Debian's Chromium (installed by `make browser`); a missing one fails the test, never skips."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)", pytrace=False)
    return CHROMIUM


@contextmanager
def _browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_or_fail(), headless=True, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(html: Path, screenshot: Path, width: int = 760) -> PageLook:
    """Load the page from disk, wait until it is idle, read it and save a full-page screenshot."""
    with _browser() as browser:
        page = browser.new_page(viewport={"width": width, "height": 1100}, device_scale_factor=2)
        errors: list[str] = []
        failed: list[str] = []
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("requestfailed", lambda req: failed.append(req.url))
        page.on("response", lambda res: failed.append(res.url) if res.status >= 400 else None)
        page.goto(html.resolve().as_uri(), wait_until="networkidle")
        page.screenshot(path=str(screenshot), full_page=True)
        return PageLook(marks=page.evaluate(MARKS), unmarked_text=page.evaluate(VISIBLE_UNMARKED_TEXT),
                        text=page.inner_text("body"), console_errors=errors, failed_requests=failed,
                        screenshot=screenshot)


def unmarked_numbers(look: PageLook) -> list[str]:
    return [m.group(0) for t in look.unmarked_text for m in NUMBER.finditer(t)]


def _shown_number(text: str, fmt: str) -> tuple[float, float, bool]:
    """(number shown in the value's own unit, half a unit of its last digit, shown as an upper bound)."""
    t = text.strip().replace(",", "").replace("$", "")
    bound = t.startswith("<")
    t = t.lstrip("< ")
    scale = 1.0
    if t.endswith("%"):
        t, scale = t[:-1], 0.01
    elif t.endswith("k"):
        t, scale = t[:-1], 1000.0
    decimals = len(t.split(".")[1]) if "." in t else 0
    return float(t) * scale, 0.5 * 10 ** -decimals * scale, bound


def _stored(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


Query = Callable[[str, str, dict[str, str]], list[Any]]


def check_marks(look: PageLook, fetch: Query) -> list[str]:
    """Problems with the marked numbers: each must name one mart row holding data-value, shown rounded."""
    problems = []
    for m in look.marks:
        key = json.loads(m["key"])
        found = fetch(m["mart"], m["column"], key)
        if len(found) != 1:
            problems.append(f"{m['mart']}.{m['column']} {key}: {len(found)} rows")
            continue
        stored = _stored(found[0])
        if stored != m["value"]:
            problems.append(f"{m['mart']}.{m['column']} {key}: page {m['value']!r}, mart {stored!r}")
            continue
        if found[0] is None:
            if m["text"].strip() != "n/a":
                problems.append(f"{m['mart']}.{m['column']} {key}: null shown as {m['text']!r}")
            continue
        shown, half, bound = _shown_number(m["text"], m["format"])
        value = float(found[0])
        ok = value < shown + 1e-12 if bound else math.isclose(shown, value, abs_tol=half * (1 + 1e-9))
        if not ok:
            problems.append(f"{m['mart']}.{m['column']} {key}: shows {m['text']!r} for {value!r}")
    return problems


def save_artifact(path: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(path, folder / path.name))
