-- One row per processed raw ai_events row (every copy, valid or quarantined):
-- the keys a model downstream of the events recomputes when the row was
-- processed after the model's own newest processed_at
-- (processed_ai_events_since, docs/INCREMENTAL.md). A view: it is read for a
-- few new rows per run.
with

base_events as (
    select * from {{ ref('base_telemetry__ai_events') }}
),

final as (
    select
        -- ids
        event_id,
        conversation_id,
        user_id,
        -- timestamps
        occurred_at,
        processed_at
    from base_events
)

select * from final
