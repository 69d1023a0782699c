with base as (

    select * from {{ ref('base_crm__crm_outcomes') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        outcome_id,
        account_id,
        user_id,
        conversation_id,
        -- strings
        {{ normalize_enum('outcome_type') }} as outcome_type,
        -- numerics
        amount_usd,
        -- timestamps
        occurred_at,
        loaded_at
    from valid

)

select * from renamed
