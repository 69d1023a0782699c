{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of finance.cost_ledger, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('finance', 'cost_ledger') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('finance', 'cost_ledger') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('entry_id'),
            null_rule('month'),
            null_rule('amount_usd'),
            negative_rule('amount_usd'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'entry_id',
            'append_only',
            tiebreakers=[
                'month', 'workflow', 'cost_category',
                'amount_usd'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
