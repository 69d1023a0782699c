{{ config(schema='quarantine', materialized=base_materialization()) }}

{#-
    Every raw row of app.users, typed, with quarantine_reason (null when
    valid) and is_duplicate (latest-state table without updated_at: the latest loaded_at wins).
    Lives in the restricted quarantine schema. Mechanism: macros/quarantine.sql.
-#}

with source as (

    select * from {{ source('app', 'users') }}

),

typed as (

    -- every raw column through a cast that cannot fail: an unreadable cell sets bad_cell_reason
    select
        {{ read_raw_columns('app', 'users') }}
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
            bad_cell_rule(),
            missing_rule('user_id'),
        ]) }} as quarantine_reason
    from typed

),

final as (

    select
        flagged.*,
        {{ is_duplicate(
            'user_id',
            'latest_state',
            tiebreakers=[
                'account_id', 'segment', 'region',
                'created_at', 'consent_analytics'
            ]
        ) }} as is_duplicate
    from flagged

)

select * from final
