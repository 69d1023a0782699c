-- ops_metrics (CONTRACT.md section 3): one row per metric, period and
-- segment, long format. The union of the metric models, with the bucket and
-- grains of the metric catalog seed, an overall row for every spine period
-- (no_data when the metric has nothing there) and the target status.
-- `value` is a contract column name (SQLFluff RF04 exempted).
-- noqa: disable=RF04

with

-- every metric model ends with metric_family_columns(), so their columns
-- line up; int_metrics__ai_events also carries its incremental bookkeeping
ai_event_metrics as (
    select
        metric_key,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        value,
        numerator,
        denominator
    from {{ ref('int_metrics__ai_events') }}
),

conversation_metrics as (
    select * from {{ ref('int_metrics__conversations') }}
),

agent_metrics as (
    select * from {{ ref('int_metrics__agents') }}
),

operations_metrics as (
    select * from {{ ref('int_metrics__operations') }}
),

governance_metrics as (
    select * from {{ ref('int_metrics__governance') }}
),

value_metrics as (
    select * from {{ ref('int_metrics__value') }}
),

delivery_metrics as (
    select * from {{ ref('int_metrics__deliveries') }}
),

review_metrics as (
    select * from {{ ref('int_metrics__reviews') }}
),

adoption_metrics as (
    select * from {{ ref('int_metrics__adoption') }}
),

agent_outcome_metrics as (
    select * from {{ ref('int_metrics__agent_outcomes') }}
),

periods as (
    select * from {{ ref('int_metric_periods') }}
),

catalog as (
    select * from {{ ref('metric_catalog') }}
),

targets as (
    select * from {{ ref('int_metric_targets') }}
),

family_rows as (
    select * from ai_event_metrics
    union all
    select * from conversation_metrics
    union all
    select * from agent_metrics
    union all
    select * from operations_metrics
    union all
    select * from governance_metrics
    union all
    select * from value_metrics
    union all
    select * from delivery_metrics
    union all
    select * from review_metrics
    union all
    select * from adoption_metrics
    union all
    select * from agent_outcome_metrics
),

-- a family row at a grain its metric is not published at is left out
-- (metric_catalog.period_grains: weekly_active_users week only,
-- total_cost_usd and roi month only); a key missing from the catalog is kept
-- and fails the bucket tests
published_rows as (
    select family_rows.*
    from family_rows
    left join catalog
        on family_rows.metric_key = catalog.metric_key
    where
        catalog.metric_key is null
        or catalog.period_grains = family_rows.period_grain
        or catalog.period_grains = 'week,month'
),

spine as (
    select
        catalog.metric_key,
        periods.period_grain,
        periods.period_start,
        'overall' as segment_type,
        'all' as segment_value
    from catalog
    inner join periods
        on
            catalog.period_grains = periods.period_grain
            or catalog.period_grains = 'week,month'
),

-- spine periods where the metric has no overall row: a no_data row
missing_rows as (
    select
        spine.metric_key,
        spine.period_grain,
        spine.period_start,
        spine.segment_type,
        spine.segment_value,
        cast(null as {{ type_double() }}) as value,
        cast(null as {{ type_double() }}) as numerator,
        cast(null as {{ type_double() }}) as denominator
    from spine
    left join published_rows
        on
            spine.metric_key = published_rows.metric_key
            and spine.period_grain = published_rows.period_grain
            and spine.period_start = published_rows.period_start
            and spine.segment_type = published_rows.segment_type
            and spine.segment_value = published_rows.segment_value
    where published_rows.metric_key is null
),

all_rows as (
    select * from published_rows
    union all
    select * from missing_rows
),

valued as (
    select
        all_rows.metric_key,
        all_rows.period_grain,
        all_rows.period_start,
        all_rows.segment_type,
        all_rows.segment_value,
        -- a ratio over a zero denominator has no value
        case
            when all_rows.denominator = 0 then null
            else all_rows.value
        end as value,
        all_rows.numerator,
        all_rows.denominator
    from all_rows
),

statused as (
    select
        valued.*,
        catalog.bucket,
        targets.target,
        {{ target_status(
            'valued.value', 'targets.target', 'targets.direction',
            'targets.at_risk_band'
        ) }} as status
    from valued
    left join catalog
        on valued.metric_key = catalog.metric_key
    left join targets
        on valued.metric_key = targets.metric_key
),

final as (
    select
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(bucket as {{ dbt.type_string() }}) as bucket,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(value as {{ type_double() }}) as value,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator,
        cast(target as {{ type_double() }}) as target,
        cast(status as {{ dbt.type_string() }}) as status
    from statused
)

select * from final
