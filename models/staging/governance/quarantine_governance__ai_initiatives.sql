{{ config(schema='quarantine') }}

{#-
    The rows of governance.ai_initiatives that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_governance__ai_initiatives') }}

),

quarantined as (

    select
        quarantine_reason,
        initiative_id,
        name,
        workflow,
        started_at,
        promoted_at,
        retired_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
