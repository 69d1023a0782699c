-- One row per metric key of the metric_targets seed: its target, the
-- direction that is better and the relative band that still counts as
-- at_risk (0 when the seed leaves it empty), typed once for the two models
-- that judge a value against it with target_status (ops_metrics, and
-- initiative_scorecard through int_outcome_contracts_enriched).
{{ config(materialized='view') }}

with

metric_targets as (
    select * from {{ ref('metric_targets') }}
),

final as (
    select
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast(target as {{ type_double() }}) as target,  -- noqa: RF04
        coalesce(cast(at_risk_band as {{ type_double() }}), 0) as at_risk_band
    from metric_targets
)

select * from final
