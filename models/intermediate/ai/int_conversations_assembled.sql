-- One row per conversation: all valid events sharing a conversation_id.
-- Its user, workflow, arm, model and prompt version and its start are those
-- of its earliest valid event (int_conversation_starts).
with

events as (
    select * from {{ ref('stg_telemetry__ai_events') }}
),

responses as (
    select * from {{ ref('int_ai_responses_priced') }}
),

conversation_starts as (
    select * from {{ ref('int_conversation_starts') }}
),

matched_tickets as (
    select * from {{ ref('int_tickets_matched_to_conversations') }}
),

event_facts as (
    select
        conversation_id,
        max(occurred_at) as ended_at,
        count(*) as n_events,
        sum(
            case when event_name = 'ai_user_prompt_created' then 1 else 0 end
        ) as n_prompts,
        max(
            case
                when
                    event_name = 'ai_user_action'
                    and (action_type = 'accepted' or conversion_flag)
                    then 1
                else 0
            end
        ) as has_completion,
        max(
            case
                when
                    event_name = 'ai_user_action'
                    and action_type = 'escalated'
                    then 1
                else 0
            end
        ) as has_escalation,
        max(
            case
                when event_name = 'ai_user_action' and conversion_flag then 1
                else 0
            end
        ) as has_conversion,
        avg(
            case
                when event_name = 'ai_user_action'
                    then cast(rating as double precision)
            end
        ) as mean_rating
    from events
    group by conversation_id
),

response_facts as (
    select
        conversation_id,
        count(*) as n_responses,
        sum(case when response_status = 'error' then 1 else 0 end)
            as n_error_responses,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cost_usd) as cost_usd,
        avg(latency_ms) as mean_latency_ms
    from responses
    group by conversation_id
),

ticket_facts as (
    select
        conversation_id,
        max(case when is_in_deflection_window then 1 else 0 end)
            as has_ticket_in_window
    from matched_tickets
    group by conversation_id
),

final as (
    select
        -- ids
        conversation_starts.conversation_id,
        conversation_starts.user_id,
        -- strings
        conversation_starts.workflow,
        conversation_starts.feature_flag_state,
        conversation_starts.model_version,
        conversation_starts.prompt_version,
        -- numerics
        cast(event_facts.n_events as bigint) as n_events,
        cast(event_facts.n_prompts as bigint) as n_prompts,
        cast(coalesce(response_facts.n_responses, 0) as bigint) as n_responses,
        cast(coalesce(response_facts.n_error_responses, 0) as bigint)
            as n_error_responses,
        cast(coalesce(response_facts.input_tokens, 0) as bigint)
            as input_tokens,
        cast(coalesce(response_facts.output_tokens, 0) as bigint)
            as output_tokens,
        cast(coalesce(response_facts.cost_usd, 0) as double precision)
            as cost_usd,
        cast(response_facts.mean_latency_ms as double precision)
            as mean_latency_ms,
        cast(event_facts.mean_rating as double precision) as mean_rating,
        -- booleans
        event_facts.has_completion = 1 as is_completed,
        event_facts.has_escalation = 1 as is_escalated,
        event_facts.has_conversion = 1 as is_converted,
        coalesce(ticket_facts.has_ticket_in_window = 1, false)
            as has_ticket_in_window,
        case
            when conversation_starts.workflow = 'support_automation'
                then not coalesce(ticket_facts.has_ticket_in_window = 1, false)
        end as is_deflected,
        conversation_starts.started_at
        >= cast('{{ var("ai_launch_date") }}' as date) as is_post_launch,
        -- timestamps
        conversation_starts.started_at,
        event_facts.ended_at
    from conversation_starts
    inner join event_facts
        on conversation_starts.conversation_id = event_facts.conversation_id
    left join response_facts
        on conversation_starts.conversation_id = response_facts.conversation_id
    left join ticket_facts
        on conversation_starts.conversation_id = ticket_facts.conversation_id
)

select * from final
