{{ config(schema='quarantine') }}

{#-
    The rows of pipeline.event_deliveries that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_pipeline__event_deliveries') }}

),

quarantined as (

    select
        quarantine_reason,
        delivery_id,
        event_id,
        destination,
        destination_class,
        payload_kind,
        requires_consent,
        outcome,
        block_reason,
        policy_version,
        routed_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
