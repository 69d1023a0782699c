{#-
    One row per comparison_type, metric_key and arm (baseline, treatment) of
    experiment_comparison, always present (n = 0 and nulls for an empty arm):
    the arm's n, its value (a proportion or a mean), the squared standard
    error of that value and the comparison's first and last day.
    - control_vs_treatment (post-launch conversations, arm = feature_flag_state
      of the first event, unknown arms left out; baseline = control):
      proportions p with se^2 = p (1 - p) / n (unpooled).
    - pre_vs_post (tickets by created_at date; baseline = first ticket day ..
      ai_launch_date - 1, treatment = ai_launch_date .. last ticket day):
      means with se^2 = sample variance (n - 1) / n (Welch).
-#}
{%- set launch_date = "cast('" ~ var('ai_launch_date') ~ "' as date)" %}
-- noqa: disable=RF04

with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

-- every row of the output, even when an arm has no data
arms as (
    select
        arm_values.comparison_type,
        arm_values.metric_key,
        arm_values.arm
    from (
        values
        ('control_vs_treatment', 'conversation_completion_rate', 'baseline'),
        ('control_vs_treatment', 'conversation_completion_rate', 'treatment'),
        ('control_vs_treatment', 'support_deflection_rate', 'baseline'),
        ('control_vs_treatment', 'support_deflection_rate', 'treatment'),
        ('control_vs_treatment', 'conversation_escalation_rate', 'baseline'),
        ('control_vs_treatment', 'conversation_escalation_rate', 'treatment'),
        ('pre_vs_post', 'tickets_per_day', 'baseline'),
        ('pre_vs_post', 'tickets_per_day', 'treatment'),
        ('pre_vs_post', 'mean_handle_minutes', 'baseline'),
        ('pre_vs_post', 'mean_handle_minutes', 'treatment')
    ) as arm_values (comparison_type, metric_key, arm)
),

-- control_vs_treatment -----------------------------------------------------

post_launch_conversations as (
    select
        workflow,
        feature_flag_state,
        is_completed,
        is_deflected,
        is_escalated,
        cast(started_at as date) as started_date
    from conversations
    where started_at >= {{ launch_date }}
),

post_launch_days as (
    select
        'control_vs_treatment' as comparison_type,
        min(started_date) as period_start,
        max(started_date) as period_end
    from post_launch_conversations
),

conversation_arms as (
    select
        case
            when feature_flag_state = 'control' then 'baseline'
            else 'treatment'
        end as arm,
        workflow,
        case when is_completed then 1.0 else 0.0 end as is_completed,
        case when is_deflected then 1.0 else 0.0 end as is_deflected,
        case when is_escalated then 1.0 else 0.0 end as is_escalated
    from post_launch_conversations
    where feature_flag_state in ('control', 'treatment')
),

proportion_counts as (
    select
        'conversation_completion_rate' as metric_key,
        arm,
        count(*) as n,
        sum(is_completed) as successes
    from conversation_arms
    group by 1, 2
    union all
    select
        'support_deflection_rate' as metric_key,
        arm,
        count(*) as n,
        sum(is_deflected) as successes
    from conversation_arms
    where workflow = 'support_automation'
    group by 1, 2
    union all
    select
        'conversation_escalation_rate' as metric_key,
        arm,
        count(*) as n,
        sum(is_escalated) as successes
    from conversation_arms
    group by 1, 2
),

proportions as (
    select
        'control_vs_treatment' as comparison_type,
        metric_key,
        arm,
        n,
        cast(successes as double precision) / n as value
    from proportion_counts
),

proportion_summaries as (
    select
        comparison_type,
        metric_key,
        arm,
        n,
        value,
        value * (1 - value) / n as squared_standard_error
    from proportions
),

-- pre_vs_post ----------------------------------------------------------------

ticket_days as (
    select
        cast(created_at as date) as created_date,
        handle_minutes,
        is_ai_handled
    from tickets
    where created_at is not null
),

ticket_bounds as (
    select
        'pre_vs_post' as comparison_type,
        min(created_date) as period_start,
        max(created_date) as period_end
    from ticket_days
),

digits as (
    select digit_values.digit
    from (
        values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)
    ) as digit_values (digit)
),

-- 0 .. 99,999: a day spine of 270 years
numbers as (
    select
        ten_thousands.digit * 10000
        + thousands.digit * 1000
        + hundreds.digit * 100
        + tens.digit * 10
        + units.digit as n
    from digits as ten_thousands
    cross join digits as thousands
    cross join digits as hundreds
    cross join digits as tens
    cross join digits as units
),

calendar_days as (
    select
        cast(
            {{ add_days('ticket_bounds.period_start', 'numbers.n') }} as date
        ) as calendar_date
    from ticket_bounds
    cross join numbers
    where
        ticket_bounds.period_start is not null
        and numbers.n
        <= {{ days_between(
            'cast(ticket_bounds.period_start as timestamp)',
            'cast(ticket_bounds.period_end as timestamp)'
        ) }}
),

daily_ticket_counts as (
    select
        created_date,
        count(*) as tickets
    from ticket_days
    group by 1
),

daily_counts as (
    select
        case
            when calendar_days.calendar_date < {{ launch_date }} then 'baseline'
            else 'treatment'
        end as arm,
        cast(coalesce(daily_ticket_counts.tickets, 0) as double precision)
            as sample_value
    from calendar_days
    left join daily_ticket_counts
        on calendar_days.calendar_date = daily_ticket_counts.created_date
),

ticket_handle_minutes as (
    select
        case
            when created_date < {{ launch_date }} then 'baseline'
            else 'treatment'
        end as arm,
        cast(
            coalesce(
                handle_minutes,
                case when is_ai_handled then 0 end
            ) as double precision
        ) as sample_value
    from ticket_days
),

samples as (
    select
        'tickets_per_day' as metric_key,
        arm,
        sample_value
    from daily_counts
    union all
    select
        'mean_handle_minutes' as metric_key,
        arm,
        sample_value
    from ticket_handle_minutes
    where sample_value is not null
),

mean_summaries as (
    select
        'pre_vs_post' as comparison_type,
        metric_key,
        arm,
        count(*) as n,
        avg(sample_value) as value,
        var_samp(sample_value) / count(*) as squared_standard_error
    from samples
    group by 1, 2, 3
),

-- together -------------------------------------------------------------------

summaries as (
    select * from proportion_summaries
    union all
    select * from mean_summaries
),

period_bounds as (
    select * from post_launch_days
    union all
    select * from ticket_bounds
),

final as (
    select
        -- strings
        cast(arms.comparison_type as {{ dbt.type_string() }})
            as comparison_type,
        cast(arms.metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(arms.arm as {{ dbt.type_string() }}) as arm,
        -- numerics
        cast(coalesce(summaries.n, 0) as bigint) as n,
        cast(summaries.value as double precision) as value,
        cast(summaries.squared_standard_error as double precision)
            as squared_standard_error,
        -- dates
        cast(period_bounds.period_start as date) as period_start,
        cast(period_bounds.period_end as date) as period_end
    from arms
    left join summaries
        on
            arms.comparison_type = summaries.comparison_type
            and arms.metric_key = summaries.metric_key
            and arms.arm = summaries.arm
    left join period_bounds
        on arms.comparison_type = period_bounds.comparison_type
)

select * from final
