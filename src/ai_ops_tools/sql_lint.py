"""SQLFluff over the whole project, macros included, with one answer whatever the warehouse holds.

``sqlfluff lint models macros ...`` alone misses three things:

* a file that only defines macros renders to nothing: SQLFluff skips it ("because it is a macro")
  and still reports it as passing, with either the dbt or the jinja templater;
* where a macro is called, its output is a templated slice, which SQLFluff does not lint unless
  ``ignore_templated_areas = False``;
* ``is_incremental()`` (and ``adapter.get_relation``) render other SQL once the models exist, so a
  fresh and a built warehouse lint different text.

So the macros are linted where they render, and the warehouse state is linted both ways:

1. **fresh**: every ``.sql`` file under models/, snapshots/, tests/, analyses/, compiled against an
   empty DuckDB file, with ``ignore_templated_areas = False``: the SQL every called macro renders is
   parsed and linted in the query it lands in; a violation points at the macro call.
2. **built** (given a built DuckDB file): the files whose SQL depends on the warehouse state
   (:data:`STATE_DEPENDENT`, directly or through a macro they call), compiled against it: the
   ``is_incremental()`` branches and the incremental macros render there.
3. **generic tests**: one compiled instance of each generic test of macros/generic_tests/ (a test
   renders only in nodes built from yml, which SQLFluff cannot open), linted as plain SQL.
4. **postgres** (``--postgres``, needs the server; not yet in the test suite): the files that render
   a Postgres-only implementation of a dispatched macro (``default__x`` beside a ``duckdb__x``),
   compiled on Postgres and linted in the postgres dialect. It still reports 7 findings
   (2026-12-05): AL09 and ST05 in default__group_with_first_row, ST05 in int_users_consented's
   Postgres path, and the ``offset 0`` planner fence of default__json_extract_fields, which
   SQLFluff's postgres dialect cannot parse (PRS) and flags as AM09.

Dropped, because dbt renders them, not the project: RF06 (quoted identifiers) and CP05 (type
names) inside a Jinja tag: ``ref()``, ``source()`` and ``this`` quote every name, and
``dbt.type_string()`` spells the adapter's upper-case type; anything inside a ``{{ dbt.… }}`` tag
(dbt's own macros); in pass 3 also LT05, since the yml arguments set those lines' length.

What no pass can lint is listed in :data:`NOT_RENDERED` with the reason (hooks and run-operations
that send their SQL through ``run_query``).
:func:`macro_coverage` checks that every other macro file renders in a pass.

Run: ``python -m ai_ops_tools.sql_lint [--built-duckdb FILE --schema S] [--postgres]`` (``make lint``);
tests_py/test_sql_lint.py runs passes 1 to 3.
"""

from __future__ import annotations

import argparse
import configparser
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ai_ops_tools.dbt_run import project_dir, run_dbt

LINTED_DIRS = ("models", "snapshots", "tests", "analyses")
# Jinja that renders different SQL once the project's relations exist.
STATE_DEPENDENT = re.compile(
    r"is_incremental\s*\(|adapter\.get_relation|adapter\.get_columns_in_relation|load_relation|load_cached_relation"
)
JINJA_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
DBT_TAG = re.compile(r"\{\{-?\s*dbt\.")
MACRO_DEF = re.compile(r"\{%-?\s*(?:macro|test)\s+(\w+)\s*\((.*?)\{%-?\s*end(?:macro|test)\s*-?%\}", re.S)
IN_TAG_ONLY_RULES = {"RF06", "CP05"}
COMPILED_TEST_RULES_DROPPED = {"RF06", "CP05", "LT05"}

