{#-
    The AI-event metric family of ops_metrics (long format). Rows for the
    overall segment and for each of the four segment types, at week and month
    grain (weekly_active_users at week grain only), only where the metric's
    population has rows. One pass per base relation with grouping sets.

    `value` is the contract's column name, hence the RF04 exemption; SQLFluff's
    DuckDB dialect cannot parse `group by grouping sets`, hence the PRS ones.

    Incremental (delete+insert on refresh_unit, docs/INCREMENTAL.md). The rows
    of the response, event and prompt metrics of one period are a function of
    the valid events that occurred in it, and a stored event never changes: a
    run recomputes them, from all events of the period, only for the periods
    (week and month) of the events loaded after the newest stored
    inputs_max_loaded_at (or with a null loaded_at); refresh_unit
    `events|<grain>|<period_start>`. A period with no row in the batch had no
    row before either (its events only grow). The conversation metrics
    (completion, deflection, throughput, cost per outcome) change for old
    periods too (a late event moves a start, a ticket flips a deflection):
    they are recomputed for every period on every run from the conversations
    and the responses' cost sums, which are cheap; refresh_unit
    `conversations|<grain>`.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='refresh_unit',
        on_schema_change='fail',
    )
}}

{%- set segment_columns = [
    'workflow', 'model_version', 'prompt_version', 'feature_flag_state'
] -%}
{#- group by grouping sets: (grain) for overall, (grain, column) per segment -#}
{%- set grouping_set_list = [] -%}
{%- for grain_column in ['week_start', 'month_start'] -%}
    {%- do grouping_set_list.append('(' ~ grain_column ~ ')') -%}
    {%- for segment_column in segment_columns -%}
        {%- do grouping_set_list.append(
            '(' ~ grain_column ~ ', ' ~ segment_column ~ ')'
        ) -%}
    {%- endfor -%}
{%- endfor -%}
{%- set segment_grouping_sets =
    'grouping sets (' ~ grouping_set_list | join(', ') ~ ')' -%}
{#- period_grain, period_start, segment_type, segment_value of a grouped row -#}
{%- set segment_type_cases = [] -%}
{%- set segment_value_cases = [] -%}
{%- for segment_column in segment_columns -%}
    {%- do segment_type_cases.append(
        'when grouping(' ~ segment_column ~ ') = 0 then \'' ~ segment_column ~ '\''
    ) -%}
    {%- do segment_value_cases.append(
        'when grouping(' ~ segment_column ~ ') = 0 then ' ~ segment_column
    ) -%}
{%- endfor -%}
{%- set segment_dimensions =
    "case when grouping(week_start) = 0 then 'week' else 'month' end"
    ~ " as period_grain,\n"
    ~ "        coalesce(week_start, month_start) as period_start,\n"
    ~ "        case " ~ segment_type_cases | join(' ')
    ~ " else 'overall' end as segment_type,\n"
    ~ "        case " ~ segment_value_cases | join(' ')
    ~ " else 'all' end as segment_value" -%}
{#- incremental: only the rows of the periods refreshed in this run -#}
{%- set in_refreshed_periods -%}
    {%- if is_incremental() %}
    where
        week_start in (select refreshed_periods.week_start from refreshed_periods)
        or month_start in (select refreshed_periods.month_start from refreshed_periods)
    {%- endif -%}
{%- endset -%}
-- noqa: disable=RF04

with

events as (
    select * from {{ ref('stg_telemetry__ai_events') }}
),

responses as (
    select * from {{ ref('int_ai_responses_priced') }}
),

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

-- the events' load times alone: the watermark and the refreshed periods read
-- these two columns, so the wide `events` stays read once (a CTE read twice
-- is materialized, on both warehouses)
event_loads as (
    select
        occurred_at,
        loaded_at
    from {{ ref('stg_telemetry__ai_events') }}
),

{% if is_incremental() %}
    -- the weeks and months holding an event loaded since the last run
    refreshed_periods as (
        select distinct
            {{ period_start('week', 'occurred_at') }} as week_start,
            {{ period_start('month', 'occurred_at') }} as month_start
        from event_loads
        where
            loaded_at > {{ incremental_watermark('inputs_max_loaded_at') }}
            or loaded_at is null
    ),

    refreshed_units as (
        select
            'week' as period_grain,
            week_start as period_start
        from refreshed_periods
        union
        select
            'month' as period_grain,
            month_start as period_start
        from refreshed_periods
    ),
{% endif %}

-- bases: one row per unit of the metric's population, with its periods and
-- segment values (response-level and event-level metrics: the event's own
-- properties; conversation-level metrics: the conversation's first event)

response_rows as (
    select
        {{ period_start('week', 'occurred_at') }} as week_start,
        {{ period_start('month', 'occurred_at') }} as month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        latency_ms,
        case when response_status = 'success' then 1 else 0 end as is_success,
        cost_usd
    from responses
),

response_base as (
    select * from response_rows
    {{ in_refreshed_periods }}
),

-- every event in one narrow pass: the prompt columns are derived here so
-- that no later step carries prompt_text
event_rows as (
    select
        {{ period_start('week', 'occurred_at') }} as week_start,
        {{ period_start('month', 'occurred_at') }} as month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        user_id,
        {{ minutes_between('occurred_at', 'loaded_at') }} as freshness_minutes,
        case
            when prompt_text is not null and prompt_text != '' then 1
            else 0
        end as has_text,
        case
            when
                prompt_text is not null
                and prompt_text != ''
                and is_prompt_text_redacted
                then 1
            else 0
        end as is_redacted,
        event_name = 'ai_user_prompt_created' as is_prompt
    from events
),

event_base as (
    select * from event_rows
    {{ in_refreshed_periods }}
),

prompt_base as (
    select * from event_base
    where is_prompt
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
    from prompt_base
    group by
        week_start,
        month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        user_id
),

conversation_base as (
    select
        {{ period_start('week', 'started_at') }} as week_start,
        {{ period_start('month', 'started_at') }} as month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        case when is_completed then 1 else 0 end as is_completed,
        case when workflow = 'support_automation' then 1 else 0 end
            as is_support_automation,
        case when is_deflected then 1 else 0 end as is_deflected
    from conversations
),

-- aggregates per period and segment

response_grouped as (
    select
        {{ segment_dimensions }},
        count(latency_ms) as n_latencies,
        {{ percentile_cont('latency_ms', 0.95) }} as p95_latency_ms,
        count(*) as n_responses,
        sum(is_success) as n_successes
    from response_base
    group by {{ segment_grouping_sets }} -- noqa: PRS
),

-- every period's response cost: ai_cost_usd (written for the refreshed
-- periods) and cost_per_successful_outcome (written for every period)
response_cost_grouped as (
    select
        {{ segment_dimensions }},
        sum(cost_usd) as cost_usd
    from response_rows
    group by {{ segment_grouping_sets }} -- noqa: PRS
),

event_grouped as (
    select
        {{ segment_dimensions }},
        count(freshness_minutes) as n_freshness,
        {{ median('freshness_minutes') }} as median_freshness_minutes
    from event_base
    group by {{ segment_grouping_sets }} -- noqa: PRS
),

prompt_grouped as (
    select
        {{ segment_dimensions }},
        count(distinct user_id) as n_active_users,
        sum(has_text) as n_prompts_with_text,
        sum(is_redacted) as n_prompts_redacted
    from prompt_users
    group by {{ segment_grouping_sets }} -- noqa: PRS
),

conversation_grouped as (
    select
        {{ segment_dimensions }},
        count(*) as n_conversations,
        sum(is_completed) as n_completed,
        sum(is_support_automation) as n_support_automation,
        sum(is_deflected) as n_deflected
    from conversation_base
    group by {{ segment_grouping_sets }} -- noqa: PRS
),

-- a null segment value makes no segment row (it stays in overall)

response_metrics as (
    select * from response_grouped
    where segment_value is not null
),

event_metrics as (
    select * from event_grouped
    where segment_value is not null
),

prompt_metrics as (
    select * from prompt_grouped
    where segment_value is not null
),

conversation_metrics as (
    select * from conversation_grouped
    where segment_value is not null
),

response_cost_metrics as (
    select * from response_cost_grouped
    where segment_value is not null
),

-- cost_per_successful_outcome: response cost (by response time and the
-- response's segments) over completed conversations (by conversation start
-- and its first event's segments); either side may be missing in a period

outcome_cost_parts as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        cost_usd,
        0 as n_completed
    from response_cost_metrics
    union all
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        0 as cost_usd,
        n_completed
    from conversation_metrics
),

outcome_cost as (
    select
        period_grain,
        period_start,
        segment_type,
        segment_value,
        sum(cost_usd) as cost_usd,
        sum(n_completed) as n_completed
    from outcome_cost_parts
    group by period_grain, period_start, segment_type, segment_value
),

-- one row per metric (long format), in two refresh scopes: the metrics of
-- the responses and events of a period, and those of the conversations

event_metric_rows as (
    {{ metric_row(
        'p95_latency_ms', 'response_metrics',
        value='p95_latency_ms', where='n_latencies > 0',
    ) }}
    union all
    {{ metric_row(
        'success_rate', 'response_metrics',
        numerator='n_successes', denominator='n_responses',
    ) }}
    union all
    {{ metric_row('ai_cost_usd', 'response_cost_metrics', value='cost_usd') }}
    union all
    {{ metric_row(
        'data_freshness_minutes', 'event_metrics',
        value='median_freshness_minutes', where='n_freshness > 0',
    ) }}
    union all
    {{ metric_row(
        'redaction_rate', 'prompt_metrics',
        numerator='n_prompts_redacted', denominator='n_prompts_with_text',
    ) }}
    union all
    {{ metric_row(
        'weekly_active_users', 'prompt_metrics',
        value='n_active_users', where="period_grain = 'week'",
    ) }}
),

conversation_metric_rows as (
    {{ metric_row(
        'conversation_completion_rate', 'conversation_metrics',
        numerator='n_completed', denominator='n_conversations',
    ) }}
    union all
    {{ metric_row(
        'support_deflection_rate', 'conversation_metrics',
        numerator='n_deflected', denominator='n_support_automation',
        where='n_support_automation > 0',
    ) }}
    union all
    {{ metric_row(
        'throughput_per_day', 'conversation_metrics',
        numerator='n_completed',
        denominator="case when period_grain = 'week' then 7 else "
            ~ days_in_period('month', 'period_start') ~ " end",
    ) }}
    union all
    {{ metric_row(
        'cost_per_successful_outcome', 'outcome_cost',
        numerator='cost_usd', denominator='n_completed',
    ) }}
),

-- a refresh unit per period for the event metrics (incremental: only the
-- refreshed ones; a period read from the events of a refreshed period of the
-- other grain is partial), one per grain for the conversation metrics
metric_rows as (
    select
        event_metric_rows.*,
        'events|' || period_grain || '|'
        || cast(period_start as {{ dbt.type_string() }}) as refresh_unit
    from event_metric_rows
    {% if is_incremental() %}
        where exists (
            select 1 from refreshed_units
            where
                refreshed_units.period_grain = event_metric_rows.period_grain
                and refreshed_units.period_start
                = event_metric_rows.period_start
        )
    {% endif %}
    union all
    select
        conversation_metric_rows.*,
        'conversations|' || period_grain as refresh_unit
    from conversation_metric_rows
),

final as (
    select
        {{ metric_family_columns() }},
        cast(refresh_unit as {{ dbt.type_string() }}) as refresh_unit,
        cast(
            (select max(event_loads.loaded_at) from event_loads) as timestamp
        ) as inputs_max_loaded_at
    from metric_rows
)

select * from final
