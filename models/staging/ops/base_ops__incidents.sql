{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of ops.incidents, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('ops', 'incidents') }}

),

typed as (

    select
        cast(incident_id as text) as incident_id,
        cast(workflow as text) as workflow,
        cast(severity as text) as severity,
        cast(cause_category as text) as cause_category,
        cast(requires_ai_change as boolean) as requires_ai_change,
        cast(detected_at as timestamp) as detected_at,
        cast(diagnosed_at as timestamp) as diagnosed_at,
        cast(resolved_at as timestamp) as resolved_at,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('incident_id'),
            null_rule('detected_at'),
            before_rule('diagnosed_at', 'detected_at'),
            before_rule('resolved_at', 'detected_at'),
            before_rule('resolved_at', 'diagnosed_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'incident_id',
            'append_only',
            tiebreakers=[
                'workflow', 'severity', 'cause_category',
                'requires_ai_change', 'detected_at',
                'diagnosed_at', 'resolved_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
