{{
    config(
        materialized='view',
        schema='quarantine',
    )
}}

{#-
    Valid ai_events whose properties held a value that is not a number in a
    numeric key (e.g. "latency_ms": "fast"). CONTRACT.md section 4 does not
    make such a row invalid, so the event still counts (the value is null in
    staging); the raw value is kept here, in the restricted quarantine schema,
    with the reason, so nothing is lost silently. Not part of the
    reconciliation: these rows are also valid rows.
-#}

with

base_events as (

    select * from {{ ref('base_telemetry__ai_events') }}

),

final as (

    select
        event_id,
        conversation_id,
        properties,
        parse_warning as quarantine_reason,
        is_duplicate,
        occurred_at,
        loaded_at
    from base_events
    where
        quarantine_reason is null
        and parse_warning is not null

)

select * from final
