{#-
    One row per raw row (every version, kept or not) of users, support tickets and CRM outcomes,
    with the conversation and user it names, when it landed and `processed_at`, the start of the
    run that first saw it. The incremental fact marts (fct_ai_conversations, fct_ai_responses)
    read the rows processed since their last run to know which conversations and users changed
    (docs/INCREMENTAL.md): whatever a row's loaded_at (ties, backfills, late files), it is new
    exactly once.

    Incremental (append): the rows not stored yet are a multiset difference (`except all`) of
    the current rows and the stored ones, so a retried load (identical rows again) is new too.
    Raw tables are append-only: a stored row never changes.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}

with

user_versions as (
    select * from {{ ref('base_app__users') }}
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
    from user_versions
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

typed as (
    select
        cast(input_id as {{ dbt.type_string() }}) as input_id,
        cast(conversation_id as {{ dbt.type_string() }}) as conversation_id,
        cast(user_id as {{ dbt.type_string() }}) as user_id,
        cast(input_name as {{ dbt.type_string() }}) as input_name,
        cast(loaded_at as timestamp) as loaded_at
    from unioned
),

new_versions as (
    select
        typed.input_id,
        typed.conversation_id,
        typed.user_id,
        typed.input_name,
        typed.loaded_at
    from typed
    {%- if is_incremental() %}
        except all
        select
            stored_versions.input_id,
            stored_versions.conversation_id,
            stored_versions.user_id,
            stored_versions.input_name,
            stored_versions.loaded_at
        from {{ this }} as stored_versions
    {%- endif %}
),

final as (
    select
        -- ids
        input_id,
        conversation_id,
        user_id,
        -- strings
        input_name,
        -- timestamps
        loaded_at,
        {{ processed_at() }} as processed_at
    from new_versions
)

select * from final
