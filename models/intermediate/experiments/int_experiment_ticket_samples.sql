-- One row per pre_vs_post metric and unit (CONTRACT.md section 3,
-- experiment_comparison), tickets assigned by created_at date: the baseline
-- runs from the first ticket day to ai_launch_date - 1, the treatment from
-- ai_launch_date to the last ticket day.
-- - tickets_per_day: one row per calendar day from the first to the last
--   ticket day, its ticket count (0 on a day without tickets);
-- - mean_handle_minutes: one row per ticket with handle_minutes, AI-handled
--   tickets with null minutes counted as 0.
{%- set launch_date = "cast('" ~ var('ai_launch_date') ~ "' as date)" %}
-- noqa: disable=RF04

with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

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
        min(created_date) as first_date,
        max(created_date) as last_date
    from ticket_days
),

-- 0 .. 99,999: a day spine of 270 years
numbers as (
    {{ number_series(5) }}
),

calendar_days as (
    select
        cast(
            {{ add_days('ticket_bounds.first_date', 'numbers.n') }} as date
        ) as calendar_date
    from ticket_bounds
    cross join numbers
    where
        ticket_bounds.first_date is not null
        and numbers.n
        <= {{ days_between(
            'cast(ticket_bounds.first_date as timestamp)',
            'cast(ticket_bounds.last_date as timestamp)'
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
        calendar_days.calendar_date as sample_date,
        cast(coalesce(daily_ticket_counts.tickets, 0) as {{ type_double() }})
            as sample_value
    from calendar_days
    left join daily_ticket_counts
        on calendar_days.calendar_date = daily_ticket_counts.created_date
),

ticket_handle_minutes as (
    select
        created_date as sample_date,
        cast(
            coalesce(
                handle_minutes,
                case when is_ai_handled then 0 end
            ) as {{ type_double() }}
        ) as sample_value
    from ticket_days
),

samples as (
    select
        'tickets_per_day' as metric_key,
        sample_date,
        sample_value
    from daily_counts
    union all
    select
        'mean_handle_minutes' as metric_key,
        sample_date,
        sample_value
    from ticket_handle_minutes
    where sample_value is not null
),

final as (
    select
        -- strings
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(
            case
                when sample_date < {{ launch_date }} then 'baseline'
                else 'treatment'
            end as {{ dbt.type_string() }}
        ) as arm,
        -- numerics
        cast(sample_value as {{ type_double() }}) as sample_value,
        -- dates
        cast(sample_date as date) as sample_date
    from samples
)

select * from final
