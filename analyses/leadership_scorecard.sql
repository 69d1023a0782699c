-- The leadership review's one-page scorecard: the latest complete month of
-- every overall metric with its target, status and the change from the month
-- before. Compile with `dbt compile --select leadership_scorecard` and run the
-- SQL in target/compiled/ against the warehouse.
with

ops_metrics as (
    select * from {{ ref('ops_metrics') }}
),

monthly as (
    select
        metric_key,
        bucket,
        period_start,
        value,
        target,
        status,
        lag(value) over (
            partition by metric_key
            order by period_start
        ) as previous_value,
        row_number() over (
            partition by metric_key
            order by period_start desc
        ) as months_back
    from ops_metrics
    where
        period_grain = 'month'
        and segment_type = 'overall'
),

final as (
    select
        bucket,
        metric_key,
        period_start as month,
        value,
        target,
        status,
        value - previous_value as change_from_previous_month
    from monthly
    -- the newest month is usually still running: show the one before it
    where months_back = 2
)

select * from final
order by bucket, metric_key
