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

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('quality', 'quality_reviews') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
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
