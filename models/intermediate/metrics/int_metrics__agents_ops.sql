{#-
    Agent and operations metric family (long format, overall segment, week and
    month grains). Readings: docs/METRIC_READINGS.md and the model's yml.
-#}

with

runs as (

    select * from {{ ref('int_agent_runs_enriched') }}

),

steps as (

    select * from {{ ref('stg_agents__steps') }}

),

decisions as (

    select * from {{ ref('stg_agents__decisions') }}

),

incidents as (

    select * from {{ ref('stg_ops__incidents') }}

),

deployments as (

    select * from {{ ref('stg_ops__deployments') }}

),

connector_checks as (

    select * from {{ ref('stg_ops__connector_checks') }}

),

ai_events as (

    select * from {{ ref('stg_telemetry__ai_events') }}

),

-- incident_rate: AI-change incidents (by detected_at) over response events
-- (by occurred_at), one row kind each
incident_rate_facts as (

    select
        detected_at as occurred_at,
        true as is_ai_change_incident,
        false as is_response
    from incidents
    where requires_ai_change

    union all

    select
        occurred_at,
        false as is_ai_change_incident,
        true as is_response
    from ai_events
    where event_name = 'ai_llm_response_received'

),

resolved_incidents as (

    select
        resolved_at,
        {{ hours_between('detected_at', 'resolved_at') }} as resolution_hours,
        {{ hours_between('detected_at', 'diagnosed_at') }} as diagnose_hours,
        {{ hours_between('diagnosed_at', 'resolved_at') }} as fix_hours
    from incidents
    where resolved_at is not null

),

deployed_changes as (

    select
        deployed_at,
        {{ days_between('approved_at', 'deployed_at') }} as deploy_days
    from deployments

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

workflow_periods as (

    select
        periodized.period_grain,
        periodized.period_start,
        periodized.workflow,
        count(distinct periodized.system) as n_distinct_systems
    from (
        {{ expand_to_periods('workflow_spans', 'started_at') }}
    ) as periodized
    group by 1, 2, 3

),

escalation_rate as (
    {{ ratio_metric_rows(
        'decisions', 'escalation_rate', 'decided_at',
        numerator_condition="is_sensitive and result = 'escalated'",
        denominator_condition='is_sensitive'
    ) }}
),

sensitive_action_success as (
    {{ ratio_metric_rows(
        'decisions', 'sensitive_action_success', 'decided_at',
        numerator_condition="is_sensitive and result = 'success'",
        denominator_condition='is_sensitive'
    ) }}
),

decision_explainability as (
    {{ ratio_metric_rows(
        'decisions', 'decision_explainability', 'decided_at',
        numerator_condition='reason_code is not null'
    ) }}
),

trace_coverage as (
    {{ ratio_metric_rows(
        'runs', 'trace_coverage', 'started_at',
        numerator_condition='is_trace_complete'
    ) }}
),

sla_attainment as (
    {{ ratio_metric_rows(
        'runs', 'sla_attainment', 'started_at',
        numerator_condition='meets_sla'
    ) }}
),

multi_agent_success_rate as (
    {{ ratio_metric_rows(
        'runs', 'multi_agent_success_rate', 'started_at',
        numerator_condition='is_successful_unrescued'
    ) }}
),

incident_rate as (
    {{ ratio_metric_rows(
        'incident_rate_facts', 'incident_rate', 'occurred_at',
        numerator_condition='is_ai_change_incident',
        denominator_condition='is_response',
        scale=1000
    ) }}
),

integration_health as (
    {{ ratio_metric_rows(
        'connector_checks', 'integration_health', 'checked_at',
        numerator_condition='is_critical and is_passing',
        denominator_condition='is_critical'
    ) }}
),

mttr_hours as (
    {{ aggregate_metric_rows(
        'resolved_incidents', 'mttr_hours', 'resolved_at',
        'resolution_hours'
    ) }}
),

time_to_diagnose_hours as (
    {{ aggregate_metric_rows(
        'resolved_incidents', 'time_to_diagnose_hours', 'resolved_at',
        'diagnose_hours'
    ) }}
),

time_to_fix_hours as (
    {{ aggregate_metric_rows(
        'resolved_incidents', 'time_to_fix_hours', 'resolved_at',
        'fix_hours'
    ) }}
),

fragmented_systems_index as (
    {{ aggregate_metric_rows(
        'workflow_periods', 'fragmented_systems_index', none,
        'n_distinct_systems'
    ) }}
),

time_to_deploy_days as (
    {{ aggregate_metric_rows(
        'deployed_changes', 'time_to_deploy_days', 'deployed_at',
        'deploy_days', aggregate='median'
    ) }}
),

unioned as (

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
    select * from incident_rate
    union all
    select * from integration_health
    union all
    select * from mttr_hours
    union all
    select * from time_to_diagnose_hours
    union all
    select * from time_to_fix_hours
    union all
    select * from fragmented_systems_index
    union all
    select * from time_to_deploy_days

),

final as (

    select
        {{ metric_family_columns() }}
    from unioned

)

select * from final
