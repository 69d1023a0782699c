-- One row per outcome contract (seed outcome_contracts, CONTRACT.md section
-- 3, v2) with what initiative_scorecard needs beside ops_metrics: the period
-- grain of its review cadence (weekly: week, else month), its initiative's
-- name (null when the initiative is not among the valid ai_initiatives rows)
-- and its metric's at_risk_band (0 without a metric_targets row).
{{ config(materialized='view') }}

with

contracts as (
    select * from {{ ref('outcome_contracts') }}
),

initiatives as (
    select * from {{ ref('stg_governance__ai_initiatives') }}
),

metric_targets as (
    select * from {{ ref('int_metric_targets') }}
),

final as (
    select
        contracts.initiative_id,
        contracts.metric_key,
        contracts.segment_type,
        contracts.segment_value,
        contracts.baseline_value,
        contracts.baseline_start,
        contracts.baseline_end,
        contracts.target_value,
        contracts.direction,
        contracts.attribution_method,
        contracts.review_cadence,
        contracts.owner,  -- noqa: RF04
        contracts.agreed_on,
        initiatives.name as initiative_name,
        case
            when contracts.review_cadence = 'weekly' then 'week' else 'month'
        end as period_grain,
        coalesce(metric_targets.at_risk_band, 0) as at_risk_band
    from contracts
    left join initiatives
        on contracts.initiative_id = initiatives.initiative_id
    left join metric_targets
        on contracts.metric_key = metric_targets.metric_key
)

select * from final
