{{ config(schema='quarantine') }}

{#-
    The rows of governance.controls that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_governance__controls') }}

),

quarantined as (

    select
        quarantine_reason,
        control_id,
        name,
        required,
        automated_since,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
