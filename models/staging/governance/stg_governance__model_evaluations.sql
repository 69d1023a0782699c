with base as (

    select * from {{ ref('base_governance__model_evaluations') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        evaluation_id,
        -- strings
        {{ clean_text('model_version') }} as model_version,
        {{ normalize_enum('check_type') }} as check_type,
        -- booleans
        passed,
        alert_raised,
        -- timestamps
        evaluated_at,
        alert_triaged_at,
        loaded_at
    from valid

)

select * from renamed
