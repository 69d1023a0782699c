"""dbt in a subprocess on one benchmark warehouse, and what its run_results.json says."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ai_ops_tools.bench.config import MB
from ai_ops_tools.bench.process import PeakRssSampler
from ai_ops_tools.generator import DEFAULT_LAUNCH

# --- dbt in a subprocess ---------------------------------------------------------------------

_PROGRESS_LINE = re.compile(r"\b(\d+) of (\d+) (OK|PASS|ERROR|FAIL|WARN|SKIP|SUCCESS|NO-OP)\b")


@dataclass
class DbtRun:
    args: list[str]
    wall_s: float
    peak_rss_bytes: int
    returncode: int
    log_path: Path
    run_results: dict[str, Any] | None = None

    @property
    def success(self) -> bool:
        return self.returncode == 0


def dbt_executable() -> str:
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise FileNotFoundError("no dbt executable next to the Python interpreter or on PATH")
    return found


@dataclass
class Warehouse:
    """Where one benchmark size lives: target, DuckDB file or Postgres schemas, dbt dirs."""

    target: str
    schema: str
    raw_schema: str
    workdir: Path
    duckdb_path: Path | None = None
    # the spark target: the local Spark's warehouse directory (Parquet folders and the Derby metastore)
    spark_warehouse: Path | None = None

    @property
    def target_path(self) -> Path:
        return self.workdir / "target"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update({"AI_OPS_TARGET": self.target, "AI_OPS_SCHEMA": self.schema})
        if self.duckdb_path is not None:
            env["AI_OPS_DUCKDB_PATH"] = str(self.duckdb_path)
        if self.spark_warehouse is not None:
            env["AI_OPS_SPARK_WAREHOUSE"] = str(self.spark_warehouse)
        for var in ("DBT_TARGET_PATH", "DBT_LOG_PATH"):
            env.pop(var, None)  # passed as options below
        return env

    def dbt(self, args: Sequence[str], label: str, progress: bool) -> DbtRun:
        from ai_ops_tools.dbt_run import profiles_dir, project_dir

        project = project_dir()
        dbt_vars = json.dumps({"raw_schema": self.raw_schema, "ai_launch_date": DEFAULT_LAUNCH.isoformat()})
        full = [dbt_executable(), *args, "--target", self.target, "--vars", dbt_vars,
                "--project-dir", str(project), "--profiles-dir", str(profiles_dir(project)),
                "--target-path", str(self.target_path), "--log-path", str(self.workdir / "logs")]
        results_file = self.target_path / "run_results.json"
        results_file.unlink(missing_ok=True)
        wall, peak, returncode, log_path = self.run_sampled(full, f"dbt_{label}", f"dbt {label}", progress)
        results = json.loads(results_file.read_text()) if results_file.exists() else None
        return DbtRun(list(args), wall, peak, returncode, log_path, results)

    def run_sampled(self, command: Sequence[str], log_name: str, desc: str,
                    progress: bool) -> tuple[float, int, int, Path]:
        """Run ``command`` from the project dir with this warehouse's env, its output to ``<workdir>/<log_name>.log``.

        Returns (wall seconds, peak RSS of its process tree, return code, log path); a progress bar
        follows dbt's ``N of M`` lines.
        """
        from ai_ops_tools.dbt_run import project_dir

        self.workdir.mkdir(parents=True, exist_ok=True)
        log_path = self.workdir / f"{log_name}.log"
        bar = tqdm(desc=desc, unit="node", disable=not progress, leave=False)
        t0 = time.perf_counter()
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(list(command), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    env=self.env, cwd=str(project_dir()))
            with PeakRssSampler(proc.pid) as sampler:
                assert proc.stdout is not None
                for line in proc.stdout:
                    log.write(line)
                    m = _PROGRESS_LINE.search(line)
                    if m:
                        bar.total = int(m.group(2))
                        bar.update(1)
                returncode = proc.wait()
        wall = time.perf_counter() - t0
        bar.close()
        return wall, sampler.peak, returncode, log_path

    # -- SQL on the warehouse (never while dbt runs: DuckDB allows one writer) --
    @contextlib.contextmanager
    def connect(self) -> Iterator[Callable[..., list[tuple[Any, ...]]]]:
        if self.target == "spark":
            raise ValueError("no SQL connection to a local Spark from the benchmark process (the Derby metastore "
                             "admits one process): read its Parquet folders (bench.spark)")
        if self.target == "duckdb":
            import duckdb

            con = duckdb.connect(str(self.duckdb_path))
            con.execute("set memory_limit = '4GB'")
            con.execute("set preserve_insertion_order = false")
            try:
                yield lambda sql, params=None: con.execute(sql, params or []).fetchall()
            finally:
                con.close()
        else:
            from ai_ops_tools.loader import PostgresSettings

            conn = PostgresSettings.from_env().connect()
            conn.autocommit = True
            try:
                def run(sql: str, params: Any = None) -> list[tuple[Any, ...]]:
                    with conn.cursor() as cur:
                        cur.execute(sql, params)
                        return cur.fetchall() if cur.description else []
                yield run
            finally:
                conn.close()

    def marts_schema(self) -> str:
        return f"{self.schema}_marts"


def node_timings(run_results: dict[str, Any] | None, manifest_path: Path | None = None) -> dict[str, Any]:
    """Per-node timings from run_results.json: the top 10 and totals per resource type."""
    if not run_results:
        return {"top": [], "by_type": {}, "n_nodes": 0, "elapsed_s": None, "failed": []}
    materialized: dict[str, str] = {}
    if manifest_path is not None and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        for uid, node in manifest.get("nodes", {}).items():
            materialized[uid] = str((node.get("config") or {}).get("materialized", ""))
    rows = []
    by_type: dict[str, dict[str, float]] = {}
    failed = []
    for r in run_results.get("results", []):
        uid = r["unique_id"]
        rtype = uid.split(".", 1)[0]
        t = float(r.get("execution_time") or 0.0)
        rows.append({"unique_id": uid, "name": uid.split(".")[-1] if rtype != "test" else uid.split(".")[2],
                     "resource_type": rtype, "materialized": materialized.get(uid, ""),
                     "status": r.get("status"), "execution_time_s": round(t, 3)})
        agg = by_type.setdefault(rtype, {"n": 0, "s": 0.0})
        agg["n"] += 1
        agg["s"] = round(agg["s"] + t, 3)
        if str(r.get("status")) in ("error", "fail", "runtime error"):
            failed.append(uid)
    rows.sort(key=lambda x: -x["execution_time_s"])
    return {"top": rows[:10], "by_type": by_type, "n_nodes": len(rows),
            "elapsed_s": run_results.get("elapsed_time"), "failed": failed}


def incremental_models(manifest_path: Path) -> list[str]:
    if not manifest_path.exists():
        return []
    manifest = json.loads(manifest_path.read_text())
    return sorted(n["name"] for n in manifest.get("nodes", {}).values()
                  if n.get("resource_type") == "model" and (n.get("config") or {}).get("materialized") == "incremental")


def summarize_dbt(run: DbtRun, manifest_path: Path | None) -> dict[str, Any]:
    timings = node_timings(run.run_results, manifest_path)
    return {"wall_s": round(run.wall_s, 3), "peak_rss_bytes": run.peak_rss_bytes,
            "peak_rss_mb": round(run.peak_rss_bytes / MB, 1), "success": run.success,
            "returncode": run.returncode, "log": str(run.log_path), **timings}


# --- the floor -----------------------------------------------------------------------------------
