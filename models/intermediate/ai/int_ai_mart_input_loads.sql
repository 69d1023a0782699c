-- One row per version of a users, support ticket or CRM outcome row, with the
-- conversation and user it names and when it landed: the incremental fact
-- marts (fct_ai_conversations, fct_ai_responses) read the versions loaded
-- since their last run to know which conversations and users changed
-- (docs/INCREMENTAL.md). A view: read for a few rows per run.
with

users as (
    select * from {{ ref('stg_app__users') }}
),

ticket_versions as (
    select * from {{ ref('base_support__support_tickets') }}
),

outcome_versions as (
    select * from {{ ref('base_crm__crm_outcomes') }}
),

unioned as (
    select
        'user' as input_name,
        user_id as input_id,
        cast(null as {{ dbt.type_string() }}) as conversation_id,
        user_id,
        loaded_at
    from users
    union all
    select
        'ticket' as input_name,
        ticket_id as input_id,
        conversation_id,
        user_id,
        loaded_at
    from ticket_versions
    union all
    select
        'outcome' as input_name,
        outcome_id as input_id,
        conversation_id,
        user_id,
        loaded_at
    from outcome_versions
),

final as (
    select
        -- ids
        cast(input_id as {{ dbt.type_string() }}) as input_id,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        -- strings
        cast(input_name as {{ dbt.type_string() }}) as input_name,
        -- timestamps
        cast(loaded_at as timestamp) as loaded_at
    from unioned
)

select * from final
