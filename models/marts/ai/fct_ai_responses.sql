{#-
    One row per valid AI response event (int_ai_responses_priced), priced,
    published without user_id: user_key only, null for opted-out users.

    Incremental (delete+insert on event_id, docs/INCREMENTAL.md). A stored row
    changes only through its user_key: int_ai_responses_priced never changes
    a stored response, and user_key depends only on whether the user opted
    out, which changes only through a new users row (latest state) or a new
    event of the user (an opt-out). A run therefore rewrites the responses
    processed since the newest stored processed_at plus every response of a
    user with a users row (int_ai_mart_input_loads, whatever its loaded_at) or
    an event processed since then. A changed user_key_salt needs --full-refresh.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('int_ai_event_changes') }}
-- depends_on: {{ ref('int_ai_mart_input_loads') }}

with

responses as (

    select * from {{ ref('int_ai_responses_priced') }}

),

users as (

    select * from {{ ref('int_users_consented') }}

),

{% if is_incremental() %}

    {{ last_run_cte('processed_at') }},

    -- every users row, with the run that first saw it
    user_loads as (

        select
            user_id,
            processed_at
        from {{ ref('int_ai_mart_input_loads') }}
        where input_name = 'user'

    ),

    -- the users whose opt-out may have changed since the last run
    changed_users as (

        select user_id from user_loads
        where processed_at > (select last_run.watermark from last_run)
        union
        select processed_events.user_id
        from (
            {{ processed_ai_events_since('processed_at', ['user_id']) }}
        ) as processed_events

    ),

{% endif %}

batch as (

    select * from responses
    {% if is_incremental() %}
        where
            processed_at > {{ incremental_watermark('processed_at') }}
            or user_id in (select changed_users.user_id from changed_users)
    {% endif %}

),

final as (

    select
        batch.event_id,
        batch.conversation_id,
        users.user_key,
        batch.workflow,
        batch.model_version,
        batch.prompt_version,
        batch.feature_flag_state,
        batch.model_used,
        batch.response_status,
        batch.error_type,
        batch.latency_ms,
        batch.input_tokens,
        batch.output_tokens,
        batch.given_cost_usd,
        batch.priced_cost_usd,
        batch.cost_usd,
        coalesce(batch.response_status = 'success', false) as is_success,
        batch.is_unpriceable,
        cast(batch.occurred_at as date) as occurred_date,
        {{ period_start('week', 'batch.occurred_at') }} as occurred_week,
        batch.occurred_at,
        batch.loaded_at,
        batch.processed_at
    from batch
    left join users
        on batch.user_id = users.user_id

)

select * from final
