{{ config(schema='quarantine') }}

{#-
    The rows of crm.crm_outcomes that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_crm__crm_outcomes') }}

),

quarantined as (

    select
        quarantine_reason,
        outcome_id,
        account_id,
        user_id,
        conversation_id,
        outcome_type,
        amount_usd,
        occurred_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
