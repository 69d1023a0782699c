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

    select
        cast(span_id as text) as span_id,
        cast(run_id as text) as run_id,
        cast(step_index as integer) as step_index,
        cast(step_name as text) as step_name,
        cast(system as text) as system,  -- noqa: RF04
        cast(agent_id as text) as agent_id,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at,
        cast(status as text) as status,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
