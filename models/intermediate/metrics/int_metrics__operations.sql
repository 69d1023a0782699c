-- The operations metrics of ops_metrics (incidents, deployments, connector
-- checks), overall segment, week and month grains, one CTE per key
-- (formulas: seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

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
    select * from {{ ref('int_ai_events_unioned') }}
),

-- incident_rate: AI-change incidents (by detected_at) beside response events
-- (by occurred_at), one row kind each
incident_rate_facts as (
    select
        detected_at as occurred_at,
        1 as is_ai_change_incident,
        0 as is_response
    from incidents
    where requires_ai_change
    union all
    select
        occurred_at,
        0 as is_ai_change_incident,
        1 as is_response
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

-- per period (rows exist for every period holding a row of the population;
-- a mean or median without any value has no row)

incident_rate_counts as (
    {{ period_segment_rollup(
        'incident_rate_facts', time_column='occurred_at',
        measures={
            'n_ai_change_incidents': 'sum(is_ai_change_incident)',
            'n_responses': 'sum(is_response)',
        },
    ) }}
),

resolution_means as (
    {{ period_segment_rollup(
        'resolved_incidents', time_column='resolved_at',
        measures={
            'n_resolution_hours': 'count(resolution_hours)',
            'mean_resolution_hours': 'avg(resolution_hours)',
            'n_diagnose_hours': 'count(diagnose_hours)',
            'mean_diagnose_hours': 'avg(diagnose_hours)',
            'n_fix_hours': 'count(fix_hours)',
            'mean_fix_hours': 'avg(fix_hours)',
        },
    ) }}
),

check_counts as (
    {{ period_segment_rollup(
        'connector_checks', time_column='checked_at',
        measures={
            'n_critical_checks': 'sum(case when is_critical then 1 else 0 end)',
            'n_critical_passing':
                'sum(case when is_critical and is_passing then 1 else 0 end)',
        },
    ) }}
),

deploy_medians as (
    {{ period_segment_rollup(
        'deployed_changes', time_column='deployed_at',
        measures={
            'n_deploy_days': 'count(deploy_days)',
            'median_deploy_days': median('deploy_days'),
        },
    ) }}
),

-- one CTE per metric key

incident_rate as (
    {{ metric_row(
        'incident_rate', 'incident_rate_counts',
        numerator='n_ai_change_incidents', denominator='n_responses',
        scale=1000,
    ) }}
),

mttr_hours as (
    {{ metric_row(
        'mttr_hours', 'resolution_means',
        value='mean_resolution_hours', where='n_resolution_hours > 0',
    ) }}
),

time_to_diagnose_hours as (
    {{ metric_row(
        'time_to_diagnose_hours', 'resolution_means',
        value='mean_diagnose_hours', where='n_diagnose_hours > 0',
    ) }}
),

time_to_fix_hours as (
    {{ metric_row(
        'time_to_fix_hours', 'resolution_means',
        value='mean_fix_hours', where='n_fix_hours > 0',
    ) }}
),

integration_health as (
    {{ metric_row(
        'integration_health', 'check_counts',
        numerator='n_critical_passing', denominator='n_critical_checks',
    ) }}
),

time_to_deploy_days as (
    {{ metric_row(
        'time_to_deploy_days', 'deploy_medians',
        value='median_deploy_days', where='n_deploy_days > 0',
    ) }}
),

metric_rows as (
    select * from incident_rate
    union all
    select * from mttr_hours
    union all
    select * from time_to_diagnose_hours
    union all
    select * from time_to_fix_hours
    union all
    select * from integration_health
    union all
    select * from time_to_deploy_days
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows
)

select * from final