# Macro files (or single macros) that no linted SQL renders, and why.
NOT_RENDERED: dict[str, str] = {
    "macros/spark_seeds.sql": "dbt-spark only: the seed materialization's create/insert statements with the "
                              "seeds' column types in Spark's spelling; SQLFluff lints against DuckDB, where "
                              "none of it renders",
    "macros/raw_checks.sql": "on-run-start hook: builds its queries as strings for run_query and raises on a "
                             "missing raw table; it renders no SQL into any node",
    "macros/grants.sql": "post-hook grants: GRANT statements run through run_query on Postgres only",
    "macros/udfs.sql": "on-run-start hook create_udfs: Postgres DDL (a plpgsql function) dbt runs before the "
                       "models; it renders into no node, and SQLFluff has no plpgsql body grammar",
    "macros/run_lock.sql": "on-run-start / on-run-end hooks acquire_run_lock (Postgres: statements run through "
                           "run_query) and release_run_lock (a plpgsql block); they render into no node",
    "macros/spark_overrides.sql": "dbt-spark only: the delete+insert strategy on Parquet (statements run "
                                    "through run_query inside the incremental materialization) and the contract "
                                    "types; SQLFluff lints against DuckDB, where none of it renders",
}
# Postgres-only implementations that pass 4 cannot render either, and why.
NOT_RENDERED_ON_POSTGRES: dict[str, str] = {
    "default__create_udfs": "on-run-start hook / run-operation create_udfs: Postgres DDL (macros/udfs.sql)",
    "default__acquire_run_lock": "on-run-start hook: statements run through run_query (macros/run_lock.sql)",
    "default__release_run_lock": "on-run-end hook: a plpgsql block (macros/run_lock.sql)",
    "default__json_is_object": "no model calls json_is_object: on Postgres json_extract_fields checks the type itself",
}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    position: int
    code: str
    description: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.position}: {self.code} {self.description}"


def _offset(text: str, line: int, position: int) -> int:
    lines = text.splitlines(keepends=True)
    return sum(len(x) for x in lines[: max(line - 1, 0)]) + max(position - 1, 0)


def _enclosing_tag(text: str, offset: int) -> str | None:
    for match in JINJA_TAG.finditer(text):
        if match.start() <= offset < match.end():
            return match.group(0)
    return None


def is_dbt_rendering(source: str, violation: Violation) -> bool:
    """True when the violation lies in SQL that dbt itself renders (see the module docstring)."""
    tag = _enclosing_tag(source, _offset(source, violation.line, violation.position))
    if tag is None:
        return False
    return violation.code in IN_TAG_ONLY_RULES or DBT_TAG.match(tag) is not None


def _parse_report(stdout: str, stderr: str = "") -> list[dict[str, Any]]:
    start = stdout.find("[")
    if start < 0:
        raise RuntimeError(f"sqlfluff printed no JSON report:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    report: list[dict[str, Any]] = json.loads(stdout[start:])
    return report


def _violations(report: list[dict[str, Any]], root: Path) -> list[Violation]:
    out: list[Violation] = []
    for entry in report:
        path = Path(entry["filepath"])
        rel = str(path.relative_to(root)) if path.is_absolute() and path.is_relative_to(root) else str(path)
        for v in entry["violations"]:
            out.append(Violation(rel, int(v.get("start_line_no") or 0), int(v.get("start_line_pos") or 0),
                                 str(v["code"]), " ".join(str(v["description"]).split())))
    return out


def run_sqlfluff(paths: Sequence[str], env: dict[str, str], cwd: Path, extra_args: Sequence[str] = (),
                 config_text: str = "[sqlfluff]\nignore_templated_areas = False\n") -> list[Violation]:
    """Lint ``paths`` with the project's .sqlfluff plus ``config_text``; every violation found."""
    with tempfile.TemporaryDirectory(prefix="ai_ops_lint_") as tmp:
        extra = Path(tmp) / "extra.sqlfluff"
        extra.write_text(config_text, encoding="utf-8")
        sqlfluff = Path(sys.executable).with_name("sqlfluff")
        cmd = [str(sqlfluff), "lint", *paths, "--config", str(extra), "--format", "json",
               "--disable-progress-bar", "--nocolor", "--processes", str(env.get("AI_OPS_LINT_PROCESSES", "2")),
               *extra_args]
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=3600)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"sqlfluff failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return _violations(_parse_report(proc.stdout, proc.stderr), cwd)


