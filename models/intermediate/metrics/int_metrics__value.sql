-- The value metrics of ops_metrics, one CTE per key (formulas:
-- seeds/metric_catalog.csv): work_removed_hours and cost_savings_usd by
-- period and segment where conversations started; total_cost_usd and roi by
-- month, overall, where conversations, responses or ledger entries exist.
-- `value` is a contract column (RF04).
-- noqa: disable=RF04
with

workflow_periods as (
    select * from {{ ref('int_roi_workflow_periods') }}
),

conversations as (
    select * from {{ ref('int_conversations_valued') }}
),

-- overall ('all' rows) and workflow segments, from the dense table
savings_by_workflow as (
    select
        period_grain,
        period_start,
        case when workflow = 'all' then 'overall' else 'workflow' end
            as segment_type,
        workflow as segment_value,
        work_removed_hours,
        cost_savings_usd
    from workflow_periods
    where conversations > 0
),

-- model_version, prompt_version and feature_flag_state: conversation's first
-- event; its week and month as int_conversations_valued assigned them
conversation_periods as (
    {{ stack_periods('conversations') }}
),

savings_by_conversation_segment as (
    {{ period_segment_rollup(
        'conversation_periods', overall=false,
        segments=['model_version', 'prompt_version', 'feature_flag_state'],
        measures={
            'work_removed_hours': 'sum(work_removed_hours)',
            'cost_savings_usd': 'sum(cost_savings_usd)',
        },
    ) }}
),

savings as (
    select * from savings_by_workflow
    union all
    select * from savings_by_conversation_segment
),

monthly_costs as (
    select
        period_start,
        total_cost_usd,
        net_benefit_usd,
        roi
    from workflow_periods
    where
        period_grain = 'month'
        and workflow = 'all'
        and (conversations > 0 or ai_responses > 0 or ledger_entries > 0)
),

-- one CTE per metric key

work_removed_hours as (
    {{ metric_row(
        'work_removed_hours', 'savings', value='work_removed_hours',
    ) }}
),

cost_savings_usd as (
    {{ metric_row('cost_savings_usd', 'savings', value='cost_savings_usd') }}
),

total_cost_usd as (
    {{ metric_row(
        'total_cost_usd', 'monthly_costs', value='total_cost_usd',
        period_grain="'month'", segment_type="'overall'", segment_value="'all'",
    ) }}
),

-- roi is a quotient whose value int_roi_workflow_periods already computed
roi as (
    {{ metric_row(
        'roi', 'monthly_costs', value='roi',
        numerator='net_benefit_usd', denominator='total_cost_usd',
        period_grain="'month'", segment_type="'overall'", segment_value="'all'",
    ) }}
),

metric_rows as (
    select * from work_removed_hours
    union all
    select * from cost_savings_usd
    union all
    select * from total_cost_usd
    union all
    select * from roi
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
