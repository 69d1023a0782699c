-- One row per conversation_id: everything about a conversation that depends
-- only on its own valid events (int_ai_events_unioned and the priced
-- responses): the attributes of its earliest valid event, counts, tokens,
-- cost, flags, and max_loaded_at (its newest event's loaded_at).
-- Incremental (delete+insert on conversation_id, docs/INCREMENTAL.md): a run
-- recomputes, from all of their events, only the conversations with an event
-- (any copy) processed after the newest stored max_processed_at, so a late or
-- backfilled event updates the conversation it belongs to. Ticket-dependent
-- columns live downstream (int_conversations_assembled, rebuilt every run).
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='conversation_id',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('int_ai_event_changes') }}

{%- set event_aggregates -%}
        max(occurred_at) as ended_at,
        max(loaded_at) as max_loaded_at,
        max(processed_at) as max_processed_at,
        count(*) as n_events,
        sum(
            case when event_name = 'ai_user_prompt_created' then 1 else 0 end
        ) as n_prompts,
        max(
            case
                when
                    event_name = 'ai_user_action'
                    and (action_type = 'accepted' or conversion_flag)
                    then 1
                else 0
            end
        ) as has_completion,
        max(
            case
                when
                    event_name = 'ai_user_action'
                    and action_type = 'escalated'
                    then 1
                else 0
            end
        ) as has_escalation,
        max(
            case
                when event_name = 'ai_user_action' and conversion_flag then 1
                else 0
            end
        ) as has_conversion,
        avg(
            case
                when event_name = 'ai_user_action'
                    then cast(rating as {{ type_double() }})
            end
        ) as mean_rating
{%- endset %}

with

events as (
    select * from {{ ref('int_ai_events_unioned') }}
    {% if is_incremental() %}
        where conversation_id in (
            {{ processed_ai_events_since('max_processed_at', ['conversation_id']) }}
        )
    {% endif %}
),

-- incremental: reading the ids from `events` (read twice, so DuckDB
-- materializes it) keeps its semi join hashing the few touched ids; a shared
-- touched-ids CTE made DuckDB hash all 10 M events instead (measured)
responses as (
    select * from {{ ref('int_ai_responses_priced') }}
    {% if is_incremental() %}
        where conversation_id in (select events.conversation_id from events)
    {% endif %}
),

-- one pass over the events: the facts of each conversation and the
-- attributes of its earliest valid event (ties on occurred_at go to the
-- event order of the three-event model: prompt, response, action; then to
-- event_id); the macro avoids a window sort on DuckDB
event_facts as (
    {{ group_with_first_row(
        relation='events',
        group_by='conversation_id',
        order_by=[
            'occurred_at',
            "case event_name when 'ai_user_prompt_created' then 1"
            ~ " when 'ai_llm_response_received' then 2 else 3 end",
            'event_id',
        ],
        first_row_columns={
            'user_id': 'user_id',
            'workflow': 'workflow',
            'feature_flag_state': 'feature_flag_state',
            'model_version': 'model_version',
            'prompt_version': 'prompt_version',
            'started_at': 'occurred_at',
        },
        aggregates=event_aggregates,
    ) }}
),

response_facts as (
    select
        conversation_id,
        count(*) as n_responses,
        sum(case when response_status = 'error' then 1 else 0 end)
            as n_error_responses,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        sum(cost_usd) as cost_usd,
        avg(latency_ms) as mean_latency_ms
    from responses
    group by conversation_id
),

final as (
    select
        -- ids
        event_facts.conversation_id,
        event_facts.user_id,
        -- strings
        event_facts.workflow,
        event_facts.feature_flag_state,
        event_facts.model_version,
        event_facts.prompt_version,
        -- numerics
        cast(event_facts.n_events as bigint) as n_events,
        cast(event_facts.n_prompts as bigint) as n_prompts,
        cast(coalesce(response_facts.n_responses, 0) as bigint) as n_responses,
        cast(coalesce(response_facts.n_error_responses, 0) as bigint)
            as n_error_responses,
        cast(coalesce(response_facts.input_tokens, 0) as bigint)
            as input_tokens,
        cast(coalesce(response_facts.output_tokens, 0) as bigint)
            as output_tokens,
        cast(coalesce(response_facts.cost_usd, 0) as {{ type_double() }})
            as cost_usd,
        cast(response_facts.mean_latency_ms as {{ type_double() }})
            as mean_latency_ms,
        cast(event_facts.mean_rating as {{ type_double() }}) as mean_rating,
        -- booleans
        event_facts.has_completion = 1 as is_completed,
        event_facts.has_escalation = 1 as is_escalated,
        event_facts.has_conversion = 1 as is_converted,
        -- timestamps
        event_facts.started_at,
        event_facts.ended_at,
        event_facts.max_loaded_at,
        event_facts.max_processed_at
    from event_facts
    left join response_facts
        on event_facts.conversation_id = response_facts.conversation_id
)

select * from final
