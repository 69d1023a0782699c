{{ config(schema='quarantine') }}

{#-
    The rows of crm.crm_opportunities that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_crm__crm_opportunities') }}

),

quarantined as (

    select
        quarantine_reason,
        opportunity_id,
        account_id,
        stage,
        amount_usd,
        updated_at,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
