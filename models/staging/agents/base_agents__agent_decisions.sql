{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of agents.agent_decisions, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('agents', 'agent_decisions') }}

),

typed as (

    select
        cast(decision_id as text) as decision_id,
        cast(run_id as text) as run_id,
        cast(agent_id as text) as agent_id,
        cast(person_id as text) as person_id,
        cast(account_id as text) as account_id,
        cast(action as text) as action,  -- noqa: RF04
        cast(reason_code as text) as reason_code,
        cast(policy_version as text) as policy_version,
        cast(result as text) as result,
        cast(is_sensitive as boolean) as is_sensitive,
        cast(cost_usd as double precision) as cost_usd,
        cast(kpi_link as text) as kpi_link,
        cast(decided_at as timestamp) as decided_at,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('decision_id'),
            null_rule('decided_at'),
            negative_rule('cost_usd'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'decision_id',
            'append_only',
            tiebreakers=[
                'run_id', 'agent_id', 'person_id',
                'account_id', 'action', 'reason_code',
                'policy_version', 'result', 'is_sensitive',
                'cost_usd', 'kpi_link', 'decided_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
