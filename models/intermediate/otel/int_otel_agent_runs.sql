{#-
    One agent run per valid invoke_agent span (CONTRACT.md "OTel input"), in the columns of
    stg_agents__runs: run_id = span_id, workflow and conversation through otel_attribute_map
    (the default map reads the workflow from gen_ai.agent.name; with no conversation mapped the
    trace is the conversation), agent_id = gen_ai.agent.id else gen_ai.agent.name, status from
    the span status and error.type. Spans carry no rescue flag or expected step count: both null.
-#}

with

spans as (

    select * from {{ ref('stg_otel__spans') }}

),

span_fields as (

    select * from {{ ref('int_otel_span_fields_resolved') }}

),

final as (

    select
        -- ids
        spans.span_id as run_id,
        coalesce(spans.agent_id, spans.agent_name) as agent_id,
        coalesce(span_fields.conversation_id, spans.trace_id) as conversation_id,
        -- strings
        span_fields.workflow,
        case when spans.is_error then 'failed' else 'success' end as status,
        -- numerics
        cast(null as integer) as expected_steps,
        -- booleans
        cast(null as boolean) as is_human_rescued,
        -- timestamps
        spans.started_at,
        spans.ended_at as finished_at,
        spans.loaded_at
    from spans
    inner join span_fields
        on spans.span_id = span_fields.span_id
    where spans.operation_name = 'invoke_agent'

)

select * from final
