{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of support.support_tickets, typed, with quarantine_reason (null when
    valid) and is_duplicate (latest-state table: the latest updated_at, then the latest loaded_at, wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('support', 'support_tickets') }}

),

typed as (

    select
        cast(ticket_id as text) as ticket_id,
        cast(user_id as text) as user_id,
        cast(conversation_id as text) as conversation_id,
        cast(channel as text) as channel,
        cast(priority as text) as priority,
        cast(status as text) as status,
        cast(created_at as timestamp) as created_at,
        cast(first_reply_at as timestamp) as first_reply_at,
        cast(solved_at as timestamp) as solved_at,
        cast(updated_at as timestamp) as updated_at,
        cast(handle_minutes as double precision) as handle_minutes,
        cast(csat_score as integer) as csat_score,
        cast(ai_handled as boolean) as ai_handled,
        cast(escalated_from_ai as boolean) as escalated_from_ai,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('ticket_id'),
            null_rule('created_at'),
            negative_rule('handle_minutes'),
            ('csat_score < 1 or csat_score > 5', 'csat_score outside 1-5'),
            before_rule('solved_at', 'created_at'),
            before_rule('first_reply_at', 'created_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'ticket_id',
            'latest_state',
            updated_at='updated_at',
            tiebreakers=[
                'user_id', 'conversation_id', 'channel',
                'priority', 'status', 'created_at',
                'first_reply_at', 'solved_at',
                'handle_minutes', 'csat_score',
                'ai_handled', 'escalated_from_ai'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
