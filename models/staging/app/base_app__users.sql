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

    select
        cast(user_id as text) as user_id,
        cast(account_id as text) as account_id,
        cast(segment as text) as segment,
        cast(region as text) as region,
        cast(created_at as timestamp) as created_at,
        cast(consent_analytics as boolean) as consent_analytics,
        cast(loaded_at as timestamp) as loaded_at
    from source

),

flagged as (

    select
        typed.*,
        {{ quarantine_reason([
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
