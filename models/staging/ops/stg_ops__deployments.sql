with base as (

    select * from {{ ref('base_ops__deployments') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        change_id,
        -- strings
        {{ normalize_enum('change_type') }} as change_type,
        {{ normalize_enum('workflow') }} as workflow,
        {{ normalize_enum('status') }} as status,
        -- timestamps
        approved_at,
        deployed_at,
        loaded_at
    from valid

)

select * from renamed
