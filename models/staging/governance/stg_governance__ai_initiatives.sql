with base as (

    select * from {{ ref('base_governance__ai_initiatives') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        initiative_id,
        -- strings
        {{ clean_text('name') }} as name,  -- noqa: RF04
        {{ normalize_enum('workflow') }} as workflow,
        -- timestamps
        started_at,
        promoted_at,
        retired_at,
        loaded_at
    from valid

)

select * from renamed
