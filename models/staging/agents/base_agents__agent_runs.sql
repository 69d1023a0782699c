{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of agents.agent_runs, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('agents', 'agent_runs') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('agents', 'agent_runs') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('run_id'),
            null_rule('started_at'),
            before_rule('finished_at', 'started_at'),
            negative_rule('expected_steps'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'run_id',
            'append_only',
            tiebreakers=[
                'workflow', 'agent_id', 'conversation_id',
                'started_at', 'finished_at', 'status',
                'human_rescued', 'expected_steps'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
