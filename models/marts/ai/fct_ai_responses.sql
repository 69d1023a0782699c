{#-
    One row per valid AI response event (int_ai_responses_priced), priced,
    published without user_id: user_key only, null for opted-out users.
-#}

with

responses as (

    select * from {{ ref('int_ai_responses_priced') }}

),

users as (

    select * from {{ ref('int_users_consented') }}

),

final as (

    select
        responses.event_id,
        responses.conversation_id,
        users.user_key,
        responses.workflow,
        responses.model_version,
        responses.prompt_version,
        responses.feature_flag_state,
        responses.model_used,
        responses.response_status,
        responses.error_type,
        responses.latency_ms,
        responses.input_tokens,
        responses.output_tokens,
        responses.given_cost_usd,
        responses.priced_cost_usd,
        responses.cost_usd,
        coalesce(responses.response_status = 'success', false) as is_success,
        responses.is_unpriceable,
        cast(responses.occurred_at as date) as occurred_date,
        {{ period_start('week', 'responses.occurred_at') }} as occurred_week,
        responses.occurred_at
    from responses
    left join users
        on responses.user_id = users.user_id

)

select * from final
