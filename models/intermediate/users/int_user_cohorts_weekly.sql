-- One row per cohort week: the AI users whose first valid AI event falls in
-- the week and the non-users (users with no valid AI event) created in it,
-- with how many of each are eligible for and retained at 30, 60 and 90 days.
-- Eligible: anchor + N days <= as_of_at (the latest occurred_at of valid AI
-- events and CRM outcomes); retained: eligible and no churn outcome of the
-- user (same user_id, or same account_id on an outcome without user_id) in
-- [anchor, anchor + N days].
with

users as (
    select * from {{ ref('int_users_consented') }}
),

ai_events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

crm_outcomes as (
    select * from {{ ref('stg_crm__outcomes') }}
),

observed_times as (
    select max(occurred_at) as occurred_at from ai_events
    union all
    select occurred_at from crm_outcomes
),

as_of as (
    select max(occurred_at) as as_of_at
    from observed_times
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

-- eligible: the horizon has been observed; retained: eligible and no churn
-- up to the horizon (bounds included)
member_retention as (
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

final as (
    select
        cohort_week,
        cast(sum(case when user_group = 'ai_user' then 1 else 0 end) as bigint)
            as new_ai_users,
        cast(sum(case when user_group = 'non_user' then 1 else 0 end) as bigint)
            as new_non_users,
        cast(
            sum(case when user_group = 'ai_user' then is_eligible_30d else 0 end)
            as bigint
        ) as ai_users_eligible_30d,
        cast(
            sum(case when user_group = 'ai_user' then is_retained_30d else 0 end)
            as bigint
        ) as ai_users_retained_30d,
        cast(
            sum(case when user_group = 'ai_user' then is_eligible_60d else 0 end)
            as bigint
        ) as ai_users_eligible_60d,
        cast(
            sum(case when user_group = 'ai_user' then is_retained_60d else 0 end)
            as bigint
        ) as ai_users_retained_60d,
        cast(
            sum(case when user_group = 'ai_user' then is_eligible_90d else 0 end)
            as bigint
        ) as ai_users_eligible_90d,
        cast(
            sum(case when user_group = 'ai_user' then is_retained_90d else 0 end)
            as bigint
        ) as ai_users_retained_90d,
        cast(
            sum(case when user_group = 'non_user' then is_eligible_30d else 0 end)
            as bigint
        ) as non_users_eligible_30d,
        cast(
            sum(case when user_group = 'non_user' then is_retained_30d else 0 end)
            as bigint
        ) as non_users_retained_30d,
        cast(
            sum(case when user_group = 'non_user' then is_eligible_60d else 0 end)
            as bigint
        ) as non_users_eligible_60d,
        cast(
            sum(case when user_group = 'non_user' then is_retained_60d else 0 end)
            as bigint
        ) as non_users_retained_60d,
        cast(
            sum(case when user_group = 'non_user' then is_eligible_90d else 0 end)
            as bigint
        ) as non_users_eligible_90d,
        cast(
            sum(case when user_group = 'non_user' then is_retained_90d else 0 end)
            as bigint
        ) as non_users_retained_90d
    from member_retention
    group by 1
)

select * from final
