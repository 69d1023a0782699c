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

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('agents', 'agent_decisions') }}  -- noqa: RF04
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
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
