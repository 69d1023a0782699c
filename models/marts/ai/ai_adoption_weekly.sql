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
        cast(activity.ai_sessions as {{ type_double() }})
        / nullif(activity.active_ai_users, 0) as sessions_per_active_user,
        activity.repeat_ai_users,
        cast(activity.repeat_ai_users as {{ type_double() }})
        / nullif(activity.active_ai_users, 0) as repeat_user_share,
        cast(coalesce(cohorts.new_ai_users, 0) as bigint) as new_ai_users,
        cast(coalesce(cohorts.new_non_users, 0) as bigint) as new_non_users,
        cast(cohorts.ai_users_retained_30d as {{ type_double() }})
        / nullif(cohorts.ai_users_eligible_30d, 0) as ai_user_retention_30d,
        cast(cohorts.non_users_retained_30d as {{ type_double() }})
        / nullif(cohorts.non_users_eligible_30d, 0) as non_user_retention_30d,
        cast(cohorts.ai_users_retained_60d as {{ type_double() }})
        / nullif(cohorts.ai_users_eligible_60d, 0) as ai_user_retention_60d,
        cast(cohorts.non_users_retained_60d as {{ type_double() }})
        / nullif(cohorts.non_users_eligible_60d, 0) as non_user_retention_60d,
        cast(cohorts.ai_users_retained_90d as {{ type_double() }})
        / nullif(cohorts.ai_users_eligible_90d, 0) as ai_user_retention_90d,
        cast(cohorts.non_users_retained_90d as {{ type_double() }})
        / nullif(cohorts.non_users_eligible_90d, 0) as non_user_retention_90d
    from activity
    left join cohorts
        on activity.week_start = cohorts.cohort_week
)

select * from final
