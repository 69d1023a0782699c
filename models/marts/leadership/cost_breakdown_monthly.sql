-- The cost picture (CONTRACT.md section 3, v2): one row per month, workflow
-- and cost_category that has an amount, no zero-filled and no 'all' rows.
-- model_usage is response cost as in ai_cost_usd (by the response's month
-- and workflow), agent_usage is decision cost_usd (by decided_at month and
-- the workflow of the decision's run), the rest are the ledger's categories.
-- A cost without a known workflow is kept under workflow 'unassigned' so
-- that a month's rows still add up to roi_monthly's 'all' row.
with

responses as (
    select * from {{ ref('int_ai_responses_priced') }}
),

decisions as (
    select * from {{ ref('stg_agents__decisions') }}
),

runs as (
    select * from {{ ref('stg_agents__runs') }}
),

ledger as (
    select * from {{ ref('stg_finance__cost_ledger_entries') }}
),

model_usage as (
    select
        {{ period_start('month', 'occurred_at') }} as month,
        workflow,
        'model_usage' as cost_category,
        cost_usd as amount_usd
    from responses
    where occurred_at is not null
),

agent_usage as (
    select
        {{ period_start('month', 'decisions.decided_at') }} as month,
        runs.workflow,
        'agent_usage' as cost_category,
        decisions.cost_usd as amount_usd
    from decisions
    left join runs
        on decisions.run_id = runs.run_id
    where decisions.decided_at is not null
),

ledger_costs as (
    select
        month,
        workflow,
        cost_category,
        amount_usd
    from ledger
    where month is not null
),

all_costs as (
    select * from model_usage
    union all
    select * from agent_usage
    union all
    select * from ledger_costs
),

summed as (
    select
        month,
        coalesce(workflow, 'unassigned') as workflow,
        cost_category,
        sum(amount_usd) as amount_usd
    from all_costs
    group by 1, 2, 3
    having count(amount_usd) > 0
),

final as (
    select
        cast(month as date) as month,
        cast(workflow as {{ dbt.type_string() }}) as workflow,
        cast(cost_category as {{ dbt.type_string() }}) as cost_category,
        cast(amount_usd as {{ type_double() }}) as amount_usd
    from summed
)

select * from final
