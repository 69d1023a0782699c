{#-
    One row per valid, deduplicated OpenTelemetry span: the GenAI attributes already read and
    the prompt and response text already redacted (both once, in base_otel__spans). Holds no
    personal data: the content attributes and the span events stay in the quarantine schema.
-#}

with

base_spans as (

    select * from {{ ref('base_otel__spans') }}

),

valid_spans as (

    select * from base_spans
    where {{ valid_row_condition() }}

),

final as (

    select
        ---------- ids
        span_id,
        trace_id,
        nullif(trim(parent_span_id), '') as parent_span_id,

        ---------- strings
        span_name,
        span_kind_normalized as span_kind,
        service_name,
        status_code_normalized as status_code,
        status_message,
        operation_name,
        provider_name,
        request_model,
        response_model,
        coalesce(response_model, request_model) as model_used,
        error_type,
        agent_name,
        agent_id,
        tool_name,
        scope_name,
        scope_version,
        prompt_text,
        response_text,

        ---------- numerics
        duration_ns,
        cast(duration_ns as double precision) / 1000000 as duration_ms,
        input_tokens,
        output_tokens,
        cost_usd,

        ---------- booleans
        coalesce(status_code_normalized = 'error' or error_type is not null, false) as is_error,
        is_prompt_text_redacted,
        is_response_text_redacted,

        ---------- timestamps
        started_at,
        {{ add_microseconds('started_at', 'floor(coalesce(duration_ns, 0) / 1000.0)') }}
            as ended_at,
        loaded_at,
        processed_at

    from valid_spans

)

select * from final
