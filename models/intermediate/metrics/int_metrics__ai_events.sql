{#-
    The response and event metrics of ops_metrics, one CTE per key (formulas:
    seeds/metric_catalog.csv). Incremental (docs/INCREMENTAL.md): a run
    recomputes, from all their events, the weeks and months of the events
    processed after the newest stored inputs_max_processed_at and replaces
    them by refresh_unit. RF04: `value` is a contract
    column; PRS: SQLFluff's DuckDB dialect cannot parse `grouping sets`.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='refresh_unit',
        on_schema_change='fail',
    )
}}
-- depends_on: {{ ref('int_ai_event_changes') }}
-- noqa: disable=RF04

with

events as (
    select * from {{ ref('int_ai_events_unioned') }}
),

responses as (
    select * from {{ ref('int_ai_responses_priced') }}
),

-- the events' processing times alone: the watermark reads this column, so
-- the wide `events` stays read once (a CTE read twice is materialized, on
-- both warehouses)
event_loads as (
    select processed_at
    from {{ ref('int_ai_events_unioned') }}
),

{% if is_incremental() %}
    -- the weeks and months holding an event (any copy: a backfilled copy that
    -- wins moves the event) processed since the last run, whatever its loaded_at
    refreshed_periods as (
        select distinct
            {{ period_start('week', 'occurred_at') }} as week_start,
            {{ period_start('month', 'occurred_at') }} as month_start
        from (
            {{ processed_ai_events_since('inputs_max_processed_at', ['occurred_at']) }}
        ) as processed_events
    ),
{% endif %}

-- one row per response and per event (incremental: of a refreshed week or
-- month), with its periods and the event's own segment values; the prompt
-- columns are derived here so that no later step carries prompt_text

response_base as (
    select
        {{ period_segment_keys('occurred_at') }},
        latency_ms,
        case when response_status = 'success' then 1 else 0 end as is_success,
        cost_usd
    from responses
    {{ rows_of_refreshed_periods('occurred_at') }}
),

event_base as (
    select
        {{ period_segment_keys('occurred_at') }},
        user_id,
        {{ minutes_between('occurred_at', 'loaded_at') }} as freshness_minutes,
        -- a null or empty prompt_text is no text
        case when coalesce(prompt_text, '') != '' then 1 else 0 end as has_text,
        case
            when coalesce(prompt_text, '') != '' and is_prompt_text_redacted then 1
            else 0
        end as is_redacted,
        event_name = 'ai_user_prompt_created' as is_prompt
    from events
    {{ rows_of_refreshed_periods('occurred_at') }}
),

-- one row per user and period / segment combination: count(distinct) over
-- ten grouping sets is the costly part, so it reads this instead of every
-- prompt (sums of the per-user sums are the same sums)
prompt_users as (
    select
        week_start,
        month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        user_id,
        sum(has_text) as has_text,
        sum(is_redacted) as is_redacted
    from event_base
    where is_prompt
    -- by name, as the grouping sets below (SQLFluff AM06: one style a file)
    group by
        week_start,
        month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        user_id
),

-- per period and segment

response_metrics as (
    select
        {{ period_segment_columns() }},
        count(latency_ms) as n_latencies,
        {{ percentile_cont('latency_ms', 0.95) }} as p95_latency_ms,
        count(*) as n_responses,
        sum(is_success) as n_successes,
        sum(cost_usd) as cost_usd
    from response_base
    group by {{ period_segment_grouping_sets() }} -- noqa: PRS
),

event_metrics as (
    select
        {{ period_segment_columns() }},
        count(freshness_minutes) as n_freshness,
        {{ median('freshness_minutes') }} as median_freshness_minutes
    from event_base
    group by {{ period_segment_grouping_sets() }} -- noqa: PRS
),

prompt_metrics as (
    select
        {{ period_segment_columns() }},
        count(distinct user_id) as n_active_users,
        sum(has_text) as n_prompts_with_text,
        sum(is_redacted) as n_prompts_redacted
    from prompt_users
    group by {{ period_segment_grouping_sets() }} -- noqa: PRS
),

-- one CTE per metric key

p95_latency_ms as (
    {{ metric_row(
        'p95_latency_ms', 'response_metrics',
        value='p95_latency_ms', where='n_latencies > 0',
    ) }}
),

success_rate as (
    {{ metric_row(
        'success_rate', 'response_metrics',
        numerator='n_successes', denominator='n_responses',
    ) }}
),

ai_cost_usd as (
    {{ metric_row('ai_cost_usd', 'response_metrics', value='cost_usd') }}
),

data_freshness_minutes as (
    {{ metric_row(
        'data_freshness_minutes', 'event_metrics',
        value='median_freshness_minutes', where='n_freshness > 0',
    ) }}
),

redaction_rate as (
    {{ metric_row(
        'redaction_rate', 'prompt_metrics',
        numerator='n_prompts_redacted', denominator='n_prompts_with_text',
    ) }}
),

weekly_active_users as (
    {{ metric_row(
        'weekly_active_users', 'prompt_metrics',
        value='n_active_users', where="period_grain = 'week'",
    ) }}
),

metric_rows as (
    select * from p95_latency_ms
    union all
    select * from success_rate
    union all
    select * from ai_cost_usd
    union all
    select * from data_freshness_minutes
    union all
    select * from redaction_rate
    union all
    select * from weekly_active_users
),

-- a null segment value makes no segment row (the row stays in overall)
segment_rows as (
    select metric_rows.*
    from metric_rows
    where metric_rows.segment_value is not null
),

-- incremental: a period read only because the period of the other grain was
-- refreshed is partial, so only the refreshed periods are written (a CTE of
-- its own, so that the SQL lints the same on a fresh and a built warehouse)
written_rows as (
    select segment_rows.*
    from segment_rows
    {% if is_incremental() -%}
        where
            segment_rows.period_grain = 'week'
            and segment_rows.period_start
            in (select refreshed_periods.week_start from refreshed_periods)
            or segment_rows.period_grain = 'month'
            and segment_rows.period_start
            in (select refreshed_periods.month_start from refreshed_periods)
    {%- endif %}
),

final as (
    select
        {{ metric_family_columns() }},
        cast(
            'events|' || period_grain || '|'
            || cast(period_start as {{ dbt.type_string() }})
            as {{ dbt.type_string() }}
        ) as refresh_unit,
        cast(
            (select max(event_loads.processed_at) from event_loads) as timestamp
        ) as inputs_max_processed_at
    from written_rows
)

select * from final
