{{ config(schema='quarantine') }}

{#-
    The rows of agents.agent_steps that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_agents__agent_steps') }}

),

quarantined as (

    select
        quarantine_reason,
        span_id,
        run_id,
        step_index,
        step_name,
        system,
        agent_id,
        started_at,
        finished_at,
        status,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
