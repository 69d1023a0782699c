{#-
    One row per AI conversation (int_conversations_assembled), published
    without user_id: the user appears only as user_key, null for opted-out
    users (their conversations stay in, so aggregates count them).
-#}

with

conversations as (

    select * from {{ ref('int_conversations_assembled') }}

),

users as (

    select * from {{ ref('int_users_consented') }}

),

outcomes as (

    select * from {{ ref('int_crm_outcomes_attributed') }}

),

conversation_outcomes as (

    select
        attributed_conversation_id as conversation_id,
        count(*) as n_attributed_outcomes,
        sum(case when is_conversion then 1 else 0 end)
            as n_attributed_conversions,
        coalesce(sum(case when is_conversion then amount_usd end), 0)
            as attributed_revenue_usd
    from outcomes
    where attributed_conversation_id is not null
    group by 1

),

final as (

    select
        conversations.conversation_id,
        users.user_key,
        conversations.workflow,
        conversations.feature_flag_state,
        conversations.model_version,
        conversations.prompt_version,
        conversations.n_events,
        conversations.n_prompts,
        conversations.n_responses,
        conversations.n_error_responses,
        conversations.input_tokens,
        conversations.output_tokens,
        conversations.cost_usd,
        conversations.mean_latency_ms,
        conversations.mean_rating,
        coalesce(conversation_outcomes.n_attributed_outcomes, 0)
            as n_attributed_outcomes,
        cast(
            coalesce(conversation_outcomes.n_attributed_conversions, 0)
            as bigint
        ) as n_attributed_conversions,
        coalesce(conversation_outcomes.attributed_revenue_usd, 0)
            as attributed_revenue_usd,
        conversations.is_completed,
        conversations.is_escalated,
        conversations.is_converted,
        conversations.has_ticket_in_window,
        conversations.is_deflected,
        conversations.is_post_launch,
        cast(conversations.started_at as date) as started_date,
        {{ period_start('week', 'conversations.started_at') }} as started_week,
        {{ period_start('month', 'conversations.started_at') }}
            as started_month,
        conversations.started_at,
        conversations.ended_at
    from conversations
    left join users
        on conversations.user_id = users.user_id
    left join conversation_outcomes
        on conversations.conversation_id = conversation_outcomes.conversation_id

)

select * from final
