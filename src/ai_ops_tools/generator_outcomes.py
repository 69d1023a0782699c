"""The planted outcome stories behind the seed ``outcome_contracts`` (truths for the scorecard).

The demo's four contracts are written against effects the generator plants (generator.py):
deflection and completion by experimental arm (TICKET_AFTER_SUPPORT_P, COMPLETION_P), the
error rate of responses (3%, 6% on the slow model version) and the slow model version rolled
out from five weeks after launch (SLOW_LATENCY_FACTOR). Each target sits well clear of the
planted value, so on the demo calendar (the generator's defaults) every initiative gets the
recommendations listed here, and the four values of `recommendation` all appear.
"""

from __future__ import annotations

from typing import Any

from ai_ops_tools.generator import COMPLETION_P, SLOW_LATENCY_FACTOR, SLOW_MODEL_VERSION, TICKET_AFTER_SUPPORT_P

# initiative_id -> the story; "final" is the recommendation of the last complete month's review
OUTCOME_PLANTS: dict[str, dict[str, Any]] = {
    "ini-005": {
        "metric_key": "support_deflection_rate",
        "attribution_method": "controlled_comparison",
        "planted": {"deflection_control": 1 - TICKET_AFTER_SUPPORT_P["control"],
                    "deflection_treatment": 1 - TICKET_AFTER_SUPPORT_P["treatment"]},
        "why": "post-launch deflection is planted at or above 0.60 against a target of 0.45: on track every month",
        "recommendations": ["hold", "expand"],
        "first_review": "hold",
        "final": "expand",
    },
    "ini-001": {
        "metric_key": "success_rate",
        "attribution_method": "regression",
        "planted": {"error_rate": 0.03, "error_rate_slow_version": 0.06},
        "why": "responses succeed about 96-97% of the time against a target of 0.93: on track every month",
        "recommendations": ["hold", "expand"],
        "first_review": "hold",
        "final": "expand",
    },
    "ini-008": {
        "metric_key": "p95_latency_ms",
        "attribution_method": "staged_rollout",
        "planted": {"slow_model_version": SLOW_MODEL_VERSION, "slow_latency_factor": SLOW_LATENCY_FACTOR},
        "why": "the rollout brings the slow model version: p95 latency ends far above its measured baseline "
               "and the 2,000 ms target, so three off-track periods without progress follow",
        "recommendations": ["adjust", "wind_down"],
        "first_review": "adjust",
        "final": "wind_down",
    },
    "ini-013": {
        "metric_key": "conversation_completion_rate",
        "attribution_method": "before_after",
        "planted": {"completion_control": COMPLETION_P["control"],
                    "completion_treatment": COMPLETION_P["treatment"]},
        "why": "completion rises from the agreed 0.45 baseline to about 0.56 but stays below the 0.675 at-risk "
               "floor of its 0.75 target: off track with progress, every month",
        "recommendations": ["adjust"],
        "first_review": "adjust",
        "final": "adjust",
    },
}


def outcome_truths() -> dict[str, Any]:
    """What the scorecard should show on the demo calendar, per initiative (for truths.json)."""
    shown = sorted({r for plant in OUTCOME_PLANTS.values() for r in plant["recommendations"]})
    return {"initiatives": OUTCOME_PLANTS, "recommendations_shown": shown}
