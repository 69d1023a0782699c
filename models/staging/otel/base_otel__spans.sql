{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='span_id',
        on_schema_change='fail',
        schema='quarantine',
    )
}}

{#-
    Every raw otel_spans row: read through casts that cannot fail, the span attributes parsed
    once (macros/otel.sql, otel_span_keys), flagged (CONTRACT.md section 4), deduplicated on
    span_id (append-only: the earliest loaded_at wins) and its prompt and response text redacted
    once. Lives in the restricted quarantine schema; stg_otel__spans is a view of its valid,
    non-duplicate rows.

    Incremental like base_telemetry__ai_events (docs/INCREMENTAL.md): a run reprocesses every raw
    row of each span_id that has a raw row not processed yet, so the duplicate flags of a span_id
    are computed from all its copies; `processed_at` says which run wrote a row.

    Text: a valid row keeps its attributes without the content keys (otel_content_keys) and no
    events; a quarantined row keeps its raw attributes and events, as the quarantine shows them.
-#}

{%- set raw_columns = ['trace_id', 'span_id', 'parent_span_id', 'span_name', 'span_kind',
    'service_name', 'started_at', 'duration_ns', 'status_code', 'status_message', 'span_attributes',
    'resource_attributes', 'events', 'scope_name', 'scope_version', 'loaded_at'] -%}
{%- set keys = otel_span_keys() -%}

with

source as {{ not_materialized() }} (

    -- incremental: every raw row of a span_id with a raw row not processed yet
    -- (docs/INCREMENTAL.md)
    {{ unprocessed_raw_rows(source('otel', 'otel_spans'), raw_columns, key='span_id') }}

),

typed as {{ not_materialized() }} (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('otel', 'otel_spans') }}
    from source

),

parsed as {{ not_materialized() }} (

    -- the only parse of the span attributes: every key read at once
    select
        *,
        {{ json_extract_fields('span_attributes', keys) }} as attribute_values,
        {{ json_is_object('resource_attributes') }} as is_resource_object
    from typed
    {{ inline_barrier() }}

),

attributes as {{ not_materialized() }} (

    select
        *,
        attribute_values is not null as is_attributes_object,
        {{ normalize_enum(json_field('attribute_values', keys, 'gen_ai.operation.name')) }}
            as operation_name,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.provider.name')) }}
            as provider_name,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.system')) }} as system_name,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.request.model')) }}
            as request_model,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.response.model')) }}
            as response_model,
        {{ safe_to_bigint(json_field('attribute_values', keys, 'gen_ai.usage.input_tokens')) }}
            as usage_input_tokens,
        {{ safe_to_bigint(json_field('attribute_values', keys, 'gen_ai.usage.output_tokens')) }}
            as usage_output_tokens,
        {{ safe_to_bigint(json_field('attribute_values', keys, 'gen_ai.usage.prompt_tokens')) }}
            as usage_prompt_tokens,
        {{ safe_to_bigint(json_field('attribute_values', keys, 'gen_ai.usage.completion_tokens')) }}
            as usage_completion_tokens,
        {{ safe_to_double(json_field('attribute_values', keys, 'cost_usd')) }}
            as attribute_cost_usd,
        {{ safe_to_double(json_field('attribute_values', keys, 'gen_ai.usage.cost')) }}
            as usage_cost_usd,
        {{ normalize_enum(json_field('attribute_values', keys, 'error.type')) }} as error_type,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.agent.name')) }} as agent_name,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.agent.id')) }} as agent_id,
        {{ clean_text(json_field('attribute_values', keys, 'gen_ai.tool.name')) }} as tool_name,
        coalesce(
            {{ json_field('attribute_values', keys, 'gen_ai.input.messages') }},
            {{ otel_event_attribute('events', 'gen_ai.input.messages') }}
        ) as input_messages,
        coalesce(
            {{ json_field('attribute_values', keys, 'gen_ai.output.messages') }},
            {{ otel_event_attribute('events', 'gen_ai.output.messages') }}
        ) as output_messages
    from parsed
    {{ inline_barrier() }}

),

measures as (

    -- the current token names first, the deprecated ones (gen_ai.usage.prompt_tokens /
    -- completion_tokens) when they are missing
    select
        *,
        coalesce(usage_input_tokens, usage_prompt_tokens) as input_tokens,
        coalesce(usage_output_tokens, usage_completion_tokens) as output_tokens,
        coalesce(attribute_cost_usd, usage_cost_usd) as cost_usd
    from attributes

),

flagged as (

    -- first failing rule wins (order in doc otel__otel_spans__rules)
    select
        *,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('span_id'),
            missing_rule('trace_id'),
            null_rule('started_at'),
            ('not is_attributes_object', 'span_attributes not a JSON object'),
            ('resource_attributes is not null and not is_resource_object',
                'resource_attributes not a JSON object'),
            negative_rule('duration_ns'),
            ('input_tokens < 0 or output_tokens < 0', 'negative token count'),
            negative_rule('cost_usd'),
        ]) }} as quarantine_reason
    from measures

),

deduplicated as (

    select
        *,
        {{ is_duplicate(
            'span_id',
            'append_only',
            tiebreakers=['started_at', 'duration_ns', 'trace_id', 'span_attributes']
        ) }} as is_duplicate
    from flagged

),

redacted as (

    -- each text redacted once; the barrier keeps Postgres from running each redaction twice
    select
        *,
        {{ redact_pii('input_messages') }} as prompt_text,
        {{ redact_pii('output_messages') }} as response_text
    from deduplicated
    {{ inline_barrier() }}

),

final as (

    select
        ---------- ids
        trace_id,
        span_id,
        parent_span_id,
        ---------- raw text: content removed from valid rows, as landed on quarantined ones
        span_name,
        span_kind,
        service_name,
        status_code,
        status_message,
        case
            when quarantine_reason is not null then span_attributes
            else {{ json_without_keys('span_attributes', otel_content_keys()) }}
        end as span_attributes,
        resource_attributes,
        case when quarantine_reason is not null then events end as events,
        scope_name,
        scope_version,
        ---------- strings
        {{ otel_enum('span_kind', 'SPAN_KIND_') }} as span_kind_normalized,
        {{ otel_enum('status_code', 'STATUS_CODE_') }} as status_code_normalized,
        operation_name,
        coalesce(provider_name, system_name) as provider_name,
        request_model,
        response_model,
        error_type,
        agent_name,
        agent_id,
        tool_name,
        case when quarantine_reason is null then prompt_text end as prompt_text,
        case when quarantine_reason is null then response_text end as response_text,
        ---------- numerics
        duration_ns,
        input_tokens,
        output_tokens,
        cost_usd,
        ---------- booleans
        is_duplicate,
        coalesce(prompt_text <> input_messages, false) as is_prompt_text_redacted,
        coalesce(response_text <> output_messages, false) as is_response_text_redacted,
        ---------- timestamps
        started_at,
        loaded_at,
        {{ processed_at() }} as processed_at,
        ---------- quarantine
        bad_cell_reason,
        quarantine_reason
    from redacted

)

select * from final
