-- The cost picture (CONTRACT.md section 3, v2): one row per month, workflow
-- and cost_category that has an amount, no zero-filled and no 'all' rows.
-- model_usage is response cost as in ai_cost_usd (by the response's month
-- and workflow), agent_usage is decision cost_usd (by decided_at month and
-- the workflow of the decision's run), the rest are the ledger's categories.
-- A cost without a known workflow is kept under workflow 'unassigned' so
-- that a month's rows still add up to roi_monthly's 'all' row.
with

monthly_costs as (
    select * from {{ ref('int_costs_categorized_monthly') }}
),

final as (
    select
        cast(month as date) as month,
        cast(workflow as {{ dbt.type_string() }}) as workflow,
        cast(cost_category as {{ dbt.type_string() }}) as cost_category,
        cast(amount_usd as {{ type_double() }}) as amount_usd
    from monthly_costs
)

select * from final
