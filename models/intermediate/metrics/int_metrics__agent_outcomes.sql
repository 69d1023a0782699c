-- agent_cost_per_outcome of ops_metrics (CONTRACT.md version 2, bucket
-- value): what the agents' decisions cost per business outcome they name in
-- `kpi_link`. Overall segment, week and month grains (formula:
-- seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

decisions as (
    select * from {{ ref('stg_agents__decisions') }}
),

outcomes as (
    select * from {{ ref('stg_crm__outcomes') }}
),

decision_costs as (
    {{ period_segment_rollup(
        'decisions', time_column='decided_at',
        measures={'cost_usd': 'sum(cost_usd)'},
    ) }}
),

-- a CRM outcome counts once per period however many decisions name it
linked_outcomes as (
    select
        periodized.period_grain,
        periodized.period_start,
        count(distinct outcomes.outcome_id) as n_outcomes
    from ({{ expand_to_periods('decisions', 'decided_at') }}) as periodized
    inner join outcomes
        on periodized.kpi_link = outcomes.outcome_id
    group by 1, 2
),

period_costs as (
    select
        decision_costs.period_grain,
        decision_costs.period_start,
        decision_costs.segment_type,
        decision_costs.segment_value,
        decision_costs.cost_usd,
        coalesce(linked_outcomes.n_outcomes, 0) as n_outcomes
    from decision_costs
    left join linked_outcomes
        on
            decision_costs.period_grain = linked_outcomes.period_grain
            and decision_costs.period_start = linked_outcomes.period_start
),

-- one CTE per metric key

agent_cost_per_outcome as (
    {{ metric_row(
        'agent_cost_per_outcome', 'period_costs',
        numerator='cost_usd', denominator='n_outcomes',
    ) }}
),

final as (
    select
        {{ metric_family_columns() }}
    from agent_cost_per_outcome
)

select * from final
