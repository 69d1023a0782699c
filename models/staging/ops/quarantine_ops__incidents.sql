{{ config(schema='quarantine') }}

{#-
    The rows of ops.incidents that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_ops__incidents') }}

),

quarantined as (

    select
        quarantine_reason,
        incident_id,
        workflow,
        severity,
        cause_category,
        requires_ai_change,
        detected_at,
        diagnosed_at,
        resolved_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
