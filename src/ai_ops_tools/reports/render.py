"""Templates to HTML (Jinja2, autoescaped) and HTML to PDF (headless Chromium's print-to-PDF)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from ai_ops_tools.reports import charts, marks

TEMPLATES = Path(__file__).parent / "templates"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")
# Headless flags that keep Chromium offline and quiet (docs/REPORTS.md).
CHROMIUM_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-default-apps", "--disable-sync",
)


class BrowserMissing(Exception):
    """No Chromium to print the PDF with."""


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    env.globals.update(mark=marks.mark, label=marks.label, fmt=marks.format_value, status_dot=charts.status_dot,
                       swatch=charts.swatch)
    return env


def render_html(template: str, context: Mapping[str, Any]) -> str:
    return environment().get_template(template).render(**context)


def chromium_path() -> str:
    """AI_OPS_CHROMIUM, else the first Chromium on PATH."""
    env = os.environ.get("AI_OPS_CHROMIUM")
    if env:
        return env
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(
        "no Chromium found for the PDF: install Debian's package (`make browser`, i.e. apt-get install chromium) "
        "or set AI_OPS_CHROMIUM to its path"
    )


def print_pdf(html_path: Path, pdf_path: Path, timeout_s: int = 120) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium (page size from the page's CSS @page)."""
    with tempfile.TemporaryDirectory(prefix="ai_ops_chromium_") as profile:
        cmd = [chromium_path(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s, check=False)
    if done.returncode != 0 or not pdf_path.exists():
        raise RuntimeError(f"Chromium could not print {html_path} ({done.returncode}): {done.stderr.strip()[-500:]}")
    return pdf_path
