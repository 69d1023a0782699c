{#-
    One row per ISO week from the first to the last week with valid AI
    events. Definitions (also in _ai__models.yml):
    - active AI user: a user_id with a valid ai_user_prompt_created event in
      the week; a session: a distinct (user_id, session_id) of those events.
    - new AI user: first_ai_activity_at (earliest valid AI event) in the week.
    - repeat AI user: active in the week and in at least one earlier week.
    - retention at N days (30, 60, 90): anchor = first_ai_activity_at for AI
      users, created_at for non-users (users of stg_app__users with no valid
      AI event); a cohort member is eligible when anchor + N days <= as_of_at
      (the latest occurred_at of valid AI events and CRM outcomes) and
      retained when no `churn` outcome of the user (same user_id, or same
      account_id on an outcome without user_id) lies in
      [anchor, anchor + N days]. Rate = retained / eligible.
-#}

with

users as (

    select * from {{ ref('int_users_consented') }}

),

ai_events as (

    select * from {{ ref('stg_telemetry__ai_events') }}

),

crm_outcomes as (

    select * from {{ ref('stg_crm__outcomes') }}

),

prompt_events as (

    select
        user_id,
        session_id,
        {{ period_start('week', 'occurred_at') }} as week_start
    from ai_events
    where
        event_name = 'ai_user_prompt_created'
        and user_id is not null

),

-- one pass over the events for both the week bounds and as_of_at (the week
-- of the earliest / latest event is the earliest / latest week)
event_times as (

    select
        min(occurred_at) as first_occurred_at,
        max(occurred_at) as last_occurred_at
    from ai_events

),

bounds as (

    select
        {{ period_start('week', 'first_occurred_at') }} as first_week,
        {{ period_start('week', 'last_occurred_at') }} as last_week
    from event_times

),

observed_times as (

    select last_occurred_at as occurred_at from event_times
    union all
    select occurred_at from crm_outcomes

),

as_of as (

    select max(occurred_at) as as_of_at
    from observed_times

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

churns as (

    select
        user_id,
        account_id,
        occurred_at
    from crm_outcomes
    where outcome_type = 'churn'

),

cohort_members as (

    select
        user_id,
        account_id,
        case when is_ai_user then 'ai_user' else 'non_user' end as user_group,
        coalesce(first_ai_activity_at, created_at) as anchor_at
    from users
    where is_ai_user or is_known_user

),

-- two equi-joins instead of one join on `user_id = ... or (user_id is null
-- and account_id = ...)`: an OR condition cannot be hashed, so the planner
-- fell back to a nested loop over members x churns

user_churns as (

    select
        cohort_members.user_id,
        churns.occurred_at
    from cohort_members
    inner join churns
        on
            cohort_members.user_id = churns.user_id
            and cohort_members.anchor_at <= churns.occurred_at

),

account_churns as (

    select
        cohort_members.user_id,
        churns.occurred_at
    from cohort_members
    inner join churns
        on
            cohort_members.account_id = churns.account_id
            and cohort_members.anchor_at <= churns.occurred_at
    where churns.user_id is null

),

member_churns as (

    select * from user_churns
    union all
    select * from account_churns

),

first_churns as (

    select
        user_id,
        min(occurred_at) as first_churn_at
    from member_churns
    group by 1

),

member_horizons as (

    select
        cohort_members.user_id,
        cohort_members.user_group,
        first_churns.first_churn_at,
        as_of.as_of_at,
        {{ period_start('week', 'cohort_members.anchor_at') }} as cohort_week,
        {{ dbt.dateadd('day', 30, 'cohort_members.anchor_at') }} as horizon_30d_at,
        {{ dbt.dateadd('day', 60, 'cohort_members.anchor_at') }} as horizon_60d_at,
        {{ dbt.dateadd('day', 90, 'cohort_members.anchor_at') }} as horizon_90d_at
    from cohort_members
    cross join as_of
    left join first_churns
        on cohort_members.user_id = first_churns.user_id
    where cohort_members.anchor_at is not null

),

member_retention as (

    -- eligible: the horizon has been observed; retained: eligible and no
    -- churn up to the horizon (bounds included)
    select
        user_group,
        cohort_week,
        case when horizon_30d_at <= as_of_at then 1 else 0 end
            as is_eligible_30d,
        case when horizon_60d_at <= as_of_at then 1 else 0 end
            as is_eligible_60d,
        case when horizon_90d_at <= as_of_at then 1 else 0 end
            as is_eligible_90d,
        case
            when
                horizon_30d_at <= as_of_at
                and coalesce(first_churn_at > horizon_30d_at, true)
                then 1
            else 0
        end as is_retained_30d,
        case
            when
                horizon_60d_at <= as_of_at
                and coalesce(first_churn_at > horizon_60d_at, true)
                then 1
            else 0
        end as is_retained_60d,
        case
            when
                horizon_90d_at <= as_of_at
                and coalesce(first_churn_at > horizon_90d_at, true)
                then 1
            else 0
        end as is_retained_90d
    from member_horizons

),

cohorts as (

    select
        cohort_week,
        sum(case when user_group = 'ai_user' then 1 else 0 end)
            as new_ai_users,
        sum(case when user_group = 'non_user' then 1 else 0 end)
            as new_non_users,
        sum(case when user_group = 'ai_user' then is_eligible_30d else 0 end)
            as ai_users_eligible_30d,
        sum(case when user_group = 'ai_user' then is_retained_30d else 0 end)
            as ai_users_retained_30d,
        sum(case when user_group = 'ai_user' then is_eligible_60d else 0 end)
            as ai_users_eligible_60d,
        sum(case when user_group = 'ai_user' then is_retained_60d else 0 end)
            as ai_users_retained_60d,
        sum(case when user_group = 'ai_user' then is_eligible_90d else 0 end)
            as ai_users_eligible_90d,
        sum(case when user_group = 'ai_user' then is_retained_90d else 0 end)
            as ai_users_retained_90d,
        sum(case when user_group = 'non_user' then is_eligible_30d else 0 end)
            as non_users_eligible_30d,
        sum(case when user_group = 'non_user' then is_retained_30d else 0 end)
            as non_users_retained_30d,
        sum(case when user_group = 'non_user' then is_eligible_60d else 0 end)
            as non_users_eligible_60d,
        sum(case when user_group = 'non_user' then is_retained_60d else 0 end)
            as non_users_retained_60d,
        sum(case when user_group = 'non_user' then is_eligible_90d else 0 end)
            as non_users_eligible_90d,
        sum(case when user_group = 'non_user' then is_retained_90d else 0 end)
            as non_users_retained_90d
    from member_retention
    group by 1

),

final as (

    select
        weeks.week_start,
        coalesce(activity.active_ai_users, 0) as active_ai_users,
        coalesce(sessions.ai_sessions, 0) as ai_sessions,
        cast(coalesce(sessions.ai_sessions, 0) as double precision)
        / nullif(activity.active_ai_users, 0) as sessions_per_active_user,
        cast(coalesce(activity.repeat_ai_users, 0) as bigint) as repeat_ai_users,
        cast(activity.repeat_ai_users as double precision)
        / nullif(activity.active_ai_users, 0) as repeat_user_share,
        cast(coalesce(cohorts.new_ai_users, 0) as bigint) as new_ai_users,
        cast(coalesce(cohorts.new_non_users, 0) as bigint) as new_non_users,
        cast(cohorts.ai_users_retained_30d as double precision)
        / nullif(cohorts.ai_users_eligible_30d, 0) as ai_user_retention_30d,
        cast(cohorts.non_users_retained_30d as double precision)
        / nullif(cohorts.non_users_eligible_30d, 0) as non_user_retention_30d,
        cast(cohorts.ai_users_retained_60d as double precision)
        / nullif(cohorts.ai_users_eligible_60d, 0) as ai_user_retention_60d,
        cast(cohorts.non_users_retained_60d as double precision)
        / nullif(cohorts.non_users_eligible_60d, 0) as non_user_retention_60d,
        cast(cohorts.ai_users_retained_90d as double precision)
        / nullif(cohorts.ai_users_eligible_90d, 0) as ai_user_retention_90d,
        cast(cohorts.non_users_retained_90d as double precision)
        / nullif(cohorts.non_users_eligible_90d, 0) as non_user_retention_90d
    from weeks
    left join activity
        on weeks.week_start = activity.week_start
    left join sessions
        on weeks.week_start = sessions.week_start
    left join cohorts
        on weeks.week_start = cohorts.cohort_week

)

select * from final
