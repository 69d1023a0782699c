with base as (

    select * from {{ ref('base_app__users') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        user_id,
        account_id,
        -- strings
        {{ normalize_enum('segment') }} as segment,
        {{ normalize_enum('region') }} as region,
        -- booleans
        consent_analytics,
        -- timestamps
        created_at,
        loaded_at
    from valid

)

select * from renamed
