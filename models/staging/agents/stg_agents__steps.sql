with base as (

    select * from {{ ref('base_agents__agent_steps') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        span_id,
        run_id,
        agent_id,
        -- strings
        {{ clean_text('step_name') }} as step_name,
        {{ normalize_enum('system') }} as system,  -- noqa: RF04
        {{ normalize_enum('status') }} as status,
        -- numerics
        step_index,
        -- timestamps
        started_at,
        finished_at,
        loaded_at
    from valid

)

select * from renamed
