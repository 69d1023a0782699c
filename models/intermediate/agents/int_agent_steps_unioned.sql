{#-
    Every valid agent step, one row per step (span): those of raw.agent_steps (stg_agents__steps)
    and those made from OpenTelemetry execute_tool spans under an agent run
    (int_otel_agent_steps), with the same columns. A view: a plain union.
-#}

{{ config(materialized='view') }}

{%- set columns = ['span_id', 'run_id', 'agent_id', 'step_name', 'system', 'status',
    'step_index', 'started_at', 'finished_at', 'loaded_at'] %}

with

agent_steps as (

    select * from {{ ref('stg_agents__steps') }}

),

otel_steps as (

    select * from {{ ref('int_otel_agent_steps') }}

),

final as (

    {{ union_columns(['agent_steps', 'otel_steps'], columns) }}

)

select * from final
