"""The benchmark's settings: one run's configuration, the issue's goals, the dbt commands it times."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

MB = 1024 * 1024
US = 1_000_000
DAY_US = 86_400 * US
WEEK_US = 7 * DAY_US
# the scenario: late events arrive "late by weeks"
DEFAULT_LATE_WEEKS = (2, 6)
KNOWN_EVENT_NAMES = ("ai_user_prompt_created", "ai_llm_response_received", "ai_user_action")
FLOOR_METRICS = ("p95_latency_ms", "success_rate", "ai_cost_usd", "conversation_completion_rate")

# Issue 5 goals, checked against the figures (reported, never asserted by tests).
# The scheduled build: unit tests check the SQL on fixed fixtures, not the data, so they run in
# CI (tests_py builds everything) and not on every data load, as dbt's docs advise; the
# benchmark times them once per repeat on their own.
BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]
UNIT_TEST_ARGS = ["test", "--select", "test_type:unit"]
# the data tests of the scheduled build on their own: the part of every scheduled run that
# reads whole tables however few rows are new
DATA_TEST_ARGS = ["test", "--exclude-resource-type", "unit_test"]

# On a local Spark the scheduled build runs the models only: each of the ~900 data tests costs a Spark
# job (about 0.5 s on a quiet 2-core machine, docs/SCALE.md), and the DuckDB and Postgres builds run
# the same tests on the same SQL; the equal marts are what the Spark run proves.
SPARK_BUILD_ARGS = ["run"]
SPARK_BUILD_NOTE = ("on Spark the build is `dbt run` (models only): the data and unit tests run on DuckDB "
                    "and Postgres, where the same SQL is tested; each costs a Spark job here")
SPARK_FLOOR_NOTE = ("the floor is a hand-written DuckDB query over the raw table in the DuckDB file: not run "
                    "on Spark (compare with the DuckDB report's floor at the same size)")

GOAL_BUILD_S_10M = 60.0
GOAL_RSS_BYTES_10M = 4 * 1024**3
GOAL_FLOOR_RATIO = 3.0
GOAL_INCREMENTAL_RATIO = 0.25
GOAL_GENERATOR_S_10M = 60.0
GOAL_POSTGRES_BUILD_S_1M = 300.0


@dataclass
class BenchConfig:
    sizes: list[int]
    target: str = "duckdb"
    repeats: int = 1
    out: Path | None = Path("docs/benchmarks.md")
    json_path: Path | None = None
    skip_incremental: bool = False
    skip_full_refresh_check: bool = False
    workdir: Path = Path(os.environ.get("AI_OPS_BENCH_DIR", "/tmp/ai_ops_bench"))
    schema: str = "bench"
    seed: int = 42
    increment_fraction: float = 0.01
    late_fraction: float = 0.001
    duplicate_fraction: float = 0.005
    # how late the late events are: (A, B) weeks before the end of the on-time history (see
    # make_increment); None: anywhere in the history at least two weeks before the newest load
    late_weeks: tuple[int, int] | None = DEFAULT_LATE_WEEKS
    # issue 11's loads at or before the watermark in the increment: this many ties (loaded at the
    # newest loaded_at) and as many backfills (loaded ten days before it); see make_increment
    watermark_cases: int = 5
    keep: bool = False
    progress: bool = True
    command: str = ""

    @property
    def raw_schema(self) -> str:
        return f"{self.schema}_raw"
