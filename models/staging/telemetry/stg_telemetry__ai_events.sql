{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

{#-
    One row per valid, deduplicated AI event, JSON already parsed (in base_telemetry__ai_events),
    free text redacted: the first relation outside raw and quarantine, so it holds no personal data.

    Incremental (append, docs/INCREMENTAL.md): a run redacts and appends only the valid,
    non-duplicate base rows loaded after the newest stored loaded_at (or with a null loaded_at)
    whose event_id is not stored yet; base never flags two rows of one event_id as the winner.
-#}

with

base_events as (

    select * from {{ ref('base_telemetry__ai_events') }}

),

valid_events as (

    select * from base_events
    where
        {{ valid_row_condition() }}
    {% if is_incremental() %}
        and (loaded_at > {{ incremental_watermark('loaded_at') }} or loaded_at is null)
        and not exists (
            select 1 from {{ this }} as loaded_before
            where loaded_before.event_id = base_events.event_id
        )
    {% endif %}

),

redacted as (

    -- each text is redacted once (redact_pii runs its rule chain only where has_pii matches);
    -- the flags compare the result with the original: measured as cheap as reusing has_pii
    select
        *,
        {{ redact_pii('prompt_text') }} as redacted_prompt_text,
        {{ redact_pii('response_text') }} as redacted_response_text,
        {{ redact_pii('feedback') }} as redacted_feedback
    from valid_events
    -- keeps Postgres from running each redaction twice (text and flag)
    {{ inline_barrier() }}

),

final as (

    select
        ---------- ids
        event_id,
        conversation_id,
        user_id,
        session_id,

        ---------- strings
        event_name_normalized as event_name,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        intent_label,
        model_used,
        response_status,
        error_type,
        action_type,
        redacted_prompt_text as prompt_text,
        redacted_response_text as response_text,
        redacted_feedback as feedback,

        ---------- numerics
        prompt_number,
        latency_ms,
        input_tokens,
        output_tokens,
        cost_usd,
        rating,

        ---------- booleans
        consent_analytics,
        conversion_flag,
        coalesce(redacted_prompt_text <> prompt_text, false) as is_prompt_text_redacted,
        coalesce(redacted_response_text <> response_text, false) as is_response_text_redacted,
        coalesce(redacted_feedback <> feedback, false) as is_feedback_redacted,

        ---------- dates and timestamps
        cast(occurred_at as date) as occurred_date,
        occurred_at,
        loaded_at

    from redacted

)

select * from final
