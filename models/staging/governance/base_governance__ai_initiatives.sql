{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of governance.ai_initiatives, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('governance', 'ai_initiatives') }}

),

typed as (

    select
        cast(initiative_id as text) as initiative_id,
        cast(name as text) as name,  -- noqa: RF04
        cast(workflow as text) as workflow,
        cast(started_at as timestamp) as started_at,
        cast(promoted_at as timestamp) as promoted_at,
        cast(retired_at as timestamp) as retired_at,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('initiative_id'),
            null_rule('started_at'),
            before_rule('promoted_at', 'started_at'),
            before_rule('retired_at', 'started_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'initiative_id',
            'append_only',
            tiebreakers=[
                'name', 'workflow', 'started_at',
                'promoted_at', 'retired_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
