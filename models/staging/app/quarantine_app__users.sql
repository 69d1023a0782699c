{{ config(schema='quarantine') }}

{#-
    The rows of app.users that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_app__users') }}

),

quarantined as (

    select
        quarantine_reason,
        user_id,
        account_id,
        segment,
        region,
        created_at,
        consent_analytics,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
