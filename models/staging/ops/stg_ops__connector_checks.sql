with base as (

    select * from {{ ref('base_ops__connector_checks') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        check_id,
        connector_id,
        -- booleans
        is_critical,
        auth_ok,
        schema_ok,
        latency_ok,
        error_rate_ok,
        coalesce(auth_ok and schema_ok and latency_ok and error_rate_ok, false) as is_passing,
        -- timestamps
        checked_at,
        loaded_at
    from valid

)

select * from renamed
