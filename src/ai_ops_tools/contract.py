"""Names fixed by CONTRACT.md section 3 that the Python tooling checks against."""

from __future__ import annotations

from typing import Final

METRIC_KEYS: Final[tuple[str, ...]] = (
    "p95_latency_ms", "success_rate", "conversation_completion_rate",
    "cost_per_successful_outcome", "ai_cost_usd", "support_deflection_rate", "escalation_rate",
    "sensitive_action_success", "decision_explainability", "trace_coverage", "redaction_rate",
    "weekly_active_users", "sla_attainment", "incident_rate", "mttr_hours",
    "time_to_diagnose_hours", "time_to_fix_hours", "data_freshness_minutes",
    "integration_health", "fragmented_systems_index", "work_removed_hours",
    "throughput_per_day", "cost_savings_usd", "total_cost_usd", "roi", "responsible_ai_score",
    "compliance_automation_coverage", "drift_check_cadence_days", "alert_triage_rate",
    "experiment_to_ops_conversion", "time_to_deploy_days", "multi_agent_success_rate",
)

# Shares in [0, 1] (CONTRACT conventions: rates are fractions, never percentages).
RATE_KEYS: Final[tuple[str, ...]] = (
    "success_rate", "conversation_completion_rate", "support_deflection_rate",
    "escalation_rate", "sensitive_action_success", "decision_explainability", "trace_coverage",
    "redaction_rate", "sla_attainment", "integration_health", "responsible_ai_score",
    "compliance_automation_coverage", "alert_triage_rate", "experiment_to_ops_conversion",
    "multi_agent_success_rate",
)

# Durations, costs and counts that cannot be negative on valid data. Freshness is left out on
# purpose: the contract accepts an occurred_at up to one day after loaded_at, so a small negative
# lag is valid. Savings and ROI can legitimately be negative.
NON_NEGATIVE_KEYS: Final[tuple[str, ...]] = (
    "p95_latency_ms", "cost_per_successful_outcome", "ai_cost_usd", "weekly_active_users",
    "incident_rate", "mttr_hours", "time_to_diagnose_hours", "time_to_fix_hours",
    "fragmented_systems_index", "throughput_per_day", "total_cost_usd",
    "drift_check_cadence_days",
)

EXPERIMENT_KEYS: Final[tuple[str, ...]] = (
    "conversation_completion_rate", "support_deflection_rate", "conversation_escalation_rate",
    "cost_per_successful_outcome", "tickets_per_day", "mean_handle_minutes",
)

STATUSES: Final[tuple[str, ...]] = ("on_track", "at_risk", "off_track", "no_target", "no_data")
BUCKETS: Final[tuple[str, ...]] = (
    "reliability", "data_systems", "value", "risk", "scale", "telemetry", "governance", "adoption",
)
SEGMENT_TYPES: Final[tuple[str, ...]] = (
    "overall", "workflow", "model_version", "prompt_version", "feature_flag_state",
)
PUBLISHED_MARTS: Final[tuple[str, ...]] = ("ops_metrics", "experiment_comparison", "roi_monthly")
