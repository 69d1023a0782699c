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

    select
        cast(entry_id as text) as entry_id,
        cast(month as date) as month,  -- noqa: RF04
        cast(workflow as text) as workflow,
        cast(cost_category as text) as cost_category,
        cast(amount_usd as double precision) as amount_usd,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
