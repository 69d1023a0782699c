{{ config(schema='quarantine') }}

{#-
    The rows of agents.agent_runs that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_agents__agent_runs') }}

),

quarantined as (

    select
        quarantine_reason,
        run_id,
        workflow,
        agent_id,
        conversation_id,
        started_at,
        finished_at,
        status,
        human_rescued,
        expected_steps,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
