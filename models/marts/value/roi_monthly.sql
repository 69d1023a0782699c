-- The value story for the leadership review (CONTRACT.md section 3): one row
-- per month and workflow plus an 'all' row per month, for every month from
-- the first to the last month with valid AI response events. Every number
-- comes from int_roi_workflow_periods, which also carries the roi_assumptions
-- values used.
-- noqa: disable=RF04
with

workflow_periods as (
    select * from {{ ref('int_roi_workflow_periods') }}
),

monthly as (
    select * from workflow_periods
    where period_grain = 'month'
),

response_months as (
    select
        min(period_start) as first_month,
        max(period_start) as last_month
    from monthly
    where workflow = 'all' and ai_responses > 0
),

final as (
    select
        cast(monthly.period_start as date) as month,
        cast(monthly.workflow as {{ dbt.type_string() }}) as workflow,
        cast(monthly.completed_conversations as bigint)
            as completed_conversations,
        cast(monthly.work_removed_hours as {{ type_double() }})
            as work_removed_hours,
        cast(monthly.labor_savings_usd as {{ type_double() }})
            as labor_savings_usd,
        cast(monthly.deflection_savings_usd as {{ type_double() }})
            as deflection_savings_usd,
        cast(monthly.cost_savings_usd as {{ type_double() }}) as cost_savings_usd,
        cast(monthly.ai_cost_usd as {{ type_double() }}) as ai_cost_usd,
        cast(monthly.ledger_cost_usd as {{ type_double() }}) as ledger_cost_usd,
        cast(monthly.total_cost_usd as {{ type_double() }}) as total_cost_usd,
        cast(monthly.net_benefit_usd as {{ type_double() }}) as net_benefit_usd,
        cast(monthly.roi as {{ type_double() }}) as roi
    from monthly
    inner join response_months
        on
            monthly.period_start >= response_months.first_month
            and monthly.period_start <= response_months.last_month
)

select * from final
