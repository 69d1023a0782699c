"""scripts/compare_marts.py: the row-by-row comparison that proves a refactoring moved no number."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "compare_marts.py"


@pytest.fixture(scope="module")
def cm() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compare_marts", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(directory: Path, name: str, columns: list[str], rows: list[list[object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.json").write_text(json.dumps({"columns": columns, "rows": rows}))
    return directory


COLUMNS = ["metric_key", "period_start", "value"]
ROWS: list[list[object]] = [["a", "2026-03-02", 0.1 + 0.2], ["b", "2026-03-02", None], ["a", "2026-03-09", 1e6]]


def test_same_rows_in_another_order_within_tolerance_are_identical(cm: ModuleType, tmp_path: Path) -> None:
    before = _write(tmp_path / "before", "ops_metrics", COLUMNS, ROWS)
    # 0.3 differs from 0.1 + 0.2 in the last bit; 1e6 * (1 + 1e-12) is within 1e-9
    after = _write(tmp_path / "after", "ops_metrics", COLUMNS,
                   [ROWS[2][:2] + [1e6 * (1 + 1e-12)], ROWS[1], ["a", "2026-03-02", 0.3]])
    assert cm.compare(before, after, 1e-9) == []


def test_a_moved_value_a_lost_row_and_a_lost_relation_are_reported(cm: ModuleType, tmp_path: Path) -> None:
    before = _write(tmp_path / "before", "ops_metrics", COLUMNS, ROWS)
    _write(before, "roi_monthly", ["month"], [["2026-03-01"]])
    after = _write(tmp_path / "after", "ops_metrics", COLUMNS, [ROWS[0], ROWS[1], ["a", "2026-03-09", 1000010.0]])
    problems = cm.compare(before, after, 1e-9)
    assert problems[0] == "relation only before: roi_monthly"
    assert len(problems) == 2 and problems[1].startswith("ops_metrics.value: 1000000.0 != 1000010.0")
    shorter = _write(tmp_path / "shorter", "ops_metrics", COLUMNS, ROWS[:2])
    assert cm.compare_relation("ops_metrics", json.loads((before / "ops_metrics.json").read_text()),
                               json.loads((shorter / "ops_metrics.json").read_text()), 1e-9) == [
        "ops_metrics: 3 rows before, 2 after"]


def test_a_null_against_a_zero_is_a_difference(cm: ModuleType, tmp_path: Path) -> None:
    before = _write(tmp_path / "before", "t", ["k", "v"], [["x", None]])
    after = _write(tmp_path / "after", "t", ["k", "v"], [["x", 0.0]])
    assert cm.compare(before, after, 1e-9) == ["t.v: None != 0.0 in row ['x', None]"]
