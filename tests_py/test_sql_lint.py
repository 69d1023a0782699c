"""SQLFluff (dbt templater) lints every model, snapshot and singular test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def test_sqlfluff_lint_passes(tmp_path: Path) -> None:
    env = {
        **os.environ,
        # The dbt templater compiles through the DuckDB adapter: give it a scratch file and
        # its own target dir so it never touches a real warehouse or a running build.
        "AI_OPS_TARGET": "duckdb",
        "AI_OPS_DUCKDB_PATH": str(tmp_path / "lint.duckdb"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    proc = subprocess.run(
        [str(sqlfluff), "lint", "models", "snapshots", "tests", "analyses", "--processes", "2",
         "--disable-progress-bar", "--nocolor"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=1200,
    )
    assert proc.returncode == 0, f"sqlfluff found problems:\n{proc.stdout[-20000:]}\n{proc.stderr[-5000:]}"
