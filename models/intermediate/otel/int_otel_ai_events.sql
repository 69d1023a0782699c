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

event_kinds as (

    -- every inference span gives two events: its prompt at its start, its response at its end
    select
        'ai_user_prompt_created' as event_name,
        true as is_prompt
    union all
    select
        'ai_llm_response_received' as event_name,
        false as is_prompt

),

events as (

    -- one projection for both kinds: a column of the other kind's event is null (false for
    -- the redaction flags), as in stg_telemetry__ai_events
    select
        numbered.*,
        event_kinds.event_name,
        event_kinds.is_prompt,
        case
            when event_kinds.is_prompt then numbered.started_at else numbered.ended_at
        end as event_at
    from numbered
    cross join event_kinds

),

final as (

    select
        ---------- ids
        'otel:' || span_id || case when is_prompt then ':prompt' else '' end as event_id,
        conversation_id,
        user_id,
        session_id,
        ---------- strings
        event_name,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        case when is_prompt then intent_label end as intent_label,
        model_used,
        case
            when is_prompt then null
            when is_error then 'error'
            else 'success'
        end as response_status,
        case when not is_prompt then error_type end as error_type,
        cast(null as {{ dbt.type_string() }}) as action_type,
        case when is_prompt then prompt_text end as prompt_text,
        case when not is_prompt then response_text end as response_text,
        cast(null as {{ dbt.type_string() }}) as feedback,
        ---------- numerics
        prompt_number,
        case when not is_prompt then cast(duration_ms as {{ type_double() }}) end as latency_ms,
        case when not is_prompt then cast(input_tokens as bigint) end as input_tokens,
        case when not is_prompt then cast(output_tokens as bigint) end as output_tokens,
        case when not is_prompt then cast(cost_usd as {{ type_double() }}) end as cost_usd,
        cast(null as integer) as rating,
        ---------- booleans
        consent_analytics,
        cast(null as boolean) as conversion_flag,
        is_prompt and is_prompt_text_redacted as is_prompt_text_redacted,
        not is_prompt and is_response_text_redacted as is_response_text_redacted,
        false as is_feedback_redacted,
        ---------- timestamps
        cast(event_at as date) as occurred_date,
        event_at as occurred_at,
        loaded_at,
        conversation_processed_at as processed_at
    from events

)

select * from final
