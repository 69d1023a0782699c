{#-
    One row per user: every user of stg_app__users plus every user_id seen
    only in valid AI events. Carries the consent decision (is_opted_out),
    the AI adoption facts and the only identifier the marts may publish:
    user_key, a salted md5 of user_id that is null for opted-out users.
-#}
{%- set user_key_salt = var('user_key_salt', 'ai_ops_user_key_salt') -%}

with

users as (

    select * from {{ ref('stg_app__users') }}

),

ai_events as (

    select * from {{ ref('stg_telemetry__ai_events') }}

),

user_events as (

    select
        user_id,
        event_id,
        workflow,
        consent_analytics,
        occurred_at,
        row_number() over (
            partition by user_id
            order by occurred_at, event_id
        ) as event_rank
    from ai_events
    where user_id is not null

),

event_users as (

    select
        user_id,
        min(occurred_at) as first_ai_activity_at,
        max(occurred_at) as last_ai_activity_at,
        count(*) as n_ai_events,
        max(
            case when consent_analytics = false then 1 else 0 end
        ) = 1 as has_opt_out_event
    from user_events
    group by 1

),

first_workflows as (

    select
        user_id,
        workflow as first_workflow
    from user_events
    where event_rank = 1

),

all_user_ids as (

    select user_id from users
    union
    select user_id from event_users

),

joined as (

    select
        all_user_ids.user_id,
        users.account_id,
        users.segment,
        users.region,
        first_workflows.first_workflow,
        coalesce(event_users.n_ai_events, 0) as n_ai_events,
        users.consent_analytics,
        users.user_id is not null as is_known_user,
        event_users.user_id is not null as is_ai_user,
        coalesce(users.consent_analytics = false, false)
        or coalesce(event_users.has_opt_out_event, false) as is_opted_out,
        users.created_at,
        event_users.first_ai_activity_at,
        event_users.last_ai_activity_at
    from all_user_ids
    left join users
        on all_user_ids.user_id = users.user_id
    left join event_users
        on all_user_ids.user_id = event_users.user_id
    left join first_workflows
        on all_user_ids.user_id = first_workflows.user_id

),

final as (

    select
        user_id,
        case
            when not is_opted_out
                then {{ dbt.hash(dbt.concat([
                    "'" ~ (user_key_salt | replace("'", "''")) ~ "'",
                    'user_id',
                ])) }}
        end as user_key,
        account_id,
        segment,
        region,
        first_workflow,
        n_ai_events,
        consent_analytics,
        is_known_user,
        is_ai_user,
        is_opted_out,
        {{ period_start('week', 'first_ai_activity_at') }}
            as adoption_cohort_week,
        {{ period_start('month', 'first_ai_activity_at') }}
            as adoption_cohort_month,
        created_at,
        first_ai_activity_at,
        last_ai_activity_at
    from joined

)

select * from final
