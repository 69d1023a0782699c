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

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('governance', 'ai_initiatives') }}  -- noqa: RF04
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
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
