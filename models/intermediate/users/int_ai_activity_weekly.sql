-- One row per ISO week from the first to the last week with valid AI events
-- (gap weeks included, with zeros): active AI users (a user_id with a prompt
-- event in the week), their sessions (distinct user_id, session_id) and the
-- repeat users (active in the week and in an earlier week).
with

ai_events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

prompt_events as (
    select * from {{ ref('int_ai_prompt_events') }}
),

-- the week of the earliest / latest event is the earliest / latest week
bounds as (
    select
        {{ period_start('week', 'min(occurred_at)') }} as first_week,
        {{ period_start('week', 'max(occurred_at)') }} as last_week
    from ai_events
),

numbers as (
    {{ dbt.generate_series(2048) }}
),

weeks as (
    select
        cast(
            {{ dbt.dateadd(
                'day', '(numbers.generated_number - 1) * 7', 'bounds.first_week'
            ) }} as date
        ) as week_start
    from numbers
    cross join bounds
    where
        {{ dbt.dateadd(
            'day', '(numbers.generated_number - 1) * 7', 'bounds.first_week'
        ) }} <= bounds.last_week
),

user_weeks as (
    select distinct
        user_id,
        week_start
    from prompt_events
),

user_first_prompt_weeks as (
    select
        user_id,
        min(week_start) as first_prompt_week
    from user_weeks
    group by 1
),

activity as (
    select
        user_weeks.week_start,
        count(*) as active_ai_users,
        sum(
            case
                when user_weeks.week_start > user_first_prompt_weeks.first_prompt_week
                    then 1
                else 0
            end
        ) as repeat_ai_users
    from user_weeks
    inner join user_first_prompt_weeks
        on user_weeks.user_id = user_first_prompt_weeks.user_id
    group by 1
),

user_sessions as (
    select distinct
        week_start,
        user_id,
        session_id
    from prompt_events
    where session_id is not null
),

sessions as (
    select
        week_start,
        count(*) as ai_sessions
    from user_sessions
    group by 1
),

final as (
    select
        weeks.week_start,
        cast(coalesce(activity.active_ai_users, 0) as bigint) as active_ai_users,
        cast(coalesce(sessions.ai_sessions, 0) as bigint) as ai_sessions,
        cast(coalesce(activity.repeat_ai_users, 0) as bigint) as repeat_ai_users
    from weeks
    left join activity
        on weeks.week_start = activity.week_start
    left join sessions
        on weeks.week_start = sessions.week_start
)

select * from final
