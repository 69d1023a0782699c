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

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('support', 'support_tickets') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
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
