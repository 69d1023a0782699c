with base as (

    select * from {{ ref('base_agents__agent_decisions') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        decision_id,
        run_id,
        agent_id,
        person_id,
        account_id,
        -- strings
        {{ clean_text('action') }} as action,  -- noqa: RF04
        {{ clean_text('reason_code') }} as reason_code,
        {{ clean_text('policy_version') }} as policy_version,
        {{ normalize_enum('result') }} as result,
        {{ clean_text('kpi_link') }} as kpi_link,
        -- numerics
        cost_usd,
        -- booleans
        is_sensitive,
        -- timestamps
        decided_at,
        loaded_at
    from valid

)

select * from renamed
