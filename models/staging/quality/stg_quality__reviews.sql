with base as (

    select * from {{ ref('base_quality__quality_reviews') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        review_id,
        event_id,
        conversation_id,
        -- strings
        {{ normalize_enum('workflow') }} as workflow,
        {{ normalize_enum('reviewer_type') }} as reviewer_type,
        {{ normalize_enum('rubric') }} as rubric,
        {{ clean_text('error_category') }} as error_category,
        -- numerics
        score,
        -- booleans
        passed,
        coalesce(is_override, false) as is_override,
        -- timestamps
        reviewed_at,
        loaded_at
    from valid

)

select * from renamed
