{{ config(schema='quarantine') }}

{#-
    The rows of finance.cost_ledger that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_finance__cost_ledger') }}

),

quarantined as (

    select
        quarantine_reason,
        entry_id,
        month,
        workflow,
        cost_category,
        amount_usd,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
