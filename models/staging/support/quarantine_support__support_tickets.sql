{{ config(schema='quarantine') }}

{#-
    The rows of support.support_tickets that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_support__support_tickets') }}

),

quarantined as (

    select
        quarantine_reason,
        ticket_id,
        user_id,
        conversation_id,
        channel,
        priority,
        status,
        created_at,
        first_reply_at,
        solved_at,
        updated_at,
        handle_minutes,
        csat_score,
        ai_handled,
        escalated_from_ai,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
