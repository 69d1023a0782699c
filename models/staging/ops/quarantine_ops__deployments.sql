{{ config(schema='quarantine') }}

{#-
    The rows of ops.deployments that cannot be used, with the reason.
    Restricted schema: raw values as they came.
-#}

with base as (

    select * from {{ ref('base_ops__deployments') }}

),

quarantined as (

    select
        quarantine_reason,
        change_id,
        change_type,
        workflow,
        approved_at,
        deployed_at,
        status,
        loaded_at
    from base
    where {{ quarantined_row_condition() }}

)

select * from quarantined
