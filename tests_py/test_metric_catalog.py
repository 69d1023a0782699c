"""The one metric catalog (seeds/metric_catalog.csv): the contract's keys, one hop to SQL and test, the docs page.

These tests read files only (no warehouse): the catalog, the models' SQL and ymls, CONTRACT.md.
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
# ../shared beside the checkout (the main checkout), or ../../shared (a worktree under wt/)
CONTRACT_MD = next((p for p in (PROJECT.parent / "shared" / "CONTRACT.md", PROJECT.parents[1] / "shared" / "CONTRACT.md")
                    if p.exists()), PROJECT.parent / "shared" / "CONTRACT.md")
CATALOG = PROJECT / "seeds" / "metric_catalog.csv"


def _catalog_rows() -> list[dict[str, str]]:
    with open(CATALOG, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _contract_keys() -> tuple[set[str], set[str]]:
    """(version-1 keys, version-2 keys) of the metric tables of CONTRACT.md section 3."""
    if not CONTRACT_MD.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CONTRACT_MD} is missing: CI must run beside ../shared")
        pytest.skip(f"{CONTRACT_MD} not found (outside CI)")
    text = CONTRACT_MD.read_text(encoding="utf-8")
    v1_part = text[text.index("Required metric keys and their formulas"):text.index("Keys added in version 2")]
    v2_part = text[text.index("Keys added in version 2"):text.index("### experiment_comparison")]
    row = re.compile(r"^\| ([a-z0-9_]+)(?: \[[a-z_]+\])? \|", re.MULTILINE)
    v1 = set(row.findall(v1_part)) - {"metric_key"}
    v2 = set(row.findall(v2_part)) - {"metric_key"}
    assert len(v1) == 32, f"expected the 32 version-1 keys in CONTRACT.md, parsed {len(v1)}"
    return v1, v2


def test_catalog_holds_every_contract_key_once() -> None:
    v1, v2 = _contract_keys()
    keys = [r["metric_key"] for r in _catalog_rows()]
    assert len(keys) == len(set(keys)), "a key is listed twice"
    assert v1 <= set(keys), f"contract keys missing from the catalog: {sorted(v1 - set(keys))}"
    assert set(keys) <= v1 | v2, f"catalog keys not in CONTRACT.md: {sorted(set(keys) - v1 - v2)}"


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
    assert contract.METRIC_KEYS == tuple(r["metric_key"] for r in rows)
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
