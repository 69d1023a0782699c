{#-
    One row per ISO week and watched metric with a value that week, compared
    with the mean of the same metric over the four preceding calendar weeks
    (week_start - 28 days .. week_start - 7 days).
    - cost_per_successful_outcome, p95_latency_ms: alert when
      value > alert_spike_ratio (1.5) x baseline;
    - conversation_completion_rate, conversation_conversion_rate: alert when
      value < alert_drop_ratio (0.8) x baseline;
    - no alert unless all alert_baseline_weeks (4) preceding weeks have a value.
    Weekly values: ops_metrics overall week rows; the conversion rate
    (conversations with conversion_flag true / conversations, by start week)
    is not in ops_metrics and is computed from int_conversations_assembled.
    The version change: the model_version or prompt_version first seen in
    responses in the row's week or in the alert_version_lookback_weeks (2)
    weeks before it (the latest one; versions already present in the first
    week of response data are not changes).
-#}
{%- set spike_ratio = var('alert_spike_ratio', 1.5) -%}
{%- set drop_ratio = var('alert_drop_ratio', 0.8) -%}
{%- set baseline_weeks = var('alert_baseline_weeks', 4) -%}
{%- set lookback_weeks = var('alert_version_lookback_weeks', 2) -%}
{%- set spike_metrics = ['cost_per_successful_outcome', 'p95_latency_ms'] -%}
{%- set drop_metrics = ['conversation_completion_rate'] -%}

with

ops_metrics as (

    select * from {{ ref('ops_metrics') }}

),

conversations as (

    select * from {{ ref('int_conversations_assembled') }}

),

responses as (

    select * from {{ ref('int_ai_responses_priced') }}

),

ops_series as (

    select
        metric_key,
        period_start as week_start,
        value as metric_value
    from ops_metrics
    where
        period_grain = 'week'
        and segment_type = 'overall'
        and value is not null
        and metric_key in ({{ quoted_list(spike_metrics + drop_metrics) }})

),

conversion_series as (

    select
        'conversation_conversion_rate' as metric_key,
        {{ period_start('week', 'started_at') }} as week_start,
        sum(case when is_converted then 1 else 0 end)
        / cast(count(*) as {{ type_double() }}) as metric_value
    from conversations
    group by 1, 2

),

series as (

    select
        metric_key,
        week_start,
        cast(metric_value as {{ type_double() }}) as metric_value,
        case
            when metric_key in ({{ quoted_list(spike_metrics) }}) then 'spike'
            else 'drop'
        end as alert_rule
    from ops_series

    union all

    select
        metric_key,
        week_start,
        metric_value,
        'drop' as alert_rule
    from conversion_series

),

baselines as (

    select
        series.metric_key,
        series.week_start,
        avg(trailing_weeks.metric_value) as baseline_value,
        count(trailing_weeks.metric_value) as baseline_weeks
    from series
    inner join series as trailing_weeks
        on
            series.metric_key = trailing_weeks.metric_key
            and trailing_weeks.week_start
            >= {{ dbt.dateadd('day', -7 * baseline_weeks, 'series.week_start') }}
            and trailing_weeks.week_start
            <= {{ dbt.dateadd('day', -7, 'series.week_start') }}
    group by 1, 2

),

version_first_seen as (

    select
        'model_version' as version_change_type,
        model_version as version_change_value,
        min(occurred_at) as first_seen_at
    from responses
    where model_version is not null
    group by 1, 2

    union all

    select
        'prompt_version' as version_change_type,
        prompt_version as version_change_value,
        min(occurred_at) as first_seen_at
    from responses
    where prompt_version is not null
    group by 1, 2

),

first_response_week as (

    select min({{ period_start('week', 'occurred_at') }}) as first_week
    from responses

),

version_changes as (

    select
        version_first_seen.version_change_type,
        version_first_seen.version_change_value,
        {{ period_start('week', 'version_first_seen.first_seen_at') }}
            as change_week,
        version_first_seen.first_seen_at
    from version_first_seen
    cross join first_response_week
    where
        {{ period_start('week', 'version_first_seen.first_seen_at') }}
        > first_response_week.first_week

),

matched_changes as (

    select
        series.metric_key,
        series.week_start,
        version_changes.version_change_type,
        version_changes.version_change_value,
        version_changes.first_seen_at,
        row_number() over (
            partition by series.metric_key, series.week_start
            order by
                version_changes.first_seen_at desc,
                version_changes.version_change_type asc,
                version_changes.version_change_value asc
        ) as change_rank
    from series
    inner join version_changes
        on
            series.week_start >= version_changes.change_week
            and version_changes.change_week
            >= {{ dbt.dateadd('day', -7 * lookback_weeks, 'series.week_start') }}

),

evaluated as (

    select
        series.week_start,
        series.metric_key,
        series.alert_rule,
        series.metric_value,
        baselines.baseline_value,
        coalesce(baselines.baseline_weeks, 0) as baseline_weeks,
        cast(
            case
                when series.alert_rule = 'spike' then {{ spike_ratio }}
                else {{ drop_ratio }}
            end as {{ type_double() }}
        ) as threshold_ratio
    from series
    left join baselines
        on
            series.metric_key = baselines.metric_key
            and series.week_start = baselines.week_start

),

thresholds as (

    select
        evaluated.*,
        evaluated.baseline_value * evaluated.threshold_ratio as threshold_value
    from evaluated

),

final as (

    select
        thresholds.week_start,
        thresholds.metric_key,
        thresholds.alert_rule,
        matched_changes.version_change_type,
        matched_changes.version_change_value,
        thresholds.metric_value,
        thresholds.baseline_value,
        thresholds.baseline_weeks,
        thresholds.threshold_ratio,
        thresholds.threshold_value,
        thresholds.metric_value / nullif(thresholds.baseline_value, 0)
            as ratio_to_baseline,
        coalesce(
            thresholds.baseline_weeks >= {{ baseline_weeks }}
            and case thresholds.alert_rule
                when 'spike' then thresholds.metric_value > thresholds.threshold_value
                when 'drop' then thresholds.metric_value < thresholds.threshold_value
            end,
            false
        ) as is_alert,
        matched_changes.first_seen_at as version_change_first_seen_at
    from thresholds
    left join matched_changes
        on
            thresholds.metric_key = matched_changes.metric_key
            and thresholds.week_start = matched_changes.week_start
            and matched_changes.change_rank = 1

)

select * from final
