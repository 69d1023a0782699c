"""The one metric catalog (seeds/metric_catalog.csv): the contract's keys, one hop to SQL and test, the docs page.

These tests read files only (no warehouse): the catalog, the models' SQL and ymls.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ai_ops_tools import contract, metric_docs

PROJECT = Path(__file__).resolve().parents[1]
CATALOG = PROJECT / "seeds" / "metric_catalog.csv"


def _catalog_rows() -> list[dict[str, str]]:
    with open(CATALOG, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_catalog_holds_every_key_once_with_a_known_bucket_and_grain() -> None:
    """The catalog is the project's declaration of its metric keys (CONTRACT.md section 3 is
    compared with it by hand with the contract checker; no test reads outside the repository)."""
    rows = _catalog_rows()
    keys = [r["metric_key"] for r in rows]
    assert len(keys) == len(set(keys)), "a key is listed twice"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys), keys
    assert {r["bucket"] for r in rows} <= set(contract.BUCKETS)
    for r in rows:
        assert set(r["period_grains"].split(",")) <= {"week", "month"}, r
        assert r["direction"] in ("higher_is_better", "lower_is_better"), r


def test_metric_targets_have_one_row_per_catalog_key_with_its_direction() -> None:
    with open(PROJECT / "seeds" / "metric_targets.csv", encoding="utf-8", newline="") as f:
        targets = {r["metric_key"]: r["direction"] for r in csv.DictReader(f)}
    catalog = {r["metric_key"]: r["direction"] for r in _catalog_rows()}
    assert targets == catalog


def test_every_key_is_one_hop_from_its_sql_and_unit_test() -> None:
    """The model named by the catalog has a CTE `<key> as (` and a unit test expecting rows of the key."""
    traces = metric_docs.trace(PROJECT)
    assert len(traces) == len(_catalog_rows())
    assert metric_docs.problems(traces) == []


def test_one_grep_lands_on_one_cte() -> None:
    """`grep -rn '^<key> as (' models macros` finds exactly the catalog's model."""
    sql = {p: p.read_text(encoding="utf-8") for p in (PROJECT / "models").rglob("*.sql")}
    for row in _catalog_rows():
        hits = [p.stem for p, text in sql.items() if re.search(rf"^{row['metric_key']} as \(", text, re.MULTILINE)]
        assert hits == [row["model"]], f"{row['metric_key']}: CTE found in {hits}, catalog says {row['model']}"


def test_docs_metrics_page_is_current() -> None:
    committed = (PROJECT / metric_docs.DOC_FILE).read_text(encoding="utf-8")
    assert committed == metric_docs.render(metric_docs.trace(PROJECT)), (
        f"{metric_docs.DOC_FILE} is stale: run `ai-ops docs metrics` and commit it"
    )


def test_contract_constants_come_from_the_catalog() -> None:
    rows = _catalog_rows()
    assert tuple(r["metric_key"] for r in rows) == contract.METRIC_KEYS
    assert set(contract.RATE_KEYS) == {r["metric_key"] for r in rows if r["unit"] == "fraction"}
    assert set(contract.NON_NEGATIVE_KEYS) == {
        r["metric_key"] for r in rows if r["unit"] != "fraction" and r["min_value"] == "0"
    }
    assert "data_freshness_minutes" not in contract.NON_NEGATIVE_KEYS  # may be slightly negative
    assert "roi" not in contract.NON_NEGATIVE_KEYS and "roi" not in contract.RATE_KEYS


def test_contract_reads_the_catalog_from_anywhere(tmp_path: Path) -> None:
    """The installed (editable) package finds its project's catalog whatever the working directory."""
    env = {k: v for k, v in os.environ.items() if k != "AI_OPS_PROJECT_DIR"}
    proc = subprocess.run(
        [sys.executable, "-c", "from ai_ops_tools import contract; print(len(contract.METRIC_KEYS), "
                               "contract.catalog_path())"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    count, path = proc.stdout.split()
    assert int(count) == len(_catalog_rows())
    assert Path(path) == CATALOG


def test_contract_says_what_to_do_without_a_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract, "_candidates", lambda: [tmp_path / contract.CATALOG_FILE])
    with pytest.raises(FileNotFoundError, match="AI_OPS_PROJECT_DIR"):
        contract.catalog_path()
