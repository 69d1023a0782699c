-- One row per conversation: all valid events sharing a conversation_id.
-- Its user, workflow, arm, model and prompt version and its start are those
-- of its earliest valid event. The event-derived columns come from the
-- incremental int_conversation_event_rollups; the ticket-dependent ones
-- (has_ticket_in_window, is_deflected) are joined here on every run, because
-- a new ticket changes an old conversation without any new event.
with

rollups as (
    select * from {{ ref('int_conversation_event_rollups') }}
),

matched_tickets as (
    select * from {{ ref('int_tickets_matched_to_conversations') }}
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
        rollups.conversation_id,
        rollups.user_id,
        -- strings
        rollups.workflow,
        rollups.feature_flag_state,
        rollups.model_version,
        rollups.prompt_version,
        -- numerics
        rollups.n_events,
        rollups.n_prompts,
        rollups.n_responses,
        rollups.n_error_responses,
        rollups.input_tokens,
        rollups.output_tokens,
        rollups.cost_usd,
        rollups.mean_latency_ms,
        rollups.mean_rating,
        -- booleans
        rollups.is_completed,
        rollups.is_escalated,
        rollups.is_converted,
        coalesce(ticket_facts.has_ticket_in_window = 1, false)
            as has_ticket_in_window,
        case
            when rollups.workflow = 'support_automation'
                then not coalesce(ticket_facts.has_ticket_in_window = 1, false)
        end as is_deflected,
        rollups.started_at
        >= cast('{{ var("ai_launch_date") }}' as date) as is_post_launch,
        -- timestamps
        rollups.started_at,
        rollups.ended_at,
        rollups.max_loaded_at,
        rollups.max_processed_at
    from rollups
    left join ticket_facts
        on rollups.conversation_id = ticket_facts.conversation_id
)

select * from final
