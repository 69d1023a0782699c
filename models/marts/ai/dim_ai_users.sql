{#-
    One row per consenting user (known from stg_app__users or seen in AI
    events), keyed by user_key. Opted-out users have no row: they are
    counted in the aggregate marts only.
-#}

with

users as (

    select * from {{ ref('int_users_consented') }}

),

conversations as (

    select * from {{ ref('int_conversations_assembled') }}

),

user_conversations as (

    select
        user_id,
        count(*) as n_conversations,
        sum(case when is_completed then 1 else 0 end)
            as n_completed_conversations,
        coalesce(sum(cost_usd), 0) as ai_cost_usd
    from conversations
    where user_id is not null
    group by 1

),

final as (

    select
        users.user_key,
        users.account_id,
        users.segment,
        users.region,
        users.first_workflow,
        users.n_ai_events,
        coalesce(user_conversations.n_conversations, 0) as n_conversations,
        cast(
            coalesce(user_conversations.n_completed_conversations, 0) as bigint
        ) as n_completed_conversations,
        coalesce(user_conversations.ai_cost_usd, 0) as ai_cost_usd,
        users.is_known_user,
        users.is_ai_user,
        users.adoption_cohort_week,
        users.adoption_cohort_month,
        users.created_at,
        users.first_ai_activity_at,
        users.last_ai_activity_at
    from users
    left join user_conversations
        on users.user_id = user_conversations.user_id
    where not users.is_opted_out

)

select * from final
