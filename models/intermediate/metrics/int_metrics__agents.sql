-- The agent metrics of ops_metrics (decisions, runs and their spans), overall
-- segment, week and month grains, one CTE per key (formulas:
-- seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

runs as (
    select * from {{ ref('int_agent_runs_enriched') }}
),

steps as (
    select * from {{ ref('int_agent_steps_unioned') }}
),

decisions as (
    select * from {{ ref('stg_agents__decisions') }}
),

-- spans with the workflow of their run; spans of unknown runs are left out
workflow_spans as (
    select
        runs.workflow,
        steps.system,
        steps.started_at
    from steps
    inner join runs
        on steps.run_id = runs.run_id
    where runs.workflow is not null
),

-- per period (rows exist for every period holding a row of the population)

decision_counts as (
    {{ period_segment_rollup(
        'decisions', time_column='decided_at',
        measures={
            'n_decisions': 'count(*)',
            'n_sensitive': 'sum(case when is_sensitive then 1 else 0 end)',
            'n_sensitive_escalated':
                "sum(case when is_sensitive and result = 'escalated' then 1 else 0 end)",
            'n_sensitive_succeeded':
                "sum(case when is_sensitive and result = 'success' then 1 else 0 end)",
            'n_with_reason':
                'sum(case when reason_code is not null then 1 else 0 end)',
        },
    ) }}
),

run_counts as (
    {{ period_segment_rollup(
        'runs', time_column='started_at',
        measures={
            'n_runs': 'count(*)',
            'n_traced': 'sum(case when is_trace_complete then 1 else 0 end)',
            'n_within_sla': 'sum(case when meets_sla then 1 else 0 end)',
            'n_successful_unrescued':
                'sum(case when is_successful_unrescued then 1 else 0 end)',
        },
    ) }}
),

workflow_systems as (
    select
        period_grain,
        period_start,
        workflow,
        count(distinct system) as n_distinct_systems
    from ({{ expand_to_periods('workflow_spans', 'started_at') }}) as periodized
    group by period_grain, period_start, workflow
),

system_counts as (
    {{ period_segment_rollup(
        'workflow_systems',
        measures={'mean_distinct_systems': 'avg(n_distinct_systems)'},
    ) }}
),

-- one CTE per metric key

escalation_rate as (
    {{ metric_row(
        'escalation_rate', 'decision_counts',
        numerator='n_sensitive_escalated', denominator='n_sensitive',
    ) }}
),

sensitive_action_success as (
    {{ metric_row(
        'sensitive_action_success', 'decision_counts',
        numerator='n_sensitive_succeeded', denominator='n_sensitive',
    ) }}
),

decision_explainability as (
    {{ metric_row(
        'decision_explainability', 'decision_counts',
        numerator='n_with_reason', denominator='n_decisions',
    ) }}
),

trace_coverage as (
    {{ metric_row(
        'trace_coverage', 'run_counts',
        numerator='n_traced', denominator='n_runs',
    ) }}
),

sla_attainment as (
    {{ metric_row(
        'sla_attainment', 'run_counts',
        numerator='n_within_sla', denominator='n_runs',
    ) }}
),

multi_agent_success_rate as (
    {{ metric_row(
        'multi_agent_success_rate', 'run_counts',
        numerator='n_successful_unrescued', denominator='n_runs',
    ) }}
),

fragmented_systems_index as (
    {{ metric_row(
        'fragmented_systems_index', 'system_counts',
        value='mean_distinct_systems',
    ) }}
),

metric_rows as (
    select * from escalation_rate
    union all
    select * from sensitive_action_success
    union all
    select * from decision_explainability
    union all
    select * from trace_coverage
    union all
    select * from sla_attainment
    union all
    select * from multi_agent_success_rate
    union all
    select * from fragmented_systems_index
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
