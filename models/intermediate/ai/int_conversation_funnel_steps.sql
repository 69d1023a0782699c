-- One row per conversation with a start time: its workflow, the ISO week it
-- started and which steps of the funnel it reached, each a flag from its
-- own valid events (a response, a successful response, a user action) and
-- from int_conversations_assembled (completed). ai_workflow_funnel counts them.
-- A view: the mart reads it once, so a table would only write it again.
{{ config(materialized='view') }}

with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

events as (
    select * from {{ ref('int_ai_events_unioned') }}
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

final as (
    select
        conversations.conversation_id,
        conversations.workflow,
        coalesce(conversation_steps.has_response = 1, false) as has_response,
        coalesce(conversation_steps.has_success = 1, false) as has_success,
        coalesce(conversation_steps.has_action = 1, false) as has_action,
        coalesce(conversations.is_completed, false) as is_completed,
        {{ period_start('week', 'conversations.started_at') }} as week_start
    from conversations
    left join conversation_steps
        on conversations.conversation_id = conversation_steps.conversation_id
    where conversations.started_at is not null
)

select * from final
