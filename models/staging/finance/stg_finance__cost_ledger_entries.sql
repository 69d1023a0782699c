with base as (

    select * from {{ ref('base_finance__cost_ledger') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        entry_id,
        -- strings
        {{ normalize_enum('workflow') }} as workflow,
        {{ normalize_enum('cost_category') }} as cost_category,
        -- numerics
        amount_usd,
        -- dates
        cast({{ dbt.date_trunc('month', 'month') }} as date) as month,  -- noqa: RF04
        -- timestamps
        loaded_at
    from valid

)

select * from renamed
