{#-
    Value economics per period_grain (week, month), period_start and workflow,
    plus a workflow = 'all' row per period. Dense: every period of the
    ops_metrics spine (int_metric_periods) and every ledger month, times every
    workflow seen in valid AI events, zeros where nothing happened. The
    conversation and response totals come from int_workflow_period_totals;
    ledger entries count by month (month grain only: null at week grain).
-#}
with

totals as (
    select * from {{ ref('int_workflow_period_totals') }}
),

ledger as (
    select * from {{ ref('stg_finance__cost_ledger_entries') }}
),

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

spine as (
    select * from {{ ref('int_metric_periods') }}
),

roi_assumptions as (
    select * from {{ ref('roi_assumptions') }}
),

-- periods: the spine plus any ledger month outside it
periods as (
    select
        period_grain,
        period_start
    from spine
    union
    select distinct
        'month' as period_grain,
        month as period_start
    from ledger
    where month is not null
),

workflows as (
    select distinct workflow from events
    where workflow is not null
    union
    select 'all' as workflow
),

grid as (
    select
        periods.period_grain,
        periods.period_start,
        workflows.workflow
    from periods
    cross join workflows
),

-- ledger entries: month grain only
ledger_totals as (
    select
        'month' as period_grain,
        month as period_start,
        workflow,
        count(*) as ledger_entries,
        sum(amount_usd) as ledger_cost_usd
    from ledger
    where workflow is not null
    group by 1, 2, 3
    union all
    select
        'month' as period_grain,
        month as period_start,
        'all' as workflow,
        count(*) as ledger_entries,
        sum(amount_usd) as ledger_cost_usd
    from ledger
    group by 1, 2
),

ticket_price as (
    {{ deflected_ticket_price('roi_assumptions') }}
),

joined as (
    select
        grid.period_grain,
        grid.period_start,
        grid.workflow,
        roi_assumptions.baseline_minutes_per_case,
        roi_assumptions.ai_minutes_per_case,
        roi_assumptions.review_minutes_per_case,
        roi_assumptions.loaded_hourly_cost_usd,
        case
            when grid.workflow in ('support_automation', 'all')
                then ticket_price.deflection_cost_per_ticket_usd
        end as deflection_cost_per_ticket_usd,
        coalesce(totals.conversations, 0) as conversations,
        coalesce(totals.completed_conversations, 0) as completed_conversations,
        coalesce(totals.deflected_conversations, 0) as deflected_conversations,
        coalesce(totals.work_removed_hours, 0) as work_removed_hours,
        coalesce(totals.labor_savings_usd, 0) as labor_savings_usd,
        coalesce(totals.deflection_savings_usd, 0) as deflection_savings_usd,
        coalesce(totals.ai_responses, 0) as ai_responses,
        coalesce(totals.ai_cost_usd, 0) as ai_cost_usd,
        case
            when grid.period_grain = 'month'
                then coalesce(ledger_totals.ledger_entries, 0)
        end as ledger_entries,
        case
            when grid.period_grain = 'month'
                then coalesce(ledger_totals.ledger_cost_usd, 0)
        end as ledger_cost_usd
    from grid
    left join totals
        on
            grid.period_grain = totals.period_grain
            and grid.period_start = totals.period_start
            and grid.workflow = totals.workflow
    left join ledger_totals
        on
            grid.period_grain = ledger_totals.period_grain
            and grid.period_start = ledger_totals.period_start
            and grid.workflow = ledger_totals.workflow
    left join roi_assumptions
        on grid.workflow = roi_assumptions.workflow
    cross join ticket_price
),

economics as (
    select
        *,
        labor_savings_usd + deflection_savings_usd as cost_savings_usd,
        -- ledger_cost_usd is null at week grain, so are these three
        ai_cost_usd + ledger_cost_usd as total_cost_usd,
        labor_savings_usd + deflection_savings_usd
        - (ai_cost_usd + ledger_cost_usd) as net_benefit_usd
    from joined
),

final as (
    select
        -- strings
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(workflow as {{ dbt.type_string() }}) as workflow,
        -- numerics: the roi_assumptions values used
        {{ roi_assumption_columns() }},
        -- numerics: activity
        cast(conversations as bigint) as conversations,
        cast(completed_conversations as bigint) as completed_conversations,
        cast(deflected_conversations as bigint) as deflected_conversations,
        cast(ai_responses as bigint) as ai_responses,
        cast(ledger_entries as bigint) as ledger_entries,
        -- numerics: value and cost
        cast(work_removed_hours as {{ type_double() }}) as work_removed_hours,
        cast(labor_savings_usd as {{ type_double() }}) as labor_savings_usd,
        cast(deflection_savings_usd as {{ type_double() }})
            as deflection_savings_usd,
        cast(cost_savings_usd as {{ type_double() }}) as cost_savings_usd,
        cast(ai_cost_usd as {{ type_double() }}) as ai_cost_usd,
        cast(ledger_cost_usd as {{ type_double() }}) as ledger_cost_usd,
        cast(total_cost_usd as {{ type_double() }}) as total_cost_usd,
        cast(net_benefit_usd as {{ type_double() }}) as net_benefit_usd,
        cast(
            case
                when total_cost_usd <> 0 then net_benefit_usd / total_cost_usd
            end as {{ type_double() }}
        ) as roi,
        -- dates
        period_start
    from economics
)

select * from final
