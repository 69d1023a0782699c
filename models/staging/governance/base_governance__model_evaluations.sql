{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of governance.model_evaluations, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('governance', 'model_evaluations') }}

),

typed as (

    select
        cast(evaluation_id as text) as evaluation_id,
        cast(model_version as text) as model_version,
        cast(check_type as text) as check_type,
        cast(evaluated_at as timestamp) as evaluated_at,
        cast(passed as boolean) as passed,
        cast(alert_raised as boolean) as alert_raised,
        cast(alert_triaged_at as timestamp) as alert_triaged_at,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            missing_rule('evaluation_id'),
            null_rule('evaluated_at'),
            before_rule('alert_triaged_at', 'evaluated_at'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'evaluation_id',
            'append_only',
            tiebreakers=[
                'model_version', 'check_type',
                'evaluated_at', 'passed', 'alert_raised',
                'alert_triaged_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
