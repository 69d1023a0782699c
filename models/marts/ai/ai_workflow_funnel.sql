-- ai_workflow_funnel (CONTRACT.md version 2): where conversations drop off.
-- One row per ISO week of conversation start and workflow, plus an `all`
-- row per week: conversations, those with a response, with a successful
-- response, with an action, completed, and the step rates between them.

with

conversation_funnel as (
    select * from {{ ref('int_conversation_funnel_steps') }}
),

weekly_step_sets as (
    select
        week_start,
        workflow,
        grouping(workflow) as is_week_total,
        count(*) as conversations,
        sum(case when has_response then 1 else 0 end) as with_response,
        sum(case when has_success then 1 else 0 end) as with_success,
        sum(case when has_action then 1 else 0 end) as with_action,
        sum(case when is_completed then 1 else 0 end) as completed
    from conversation_funnel
    group by grouping sets ((week_start), (week_start, workflow)) -- noqa: PRS
),

-- a conversation without workflow counts in the week's `all` row only (a filter after the
-- grouping: Spark resolves a having clause over grouping sets against the select list only)
weekly_steps as (
    select
        week_start,
        coalesce(workflow, 'all') as workflow,
        conversations,
        with_response,
        with_success,
        with_action,
        completed
    from weekly_step_sets
    where is_week_total = 1 or workflow is not null
),

final as (
    select
        cast(week_start as date) as week_start,
        cast(workflow as {{ dbt.type_string() }}) as workflow,
        cast(conversations as bigint) as conversations,
        cast(with_response as bigint) as with_response,
        cast(with_success as bigint) as with_success,
        cast(with_action as bigint) as with_action,
        cast(completed as bigint) as completed,
        {{ safe_divide('with_response', 'conversations') }} as response_rate,
        {{ safe_divide('with_success', 'with_response') }} as success_rate,
        {{ safe_divide('with_action', 'with_success') }} as action_rate,
        {{ safe_divide('completed', 'conversations') }} as completion_rate
    from weekly_steps
)

select * from final