def _dbt_env(duckdb_path: Path, schema: str, workdir: Path) -> dict[str, str]:
    return {**os.environ, "AI_OPS_TARGET": "duckdb", "AI_OPS_DUCKDB_PATH": str(duckdb_path),
            "AI_OPS_SCHEMA": schema, "DBT_TARGET_PATH": str(workdir / "target"),
            "DBT_LOG_PATH": str(workdir / "logs")}


def _without_dbt_rendering(violations: Iterable[Violation], root: Path) -> list[Violation]:
    sources: dict[str, str] = {}
    kept = []
    for v in violations:
        if v.path not in sources:
            sources[v.path] = (root / v.path).read_text(encoding="utf-8")
        if not is_dbt_rendering(sources[v.path], v):
            kept.append(v)
    return kept


# --- which files and macros ----------------------------------------------------------------------------


def sql_files(root: Path) -> list[Path]:
    return sorted(p for d in LINTED_DIRS for p in (root / d).rglob("*.sql"))


def macro_bodies(root: Path) -> dict[str, tuple[str, str]]:
    """name -> (file relative to root, body) of every macro and generic test in macros/."""
    out: dict[str, tuple[str, str]] = {}
    for path in sorted((root / "macros").rglob("*.sql")):
        for match in MACRO_DEF.finditer(path.read_text(encoding="utf-8")):
            out[match.group(1)] = (str(path.relative_to(root)), match.group(2))
    return out


def _called(text: str, macros: dict[str, tuple[str, str]], adapter: str = "duckdb") -> set[str]:
    """Macros a text calls, directly, through other macros, or by adapter.dispatch (``adapter``
    first, then ``default__``), as dbt resolves them on that adapter."""
    seen: set[str] = set()
    stack = [text]
    while stack:
        body = stack.pop()
        names = set(re.findall(r"\b(\w+)\s*\(", body))
        for name in re.findall(r"dispatch\(\s*'(\w+)'", body):
            names.add(f"{adapter}__{name}" if f"{adapter}__{name}" in macros else f"default__{name}")
        for name in sorted(names & macros.keys() - seen):
            seen.add(name)
            stack.append(macros[name][1])
    return seen


def state_dependent_files(root: Path) -> list[Path]:
    """Files whose SQL changes once the relations exist, directly or through a macro they call."""
    macros = macro_bodies(root)
    stateful = {name for name, (_, body) in macros.items() if STATE_DEPENDENT.search(body)}
    out = []
    for path in sql_files(root):
        text = path.read_text(encoding="utf-8")
        if STATE_DEPENDENT.search(text) or _called(text, macros) & stateful:
            out.append(path)
    return out


def postgres_only_macros(root: Path) -> set[str]:
    """Implementations dbt renders on Postgres only: default__X where a duckdb__X exists."""
    macros = macro_bodies(root)
    return {name for name in macros if name.startswith("default__") and f"duckdb__{name[9:]}" in macros}


def postgres_only_callers(root: Path) -> list[Path]:
    """The files that render a Postgres-only implementation (pass 4 lints them on Postgres)."""
    macros = macro_bodies(root)
    only = postgres_only_macros(root)
    return [p for p in sql_files(root) if _called(p.read_text(encoding="utf-8"), macros, "postgres") & only]


def postgres_only_unrendered(root: Path) -> list[str]:
    """Postgres-only implementations no file of pass 4 renders, less the documented exceptions."""
    macros = macro_bodies(root)
    rendered: set[str] = set()
    for path in postgres_only_callers(root):
        rendered |= _called(path.read_text(encoding="utf-8"), macros, "postgres")
    return sorted(postgres_only_macros(root) - rendered - NOT_RENDERED_ON_POSTGRES.keys())


