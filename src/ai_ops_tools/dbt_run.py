"""Running dbt in-process with the project's profile, and reading its results.

``dbtRunner`` is not safe to use concurrently inside one process, so callers
invoke it one command at a time; environment overrides are applied only for
the duration of one invocation because profiles.yml reads them at parse time.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FAILED_STATUSES = {"error", "fail", "runtime error"}


def project_dir() -> Path:
    """The dbt project: AI_OPS_PROJECT_DIR, else the nearest dbt_project.yml upwards."""
    env = os.environ.get("AI_OPS_PROJECT_DIR")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve().parent):
        for candidate in (start, *start.parents):
            if (candidate / "dbt_project.yml").exists():
                return candidate
    raise FileNotFoundError(
        "no dbt_project.yml found above the current directory: run from the ai_ops project "
        "or set AI_OPS_PROJECT_DIR"
    )


def profiles_dir(project: Path | None = None) -> Path:
    """DBT_PROFILES_DIR when set, else the project root when it has profiles.yml, else a temp copy of
    profiles.yml.example."""
    explicit = os.environ.get("DBT_PROFILES_DIR")
    if explicit:
        if not (Path(explicit) / "profiles.yml").exists():
            raise FileNotFoundError(f"DBT_PROFILES_DIR={explicit} has no profiles.yml: copy profiles.yml.example there")
        return Path(explicit)
    project = project or project_dir()
    if (project / "profiles.yml").exists():
        return project
    example = project / "profiles.yml.example"
    if not example.exists():
        raise FileNotFoundError(f"neither profiles.yml nor profiles.yml.example in {project}")
    target = Path(tempfile.mkdtemp(prefix="ai_ops_profiles_"))
    shutil.copy(example, target / "profiles.yml")
    return target


@contextlib.contextmanager
def env_overrides(values: Mapping[str, str]) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class DbtOutcome:
    """What one dbt command did: success flag, failed node ids, the raw result."""

    args: list[str]
    success: bool
    failed_nodes: list[str] = field(default_factory=list)
    skipped: int = 0
    exception: BaseException | None = None
    result: Any = None

    def summary(self) -> str:
        if self.success:
            return f"dbt {' '.join(self.args[:1])}: ok"
        lines = [f"dbt {' '.join(self.args)} failed"]
        held = target_held_by_another_run(self)
        if held:
            lines.append(f"  {held}")
        if self.exception is not None:
            lines.append(f"  exception: {self.exception}")
        lines += [f"  - {node}" for node in self.failed_nodes]
        if self.skipped:
            lines.append(f"  ({self.skipped} downstream nodes skipped)")
        return "\n".join(lines)


# What DuckDB says when another process has the database file open for writing.
DUCKDB_LOCK_ERROR = re.compile(r'Could not set lock on file "?([^"\n:]+)"?')
DUCKDB_LOCK_HOLDER = re.compile(r"Conflicting lock is held in .*?\(PID (\d+)\)")


def target_held_by_another_run(outcome: DbtOutcome) -> str | None:
    """A plain explanation when the run stopped because another run holds its target, else None.

    DuckDB: a second process cannot open a database file another process writes
    (``IO Error: Could not set lock on file``); Postgres: the run lock of on-run-start
    (macros/run_lock.sql) raises "another dbt run holds the target schema".
    """
    texts = [str(outcome.exception or ""), *outcome.failed_nodes]
    for text in texts:
        match = DUCKDB_LOCK_ERROR.search(text)
        if match:
            holder = DUCKDB_LOCK_HOLDER.search(text)
            pid = f" (process {holder.group(1)})" if holder else ""
            return (f"another run holds the DuckDB file {match.group(1).strip()}{pid}: this run stopped "
                    "before changing any table. Run again when that run has finished.")
        start = text.find("another dbt run holds the target schema")
        if start >= 0:
            return text[start:].split("\n")[0]
    return None


def failed_nodes(result: Any) -> list[str]:
    """unique_id (and status) of every node that did not pass."""
    out: list[str] = []
    for r in getattr(result, "results", None) or []:
        status = str(getattr(r, "status", "")).lower()
        status = status.split(".")[-1]
        if status in FAILED_STATUSES:
            node = getattr(r, "node", None)
            uid = getattr(node, "unique_id", None) or str(getattr(r, "unique_id", "?"))
            msg = " ".join((getattr(r, "message", "") or "").split())[:500]
            remedy = (getattr(getattr(node, "config", None), "meta", None) or {}).get("remedy")
            out.append(f"{uid} [{status}]" + (f": {msg}" if msg else "") + (f"\n    {remedy}" if remedy else ""))
    return out


def skipped_count(result: Any) -> int:
    return sum(str(getattr(r, "status", "")).lower().endswith("skipped")
               for r in getattr(result, "results", None) or [])


def run_dbt(args: Sequence[str], project: Path | None = None, profiles: Path | None = None,
            env: Mapping[str, str] | None = None) -> DbtOutcome:
    """Invoke one dbt command in-process with project/profiles dirs filled in."""
    from dbt.cli.main import dbtRunner

    project = project or project_dir()
    profiles = profiles or profiles_dir(project)
    full = list(args)
    if "--project-dir" not in full:
        full += ["--project-dir", str(project)]
    if "--profiles-dir" not in full:
        full += ["--profiles-dir", str(profiles)]
    with env_overrides(dict(env or {})):
        res = dbtRunner().invoke(full)
    return DbtOutcome(
        args=list(args), success=bool(res.success), failed_nodes=failed_nodes(res.result),
        skipped=skipped_count(res.result),
        exception=res.exception, result=res.result,
    )
