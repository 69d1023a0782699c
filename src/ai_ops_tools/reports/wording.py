"""Sentences generated from the data, worded honestly: a flat month is called flat, a
correlation is never called an effect, a non-significant lift says so. Numbers inside a
sentence are marked (``marks.mark``) like every other number on the page."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup

Marker = Callable[[str, Any, str], Markup]  # (column, value, format kind) -> a marked number

ATTRIBUTION = {
    "controlled_comparison": "attributed by a controlled comparison against a concurrent control group",
    "staged_rollout": "attributed by a staged rollout: stages switched on at different times are compared",
    "regression": "estimated by regression: an association adjusted for other drivers, not an experiment",
    "before_after": "before/after only: a correlation in time, not a proven effect",
}
RECOMMENDATION_WORDS = {"expand": "Expand", "adjust": "Adjust", "hold": "Hold", "wind_down": "Wind down"}
FLAT_SHARE = 0.05


def status_words(status: str) -> str:
    return status.replace("_", " ")


def recommendation_reason(row: Mapping[str, Any], m: Marker, kind: str) -> Markup:
    """The one-line reason the scorecard's rule gives for this period's recommendation."""
    rec, status = row["recommendation"], row["status"]
    value, target = m("value", row["value"], kind), m("target_value", row["target_value"], kind)
    if rec == "expand":
        return Markup("on track {} periods in a row: {} against a target of {}").format(
            m("periods_on_track", row["periods_on_track"], "count"), value, target)
    if rec == "wind_down":
        return Markup("off track for the last three periods and no better than the baseline ({}): "
                      "stop or rethink").format(m("baseline_value", row["baseline_value"], kind))
    if rec == "adjust":
        progress = row["progress"]
        tail = (Markup(", {} of the way from the baseline to the target").format(m("progress", progress, "pct"))
                if progress is not None and progress > 0 else Markup(", no better than the baseline"))
        return Markup("{} this period: {} against a target of {}{}").format(status_words(status), value, target, tail)
    if status == "no_data":
        return Markup("no data this period: nothing to judge yet")
    return Markup("{} this period ({} against {}), not yet two periods in a row").format(
        status_words(status), value, target)


def movement(row: Mapping[str, Any], m: Marker) -> Markup:
    """Is the period outside the baseline's normal variation?"""
    z = row["movement_z"]
    if row["value"] is None:
        return Markup("")
    if row["baseline_stddev"] is None:
        return Markup("no measured variation of the baseline to compare with (agreed in the contract, "
                      "or fewer than two baseline periods)")
    if z is None:
        return Markup("the baseline did not vary: no normal variation to compare with")
    if abs(z) < 1:
        return Markup("flat: within the baseline's normal variation (z = {})").format(m("movement_z", z, "ratio"))
    # the contract's direction is where the target lies from the baseline
    towards_target = row["target_value"] - row["baseline_value"]
    if towards_target == 0:
        side = "above" if z > 0 else "below"
    else:
        side = "better" if (z > 0) == (towards_target > 0) else "worse"
    return Markup("{} than the baseline's normal variation (z = {})").format(side, m("movement_z", z, "ratio"))


def month_change(current: float | None, previous: float | None) -> str:
    """'flat', 'up' or 'down' against last month (flat: within 5% of last month's size)."""
    if current is None or previous is None:
        return "not comparable with last month"
    if abs(current - previous) <= FLAT_SHARE * max(abs(previous), 1e-9):
        return "flat against last month"
    return "up from last month" if current > previous else "down from last month"


def lift_verdict(row: Mapping[str, Any]) -> str:
    """What a lift may be called: an effect only when concurrent arms were compared and p < 0.05."""
    if row["p_value"] is None:
        return "not enough data to compare"
    srm = row.get("srm_p_value")
    suspect = " The arms are not the promised split (sample ratio mismatch): treat with suspicion." \
        if srm is not None and srm < 0.001 else ""
    if not row["is_significant"]:
        return "Not significant: no difference detected." + suspect
    if row["comparison_type"] == "control_vs_treatment":
        return "Significant: a measured effect of the treatment." + suspect
    return "Significant change after launch; before/after, so a correlation in time, not proof the AI caused it."
