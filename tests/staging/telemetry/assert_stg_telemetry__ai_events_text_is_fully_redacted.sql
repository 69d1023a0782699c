-- No personal data that redact_pii can detect is left in staging: redacting the staged free text
-- again must change nothing. Returns the offending event ids (never the text itself).

with

events as (

    select * from {{ ref('stg_telemetry__ai_events') }}

),

redacted_again as (

    select
        event_id,
        prompt_text,
        response_text,
        feedback,
        {{ redact_pii('prompt_text') }} as prompt_text_redacted_again,
        {{ redact_pii('response_text') }} as response_text_redacted_again,
        {{ redact_pii('feedback') }} as feedback_redacted_again
    from events

),

final as (

    select
        event_id,
        prompt_text_redacted_again <> prompt_text as has_prompt_text_left,
        response_text_redacted_again <> response_text as has_response_text_left,
        feedback_redacted_again <> feedback as has_feedback_left
    from redacted_again

)

select * from final
where has_prompt_text_left or has_response_text_left or has_feedback_left
