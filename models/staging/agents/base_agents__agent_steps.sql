{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of agents.agent_steps, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('agents', 'agent_steps') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('agents', 'agent_steps') }}  -- noqa: RF04
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('span_id'),
            null_rule('started_at'),
            before_rule('finished_at', 'started_at'),
            negative_rule('step_index'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'span_id',
            'append_only',
            tiebreakers=[
                'run_id', 'step_index', 'step_name',
                'system', 'agent_id', 'started_at',
                'finished_at', 'status'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
