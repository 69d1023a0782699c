with base as (

    select * from {{ ref('base_ops__incidents') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        incident_id,
        -- strings
        {{ normalize_enum('workflow') }} as workflow,
        {{ normalize_enum('severity') }} as severity,
        {{ normalize_enum('cause_category') }} as cause_category,
        -- booleans
        requires_ai_change,
        -- timestamps
        detected_at,
        diagnosed_at,
        resolved_at,
        loaded_at
    from valid

)

select * from renamed
