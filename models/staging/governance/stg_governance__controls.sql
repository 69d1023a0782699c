with base as (

    select * from {{ ref('base_governance__controls') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        control_id,
        -- strings
        {{ clean_text('name') }} as name,  -- noqa: RF04
        -- booleans
        required,
        -- dates
        automated_since,
        -- timestamps
        loaded_at
    from valid

)

select * from renamed
