-- int_metric_catalog lists exactly the 32 metric keys of CONTRACT.md
-- section 3 (copied here by hand from the contract table), each once, and
-- every metric_targets key is a catalog key. Returns the offending keys.
with

catalog as (
    select * from {{ ref('int_metric_catalog') }}
),

metric_targets as (
    select * from {{ ref('metric_targets') }}
),

contract_keys as (
    select contract_rows.metric_key
    from (
        values
        ('p95_latency_ms'), ('success_rate'),
        ('conversation_completion_rate'), ('cost_per_successful_outcome'),
        ('ai_cost_usd'), ('support_deflection_rate'), ('escalation_rate'),
        ('sensitive_action_success'), ('decision_explainability'),
        ('trace_coverage'), ('redaction_rate'), ('weekly_active_users'),
        ('sla_attainment'), ('incident_rate'), ('mttr_hours'),
        ('time_to_diagnose_hours'), ('time_to_fix_hours'),
        ('data_freshness_minutes'), ('integration_health'),
        ('fragmented_systems_index'), ('work_removed_hours'),
        ('throughput_per_day'), ('cost_savings_usd'), ('total_cost_usd'),
        ('roi'), ('responsible_ai_score'),
        ('compliance_automation_coverage'), ('drift_check_cadence_days'),
        ('alert_triage_rate'), ('experiment_to_ops_conversion'),
        ('time_to_deploy_days'), ('multi_agent_success_rate')
    ) as contract_rows (metric_key)
),

missing_from_catalog as (
    select
        contract_keys.metric_key,
        'missing from int_metric_catalog' as problem
    from contract_keys
    left join catalog
        on contract_keys.metric_key = catalog.metric_key
    where catalog.metric_key is null
),

not_in_contract as (
    select
        catalog.metric_key,
        'catalog key not in the contract' as problem
    from catalog
    left join contract_keys
        on catalog.metric_key = contract_keys.metric_key
    where contract_keys.metric_key is null
),

target_without_key as (
    select
        metric_targets.metric_key,
        'metric_targets key not in the catalog' as problem
    from metric_targets
    left join catalog
        on metric_targets.metric_key = catalog.metric_key
    where catalog.metric_key is null
),

final as (
    select * from missing_from_catalog
    union all
    select * from not_in_contract
    union all
    select * from target_without_key
)

select * from final
