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

-- each decision with the CRM outcome it names (outcome_id is unique: the
-- join adds no rows); a CRM outcome counts once per period however many
-- decisions name it
decision_outcomes as (
    select
        decisions.decided_at,
        decisions.cost_usd,
        outcomes.outcome_id as linked_outcome_id
    from decisions
    left join outcomes
        on decisions.kpi_link = outcomes.outcome_id
),

period_costs as (
    {{ period_segment_rollup(
        'decision_outcomes', time_column='decided_at',
        measures={
            'cost_usd': 'sum(cost_usd)',
            'n_outcomes': 'count(distinct linked_outcome_id)',
        },
    ) }}
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
