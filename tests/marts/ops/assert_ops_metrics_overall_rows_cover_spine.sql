-- CONTRACT.md section 3: every metric has an overall row for every period of
-- the spine (first to last period of valid ai_events or support_tickets), at
-- each grain it is published at. Returns the missing (key, grain, period).
with

ops_metrics as (
    select * from {{ ref('ops_metrics') }}
),

periods as (
    select * from {{ ref('int_metric_periods') }}
),

catalog as (
    select * from {{ ref('metric_catalog') }}
),

expected as (
    select
        catalog.metric_key,
        periods.period_grain,
        periods.period_start
    from catalog
    inner join periods
        on
            catalog.period_grains = periods.period_grain
            or catalog.period_grains = 'week,month'
),

final as (
    select expected.*
    from expected
    left join ops_metrics
        on
            expected.metric_key = ops_metrics.metric_key
            and expected.period_grain = ops_metrics.period_grain
            and expected.period_start = ops_metrics.period_start
            and ops_metrics.segment_type = 'overall'
            and ops_metrics.segment_value = 'all'
    where ops_metrics.metric_key is null
)

select * from final
