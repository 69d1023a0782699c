-- One row per conversation_id: the attributes of its earliest valid event
-- (CONTRACT.md: a conversation's time, workflow and arm are those of its
-- earliest valid event). Ties on occurred_at are broken by the event order
-- of the three-event model (prompt, response, action), then by event_id, so
-- the choice is deterministic. Computed (incrementally) in
-- int_conversation_event_rollups; this view is its projection (a table
-- would write every conversation again on each run for no gain).
{{ config(materialized='view') }}

with

rollups as (
    select * from {{ ref('int_conversation_event_rollups') }}
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
        started_at
    from rollups
)

select * from final
