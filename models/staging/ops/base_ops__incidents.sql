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

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('ops', 'incidents') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
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