def macro_coverage(root: Path) -> dict[str, list[str]]:
    """macro file -> the rendered macros in it (pass 1/2 callers, pass 3 generic tests)."""
    macros = macro_bodies(root)
    rendered: set[str] = set()
    for path in sql_files(root):
        rendered |= _called(path.read_text(encoding="utf-8"), macros)
    rendered |= {name for name, (file, _) in macros.items() if file.startswith("macros/generic_tests/")}
    rendered |= _called(" ".join(macros[n][1] for n in rendered if n in macros), macros)
    out: dict[str, list[str]] = {}
    for name, (file, _) in sorted(macros.items()):
        out.setdefault(file, [])
        if name in rendered:
            out[file].append(name)
    return out


def uncovered_macro_files(root: Path) -> list[str]:
    return [f for f, names in macro_coverage(root).items() if not names and f not in NOT_RENDERED]


# --- the passes ------------------------------------------------------------------------------------------


def lint_fresh(root: Path, workdir: Path) -> list[Violation]:
    """Pass 1: every file against an empty DuckDB file."""
    env = _dbt_env(workdir / "empty.duckdb", "lint", workdir)
    found = run_sqlfluff(list(LINTED_DIRS), env, root)
    return _without_dbt_rendering(found, root)


def lint_built(root: Path, workdir: Path, built_duckdb: Path, schema: str,
               files: Sequence[Path] | None = None) -> list[Violation]:
    """Pass 2: the state-dependent files against a built warehouse (its models exist)."""
    targets = [str(p.relative_to(root)) for p in (files if files is not None else state_dependent_files(root))]
    env = _dbt_env(built_duckdb, schema, workdir)
    found = run_sqlfluff(targets, env, root)
    return _without_dbt_rendering(found, root)


def generic_test_instances(manifest: dict[str, Any], root: Path) -> dict[str, str]:
    """generic test name -> the compiled SQL of its first instance (project generic tests only)."""
    ours = {name for name, (file, _) in macro_bodies(root).items() if file.startswith("macros/generic_tests/")}
    out: dict[str, str] = {}
    for uid in sorted(manifest["nodes"]):
        node = manifest["nodes"][uid]
        meta = node.get("test_metadata") or {}
        name = meta.get("name")
        if node["resource_type"] == "test" and name in ours and name not in out and node.get("compiled_code"):
            out[name] = node["compiled_code"]
    return out


def compile_generic_tests(root: Path, workdir: Path) -> dict[str, Any]:
    """Compile the project's generic tests against an empty DuckDB file; returns the manifest."""
    env = _dbt_env(workdir / "empty.duckdb", "lint", workdir)
    target = workdir / "compile_target"
    names = sorted(name for name, (file, _) in macro_bodies(root).items() if file.startswith("macros/generic_tests/"))
    outcome = run_dbt(["compile", "--select", *(f"test_name:{name}" for name in names), "--target", "duckdb",
                       "--target-path", str(target), "--log-path", str(workdir / "logs"), "--quiet"],
                      project=root, env={k: env[k] for k in ("AI_OPS_TARGET", "AI_OPS_DUCKDB_PATH", "AI_OPS_SCHEMA")})
    if not outcome.success:
        raise RuntimeError(outcome.summary())
    manifest: dict[str, Any] = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return manifest


def lint_postgres(root: Path, workdir: Path, schema: str, files: Sequence[Path] | None = None) -> list[Violation]:
    """Pass 4: the files that render a Postgres-only implementation, compiled on Postgres (an empty
    schema: nothing built), linted in the postgres dialect. Connection: AI_OPS_PG_* as for dbt."""
    targets = [str(p.relative_to(root)) for p in (files if files is not None else postgres_only_callers(root))]
    env = {**os.environ, "AI_OPS_TARGET": "postgres", "AI_OPS_SCHEMA": schema,
           "DBT_TARGET_PATH": str(workdir / "pg_target"), "DBT_LOG_PATH": str(workdir / "logs")}
    config = ("[sqlfluff]\nignore_templated_areas = False\ndialect = postgres\n\n"
              "[sqlfluff:templater:dbt]\ntarget = postgres\n")
    found = run_sqlfluff(targets, env, root, config_text=config)
    return _without_dbt_rendering(found, root)


