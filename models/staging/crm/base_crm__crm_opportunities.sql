{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of crm.crm_opportunities, typed, with quarantine_reason (null when
    valid) and is_duplicate (latest-state table: the latest updated_at, then the latest loaded_at, wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('crm', 'crm_opportunities') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('crm', 'crm_opportunities') }}  -- noqa: RF04
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('opportunity_id'),
            negative_rule('amount_usd'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'opportunity_id',
            'latest_state',
            updated_at='updated_at',
            tiebreakers=[
                'account_id', 'stage', 'amount_usd'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
