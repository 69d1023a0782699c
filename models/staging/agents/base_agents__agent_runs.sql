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

    select
        cast(run_id as text) as run_id,
        cast(workflow as text) as workflow,
        cast(agent_id as text) as agent_id,
        cast(conversation_id as text) as conversation_id,
        cast(started_at as timestamp) as started_at,
        cast(finished_at as timestamp) as finished_at,
        cast(status as text) as status,
        cast(human_rescued as boolean) as human_rescued,
        cast(expected_steps as integer) as expected_steps,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
