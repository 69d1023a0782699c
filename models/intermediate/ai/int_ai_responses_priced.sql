-- One row per valid `ai_llm_response_received` event, with its cost:
-- the given cost_usd, else tokens priced from the model_pricing seed,
-- else 0 (flagged is_unpriceable, reported by a warn-severity test).
-- Incremental (delete+insert on event_id, docs/INCREMENTAL.md): a run prices
-- only the response events processed after the newest stored processed_at.
-- A change of the model_pricing seed needs --full-refresh.
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='event_id',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('int_ai_event_changes') }}

with

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

model_pricing as (
    select * from {{ ref('model_pricing') }}
),

-- incremental: only the events processed since the last run (any loaded_at);
-- the filter is a CTE of its own so that the SQL reads (and lints) the same on
-- a fresh and a built warehouse
new_events as (
    select * from events
    {% if is_incremental() %}
        where event_id in ({{ processed_ai_events_since('processed_at') }})
    {% endif %}
),

responses as (
    select
        event_id,
        conversation_id,
        user_id,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        model_used,
        response_status,
        error_type,
        cast(latency_ms as {{ type_double() }}) as latency_ms,
        input_tokens,
        output_tokens,
        cast(cost_usd as {{ type_double() }}) as given_cost_usd,
        occurred_at,
        loaded_at,
        processed_at
    from new_events
    where event_name = 'ai_llm_response_received'
),

prices as (
    select
        model_used,
        cast(input_usd_per_1k_tokens as {{ type_double() }})
            as input_usd_per_1k_tokens,
        cast(output_usd_per_1k_tokens as {{ type_double() }})
            as output_usd_per_1k_tokens
    from model_pricing
),

priced as (
    select
        responses.*,
        -- a priced model with missing token counts prices them as 0 tokens
        case
            when prices.model_used is not null
                then
                    coalesce(responses.input_tokens, 0) / 1000.0
                    * prices.input_usd_per_1k_tokens
                    + coalesce(responses.output_tokens, 0) / 1000.0
                    * prices.output_usd_per_1k_tokens
        end as priced_cost_usd
    from responses
    left join prices
        on responses.model_used = prices.model_used
),

final as (
    select
        -- ids
        event_id,
        conversation_id,
        user_id,
        -- strings
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        model_used,
        response_status,
        error_type,
        -- numerics
        latency_ms,
        input_tokens,
        output_tokens,
        given_cost_usd,
        cast(priced_cost_usd as {{ type_double() }}) as priced_cost_usd,
        cast(
            coalesce(given_cost_usd, priced_cost_usd, 0) as {{ type_double() }}
        ) as cost_usd,
        -- booleans
        (given_cost_usd is null and priced_cost_usd is null)
            as is_unpriceable,
        -- timestamps
        occurred_at,
        loaded_at,
        processed_at
    from priced
)

select * from final
