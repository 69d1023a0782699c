with base as (

    select * from {{ ref('base_crm__crm_opportunities') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        opportunity_id,
        account_id,
        -- strings
        {{ normalize_enum('stage') }} as stage,  -- noqa: RF04
        -- numerics
        amount_usd,
        -- timestamps
        updated_at,
        loaded_at
    from valid

)

select * from renamed
