{#-
    One row per comparison_type, metric_key, segment and arm (baseline,
    treatment) of experiment_comparison: the arm's n, its value and the
    squared standard error of that value, and the comparison's first and
    last day. Overall rows (segment overall / all) are always present (n = 0
    and nulls for an empty arm); control_vs_treatment also has one row per
    workflow and arm holding at least one conversation of the metric's
    population.
    - value = sum(numerator_value) / sum(denominator_value) of the arm's
      samples: a proportion, a mean, or cost / completed conversations;
    - squared standard error: p (1 - p) / n for a proportion (unpooled),
      sample variance / n for a mean (Welch), the delta method for a ratio.
-#}
with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

conversation_samples as (
    select * from {{ ref('int_experiment_conversation_samples') }}
),

ticket_samples as (
    select * from {{ ref('int_experiment_ticket_samples') }}
),

-- every overall row of the output, even when an arm has no data
overall_arms as (
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
        ('control_vs_treatment', 'cost_per_successful_outcome', 'baseline'),
        ('control_vs_treatment', 'cost_per_successful_outcome', 'treatment'),
        ('pre_vs_post', 'tickets_per_day', 'baseline'),
        ('pre_vs_post', 'tickets_per_day', 'treatment'),
        ('pre_vs_post', 'mean_handle_minutes', 'baseline'),
        ('pre_vs_post', 'mean_handle_minutes', 'treatment')
    ) as arm_values (comparison_type, metric_key, arm)
),

samples as (
    select
        'control_vs_treatment' as comparison_type,
        metric_key,
        statistic,
        arm,
        workflow,
        numerator_value,
        denominator_value
    from conversation_samples
    union all
    select
        'pre_vs_post' as comparison_type,
        metric_key,
        'mean' as statistic,
        arm,
        cast(null as {{ dbt.type_string() }}) as workflow,
        sample_value as numerator_value,
        cast(1 as {{ type_double() }}) as denominator_value
    from ticket_samples
),

-- each sample counts in its overall row and, when it has one, in the row of
-- its workflow (a conversation without a workflow: overall only)
segmented_samples as (
    select
        comparison_type,
        metric_key,
        statistic,
        'overall' as segment_type,
        'all' as segment_value,
        arm,
        numerator_value,
        denominator_value
    from samples
    union all
    select
        comparison_type,
        metric_key,
        statistic,
        'workflow' as segment_type,
        workflow as segment_value,
        arm,
        numerator_value,
        denominator_value
    from samples
    where workflow is not null
),

arm_moments as (
    select
        comparison_type,
        metric_key,
        statistic,
        segment_type,
        segment_value,
        arm,
        count(*) as n,
        sum(numerator_value) as numerator_sum,
        sum(denominator_value) as denominator_sum,
        avg(numerator_value) as numerator_mean,
        avg(denominator_value) as denominator_mean,
        var_samp(numerator_value) as numerator_variance,
        var_samp(denominator_value) as denominator_variance,
        covar_samp(numerator_value, denominator_value) as covariance
    from segmented_samples
    group by 1, 2, 3, 4, 5, 6
),

arm_values as (
    select
        *,
        case
            when denominator_sum <> 0 then numerator_sum / denominator_sum
        end as value
    from arm_moments
),

arm_statistics as (
    select
        comparison_type,
        metric_key,
        segment_type,
        segment_value,
        arm,
        n,
        value,
        case
            when statistic = 'proportion' then value * (1 - value) / n
            when statistic = 'mean' then numerator_variance / n
            when statistic = 'ratio'
                then {{ ratio_squared_standard_error(
                    'n',
                    'numerator_mean',
                    'denominator_mean',
                    'numerator_variance',
                    'denominator_variance',
                    'covariance'
                ) }}
        end as squared_standard_error
    from arm_values
),

overall_rows as (
    select
        overall_arms.comparison_type,
        overall_arms.metric_key,
        'overall' as segment_type,
        'all' as segment_value,
        overall_arms.arm,
        coalesce(arm_statistics.n, 0) as n,
        arm_statistics.value,
        arm_statistics.squared_standard_error
    from overall_arms
    left join arm_statistics
        on
            overall_arms.comparison_type = arm_statistics.comparison_type
            and overall_arms.metric_key = arm_statistics.metric_key
            and overall_arms.arm = arm_statistics.arm
            and arm_statistics.segment_type = 'overall'
),

segment_rows as (
    select
        comparison_type,
        metric_key,
        segment_type,
        segment_value,
        arm,
        n,
        value,
        squared_standard_error
    from arm_statistics
    where segment_type <> 'overall'
),

-- control_vs_treatment: every post-launch conversation, unknown arms too
period_bounds as (
    select
        'control_vs_treatment' as comparison_type,
        min(cast(started_at as date)) as period_start,
        max(cast(started_at as date)) as period_end
    from conversations
    where is_post_launch
    union all
    select
        'pre_vs_post' as comparison_type,
        min(sample_date) as period_start,
        max(sample_date) as period_end
    from ticket_samples
    where metric_key = 'tickets_per_day'
),

arm_rows as (
    select * from overall_rows
    union all
    select * from segment_rows
),

final as (
    select
        -- strings
        cast(arm_rows.comparison_type as {{ dbt.type_string() }})
            as comparison_type,
        cast(arm_rows.metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(arm_rows.segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(arm_rows.segment_value as {{ dbt.type_string() }})
            as segment_value,
        cast(arm_rows.arm as {{ dbt.type_string() }}) as arm,
        -- numerics
        cast(arm_rows.n as bigint) as n,
        cast(arm_rows.value as {{ type_double() }}) as value,
        cast(arm_rows.squared_standard_error as {{ type_double() }})
            as squared_standard_error,
        -- dates
        cast(period_bounds.period_start as date) as period_start,
        cast(period_bounds.period_end as date) as period_end
    from arm_rows
    left join period_bounds
        on arm_rows.comparison_type = period_bounds.comparison_type
)

select * from final
