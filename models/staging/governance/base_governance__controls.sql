{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of governance.controls, typed, with quarantine_reason (null when
    valid) and is_duplicate (latest-state table without updated_at: the latest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('governance', 'controls') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('governance', 'controls') }}  -- noqa: RF04
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('control_id'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'control_id',
            'latest_state',
            tiebreakers=[
                'name', 'required', 'automated_since'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
