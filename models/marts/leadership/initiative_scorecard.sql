-- Each initiative against its outcome contract (CONTRACT.md section 3, v2):
-- one row per outcome_contracts row and review period (week or month by its
-- review_cadence) from the first period starting after baseline_end to the
-- last period of ops_metrics. The status rule is ops_metrics' own macro; the
-- recommendation reads this and the two previous periods of the contract.
with

contracts as (
    select * from {{ ref('int_outcome_contracts_enriched') }}
),

metrics as (
    select * from {{ ref('ops_metrics') }}
),

-- the review calendar: the periods of ops_metrics (dense between its first
-- and last period, since every key has an overall row for every period)
calendar as (
    select distinct
        period_grain,
        period_start
    from metrics
),

baseline_measured as (
    select
        contracts.initiative_id,
        contracts.metric_key,
        contracts.segment_type,
        contracts.segment_value,
        avg(metrics.value) as measured_mean,
        stddev_samp(metrics.value) as measured_stddev
    from contracts
    left join metrics
        on
            contracts.metric_key = metrics.metric_key
            and contracts.segment_type = metrics.segment_type
            and contracts.segment_value = metrics.segment_value
            and contracts.period_grain = metrics.period_grain
            and contracts.baseline_start <= metrics.period_start
            and contracts.baseline_end >= metrics.period_start
    group by 1, 2, 3, 4
),

baselines as (
    select
        contracts.*,
        coalesce(
            contracts.baseline_value, baseline_measured.measured_mean
        ) as baseline,
        case
            when contracts.baseline_value is null
                then baseline_measured.measured_stddev
        end as baseline_stddev
    from contracts
    inner join baseline_measured
        on
            contracts.initiative_id = baseline_measured.initiative_id
            and contracts.metric_key = baseline_measured.metric_key
            and contracts.segment_type = baseline_measured.segment_type
            and contracts.segment_value = baseline_measured.segment_value
),

review_periods as (
    select
        baselines.*,
        calendar.period_start,
        metrics.value
    from baselines
    inner join calendar
        on
            baselines.period_grain = calendar.period_grain
            and baselines.baseline_end < calendar.period_start
    left join metrics
        on
            baselines.metric_key = metrics.metric_key
            and baselines.segment_type = metrics.segment_type
            and baselines.segment_value = metrics.segment_value
            and baselines.period_grain = metrics.period_grain
            and calendar.period_start = metrics.period_start
),

judged as (
    select
        *,
        {{ safe_divide('value - baseline', 'target_value - baseline') }}
            as progress,
        {{ safe_divide('value - baseline', 'baseline_stddev') }} as movement_z,
        {{ target_status(
            'value', 'target_value', 'direction', 'at_risk_band'
        ) }} as status
    from review_periods
),

-- consecutive on_track periods: a run restarts after any other status
streaks as (
    select
        *,
        sum(case when status = 'on_track' then 0 else 1 end) over (
            partition by initiative_id, metric_key, segment_type, segment_value
            order by period_start
            rows between unbounded preceding and current row
        ) as streak_id
    from judged
),

histories as (
    select
        *,
        -- the period that ended the previous run opens this streak_id:
        -- count only the on_track periods after it
        case
            when status = 'on_track'
                then sum(case when status = 'on_track' then 1 else 0 end) over (
                    partition by
                        initiative_id,
                        metric_key,
                        segment_type,
                        segment_value,
                        streak_id
                    order by period_start
                    rows between unbounded preceding and current row
                )
            else 0
        end as periods_on_track,
        {{ contract_lag('status', 1) }} as previous_status,
        {{ contract_lag('status', 2) }} as second_previous_status,
        {{ contract_lag('progress', 1) }} as previous_progress,
        {{ contract_lag('progress', 2) }} as second_previous_progress
    from streaks
),

recommended as (
    select
        *,
        case
            when status = 'on_track' and previous_status = 'on_track'
                then 'expand'
            when
                status = 'off_track'
                and previous_status = 'off_track'
                and second_previous_status = 'off_track'
                and progress <= 0
                and previous_progress <= 0
                and second_previous_progress <= 0
                then 'wind_down'
            when status in ('off_track', 'at_risk') then 'adjust'
            else 'hold'
        end as recommendation
    from histories
),

final as (
    select
        -- ids and strings
        cast(recommended.initiative_id as {{ dbt.type_string() }})
            as initiative_id,
        cast(recommended.initiative_name as {{ dbt.type_string() }})
            as initiative_name,
        cast(recommended.metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(recommended.segment_type as {{ dbt.type_string() }})
            as segment_type,
        cast(recommended.segment_value as {{ dbt.type_string() }})
            as segment_value,
        cast(recommended.period_grain as {{ dbt.type_string() }})
            as period_grain,
        cast(recommended.period_start as date) as period_start,
        cast(recommended.owner as {{ dbt.type_string() }}) as owner,  -- noqa: RF04
        cast(recommended.attribution_method as {{ dbt.type_string() }})
            as attribution_method,
        -- numerics
        cast(recommended.baseline as {{ type_double() }}) as baseline_value,
        cast(recommended.baseline_stddev as {{ type_double() }})
            as baseline_stddev,
        cast(recommended.target_value as {{ type_double() }}) as target_value,
        cast(recommended.value as {{ type_double() }}) as value,
        cast(recommended.progress as {{ type_double() }}) as progress,
        cast(recommended.movement_z as {{ type_double() }}) as movement_z,
        -- judgement
        cast(recommended.status as {{ dbt.type_string() }}) as status,
        cast(recommended.periods_on_track as integer) as periods_on_track,
        cast(recommended.recommendation as {{ dbt.type_string() }})
            as recommendation
    from recommended
)

select * from final
