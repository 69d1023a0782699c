{#-
    Every valid agent run, one row per run: those of raw.agent_runs (stg_agents__runs) and those
    made from OpenTelemetry invoke_agent spans (int_otel_agent_runs), with the same columns. The
    agent metrics read this one. A view: a plain union.
-#}

{{ config(materialized='view') }}

{%- set columns = ['run_id', 'agent_id', 'conversation_id', 'workflow', 'status',
    'expected_steps', 'is_human_rescued', 'started_at', 'finished_at', 'loaded_at'] %}

with

agent_runs as (

    select * from {{ ref('stg_agents__runs') }}

),

otel_runs as (

    select * from {{ ref('int_otel_agent_runs') }}

),

final as (

    {{ union_columns(['agent_runs', 'otel_runs'], columns) }}

)

select * from final
