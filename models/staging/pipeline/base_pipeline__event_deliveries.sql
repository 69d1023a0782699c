{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of pipeline.event_deliveries, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('pipeline', 'event_deliveries') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('pipeline', 'event_deliveries') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('delivery_id'),
            null_rule('routed_at'),
            unknown_value_rule('outcome', ['delivered', 'blocked', 'failed']),
            unknown_value_rule('destination_class', ['secure', 'external']),
            unknown_value_rule('payload_kind', ['raw', 'redacted', 'classified']),
            (
                normalize_enum('outcome') ~ " = 'blocked' and "
                ~ is_missing('block_reason'),
                'blocked without block_reason'
            ),
            unknown_value_rule(
                'block_reason', ['consent', 'sensitive_content', 'policy'],
                allow_null=true
            ),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'delivery_id',
            'append_only',
            tiebreakers=[
                'event_id', 'destination', 'outcome', 'routed_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
