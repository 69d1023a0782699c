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

    select
        cast(control_id as text) as control_id,
        cast(name as text) as name,  -- noqa: RF04
        cast(required as boolean) as required,
        cast(automated_since as date) as automated_since,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
