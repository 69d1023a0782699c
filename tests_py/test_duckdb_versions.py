"""The project publishes the same marts on DuckDB 1.5.x and 2.0.x.

The session's build (conftest.duckdb_project) ran on this venv's DuckDB. The same generated data
(same seed and size) is built again by `ai-ops demo` in the venv of the other DuckDB version
(`.venv-duckdb2` from `.venv`, `.venv` from `.venv-duckdb2`; `make install-duckdb2` creates it), in
its own process. Each side writes its raw tables, marts and incremental chain to Parquet with its
own DuckDB; both are read back by one reader and compared row by row (floats within 1e-9
relative: parallel float sums may differ in the last bits between two builds).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import duckdb
import pytest

from ai_ops_tools.raw_schema import RAW_TABLES
from conftest import PROJECT_DIR, TEST_CONVERSATIONS, TEST_SEED, DbtProject
from helpers_rel import comparable_columns, duckdb_copy
from test_incremental import INCREMENTAL_MODELS, Relation, _sort_key, assert_same_relation

SESSION_SCHEMA = "pytest"
# Written by each side's own DuckDB: every table of the given schemas (or the named relations).
EXPORT_SCRIPT = """
import json, pathlib, sys
import duckdb
db, out, wanted = sys.argv[1], pathlib.Path(sys.argv[2]), json.loads(sys.argv[3])
con = duckdb.connect(db, read_only=True)
rows = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
for schema, name in rows:
    if schema in wanted["schemas"] or name in wanted["relations"]:
        (out / schema).mkdir(parents=True, exist_ok=True)
        target = str(out / schema / (name + ".parquet")).replace("'", "''")
        con.execute(f'copy (select * from "{schema}"."{name}") to \\'{target}\\' (format parquet)')
con.close()
print(duckdb.__version__)
"""


def _other_python() -> Path:
    """The interpreter of the venv with the other DuckDB major version."""
    explicit = os.environ.get("AI_OPS_OTHER_DUCKDB_PYTHON")
    if explicit:
        return Path(explicit)
    venv = ".venv-duckdb2" if duckdb.__version__.startswith("1.") else ".venv"
    return PROJECT_DIR / venv / "bin" / "python"


def _run(python: Path, args: list[str], env: dict[str, str], timeout: int = 1200) -> str:
    proc = subprocess.run([str(python), *args], capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=PROJECT_DIR)
    assert proc.returncode == 0, f"{python} {' '.join(args[:3])} failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-5000:]}"
    return proc.stdout


def _export(python: Path, db: Path, out: Path) -> str:
    """Write raw, marts and the incremental chain of ``db`` to Parquet; returns the writer's version."""
    wanted = {"schemas": ["raw", f"{SESSION_SCHEMA}_marts"], "relations": INCREMENTAL_MODELS}
    return _run(python, ["-c", EXPORT_SCRIPT, str(db), str(out), json.dumps(wanted)], dict(os.environ)).strip()


def _read(export: Path) -> dict[str, Relation]:
    """Every exported relation as (columns, rows sorted as test_incremental sorts them)."""
    con = duckdb.connect(":memory:")
    try:
        out: dict[str, Relation] = {}
        for path in sorted(export.glob("*/*.parquet")):
            # the columns saying when a row was written differ between any two builds: left out
            names = [d[0] for d in con.execute("select * from read_parquet(?) limit 0", [str(path)]).description]
            kept = ", ".join(f'"{n}"' for n in comparable_columns(names))
            rel = con.execute(f"select {kept} from read_parquet(?)", [str(path)])
            columns = [d[0] for d in rel.description]
            out[f"{path.parent.name}.{path.stem}"] = (columns, sorted(rel.fetchall(), key=_sort_key))
        return out
    finally:
        con.close()


def _version(python: Path) -> str:
    return _run(python, ["-c", "import duckdb; print(duckdb.__version__)"], dict(os.environ)).strip()


@pytest.fixture(scope="module")
def other_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The session's data set built by `ai-ops demo` under the other DuckDB version."""
    python = _other_python()
    if not python.exists():
        pytest.fail(f"no interpreter with the other DuckDB version at {python}: run `make install-duckdb2` "
                    "(or set AI_OPS_OTHER_DUCKDB_PYTHON)", pytrace=False)
    workdir = tmp_path_factory.mktemp("other_duckdb")
    db = workdir / "ai_ops.duckdb"
    env = {**os.environ, "AI_OPS_SCHEMA": SESSION_SCHEMA, "AI_OPS_PROJECT_DIR": str(PROJECT_DIR),
           "DBT_TARGET_PATH": str(workdir / "target"), "DBT_LOG_PATH": str(workdir / "logs")}
    # --skip-tests (seed, then run): the data and unit tests on the other version are `make test-duckdb2`'s
    # session build (the same data set, asserted by test_marts_end_to_end); here only the relations count
    _run(python, ["-m", "ai_ops_tools.cli", "demo", "--conversations", str(TEST_CONVERSATIONS), "--seed",
                  str(TEST_SEED), "--duckdb-path", str(db), "--truths", str(workdir / "truths.json"), "--quiet",
                  "--skip-tests"], env)
    return _version(python), db


def test_the_two_builds_ran_on_the_two_tested_versions(other_build: tuple[str, Path]) -> None:
    versions = sorted([duckdb.__version__, other_build[0]])
    assert versions[0].startswith("1.5.") and versions[1].startswith("2.0."), versions


def test_marts_are_identical_on_both_duckdb_versions(duckdb_project: DbtProject, other_build: tuple[str, Path],
                                                      tmp_path: Path) -> None:
    duckdb_project.assert_build_ok()
    assert duckdb_project.schema == SESSION_SCHEMA and duckdb_project.duckdb_path is not None
    session_copy = duckdb_copy(duckdb_project, tmp_path / "session")
    here_version = _export(Path(sys.executable), session_copy, tmp_path / "here")
    other_version = _export(_other_python(), other_build[1], tmp_path / "other")
    assert here_version == duckdb.__version__ and other_version == other_build[0]
    here, other = _read(tmp_path / "here"), _read(tmp_path / "other")

    assert sorted(here) == sorted(other), "the two builds published different relations"
    raw = [name for name in here if name.startswith("raw.")]
    marts = [name for name in here if name.startswith(f"{SESSION_SCHEMA}_marts.")]
    chain = [name for name in here if name.split(".")[1] in INCREMENTAL_MODELS]
    # every raw table (the same input on both sides), every mart, the whole incremental chain
    assert sorted(raw) == sorted(f"raw.{table}" for table in RAW_TABLES), sorted(here)
    assert {"ops_metrics", "experiment_comparison", "roi_monthly"} <= {
        name.split(".")[1] for name in marts}, sorted(here)
    assert len(chain) == len(INCREMENTAL_MODELS)
    rows: dict[str, Any] = {}
    for name in sorted(here):
        assert_same_relation(name, here[name], other[name], f"DuckDB {here_version} vs {other_version}")
        rows[name] = len(here[name][1])
    assert rows[f"{SESSION_SCHEMA}_marts.ops_metrics"] > 1000, rows
