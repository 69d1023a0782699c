-- One row per month, workflow and cost category that has an amount: model
-- usage (priced responses by occurred_at month and workflow), agent usage
-- (decision cost_usd by decided_at month and the workflow of the decision's
-- run) and the cost ledger's own categories. A cost without a known
-- workflow is kept under 'unassigned'. cost_breakdown_monthly publishes it.
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

final as (
    select
        month,
        coalesce(workflow, 'unassigned') as workflow,
        cost_category,
        sum(amount_usd) as amount_usd
    from all_costs
    group by 1, 2, 3
    having count(amount_usd) > 0
)

select * from final
