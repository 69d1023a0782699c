{#-
    Every valid AI event the project counts, one row per event: those of raw.ai_events
    (stg_telemetry__ai_events) and those made from OpenTelemetry GenAI spans
    (int_otel_ai_events, event ids `otel:...`), with the same columns. Every model downstream of
    the events reads this one, so both inputs get the same pricing, conversations, metrics and
    marts. A view: it is a plain union.
-#}

{%- set columns = [
    'event_id', 'conversation_id', 'user_id', 'session_id',
    'event_name', 'workflow', 'model_version', 'prompt_version', 'feature_flag_state',
    'intent_label', 'model_used', 'response_status', 'error_type', 'action_type',
    'prompt_text', 'response_text', 'feedback',
    'prompt_number', 'latency_ms', 'input_tokens', 'output_tokens', 'cost_usd', 'rating',
    'consent_analytics', 'conversion_flag', 'is_prompt_text_redacted',
    'is_response_text_redacted', 'is_feedback_redacted',
    'occurred_date', 'occurred_at', 'loaded_at', 'processed_at',
] -%}

{{ config(materialized='view') }}

with

telemetry_events as (

    select * from {{ ref('stg_telemetry__ai_events') }}

),

otel_events as (

    select * from {{ ref('int_otel_ai_events') }}

),

final as (

    {{ union_columns(['telemetry_events', 'otel_events'], columns) }}

)

select * from final
