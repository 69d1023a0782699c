"""ruff and mypy (strict) are clean on the package and the tests (configuration: pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PATHS = ["src", "tests_py"]


def _run(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name(tool)
    return subprocess.run([str(exe), *args], cwd=PROJECT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    proc = _run("ruff", "check", "--no-cache", "--output-format", "concise", *PATHS)
    assert proc.returncode == 0, f"ruff check {' '.join(PATHS)}:\n{proc.stdout}{proc.stderr}"


def test_mypy_strict_is_clean() -> None:
    proc = _run("mypy", *PATHS)
    assert proc.returncode == 0, f"mypy {' '.join(PATHS)}:\n{proc.stdout}{proc.stderr}"
    assert "no issues found" in proc.stdout
