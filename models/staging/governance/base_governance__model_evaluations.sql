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

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('governance', 'model_evaluations') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
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