def lint_generic_tests(root: Path, workdir: Path, manifest: dict[str, Any]) -> list[Violation]:
    """Pass 3: one compiled instance of each generic test, linted as plain SQL with the project's rules."""
    instances = generic_test_instances(manifest, root)
    missing = sorted({name for name, (file, _) in macro_bodies(root).items()
                      if file.startswith("macros/generic_tests/")} - instances.keys())
    if missing:
        raise RuntimeError(f"generic tests no yml uses (nothing to lint): {missing}")
    out_dir = workdir / "generic_tests"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, sql in instances.items():
        (out_dir / f"{name}.sql").write_text(sql.rstrip() + "\n", encoding="utf-8")
    config = configparser.ConfigParser()
    config.read(root / ".sqlfluff")
    config["sqlfluff"]["templater"] = "raw"
    for section in [s for s in config.sections() if s.startswith("sqlfluff:templater")]:
        config.remove_section(section)
    with tempfile.TemporaryDirectory(prefix="ai_ops_lint_") as tmp:
        cfg = Path(tmp) / "raw.sqlfluff"
        with cfg.open("w", encoding="utf-8") as fh:
            config.write(fh)
        found = run_sqlfluff([str(out_dir)], dict(os.environ), out_dir, ["--ignore-local-config"],
                             config_text=cfg.read_text(encoding="utf-8"))
    return [Violation(f"macros/generic_tests/{Path(v.path).stem}.sql (compiled)", v.line, v.position, v.code,
                      v.description)
            for v in found if v.code not in COMPILED_TEST_RULES_DROPPED]


def lint_project(root: Path, built_duckdb: Path | None = None, schema: str = "analytics",
                 manifest: dict[str, Any] | None = None, postgres: bool = False) -> dict[str, list[Violation]]:
    """All passes; pass 2 only with a built warehouse, pass 4 only with ``postgres``."""
    with tempfile.TemporaryDirectory(prefix="ai_ops_lint_") as tmp:
        workdir = Path(tmp)
        result = {"fresh": lint_fresh(root, workdir)}
        if built_duckdb is not None:
            result["built"] = lint_built(root, workdir, built_duckdb, schema)
        if postgres:
            result["postgres"] = lint_postgres(root, workdir, f"ai_ops_lint_{os.getpid()}")
        result["generic tests"] = lint_generic_tests(root, workdir,
                                                     manifest or compile_generic_tests(root, workdir))
    uncovered = uncovered_macro_files(root)
    result["macro coverage"] = [Violation(f, 0, 0, "COVERAGE", "no linted SQL renders a macro of this file")
                                for f in uncovered]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ai_ops_tools.sql_lint", description=__doc__.split("\n")[0])
    parser.add_argument("--built-duckdb", type=Path,
                        help="a DuckDB file the project was built into: also lint the incremental branches")
    parser.add_argument("--schema", default=os.environ.get("AI_OPS_SCHEMA", "analytics"),
                        help="the dbt target schema of --built-duckdb (default AI_OPS_SCHEMA or analytics)")
    parser.add_argument("--postgres", action="store_true",
                        help="also lint the Postgres-only macro implementations on Postgres (AI_OPS_PG_*)")
    args = parser.parse_args(argv)
    if args.built_duckdb is not None and not args.built_duckdb.exists():
        parser.error(f"--built-duckdb {args.built_duckdb} does not exist: run `ai-ops demo` first")
    root = project_dir()
    result = lint_project(root, args.built_duckdb, args.schema, postgres=args.postgres)
    total = 0
    for name, violations in result.items():
        print(f"{name}: {len(violations)} violations")
        for v in violations:
            print(f"  {v}")
        total += len(violations)
    if args.built_duckdb is None:
        print("built: not run (give --built-duckdb FILE to lint the incremental branches too)")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
