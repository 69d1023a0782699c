{#-
    One row per user: every user of stg_app__users plus every user_id seen
    only in valid AI events. Carries the consent decision (is_opted_out),
    the AI adoption facts and the only identifier the marts may publish:
    user_key, a salted md5 of user_id that is null for opted-out users.
-#}
{%- set user_key_salt = var('user_key_salt', 'ai_ops_user_key_salt') -%}
{%- set event_user_aggregates -%}
        min(occurred_at) as first_ai_activity_at,
        max(occurred_at) as last_ai_activity_at,
        count(*) as n_ai_events,
        max(
            case when consent_analytics = false then 1 else 0 end
        ) = 1 as has_opt_out_event
{%- endset -%}

with

users as (

    select * from {{ ref('stg_app__users') }}

),

ai_events as (

    select * from {{ ref('int_ai_events_unioned') }}

),

user_events as (

    select * from ai_events
    where user_id is not null

),

-- one pass: the user's AI facts and the workflow of their earliest event
-- (ties on occurred_at go to event_id); the macro avoids a window sort on
-- DuckDB
event_users as (
    {{ group_with_first_row(
        relation='user_events',
        group_by='user_id',
        order_by=['occurred_at', 'event_id'],
        first_row_columns={'first_workflow': 'workflow'},
        aggregates=event_user_aggregates,
    ) }}

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
        event_users.first_workflow,
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
