{#-
    The conversation metrics of ops_metrics, one CTE per key (formulas:
    seeds/metric_catalog.csv): by the conversation's start and its first
    event's segments. A late event or a new ticket changes old conversations,
    so every period is recomputed on every run (a table). RF04: `value` is a
    contract column.
-#}
-- noqa: disable=RF04

with

conversations as (
    select * from {{ ref('int_conversations_assembled') }}
),

responses as (
    select * from {{ ref('int_ai_responses_priced') }}
),

conversation_flags as (
    select
        started_at,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        case when is_completed then 1 else 0 end as is_completed,
        case when workflow = 'support_automation' then 1 else 0 end
            as is_support_automation,
        -- no ticket in the deflection window: int_tickets_matched_to_conversations
        case when is_deflected then 1 else 0 end as is_deflected
    from conversations
),

-- responses by their own time and segments (cost_per_successful_outcome)
response_costs as (
    select
        occurred_at,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state,
        cost_usd
    from responses
),

-- per period and segment

conversation_counts as (
    {{ period_segment_rollup(
        'conversation_flags', time_column='started_at',
        segments=metric_segments(),
        measures={
            'n_conversations': 'count(*)',
            'n_completed': 'sum(is_completed)',
            'n_support_automation': 'sum(is_support_automation)',
            'n_deflected': 'sum(is_deflected)',
        },
    ) }}
),

conversation_metrics as (
    select
        *,
        case
            when period_grain = 'week' then 7
            else {{ days_in_period('month', 'period_start') }}
        end as days_in_period
    from conversation_counts
),

response_cost_metrics as (
    {{ period_segment_rollup(
        'response_costs', time_column='occurred_at', segments=metric_segments(),
        measures={'cost_usd': 'sum(cost_usd)'},
    ) }}
),

-- response cost (response time and segments) beside completed conversations
-- (conversation start and segments); either side may be missing in a period
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

outcome_cost_metrics as (
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

-- one CTE per metric key

conversation_completion_rate as (
    {{ metric_row(
        'conversation_completion_rate', 'conversation_metrics',
        numerator='n_completed', denominator='n_conversations',
    ) }}
),

support_deflection_rate as (
    {{ metric_row(
        'support_deflection_rate', 'conversation_metrics',
        numerator='n_deflected', denominator='n_support_automation',
        where='n_support_automation > 0',
    ) }}
),

throughput_per_day as (
    {{ metric_row(
        'throughput_per_day', 'conversation_metrics',
        numerator='n_completed', denominator='days_in_period',
    ) }}
),

cost_per_successful_outcome as (
    {{ metric_row(
        'cost_per_successful_outcome', 'outcome_cost_metrics',
        numerator='cost_usd', denominator='n_completed',
    ) }}
),

metric_rows as (
    select * from conversation_completion_rate
    union all
    select * from support_deflection_rate
    union all
    select * from throughput_per_day
    union all
    select * from cost_per_successful_outcome
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
