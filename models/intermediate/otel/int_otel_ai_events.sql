{#-
    The AI events of the valid GenAI spans (CONTRACT.md "OTel input"): every chat,
    text_completion or generate_content span becomes an ai_user_prompt_created event at its
    start (`otel:<span_id>:prompt`) and an ai_llm_response_received event at its end
    (`otel:<span_id>`), with the columns of stg_telemetry__ai_events, so that
    int_ai_events_unioned serves both inputs to the same pricing, conversations and metrics.

    processed_at is the newest processed_at of any span of the event's traces in its
    conversation: a span arriving later (an ancestor that changes the mapped fields, an earlier
    turn that renumbers the prompts) marks every event of the conversation as changed for the
    incremental models downstream (docs/INCREMENTAL.md).
-#}

with

spans as (

    select * from {{ ref('stg_otel__spans') }}

),

span_fields as (

    select * from {{ ref('int_otel_span_fields_resolved') }}

),

trace_changes as (

    select
        trace_id,
        max(processed_at) as trace_processed_at
    from spans
    group by trace_id

),

inference_spans as (

    -- with no conversation id mapped, the trace is the conversation
    select
        spans.*,
        coalesce(span_fields.conversation_id, spans.trace_id) as conversation_id,
        span_fields.user_id,
        span_fields.session_id,
        span_fields.workflow,
        span_fields.model_version,
        span_fields.prompt_version,
        span_fields.feature_flag_state,
        span_fields.consent_analytics,
        span_fields.intent_label,
        trace_changes.trace_processed_at
    from spans
    inner join span_fields
        on spans.span_id = span_fields.span_id
    inner join trace_changes
        on spans.trace_id = trace_changes.trace_id
    where spans.operation_name in ('chat', 'text_completion', 'generate_content')

),

numbered as (

    select
        *,
        cast(
            row_number() over (
                partition by conversation_id
                order by started_at asc, span_id asc
            ) as integer
        ) as prompt_number,
        max(trace_processed_at) over (
            partition by conversation_id
        ) as conversation_processed_at
    from inference_spans

),

prompts as (

    select
        ---------- ids
        'otel:' || span_id || ':prompt' as event_id,
        conversation_id,
        user_id,
        session_id,
        ---------- strings
        'ai_user_prompt_created' as event_name,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        intent_label,
        model_used,
        cast(null as {{ dbt.type_string() }}) as response_status,
        cast(null as {{ dbt.type_string() }}) as error_type,
        cast(null as {{ dbt.type_string() }}) as action_type,
        prompt_text,
        cast(null as {{ dbt.type_string() }}) as response_text,
        cast(null as {{ dbt.type_string() }}) as feedback,
        ---------- numerics
        prompt_number,
        cast(null as double precision) as latency_ms,
        cast(null as bigint) as input_tokens,
        cast(null as bigint) as output_tokens,
        cast(null as double precision) as cost_usd,
        cast(null as integer) as rating,
        ---------- booleans
        consent_analytics,
        cast(null as boolean) as conversion_flag,
        is_prompt_text_redacted,
        false as is_response_text_redacted,
        false as is_feedback_redacted,
        ---------- timestamps
        cast(started_at as date) as occurred_date,
        started_at as occurred_at,
        loaded_at,
        conversation_processed_at as processed_at
    from numbered

),

responses as (

    select
        ---------- ids
        'otel:' || span_id as event_id,
        conversation_id,
        user_id,
        session_id,
        ---------- strings
        'ai_llm_response_received' as event_name,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        cast(null as {{ dbt.type_string() }}) as intent_label,
        model_used,
        case when is_error then 'error' else 'success' end as response_status,
        error_type,
        cast(null as {{ dbt.type_string() }}) as action_type,
        cast(null as {{ dbt.type_string() }}) as prompt_text,
        response_text,
        cast(null as {{ dbt.type_string() }}) as feedback,
        ---------- numerics
        prompt_number,
        cast(duration_ms as double precision) as latency_ms,
        cast(input_tokens as bigint) as input_tokens,
        cast(output_tokens as bigint) as output_tokens,
        cast(cost_usd as double precision) as cost_usd,
        cast(null as integer) as rating,
        ---------- booleans
        consent_analytics,
        cast(null as boolean) as conversion_flag,
        false as is_prompt_text_redacted,
        is_response_text_redacted,
        false as is_feedback_redacted,
        ---------- timestamps
        cast(ended_at as date) as occurred_date,
        ended_at as occurred_at,
        loaded_at,
        conversation_processed_at as processed_at
    from numbered

),

final as (

    select * from prompts
    union all
    select * from responses

)

select * from final
