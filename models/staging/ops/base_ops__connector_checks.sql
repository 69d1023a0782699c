{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of ops.connector_checks, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('ops', 'connector_checks') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('ops', 'connector_checks') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('check_id'),
            null_rule('checked_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'check_id',
            'append_only',
            tiebreakers=[
                'connector_id', 'is_critical', 'checked_at',
                'auth_ok', 'schema_ok', 'latency_ok',
                'error_rate_ok'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
