{{
    config(
        materialized='view',
        schema='quarantine',
    )
}}

{#- The raw ai_events rows that cannot be used, exactly as they came, with the reason. -#}

with

base_events as (

    select * from {{ ref('base_telemetry__ai_events') }}

),

final as (

    select
        event_id,
        event_name,
        occurred_at,
        loaded_at,
        conversation_id,
        user_id,
        session_id,
        properties,
        quarantine_reason
    from base_events
    where quarantine_reason is not null

)

select * from final
