-- The quality metrics of ops_metrics (CONTRACT.md version 2, bucket
-- quality) from the graded outputs of raw.quality_reviews: rubric pass rate,
-- LLM judge agreement with people, overrides and review coverage. Overall and
-- workflow segments (the review's own workflow; for coverage the response's),
-- week and month grains, one CTE per key (formulas:
-- seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

reviews as (
    select * from {{ ref('stg_quality__reviews') }}
),

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

-- judge_agreement_rate: the latest review of each (event_id, rubric) by
-- reviewer type (reviewed_at, then loaded_at, then review_id)
ranked_reviews as (
    select
        event_id,
        rubric,
        reviewer_type,
        workflow,
        passed,
        reviewed_at,
        row_number() over (
            partition by event_id, rubric, reviewer_type
            order by
                reviewed_at desc, loaded_at desc nulls last, review_id desc
        ) as recency_rank
    from reviews
    where
        event_id is not null
        and rubric is not null
        and reviewer_type in ('human', 'llm_judge')
),

review_pairs as (
    select
        human_reviews.reviewed_at,
        human_reviews.workflow,
        human_reviews.passed = judge_reviews.passed as is_agreed
    from ranked_reviews as human_reviews
    inner join ranked_reviews as judge_reviews
        on
            human_reviews.event_id = judge_reviews.event_id
            and human_reviews.rubric = judge_reviews.rubric
    where
        human_reviews.reviewer_type = 'human'
        and human_reviews.recency_rank = 1
        and judge_reviews.reviewer_type = 'llm_judge'
        and judge_reviews.recency_rank = 1
),

-- review_coverage: every valid response, reviewed at any time or not
reviewed_event_ids as (
    select distinct event_id from reviews
    where event_id is not null
),

responses as (
    select
        events.occurred_at,
        events.workflow,
        reviewed_event_ids.event_id is not null as is_reviewed
    from events
    left join reviewed_event_ids
        on events.event_id = reviewed_event_ids.event_id
    where events.event_name = 'ai_llm_response_received'
),

-- per period and workflow

review_counts as (
    {{ period_segment_rollup(
        'reviews', time_column='reviewed_at', segments=['workflow'],
        measures={
            'n_reviews': 'count(*)',
            'n_passed': 'sum(case when passed then 1 else 0 end)',
            'n_human_reviews':
                "sum(case when reviewer_type = 'human' then 1 else 0 end)",
            'n_overrides':
                "sum(case when reviewer_type = 'human' and is_override then 1 else 0 end)",
        },
    ) }}
),

pair_counts as (
    {{ period_segment_rollup(
        'review_pairs', time_column='reviewed_at', segments=['workflow'],
        measures={
            'n_pairs': 'count(*)',
            'n_agreed': 'sum(case when is_agreed then 1 else 0 end)',
        },
    ) }}
),

coverage_counts as (
    {{ period_segment_rollup(
        'responses', time_column='occurred_at', segments=['workflow'],
        measures={
            'n_responses': 'count(*)',
            'n_reviewed': 'sum(case when is_reviewed then 1 else 0 end)',
        },
    ) }}
),

-- one CTE per metric key

rubric_pass_rate as (
    {{ metric_row(
        'rubric_pass_rate', 'review_counts',
        numerator='n_passed', denominator='n_reviews',
    ) }}
),

judge_agreement_rate as (
    {{ metric_row(
        'judge_agreement_rate', 'pair_counts',
        numerator='n_agreed', denominator='n_pairs',
    ) }}
),

override_rate as (
    {{ metric_row(
        'override_rate', 'review_counts',
        numerator='n_overrides', denominator='n_human_reviews',
        where='n_human_reviews > 0',
    ) }}
),

review_coverage as (
    {{ metric_row(
        'review_coverage', 'coverage_counts',
        numerator='n_reviewed', denominator='n_responses',
    ) }}
),

metric_rows as (
    select * from rubric_pass_rate
    union all
    select * from judge_agreement_rate
    union all
    select * from override_rate
    union all
    select * from review_coverage
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
