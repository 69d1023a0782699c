"""Names fixed by CONTRACT.md section 3 that the Python tooling checks against.

The metric keys and their properties come from the one metric catalog, the dbt seed
``seeds/metric_catalog.csv``: nothing here lists a key by hand.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

CATALOG_FILE: Final[str] = "seeds/metric_catalog.csv"


@dataclass(frozen=True)
class Metric:
    """One row of the metric catalog."""

    key: str
    bucket: str
    period_grains: tuple[str, ...]
    segment_types: tuple[str, ...]
    unit: str
    min_value: float | None
    max_value: float | None
    direction: str
    model: str
    formula: str


def _candidates() -> list[Path]:
    """Where the catalog may be: AI_OPS_PROJECT_DIR, the source tree of an editable install, the cwd upwards."""
    out = []
    if os.environ.get("AI_OPS_PROJECT_DIR"):
        out.append(Path(os.environ["AI_OPS_PROJECT_DIR"]) / CATALOG_FILE)
    out.append(Path(__file__).resolve().parents[2] / CATALOG_FILE)
    out += [d / CATALOG_FILE for d in (Path.cwd(), *Path.cwd().parents)]
    return out


def catalog_path() -> Path:
    """The metric catalog of the ai_ops project this package belongs to."""
    candidates = _candidates()
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"{CATALOG_FILE} not found (looked in {', '.join(str(p) for p in candidates[:3])}, ...): install the "
        "package editable from the ai_ops project (pip install -e .), run from the project, or set AI_OPS_PROJECT_DIR"
    )


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def load_catalog(path: Path | None = None) -> tuple[Metric, ...]:
    """Every row of the metric catalog, in file order (the order of CONTRACT.md's table)."""
    with open(path or catalog_path(), encoding="utf-8", newline="") as f:
        return tuple(
            Metric(
                key=row["metric_key"], bucket=row["bucket"],
                period_grains=tuple(row["period_grains"].split(",")),
                segment_types=tuple(row["segment_types"].split(",")), unit=row["unit"],
                min_value=_number(row["min_value"]), max_value=_number(row["max_value"]),
                direction=row["direction"], model=row["model"], formula=row["formula"],
            )
            for row in csv.DictReader(f)
        )


METRIC_CATALOG: Final[tuple[Metric, ...]] = load_catalog()
METRIC_KEYS: Final[tuple[str, ...]] = tuple(m.key for m in METRIC_CATALOG)

# Shares in [0, 1] (CONTRACT conventions: rates are fractions, never percentages).
RATE_KEYS: Final[tuple[str, ...]] = tuple(
    m.key for m in METRIC_CATALOG if m.min_value == 0 and m.max_value == 1
)

# Durations, costs and counts that cannot be negative on valid data (a catalog min_value of 0 and
# no max). Freshness has no minimum: the contract accepts an occurred_at up to one day after
# loaded_at, so a small negative lag is valid; savings and ROI can legitimately be negative.
NON_NEGATIVE_KEYS: Final[tuple[str, ...]] = tuple(
    m.key for m in METRIC_CATALOG if m.min_value == 0 and m.max_value is None
)

EXPERIMENT_KEYS: Final[tuple[str, ...]] = (
    "conversation_completion_rate", "support_deflection_rate", "conversation_escalation_rate",
    "cost_per_successful_outcome", "tickets_per_day", "mean_handle_minutes",
)

STATUSES: Final[tuple[str, ...]] = ("on_track", "at_risk", "off_track", "no_target", "no_data")
BUCKETS: Final[tuple[str, ...]] = (
    "reliability", "data_systems", "value", "risk", "scale", "telemetry", "governance", "adoption", "quality",
)
SEGMENT_TYPES: Final[tuple[str, ...]] = (
    "overall", "workflow", "model_version", "prompt_version", "feature_flag_state",
)
PUBLISHED_MARTS: Final[tuple[str, ...]] = (
    "ops_metrics", "experiment_comparison", "roi_monthly", "initiative_scorecard", "cost_breakdown_monthly",
    "ai_workflow_funnel",
)
