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

    select
        cast(outcome_id as text) as outcome_id,
        cast(account_id as text) as account_id,
        cast(user_id as text) as user_id,
        cast(conversation_id as text) as conversation_id,
        cast(outcome_type as text) as outcome_type,
        cast(amount_usd as double precision) as amount_usd,
        cast(occurred_at as timestamp) as occurred_at,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
