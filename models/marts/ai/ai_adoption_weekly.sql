-- One row per ISO week from the first to the last week with valid AI events:
-- activity (int_ai_activity_weekly) and the week's cohorts with their 30, 60
-- and 90-day retention (int_user_cohorts_weekly). Definitions in the yml.
with

activity as (
    select * from {{ ref('int_ai_activity_weekly') }}
),

cohorts as (
    select * from {{ ref('int_user_cohorts_weekly') }}
),

final as (
    select
        activity.week_start,
        activity.active_ai_users,
        activity.ai_sessions,
        {{ safe_divide('activity.ai_sessions', 'activity.active_ai_users') }}
            as sessions_per_active_user,
        activity.repeat_ai_users,
        {{ safe_divide(
            'activity.repeat_ai_users', 'activity.active_ai_users'
        ) }} as repeat_user_share,
        cast(coalesce(cohorts.new_ai_users, 0) as bigint) as new_ai_users,
        cast(coalesce(cohorts.new_non_users, 0) as bigint) as new_non_users,
        {{ safe_divide(
            'cohorts.ai_users_retained_30d', 'cohorts.ai_users_eligible_30d'
        ) }} as ai_user_retention_30d,
        {{ safe_divide(
            'cohorts.non_users_retained_30d', 'cohorts.non_users_eligible_30d'
        ) }} as non_user_retention_30d,
        {{ safe_divide(
            'cohorts.ai_users_retained_60d', 'cohorts.ai_users_eligible_60d'
        ) }} as ai_user_retention_60d,
        {{ safe_divide(
            'cohorts.non_users_retained_60d', 'cohorts.non_users_eligible_60d'
        ) }} as non_user_retention_60d,
        {{ safe_divide(
            'cohorts.ai_users_retained_90d', 'cohorts.ai_users_eligible_90d'
        ) }} as ai_user_retention_90d,
        {{ safe_divide(
            'cohorts.non_users_retained_90d', 'cohorts.non_users_eligible_90d'
        ) }} as non_user_retention_90d
    from activity
    left join cohorts
        on activity.week_start = cohorts.cohort_week
)

select * from final
