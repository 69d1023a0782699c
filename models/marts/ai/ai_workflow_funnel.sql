-- ai_workflow_funnel (CONTRACT.md version 2): where conversations drop off.
-- One row per ISO week of conversation start and workflow, plus an `all`
-- row per week: conversations, those with a response, with a successful
-- response, with an action, completed, and the step rates between them.

with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

events as (
    select * from {{ ref('stg_telemetry__ai_events') }}
),

-- the funnel steps of each conversation, from its own valid events
conversation_steps as (
    select
        conversation_id,
        max(
            case when event_name = 'ai_llm_response_received' then 1 else 0 end
        ) as has_response,
        max(
            case
                when
                    event_name = 'ai_llm_response_received'
                    and response_status = 'success'
                    then 1
                else 0
            end
        ) as has_success,
        max(
            case when event_name = 'ai_user_action' then 1 else 0 end
        ) as has_action
    from events
    group by conversation_id
),

conversation_funnel as (
    select
        conversations.workflow,
        {{ period_start('week', 'conversations.started_at') }} as week_start,
        coalesce(conversation_steps.has_response, 0) as has_response,
        coalesce(conversation_steps.has_success, 0) as has_success,
        coalesce(conversation_steps.has_action, 0) as has_action,
        case when conversations.is_completed then 1 else 0 end as is_completed
    from conversations
    left join conversation_steps
        on conversations.conversation_id = conversation_steps.conversation_id
    where conversations.started_at is not null
),

-- a conversation without workflow counts in the week's `all` row only
weekly_steps as (
    select
        week_start,
        coalesce(workflow, 'all') as workflow,
        count(*) as conversations,
        sum(has_response) as with_response,
        sum(has_success) as with_success,
        sum(has_action) as with_action,
        sum(is_completed) as completed
    from conversation_funnel
    group by grouping sets ((week_start), (week_start, workflow)) -- noqa: PRS
    having grouping(workflow) = 1 or workflow is not null
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
        cast(with_response as {{ type_double() }})
        / nullif(conversations, 0) as response_rate,
        cast(with_success as {{ type_double() }})
        / nullif(with_response, 0) as success_rate,
        cast(with_action as {{ type_double() }})
        / nullif(with_success, 0) as action_rate,
        cast(completed as {{ type_double() }})
        / nullif(conversations, 0) as completion_rate
    from weekly_steps
)

select * from final
