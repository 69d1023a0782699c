{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of crm.crm_outcomes, typed, with quarantine_reason (null when
    valid) and is_duplicate (append-only table: the earliest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('crm', 'crm_outcomes') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('crm', 'crm_outcomes') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('outcome_id'),
            null_rule('occurred_at'),
            negative_rule('amount_usd'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'outcome_id',
            'append_only',
            tiebreakers=[
                'account_id', 'user_id', 'conversation_id',
                'outcome_type', 'amount_usd', 'occurred_at'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
