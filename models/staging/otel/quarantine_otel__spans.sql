{{ config(schema='quarantine') }}

{#-
    The rows of otel.otel_spans that cannot be used, with the reason.
    Restricted schema: raw values as they came (attributes and events included).
-#}

with base as (

    select * from {{ ref('base_otel__spans') }}

),

quarantined as (

    select
        quarantine_reason,
        trace_id,
        span_id,
        parent_span_id,
        span_name,
        span_kind,
        service_name,
        started_at,
        duration_ns,
        status_code,
        status_message,
        span_attributes,
        resource_attributes,
        events,
        scope_name,
        scope_version,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
