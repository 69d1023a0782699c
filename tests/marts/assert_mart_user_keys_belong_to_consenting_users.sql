-- Every user_key published by a mart belongs to a user who did not opt out.

with

users as (

    select * from {{ ref('int_users_consented') }}

),

published_keys as (

    select
        'fct_ai_conversations' as model_name,
        user_key
    from {{ ref('fct_ai_conversations') }}
    union all
    select
        'fct_ai_responses' as model_name,
        user_key
    from {{ ref('fct_ai_responses') }}
    union all
    select
        'dim_ai_users' as model_name,
        user_key
    from {{ ref('dim_ai_users') }}

),

final as (

    select
        published_keys.model_name,
        published_keys.user_key
    from published_keys
    left join users
        on
            published_keys.user_key = users.user_key
            and not users.is_opted_out
    where
        published_keys.user_key is not null
        and users.user_key is null

)

select * from final
