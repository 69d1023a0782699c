{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of ops.deployments, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('ops', 'deployments') }}

),

typed as (

    select
        cast(change_id as text) as change_id,
        cast(change_type as text) as change_type,
        cast(workflow as text) as workflow,
        cast(approved_at as timestamp) as approved_at,
        cast(deployed_at as timestamp) as deployed_at,
        cast(status as text) as status,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('change_id'),
            null_rule('approved_at'),
            before_rule('deployed_at', 'approved_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'change_id',
            'append_only',
            tiebreakers=[
                'change_type', 'workflow', 'approved_at',
                'deployed_at', 'status'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
