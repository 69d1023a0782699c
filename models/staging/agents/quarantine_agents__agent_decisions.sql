{{ config(schema='quarantine') }}

{#-
    The rows of agents.agent_decisions that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_agents__agent_decisions') }}

),

quarantined as (

    select
        quarantine_reason,
        decision_id,
        run_id,
        agent_id,
        person_id,
        account_id,
        action,
        reason_code,
        policy_version,
        result,
        is_sensitive,
        cost_usd,
        kpi_link,
        decided_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
