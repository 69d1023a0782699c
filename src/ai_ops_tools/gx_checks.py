"""Great Expectations suite on the published marts, for DuckDB or Postgres.

GX 1.x has no working DuckDB datasource, so DuckDB relations are read into
pandas and validated through a dataframe asset; Postgres relations are
validated in the database through a SQL query asset. Both routes run the
same slices (a query plus expectations), so the checks cannot drift apart.
Results use ``exclude_unexpected_values`` so they never hold raw values.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ai_ops_tools import contract

# GX and tqdm print progress bars and phone home unless told not to.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
os.environ.setdefault("TQDM_DISABLE", "1")


def _import_gx() -> Any:
    """great_expectations, imported so that pyspark cannot end the process.

    With the `spark` extra installed, GX imports pyspark's Spark Connect module, which calls
    sys.exit(0) when ``__main__`` has neither a spec nor a file (``python -c``, a pytest-xdist worker,
    a host that embeds Python) and Spark Connect's own dependencies are missing: it takes that for a
    doctest run. A check would then stop with status 0, as if it had passed. ``__main__`` gets a
    file name for the length of the import.
    """
    main = sys.modules["__main__"]
    borrowed = getattr(main, "__spec__", None) is None and not hasattr(main, "__file__")
    if borrowed:
        main.__file__ = "<ai_ops_tools.gx_checks>"
    try:
        import great_expectations as gx
    finally:
        if borrowed:
            del main.__file__
    return gx


@dataclass(frozen=True)
class Slice:
    """A query over one published mart and the expectations its rows must meet."""

    name: str
    query: str
    expectations: Callable[[], list[Any]]


@dataclass(frozen=True)
class CheckResult:
    slice: str
    expectation: str
    column: str | None
    success: bool
    element_count: int | None
    unexpected_count: int | None


def _in_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _ops_metrics_slices(ex: Any, ops: str) -> list[Slice]:
    """ops_metrics: the grain and the enums on every row; ranges on the rows of a kind of metric."""
    return [
        Slice(
            "ops_metrics__all",
            f"select * from {ops}",
            lambda: [
                ex.ExpectTableRowCountToBeBetween(min_value=1),
                ex.ExpectColumnDistinctValuesToEqualSet(
                    column="metric_key", value_set=list(contract.METRIC_KEYS)
                ),
                ex.ExpectColumnValuesToBeInSet(column="status", value_set=list(contract.STATUSES)),
                ex.ExpectColumnValuesToBeInSet(column="bucket", value_set=list(contract.BUCKETS)),
                ex.ExpectColumnValuesToBeInSet(column="period_grain", value_set=["week", "month"]),
                ex.ExpectColumnValuesToBeInSet(
                    column="segment_type", value_set=list(contract.SEGMENT_TYPES)
                ),
                ex.ExpectColumnValuesToNotBeNull(column="period_start"),
                ex.ExpectCompoundColumnsToBeUnique(
                    column_list=[
                        "metric_key", "period_grain", "period_start", "segment_type",
                        "segment_value",
                    ]
                ),
            ],
        ),
        Slice(
            "ops_metrics__rates",
            f"select * from {ops} where metric_key in ({_in_list(contract.RATE_KEYS)})",
            lambda: [ex.ExpectColumnValuesToBeBetween(column="value", min_value=0, max_value=1)],
        ),
        Slice(
            "ops_metrics__non_negative",
            f"select * from {ops} where metric_key in ({_in_list(contract.NON_NEGATIVE_KEYS)})",
            lambda: [ex.ExpectColumnValuesToBeBetween(column="value", min_value=0)],
        ),
        Slice(
            "ops_metrics__no_data",
            f"select * from {ops} where status = 'no_data'",
            lambda: [ex.ExpectColumnValuesToBeNull(column="value")],
        ),
    ]


def _roi_monthly_slice(ex: Any, roi: str) -> Slice:
    return Slice(
        "roi_monthly__all",
        f"select * from {roi}",
        lambda: [
            ex.ExpectTableRowCountToBeBetween(min_value=1),
            ex.ExpectCompoundColumnsToBeUnique(column_list=["month", "workflow"]),
            *[
                ex.ExpectColumnValuesToBeBetween(column=c, min_value=0)
                for c in (
                    "completed_conversations", "deflection_savings_usd", "ai_cost_usd",
                    "ledger_cost_usd", "total_cost_usd",
                )
            ],
        ],
    )


def _experiment_comparison_slice(ex: Any, exp: str) -> Slice:
    return Slice(
        "experiment_comparison__all",
        f"select * from {exp}",
        lambda: [
            ex.ExpectColumnValuesToBeInSet(
                column="comparison_type", value_set=["control_vs_treatment", "pre_vs_post"]
            ),
            ex.ExpectColumnDistinctValuesToContainSet(
                column="metric_key", value_set=list(contract.EXPERIMENT_KEYS)
            ),
            ex.ExpectColumnValuesToBeBetween(column="p_value", min_value=0, max_value=1),
            ex.ExpectColumnValuesToBeBetween(column="baseline_n", min_value=0),
            ex.ExpectColumnValuesToBeBetween(column="treatment_n", min_value=0),
            ex.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="ci_high", column_B="ci_low", or_equal=True, ignore_row_if="either_value_is_missing"
            ),
        ],
    )


def build_slices(marts_schema: str) -> list[Slice]:
    """The suite: one slice per subset of rows that shares a rule."""
    gx = _import_gx()

    ex = gx.expectations
    return [
        *_ops_metrics_slices(ex, f"{marts_schema}.ops_metrics"),
        _roi_monthly_slice(ex, f"{marts_schema}.roi_monthly"),
        _experiment_comparison_slice(ex, f"{marts_schema}.experiment_comparison"),
    ]


def _collect(slice_name: str, validation: Any) -> list[CheckResult]:
    out = []
    for r in validation.results:
        cfg = r.expectation_config
        res = r.result or {}
        out.append(
            CheckResult(
                slice=slice_name,
                expectation=cfg.type,
                column=cfg.kwargs.get("column"),
                success=bool(r.success),
                element_count=res.get("element_count"),
                unexpected_count=res.get("unexpected_count"),
            )
        )
    return out


_RESULT_FORMAT = {"result_format": "BASIC", "exclude_unexpected_values": True}


def _quiet_context() -> Any:
    """An ephemeral GX context without progress bars (they flood CI logs; TQDM_DISABLE misses them)."""
    gx = _import_gx()
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    return ctx


def _duckdb_connect(duckdb_path: str) -> Any:
    """A read-only connection, or a plain one when this process already holds the file open.

    DuckDB refuses a second connection to the same file with a different configuration in one
    process ("Can't open a connection to same database file with a different configuration"),
    which is the case when dbt-duckdb ran in-process (dbtRunner, the pytest harness) before.
    """
    import duckdb

    try:
        return duckdb.connect(duckdb_path, read_only=True)
    except duckdb.ConnectionException:
        return duckdb.connect(duckdb_path)


def run_duckdb(duckdb_path: str, marts_schema: str) -> list[CheckResult]:
    """Validate DuckDB marts through pandas (GX has no DuckDB datasource)."""
    gx = _import_gx()

    ctx = _quiet_context()
    asset_source = ctx.data_sources.add_pandas(name="duckdb_marts")
    results: list[CheckResult] = []
    with _duckdb_connect(duckdb_path) as con:
        for sl in build_slices(marts_schema):
            frame = con.execute(sl.query).df()
            batch = asset_source.add_dataframe_asset(name=sl.name).add_batch_definition_whole_dataframe(
                f"{sl.name}__batch"
            )
            suite = ctx.suites.add(gx.ExpectationSuite(name=sl.name, expectations=sl.expectations()))
            vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=sl.name, data=batch, suite=suite))
            results += _collect(sl.name, vd.run(batch_parameters={"dataframe": frame}, result_format=_RESULT_FORMAT))
    return results


def postgres_url() -> str:
    """The SQLAlchemy URL from the same variables as profiles.yml.example.

    ``postgresql+psycopg2`` is explicit: with SQLAlchemy 2.1 a bare
    ``postgresql://`` selects psycopg 3, which is not installed.
    """
    user = os.environ.get("AI_OPS_PG_USER", "postgres")
    password = os.environ.get("AI_OPS_PG_PASSWORD", "")
    host = os.environ.get("AI_OPS_PG_HOST", "127.0.0.1")
    port = os.environ.get("AI_OPS_PG_PORT", "5432")
    database = os.environ.get("AI_OPS_PG_DATABASE", "postgres")
    auth = f"{user}:{password}" if password else user
    return f"postgresql+psycopg2://{auth}@{host}:{port}/{database}"


def run_postgres(marts_schema: str, url: str | None = None) -> list[CheckResult]:
    """Validate Postgres marts in the database through SQL query assets."""
    gx = _import_gx()

    ctx = _quiet_context()
    source = ctx.data_sources.add_postgres(name="postgres_marts", connection_string=url or postgres_url())
    results: list[CheckResult] = []
    for sl in build_slices(marts_schema):
        batch = source.add_query_asset(name=sl.name, query=sl.query).add_batch_definition_whole_table(
            f"{sl.name}__batch"
        )
        suite = ctx.suites.add(gx.ExpectationSuite(name=sl.name, expectations=sl.expectations()))
        vd = ctx.validation_definitions.add(gx.ValidationDefinition(name=sl.name, data=batch, suite=suite))
        results += _collect(sl.name, vd.run(result_format=_RESULT_FORMAT))
    return results


def report(results: list[CheckResult]) -> str:
    """Results as JSON: counts only, never the failing values themselves."""
    return json.dumps(
        {
            "success": all(r.success for r in results),
            "failed": sum(not r.success for r in results),
            "checked": len(results),
            "results": [asdict(r) for r in results],
        },
        indent=2,
    )
