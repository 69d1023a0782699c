{#-
    One row per valid, deduplicated AI event, JSON already parsed and free text already redacted
    (both once, in base_telemetry__ai_events): the first relation outside raw and quarantine, so
    it holds no personal data. A view: base is the typed event table, and writing the same
    10 M rows a second time cost more than filtering them on read (docs/benchmarks.md).
-#}

with

base_events as (

    select * from {{ ref('base_telemetry__ai_events') }}

),

valid_events as (

    select * from base_events
    where {{ valid_row_condition() }}

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
        prompt_text,
        response_text,
        feedback,

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
        is_prompt_text_redacted,
        is_response_text_redacted,
        is_feedback_redacted,

        ---------- dates and timestamps
        cast(occurred_at as date) as occurred_date,
        occurred_at,
        loaded_at,
        processed_at

    from valid_events

)

select * from final
