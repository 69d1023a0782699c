-- The period spine of ops_metrics: one row per period_grain (week, month)
-- and period_start from the first to the last period touched by valid
-- ai_events (occurred_at) or valid support_tickets (created_at), gaps
-- included. Periods are generated from a 10,000-row number series (about
-- 190 years of weeks), without recursion or warehouse-only functions.
with

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

activity_times as (
    select occurred_at as activity_at from events
    where occurred_at is not null
    union all
    select created_at as activity_at from tickets
    where created_at is not null
),

bounds as (
    select
        {{ period_start('week', 'min(activity_at)') }} as first_week_start,
        {{ period_start('week', 'max(activity_at)') }} as last_week_start,
        {{ period_start('month', 'min(activity_at)') }} as first_month_start,
        {{ period_start('month', 'max(activity_at)') }} as last_month_start
    from activity_times
),

numbers as (
    {{ number_series(4) }}
),

weeks as (
    select
        'week' as period_grain,
        cast(
            {{ add_days('bounds.first_week_start', 'numbers.n * 7') }} as date
        ) as period_start
    from bounds
    cross join numbers
    where
        bounds.first_week_start is not null
        and numbers.n * 7
        <= {{ days_between('bounds.first_week_start', 'bounds.last_week_start') }}
),

months as (
    select
        'month' as period_grain,
        cast(
            {{ dbt.dateadd('month', 'numbers.n', 'bounds.first_month_start') }}
            as date
        ) as period_start
    from bounds
    cross join numbers
    where
        bounds.first_month_start is not null
        and numbers.n
        <= (
            extract(year from bounds.last_month_start)
            - extract(year from bounds.first_month_start)
        ) * 12
        + extract(month from bounds.last_month_start)
        - extract(month from bounds.first_month_start)
),

periods as (
    select
        period_grain,
        period_start
    from weeks
    union all
    select
        period_grain,
        period_start
    from months
),

final as (
    select
        -- strings
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        -- numerics
        case
            when period_grain = 'week' then 7
            else {{ days_in_period('month', 'period_start') }}
        end as days_in_period,
        -- dates
        period_start,
        cast(
            case
                when period_grain = 'week'
                    then {{ add_days('period_start', 6) }}
                else
                    {{ add_days('period_start', days_in_period('month', 'period_start') ~ ' - 1') }}
            end as date
        ) as period_end
    from periods
)

select * from final
