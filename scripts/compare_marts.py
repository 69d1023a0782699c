"""Snapshot every mart of a demo build, and compare two snapshots row by row.

A refactoring that must not move the numbers is checked like this (on DuckDB and
Postgres):

    python scripts/compare_marts.py snapshot --project OLD_CHECKOUT --target duckdb --out before
    python scripts/compare_marts.py snapshot --project .            --target duckdb --out after
    python scripts/compare_marts.py compare before after

``snapshot`` generates the demo data (seed 42, 800 conversations unless told),
loads it into a fresh DuckDB file or Postgres schema, runs ``dbt seed`` and
``dbt build`` of the given project, and writes every relation of the marts
schema to ``OUT/<relation>.json``. ``compare`` matches rows after sorting and
accepts floats within a relative tolerance (1e-9 by default); it exits 1 and
prints the first differences when a relation, column or row differs.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import tempfile
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ai_ops_tools import loader
from ai_ops_tools.dbt_run import run_dbt
from ai_ops_tools.generator import GenConfig, generate

Row = list[Any]
# When the run that wrote a row started (docs/INCREMENTAL.md): differs between any two builds,
# so snapshots leave it out.
WRITE_TIME_COLUMNS = {"processed_at", "max_processed_at", "inputs_max_processed_at"}


def _without_write_times(columns: list[str], rows: list[Row]) -> tuple[list[str], list[Row]]:
    keep = [i for i, c in enumerate(columns) if c not in WRITE_TIME_COLUMNS]
    return [columns[i] for i in keep], [[row[i] for i in keep] for row in rows]


def _plain(value: Any) -> Any:
    """A JSON-safe value: dates and timestamps as ISO text, decimals as floats."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _relations_duckdb(path: Path, schema: str) -> dict[str, tuple[list[str], list[Row]]]:
    import duckdb

    con = duckdb.connect(str(path))
    try:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = ? order by 1", [schema]
        ).fetchall()]
        out = {}
        for name in names:
            cur = con.execute(f'select * from "{schema}"."{name}"')
            columns = [d[0] for d in cur.description]
            out[name] = _without_write_times(columns, [[_plain(v) for v in row] for row in cur.fetchall()])
        return out
    finally:
        con.close()


def _relations_postgres(settings: loader.PostgresSettings, schema: str) -> dict[str, tuple[list[str], list[Row]]]:
    conn = settings.connect()
    try:
        with conn, conn.cursor() as cur:
            cur.execute("select table_name from information_schema.tables where table_schema = %s order by 1",
                        (schema,))
            names = [r[0] for r in cur.fetchall()]
            out = {}
            for name in names:
                cur.execute(f'select * from "{schema}"."{name}"')
                columns = [d[0] for d in cur.description]
                out[name] = _without_write_times(columns, [[_plain(v) for v in row] for row in cur.fetchall()])
            return out
    finally:
        conn.close()


def _dbt_ok(args: list[str], project: Path, profiles: Path, env: dict[str, str], vars_json: str,
            workdir: Path) -> None:
    outcome = run_dbt(args + ["--vars", vars_json, "--target-path", str(workdir / "target"),
                              "--log-path", str(workdir / "logs")],
                      project=project, profiles=profiles, env=env)
    if not outcome.success:
        raise SystemExit(outcome.summary())


