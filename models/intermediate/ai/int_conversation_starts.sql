-- One row per conversation_id: the attributes of its earliest valid event
-- (CONTRACT.md: a conversation's time, workflow and arm are those of its
-- earliest valid event). Ties on occurred_at are broken by the event order
-- of the three-event model (prompt, response, action), then by event_id, so
-- the choice is deterministic.
with

events as (
    select * from {{ ref('stg_telemetry__ai_events') }}
),

ranked as (
    select
        conversation_id,
        user_id,
        workflow,
        feature_flag_state,
        model_version,
        prompt_version,
        occurred_at,
        row_number() over (
            partition by conversation_id
            order by
                occurred_at,
                case event_name
                    when 'ai_user_prompt_created' then 1
                    when 'ai_llm_response_received' then 2
                    else 3
                end,
                event_id
        ) as event_rank
    from events
),

final as (
    select
        -- ids
        conversation_id,
        user_id,
        -- strings
        workflow,
        feature_flag_state,
        model_version,
        prompt_version,
        -- timestamps
        occurred_at as started_at
    from ranked
    where event_rank = 1
)

select * from final
