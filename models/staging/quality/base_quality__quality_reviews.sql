{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of quality.quality_reviews, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('quality', 'quality_reviews') }}

),

typed as (

    select
        cast(review_id as text) as review_id,
        cast(event_id as text) as event_id,
        cast(conversation_id as text) as conversation_id,
        cast(workflow as text) as workflow,
        cast(reviewer_type as text) as reviewer_type,
        cast(rubric as text) as rubric,
        cast(passed as boolean) as passed,
        cast(score as double precision) as score,
        cast(is_override as boolean) as is_override,
        cast(error_category as text) as error_category,
        cast(reviewed_at as timestamp) as reviewed_at,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('review_id'),
            null_rule('reviewed_at'),
            unknown_value_rule('reviewer_type', ['human', 'llm_judge', 'rule']),
            null_rule('passed'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'review_id',
            'append_only',
            tiebreakers=[
                'event_id', 'reviewer_type', 'rubric', 'reviewed_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
