{{ config(materialized='table', schema='monitoring') }}

{#-
    Daily volume of valid AI events with a drop flag (see the model's yml).
    Days without events inside the range count as zero: a day on which the
    pipeline delivered nothing is exactly the drop this model has to show.
-#}

with events as (
    select * from {{ ref('stg_telemetry__ai_events') }}
),

daily_counts as (
    select
        occurred_date as event_date,
        count(*) as event_count
    from events
    group by 1
),

date_bounds as (
    select
        min(event_date) as first_date,
        max(event_date) as last_date
    from daily_counts
),

date_range as (
    select
        first_date,
        {{ days_between('first_date', 'last_date') }} as n_days
    from date_bounds
),

-- 0 .. 9999: enough for 27 years of daily rows without a recursive CTE
day_offsets as (
    {{ number_series(4, 'day_offset') }}
),

calendar as (
    select
        cast(
            {{ add_days('date_range.first_date', 'day_offsets.day_offset') }}
            as date
        ) as event_date
    from date_range
    inner join day_offsets
        on date_range.n_days >= day_offsets.day_offset
),

filled as (
    select
        calendar.event_date,
        cast(coalesce(daily_counts.event_count, 0) as bigint) as event_count
    from calendar
    left join daily_counts
        on calendar.event_date = daily_counts.event_date
),

with_trailing_mean as (
    select
        event_date,
        event_count,
        count(*) over (
            order by event_date rows between 7 preceding and 1 preceding
        ) as trailing_days,
        avg(cast(event_count as {{ type_double() }})) over (
            order by event_date rows between 7 preceding and 1 preceding
        ) as trailing_7d_avg_event_count
    from filled
),

final as (
    select
        event_date,
        event_count,
        cast(trailing_days as integer) as trailing_days,
        cast(trailing_7d_avg_event_count as {{ type_double() }})
            as trailing_7d_avg_event_count,
        coalesce(
            trailing_days = 7
            and event_count < 0.5 * trailing_7d_avg_event_count,
            false
        ) as is_volume_drop
    from with_trailing_mean
)

select * from final
