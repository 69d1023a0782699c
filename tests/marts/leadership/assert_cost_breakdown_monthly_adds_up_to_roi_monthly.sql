-- cost_breakdown_monthly's model_usage and ledger rows of a month and
-- workflow add up to roi_monthly.total_cost_usd (CONTRACT.md section 3);
-- the 'all' row of roi_monthly equals every such row of the month. Returns
-- the rows that differ by more than a cent-fraction of summation order.
with

breakdown as (
    select * from {{ ref('cost_breakdown_monthly') }}
),

roi as (
    select * from {{ ref('roi_monthly') }}
),

comparable as (
    select
        month,
        workflow,
        amount_usd
    from breakdown
    where cost_category <> 'agent_usage'
),

by_workflow as (
    select
        month,
        workflow,
        sum(amount_usd) as breakdown_usd
    from comparable
    group by 1, 2
    union all
    select
        month,
        'all' as workflow,
        sum(amount_usd) as breakdown_usd
    from comparable
    group by 1, 2
),

compared as (
    select
        roi.month,
        roi.workflow,
        roi.total_cost_usd,
        coalesce(by_workflow.breakdown_usd, 0) as breakdown_usd
    from roi
    left join by_workflow
        on
            roi.month = by_workflow.month
            and roi.workflow = by_workflow.workflow
)

select * from compared
where abs(total_cost_usd - breakdown_usd) > 1e-6 * (1 + abs(total_cost_usd))
