{#-
    One row per AI conversation (int_conversations_assembled), published
    without user_id: the user appears only as user_key, null for opted-out
    users (their conversations stay in, so aggregates count them).
    Incremental (delete+insert on conversation_id): a run rewrites every
    conversation whose events, user, tickets or CRM outcomes changed since
    the last run (rows processed after the newest stored max_processed_at,
    whatever their loaded_at), one link further through its user
    (docs/INCREMENTAL.md says why). A changed ai_launch_date, window or user_key_salt var needs
    --full-refresh.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='conversation_id',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('int_ai_event_changes') }}
-- depends_on: {{ ref('int_ai_mart_input_loads') }}

with

conversations as (

    select * from {{ ref('int_conversations_assembled') }}

),

users as (

    select * from {{ ref('int_users_consented') }}

),

conversation_outcomes as (

    select * from {{ ref('int_crm_outcomes_by_conversation') }}

),

{% if is_incremental() %}

    {{ last_run_cte('max_processed_at') }},

    -- the users, tickets and outcomes rows that can change a stored
    -- conversation, with the run that first saw each
    input_loads as (

        select * from {{ ref('int_ai_mart_input_loads') }}

    ),

    user_loads as (

        select
            user_id,
            processed_at
        from input_loads
        where input_name = 'user'

    ),

    ticket_versions as (

        select
            input_id as ticket_id,
            conversation_id,
            user_id,
            processed_at
        from input_loads
        where input_name = 'ticket'

    ),

    outcome_versions as (

        select
            input_id as outcome_id,
            conversation_id,
            user_id,
            processed_at
        from input_loads
        where input_name = 'outcome'

    ),

    changed_tickets as (

        select ticket_id from ticket_versions
        where processed_at > (select last_run.watermark from last_run)

    ),

    changed_outcomes as (

        select outcome_id from outcome_versions
        where processed_at > (select last_run.watermark from last_run)

    ),

    -- the conversations and users named by a changed input
    changed_keys as (

        select
            processed_events.conversation_id,
            processed_events.user_id
        from (
            {{ processed_ai_events_since(
                'max_processed_at', ['conversation_id', 'user_id']
            ) }}
        ) as processed_events
        union
        select
            null as conversation_id,
            user_id
        from user_loads
        where processed_at > (select last_run.watermark from last_run)
        union
        select
            conversation_id,
            user_id
        from ticket_versions
        where
            ticket_id in (
                select changed_tickets.ticket_id from changed_tickets
            )
        union
        select
            conversation_id,
            user_id
        from outcome_versions
        where
            outcome_id in (
                select changed_outcomes.outcome_id from changed_outcomes
            )

    ),

    -- one step further: a ticket or outcome that names a changed conversation
    -- or user may now match differently, and so may its user's other
    -- conversations (an outcome moves to the conversation it names once that
    -- conversation's first events arrive)
    linked_versions as (

        select
            conversation_id,
            user_id
        from ticket_versions
        union all
        select
            conversation_id,
            user_id
        from outcome_versions

    ),

    affected_keys as (

        select
            conversation_id,
            user_id
        from changed_keys
        union
        select
            conversation_id,
            user_id
        from linked_versions
        where
            conversation_id in (
                select changed_keys.conversation_id from changed_keys
            )
            or user_id in (select changed_keys.user_id from changed_keys)

    ),

{% endif %}

batch as (

    select * from conversations
    {% if is_incremental() %}
        where
            conversation_id in (
                select affected_keys.conversation_id from affected_keys
            )
            or user_id in (select affected_keys.user_id from affected_keys)
    {% endif %}

),

final as (

    select
        batch.conversation_id,
        users.user_key,
        batch.workflow,
        batch.feature_flag_state,
        batch.model_version,
        batch.prompt_version,
        batch.n_events,
        batch.n_prompts,
        batch.n_responses,
        batch.n_error_responses,
        batch.input_tokens,
        batch.output_tokens,
        batch.cost_usd,
        batch.mean_latency_ms,
        batch.mean_rating,
        coalesce(conversation_outcomes.n_attributed_outcomes, 0)
            as n_attributed_outcomes,
        cast(
            coalesce(conversation_outcomes.n_attributed_conversions, 0)
            as bigint
        ) as n_attributed_conversions,
        coalesce(conversation_outcomes.attributed_revenue_usd, 0)
            as attributed_revenue_usd,
        batch.is_completed,
        batch.is_escalated,
        batch.is_converted,
        batch.has_ticket_in_window,
        batch.is_deflected,
        batch.is_post_launch,
        cast(batch.started_at as date) as started_date,
        {{ period_start('week', 'batch.started_at') }} as started_week,
        {{ period_start('month', 'batch.started_at') }}
            as started_month,
        batch.started_at,
        batch.ended_at,
        batch.max_loaded_at,
        batch.max_processed_at
    from batch
    left join users
        on batch.user_id = users.user_id
    left join conversation_outcomes
        on batch.conversation_id = conversation_outcomes.conversation_id

)

select * from final
