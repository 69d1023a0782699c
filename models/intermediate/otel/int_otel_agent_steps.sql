{#-
    One agent step per valid execute_tool span below an invoke_agent span of the same trace
    (its nearest one: the run), in the columns of stg_agents__steps: system = gen_ai.tool.name,
    step_index = order of the step's start within its run. Tool spans outside any agent run are
    not steps.
-#}

with

spans as (

    select * from {{ ref('stg_otel__spans') }}

),

span_fields as (

    select * from {{ ref('int_otel_span_fields_resolved') }}

),

runs as (

    select * from {{ ref('int_otel_agent_runs') }}

),

tool_spans as (

    select
        spans.span_id,
        span_fields.agent_run_span_id as run_id,
        runs.agent_id,
        spans.span_name,
        spans.tool_name,
        spans.is_error,
        spans.started_at,
        spans.ended_at,
        spans.loaded_at
    from spans
    inner join span_fields
        on spans.span_id = span_fields.span_id
    inner join runs
        on span_fields.agent_run_span_id = runs.run_id
    where spans.operation_name = 'execute_tool'

),

final as (

    select
        -- ids
        span_id,
        run_id,
        agent_id,
        -- strings
        {{ clean_text('span_name') }} as step_name,
        {{ normalize_enum('tool_name') }} as system,  -- noqa: RF04
        case when is_error then 'failed' else 'success' end as status,
        -- numerics
        cast(
            row_number() over (partition by run_id order by started_at asc, span_id asc)
            as integer
        ) as step_index,
        -- timestamps
        started_at,
        ended_at as finished_at,
        loaded_at
    from tool_spans

)

select * from final
