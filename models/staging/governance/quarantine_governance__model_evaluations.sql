{{ config(schema='quarantine') }}

{#-
    The rows of governance.model_evaluations that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_governance__model_evaluations') }}

),

quarantined as (

    select
        quarantine_reason,
        evaluation_id,
        model_version,
        check_type,
        evaluated_at,
        passed,
        alert_raised,
        alert_triaged_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
