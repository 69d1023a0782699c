{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of ops.deployments, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('ops', 'deployments') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('ops', 'deployments') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('change_id'),
            null_rule('approved_at'),
            before_rule('deployed_at', 'approved_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'change_id',
            'append_only',
            tiebreakers=[
                'change_type', 'workflow', 'approved_at',
                'deployed_at', 'status'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
