-- No personal data that redact_pii can detect is left in staging: has_pii, true exactly where
-- redact_pii would change a text, must be false on every staged text (one regex test per text
-- instead of running the whole redaction chain again). Returns the offending event ids (never
-- the text itself).

with

events as (

    select * from {{ ref('stg_telemetry__ai_events') }}

),

checked as (

    select
        event_id,
        {{ has_pii('prompt_text') }} as has_prompt_text_left,
        {{ has_pii('response_text') }} as has_response_text_left,
        {{ has_pii('feedback') }} as has_feedback_left
    from events

),

final as (

    select * from checked
    where has_prompt_text_left or has_response_text_left or has_feedback_left

)

select * from final