def snapshot(project: Path, target: str, out: Path, conversations: int, seed: int,
             schema: str | None = None) -> None:
    """Build the demo data with `project` on `target` (in schemas named after `schema`, a fresh
    cmp_<random> by default; they are dropped afterwards) and write every mart to `out`."""
    data = generate(GenConfig(seed=seed, conversations=conversations, progress=False))
    vars_json = json.dumps({"raw_schema": "raw", "ai_launch_date": str(data.truths["config"]["launch_date"])})
    workdir = Path(tempfile.mkdtemp(prefix="compare_marts_"))
    profiles = workdir / "profiles"
    profiles.mkdir()
    shutil.copy(project / "profiles.yml.example", profiles / "profiles.yml")
    schema = schema or f"cmp_{uuid.uuid4().hex[:8]}"
    settings = loader.PostgresSettings.from_env()
    try:
        if target == "duckdb":
            path = workdir / "ai_ops.duckdb"
            loader.load_duckdb(data.tables, path, "raw", progress=False)
            env = {"AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(path), "AI_OPS_SCHEMA": schema}
        else:
            raw = f"{schema}_raw"
            loader.load_postgres(data.tables, raw, settings, progress=False)
            vars_json = json.dumps({**json.loads(vars_json), "raw_schema": raw})
            env = {"AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema}
        _dbt_ok(["seed"], project, profiles, env, vars_json, workdir)
        _dbt_ok(["build"], project, profiles, env, vars_json, workdir)
        marts = (_relations_duckdb(workdir / "ai_ops.duckdb", f"{schema}_marts") if target == "duckdb"
                 else _relations_postgres(settings, f"{schema}_marts"))
    finally:
        if target == "postgres":
            loader.drop_postgres_schemas(schema, settings)
        shutil.rmtree(workdir, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in marts.items():
        (out / f"{name}.json").write_text(json.dumps({"columns": columns, "rows": rows}))
    print(f"{len(marts)} marts, {sum(len(r) for _, r in marts.values()):,} rows -> {out}")


def _sort_key(row: Row) -> tuple[Any, ...]:
    # None first, then by type name so that mixed columns still sort; floats rounded so that
    # two values within the tolerance sort alike
    def part(value: Any) -> tuple[Any, ...]:
        if value is None:
            return (0, "", "")
        if isinstance(value, float):
            return (1, "num", float(f"{value:.6g}") if math.isfinite(value) else str(value))
        if isinstance(value, (int, bool)):
            return (1, "num", float(value))
        return (1, type(value).__name__, value)

    return tuple(part(v) for v in row)


def _same(a: Any, b: Any, rel_tol: float) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=rel_tol, abs_tol=1e-12)
    return bool(a == b)


def compare_relation(name: str, before: dict[str, Any], after: dict[str, Any], rel_tol: float) -> list[str]:
    """The differences between two snapshots of one relation (empty when equal)."""
    if before["columns"] != after["columns"]:
        return [f"{name}: columns differ: {before['columns']} != {after['columns']}"]
    if len(before["rows"]) != len(after["rows"]):
        return [f"{name}: {len(before['rows'])} rows before, {len(after['rows'])} after"]
    problems = []
    for a, b in zip(sorted(before["rows"], key=_sort_key), sorted(after["rows"], key=_sort_key), strict=True):
        for column, x, y in zip(before["columns"], a, b, strict=True):
            if not _same(x, y, rel_tol):
                problems.append(f"{name}.{column}: {x!r} != {y!r} in row {a}")
    return problems


def compare(before_dir: Path, after_dir: Path, rel_tol: float) -> list[str]:
    """Every difference between two snapshot directories."""
    names_before = {p.stem for p in before_dir.glob("*.json")}
    names_after = {p.stem for p in after_dir.glob("*.json")}
    problems = [f"relation only before: {n}" for n in sorted(names_before - names_after)]
    problems += [f"relation only after: {n}" for n in sorted(names_after - names_before)]
    for name in sorted(names_before & names_after):
        before = json.loads((before_dir / f"{name}.json").read_text())
        after = json.loads((after_dir / f"{name}.json").read_text())
        problems += compare_relation(name, before, after, rel_tol)
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="build the demo data and write every mart as JSON")
    snap.add_argument("--project", type=Path, default=Path("."), help="the dbt project to build (default .)")
    snap.add_argument("--target", choices=["duckdb", "postgres"], default="duckdb")
    snap.add_argument("--out", type=Path, required=True, help="directory for <relation>.json")
    snap.add_argument("--conversations", type=int, default=800)
    snap.add_argument("--seed", type=int, default=42)
    snap.add_argument("--schema", help="schema name prefix of the build (default cmp_<random>); "
                                       "its Postgres schemas are dropped at the end")
    comp = sub.add_parser("compare", help="compare two snapshot directories row by row")
    comp.add_argument("before", type=Path)
    comp.add_argument("after", type=Path)
    comp.add_argument("--rel-tol", type=float, default=1e-9)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        snapshot(args.project.resolve(), args.target, args.out, args.conversations, args.seed, args.schema)
        return 0
    problems = compare(args.before, args.after, args.rel_tol)
    for line in problems[:50]:
        print(line)
    n_rel = len(list(args.before.glob("*.json")))
    print(f"{n_rel} relations compared: " + ("identical" if not problems else f"{len(problems)} differences"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
