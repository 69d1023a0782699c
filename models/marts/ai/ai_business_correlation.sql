{#-
    AI users versus non-users, per cohort month, overall (`all`) and per
    workflow of the AI user's first AI event. CORRELATION, NOT CAUSATION:
    users choose to use AI, so the groups differ in more than AI use.
    - AI user: a user with a valid AI event, anchored on first_ai_activity_at;
      non-user: a user of stg_app__users without any, anchored on created_at.
    - converted: a purchase, signup or opportunity_won outcome of the same
      user_id with occurred_at in [anchor, anchor + attribution_window_days
      days]; revenue: the amount_usd of those outcomes.
    - Non-users have no workflow: every workflow row of a month repeats the
      month's non-user figures as the baseline.
-#}
{%- set window_days = var('attribution_window_days', 30) -%}

with

users as (

    select * from {{ ref('int_users_consented') }}

),

outcomes as (

    select * from {{ ref('int_crm_outcomes_attributed') }}

),

user_conversions as (

    select
        user_id,
        count(*) as n_conversions,
        coalesce(sum(amount_usd), 0) as conversion_revenue_usd
    from outcomes
    where is_conversion and is_in_user_window
    group by 1

),

observed_times as (

    select last_ai_activity_at as observed_at from users
    union all
    select occurred_at as observed_at from outcomes

),

as_of as (

    select max(observed_at) as as_of_at
    from observed_times

),

members as (

    select
        users.user_id,
        case when users.is_ai_user then 'ai_user' else 'non_user' end
            as user_group,
        coalesce(users.first_workflow, 'unknown') as workflow,
        {{ period_start('month', 'coalesce(users.first_ai_activity_at, users.created_at)') }}
            as cohort_month,
        case when user_conversions.user_id is not null then 1 else 0 end
            as is_converted,
        coalesce(user_conversions.conversion_revenue_usd, 0) as revenue_usd
    from users
    left join user_conversions
        on users.user_id = user_conversions.user_id
    where
        (users.is_ai_user or users.is_known_user)
        and coalesce(users.first_ai_activity_at, users.created_at) is not null

),

ai_groups as (

    select
        cohort_month,
        'all' as workflow,
        count(*) as ai_users,
        sum(is_converted) as ai_converted_users,
        sum(revenue_usd) as ai_revenue_usd
    from members
    where user_group = 'ai_user'
    group by 1, 2

    union all

    select
        cohort_month,
        workflow,
        count(*) as ai_users,
        sum(is_converted) as ai_converted_users,
        sum(revenue_usd) as ai_revenue_usd
    from members
    where user_group = 'ai_user'
    group by 1, 2

),

non_user_groups as (

    select
        cohort_month,
        count(*) as non_users,
        sum(is_converted) as non_user_converted_users,
        sum(revenue_usd) as non_user_revenue_usd
    from members
    where user_group = 'non_user'
    group by 1

),

first_ai_month as (

    select min(cohort_month) as first_month
    from ai_groups

),

month_workflows as (

    -- months from the first AI cohort on: earlier months have nothing to compare
    select
        cohort_month,
        workflow
    from ai_groups
    union
    select
        non_user_groups.cohort_month,
        'all' as workflow
    from non_user_groups
    cross join first_ai_month
    where non_user_groups.cohort_month >= first_ai_month.first_month

),

joined as (

    select
        month_workflows.cohort_month,
        month_workflows.workflow,
        coalesce(ai_groups.ai_users, 0) as ai_users,
        cast(coalesce(ai_groups.ai_converted_users, 0) as bigint)
            as ai_converted_users,
        coalesce(ai_groups.ai_revenue_usd, 0) as ai_revenue_usd,
        coalesce(non_user_groups.non_users, 0) as non_users,
        cast(coalesce(non_user_groups.non_user_converted_users, 0) as bigint)
            as non_user_converted_users,
        coalesce(non_user_groups.non_user_revenue_usd, 0)
            as non_user_revenue_usd
    from month_workflows
    left join ai_groups
        on
            month_workflows.cohort_month = ai_groups.cohort_month
            and month_workflows.workflow = ai_groups.workflow
    left join non_user_groups
        on month_workflows.cohort_month = non_user_groups.cohort_month

),

rates as (

    select
        *,
        {{ safe_divide('ai_converted_users', 'ai_users') }}
            as ai_conversion_rate,
        {{ safe_divide('ai_revenue_usd', 'ai_users') }}
            as ai_revenue_per_user_usd,
        {{ safe_divide('non_user_converted_users', 'non_users') }}
            as non_user_conversion_rate,
        {{ safe_divide('non_user_revenue_usd', 'non_users') }}
            as non_user_revenue_per_user_usd
    from joined

),

final as (

    select
        rates.cohort_month,
        rates.workflow,
        rates.ai_users,
        rates.ai_converted_users,
        rates.ai_conversion_rate,
        rates.ai_revenue_usd,
        rates.ai_revenue_per_user_usd,
        rates.non_users,
        rates.non_user_converted_users,
        rates.non_user_conversion_rate,
        rates.non_user_revenue_usd,
        rates.non_user_revenue_per_user_usd,
        rates.ai_conversion_rate - rates.non_user_conversion_rate
            as conversion_rate_difference,
        rates.ai_revenue_per_user_usd - rates.non_user_revenue_per_user_usd
            as revenue_per_user_difference_usd,
        coalesce(
            {{ dbt.dateadd(
                'day', window_days,
                dbt.dateadd('month', 1, 'rates.cohort_month')
            ) }} <= as_of.as_of_at,
            false
        ) as is_window_complete
    from rates
    cross join as_of

)

select * from final
