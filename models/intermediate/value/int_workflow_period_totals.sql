-- One row per period_grain (week, month), period_start and workflow with a
-- conversation or an AI response, plus a workflow = 'all' row per period
-- that sums every row directly (so it also holds the rows whose workflow is
-- null). Conversations count by started_at and their first event's workflow
-- with the value they created; AI cost by the response's occurred_at and
-- own workflow.
with

conversations as (
    select * from {{ ref('int_conversations_valued') }}
),

responses as (
    select * from {{ ref('int_ai_responses_priced') }}
),

-- conversations: one pass to (week, month, workflow) first, so that the
-- week and month rows below sum a few hundred partial rows instead of
-- reading every conversation twice (sums and counts add up exactly)
conversation_grouped as (
    select
        week_start,
        month_start,
        workflow,
        count(*) as conversations,
        sum(case when is_completed then 1 else 0 end)
            as completed_conversations,
        sum(case when is_deflected then 1 else 0 end)
            as deflected_conversations,
        sum(work_removed_hours) as work_removed_hours,
        sum(labor_savings_usd) as labor_savings_usd,
        sum(deflection_savings_usd) as deflection_savings_usd
    from conversations
    -- by name, as period_segment_rollup below (SQLFluff AM06: one style a file)
    group by week_start, month_start, workflow
),

-- responses: one pass to (week, month, workflow) first, as for conversations
response_grouped as (
    select
        {{ period_start('week', 'occurred_at') }} as week_start,
        {{ period_start('month', 'occurred_at') }} as month_start,
        workflow,
        count(*) as ai_responses,
        sum(cost_usd) as ai_cost_usd
    from responses
    group by
        {{ period_start('week', 'occurred_at') }},
        {{ period_start('month', 'occurred_at') }},
        workflow
),

-- at most one row per source and key: the sums below add zeros only
grouped_sources as (
    select
        week_start,
        month_start,
        workflow,
        conversations,
        completed_conversations,
        deflected_conversations,
        work_removed_hours,
        labor_savings_usd,
        deflection_savings_usd,
        0 as ai_responses,
        0 as ai_cost_usd
    from conversation_grouped
    union all
    select
        week_start,
        month_start,
        workflow,
        0 as conversations,
        0 as completed_conversations,
        0 as deflected_conversations,
        0 as work_removed_hours,
        0 as labor_savings_usd,
        0 as deflection_savings_usd,
        ai_responses,
        ai_cost_usd
    from response_grouped
),

source_periods as (
    {{ stack_periods('grouped_sources') }}
),

-- per period: each workflow (null workflows left out) and the 'all' row
-- (segment_value 'all' of the overall row), which holds every row
summed as (
    {{ period_segment_rollup(
        'source_periods', segments=['workflow'],
        measures={
            'conversations': 'sum(conversations)',
            'completed_conversations': 'sum(completed_conversations)',
            'deflected_conversations': 'sum(deflected_conversations)',
            'ai_responses': 'sum(ai_responses)',
            'work_removed_hours': 'sum(work_removed_hours)',
            'labor_savings_usd': 'sum(labor_savings_usd)',
            'deflection_savings_usd': 'sum(deflection_savings_usd)',
            'ai_cost_usd': 'sum(ai_cost_usd)',
        },
    ) }}
),

final as (
    select
        -- strings
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(segment_value as {{ dbt.type_string() }}) as workflow,
        -- numerics
        cast(conversations as bigint) as conversations,
        cast(completed_conversations as bigint) as completed_conversations,
        cast(deflected_conversations as bigint) as deflected_conversations,
        cast(ai_responses as bigint) as ai_responses,
        cast(work_removed_hours as {{ type_double() }}) as work_removed_hours,
        cast(labor_savings_usd as {{ type_double() }}) as labor_savings_usd,
        cast(deflection_savings_usd as {{ type_double() }})
            as deflection_savings_usd,
        cast(ai_cost_usd as {{ type_double() }}) as ai_cost_usd,
        -- dates
        cast(period_start as date) as period_start
    from summed
)

select * from final
