{{ config(schema='quarantine') }}

{#-
    The rows of ops.connector_checks that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_ops__connector_checks') }}

),

quarantined as (

    select
        quarantine_reason,
        check_id,
        connector_id,
        is_critical,
        checked_at,
        auth_ok,
        schema_ok,
        latency_ok,
        error_rate_ok,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
