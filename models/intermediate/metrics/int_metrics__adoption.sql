-- The adoption metrics of ops_metrics (CONTRACT.md version 2, bucket
-- adoption): how fast a new AI user gets value and how broadly users use the
-- AI. time_to_first_value_hours has overall and workflow segments (the
-- workflow of the user's first prompt), workflows_per_active_user overall
-- only; week and month grains, one CTE per key (formulas:
-- seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

prompts as (
    select
        event_id,
        user_id,
        workflow,
        occurred_at
    from events
    where
        event_name = 'ai_user_prompt_created'
        and user_id is not null
),

-- time_to_first_value_hours: each user's first prompt (ties: event_id) and
-- their first accepted or converting action at or after it
ranked_prompts as (
    select
        user_id,
        workflow,
        occurred_at,
        row_number() over (
            partition by user_id order by occurred_at, event_id
        ) as prompt_rank
    from prompts
),

first_prompts as (
    select
        user_id,
        workflow,
        occurred_at as first_prompt_at
    from ranked_prompts
    where prompt_rank = 1
),

value_actions as (
    select
        user_id,
        occurred_at
    from events
    where
        event_name = 'ai_user_action'
        and (action_type = 'accepted' or conversion_flag)
),

first_values as (
    select
        first_prompts.user_id,
        first_prompts.workflow,
        first_prompts.first_prompt_at,
        min(value_actions.occurred_at) as first_value_at
    from first_prompts
    inner join value_actions
        on
            first_prompts.user_id = value_actions.user_id
            and first_prompts.first_prompt_at <= value_actions.occurred_at
    group by
        first_prompts.user_id,
        first_prompts.workflow,
        first_prompts.first_prompt_at
),

time_to_value as (
    select
        first_prompt_at,
        workflow,
        {{ hours_between('first_prompt_at', 'first_value_at') }}
            as hours_to_value
    from first_values
),

-- workflows_per_active_user: distinct workflows of each user's prompts in
-- the period (a prompt without a workflow adds none)
user_periods as (
    select
        period_grain,
        period_start,
        user_id,
        count(distinct workflow) as n_workflows
    from ({{ expand_to_periods('prompts', 'occurred_at') }}) as periodized
    group by period_grain, period_start, user_id
),

-- per period

value_medians as (
    {{ period_segment_rollup(
        'time_to_value', time_column='first_prompt_at', segments=['workflow'],
        measures={'median_hours_to_value': median('hours_to_value')},
    ) }}
),

breadth_means as (
    {{ period_segment_rollup(
        'user_periods', measures={'mean_workflows': 'avg(n_workflows)'},
    ) }}
),

-- one CTE per metric key

time_to_first_value_hours as (
    {{ metric_row(
        'time_to_first_value_hours', 'value_medians',
        value='median_hours_to_value',
    ) }}
),

workflows_per_active_user as (
    {{ metric_row(
        'workflows_per_active_user', 'breadth_means',
        value='mean_workflows',
    ) }}
),

metric_rows as (
    select * from time_to_first_value_hours
    union all
    select * from workflows_per_active_user
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
