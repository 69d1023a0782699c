{{ config(schema='quarantine') }}

{#-
    The rows of quality.quality_reviews that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_quality__quality_reviews') }}

),

quarantined as (

    select
        quarantine_reason,
        review_id,
        event_id,
        conversation_id,
        workflow,
        reviewer_type,
        rubric,
        passed,
        score,
        is_override,
        error_category,
        reviewed_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
