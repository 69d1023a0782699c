with base as (

    select * from {{ ref('base_agents__agent_runs') }}

),

valid as (

    select * from base
    where {{ valid_row_condition() }}

),

renamed as (

    select
        -- ids
        run_id,
        agent_id,
        conversation_id,
        -- strings
        {{ normalize_enum('workflow') }} as workflow,
        {{ normalize_enum('status') }} as status,
        -- numerics
        expected_steps,
        -- booleans
        human_rescued as is_human_rescued,
        -- timestamps
        started_at,
        finished_at,
        loaded_at
    from valid

)

select * from renamed
