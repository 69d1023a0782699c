with base as (

    select * from {{ ref('base_support__support_tickets') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        ticket_id,
        user_id,
        conversation_id,
        -- strings
        {{ normalize_enum('channel') }} as channel,
        {{ normalize_enum('priority') }} as priority,
        {{ normalize_enum('status') }} as status,
        -- numerics
        handle_minutes,
        csat_score,
        -- booleans
        ai_handled as is_ai_handled,
        escalated_from_ai as is_escalated_from_ai,
        -- dates
        cast(created_at as date) as created_date,
        -- timestamps
        created_at,
        first_reply_at,
        solved_at,
        updated_at,
        loaded_at
    from valid

)

select * from renamed
