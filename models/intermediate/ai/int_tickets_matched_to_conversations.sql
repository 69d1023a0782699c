-- One row per (support ticket, AI conversation) pair that belong together:
-- the ticket names the conversation (same conversation_id, at any time), or
-- the ticket's user_id is the conversation's user_id and the ticket was
-- created inside the deflection window. is_in_deflection_window applies the
-- CONTRACT.md window to both kinds of match: created_at in
-- [started_at, started_at + deflection_window_days days], bounds included.
with

tickets as (
    select * from {{ ref('stg_support__tickets') }}
),

conversations as (
    select * from {{ ref('int_conversation_starts') }}
),

-- two equi-joins instead of one join on "a or b" (a nested loop at scale)
matched_by_conversation_id as (
    select
        tickets.ticket_id,
        conversations.conversation_id
    from tickets
    inner join conversations
        on tickets.conversation_id = conversations.conversation_id
),

matched_by_user_id as (
    select
        tickets.ticket_id,
        conversations.conversation_id
    from tickets
    inner join conversations
        on tickets.user_id = conversations.user_id
    where
        tickets.created_at >= conversations.started_at
        and tickets.created_at
        <= {{ add_days('conversations.started_at', var('deflection_window_days')) }}
),

pairs as (
    select distinct
        ticket_id,
        conversation_id
    from matched_by_conversation_id
    union
    select distinct
        ticket_id,
        conversation_id
    from matched_by_user_id
),

matched as (
    select
        pairs.ticket_id,
        pairs.conversation_id,
        tickets.user_id,
        conversations.workflow as conversation_workflow,
        coalesce(
            tickets.conversation_id = conversations.conversation_id, false
        ) as is_matched_by_conversation_id,
        coalesce(tickets.user_id = conversations.user_id, false)
            as is_matched_by_user_id,
        coalesce(
            tickets.created_at >= conversations.started_at
            and tickets.created_at
            <= {{ add_days('conversations.started_at', var('deflection_window_days')) }},
            false
        ) as is_in_deflection_window,
        conversations.started_at as conversation_started_at,
        tickets.created_at as ticket_created_at
    from pairs
    inner join tickets
        on pairs.ticket_id = tickets.ticket_id
    inner join conversations
        on pairs.conversation_id = conversations.conversation_id
),

final as (
    select
        -- ids
        ticket_id,
        conversation_id,
        user_id,
        -- strings
        conversation_workflow,
        case
            when is_matched_by_conversation_id then 'conversation_id'
            else 'user_id'
        end as match_type,
        -- numerics
        {{ hours_between('conversation_started_at', 'ticket_created_at') }}
            as hours_from_conversation_start,
        -- booleans
        is_matched_by_conversation_id,
        is_matched_by_user_id,
        is_in_deflection_window,
        -- timestamps
        conversation_started_at,
        ticket_created_at
    from matched
)

select * from final
