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

    select
        cast(check_id as text) as check_id,
        cast(connector_id as text) as connector_id,
        cast(is_critical as boolean) as is_critical,
        cast(checked_at as timestamp) as checked_at,
        cast(auth_ok as boolean) as auth_ok,
        cast(schema_ok as boolean) as schema_ok,
        cast(latency_ok as boolean) as latency_ok,
        cast(error_rate_ok as boolean) as error_rate_ok,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
