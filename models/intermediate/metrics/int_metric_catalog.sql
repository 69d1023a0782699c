-- Every metric key of CONTRACT.md section 3 with its bucket, the family
-- model that computes it and the period grains it is published at.
-- Buckets follow the contract's table order: the fifteen AI operations
-- metrics are three per bucket (reliability: sla_attainment, incident_rate,
-- mttr_hours; data_systems: freshness, integration_health, fragmentation;
-- value: deflection, work removed, throughput; risk: the three decision
-- metrics; scale: experiment_to_ops_conversion, time_to_deploy_days,
-- multi_agent_success_rate), each with its companions (diagnose/fix time
-- with mttr, savings/cost/roi with value); the event-model metrics are
-- telemetry, the evaluation/control metrics governance, WAU adoption.
-- ops_metrics reads it for the bucket and for the no_data spine rows.
with

catalog as (
    select
        catalog_rows.metric_key,
        catalog_rows.bucket,
        catalog_rows.metric_family,
        catalog_rows.has_week_grain,
        catalog_rows.has_month_grain
    from (
        values
        ('sla_attainment', 'reliability', 'agents_ops', true, true),
        ('incident_rate', 'reliability', 'agents_ops', true, true),
        ('mttr_hours', 'reliability', 'agents_ops', true, true),
        ('time_to_diagnose_hours', 'reliability', 'agents_ops', true, true),
        ('time_to_fix_hours', 'reliability', 'agents_ops', true, true),
        ('data_freshness_minutes', 'data_systems', 'ai_events', true, true),
        ('integration_health', 'data_systems', 'agents_ops', true, true),
        ('fragmented_systems_index', 'data_systems', 'agents_ops', true, true),
        ('support_deflection_rate', 'value', 'ai_events', true, true),
        ('work_removed_hours', 'value', 'value', true, true),
        ('throughput_per_day', 'value', 'ai_events', true, true),
        ('cost_savings_usd', 'value', 'value', true, true),
        ('total_cost_usd', 'value', 'value', false, true),
        ('roi', 'value', 'value', false, true),
        ('escalation_rate', 'risk', 'agents_ops', true, true),
        ('sensitive_action_success', 'risk', 'agents_ops', true, true),
        ('decision_explainability', 'risk', 'agents_ops', true, true),
        ('experiment_to_ops_conversion', 'scale', 'governance', true, true),
        ('time_to_deploy_days', 'scale', 'agents_ops', true, true),
        ('multi_agent_success_rate', 'scale', 'agents_ops', true, true),
        ('p95_latency_ms', 'telemetry', 'ai_events', true, true),
        ('success_rate', 'telemetry', 'ai_events', true, true),
        ('conversation_completion_rate', 'telemetry', 'ai_events', true, true),
        ('cost_per_successful_outcome', 'telemetry', 'ai_events', true, true),
        ('ai_cost_usd', 'telemetry', 'ai_events', true, true),
        ('trace_coverage', 'telemetry', 'agents_ops', true, true),
        ('redaction_rate', 'telemetry', 'ai_events', true, true),
        ('responsible_ai_score', 'governance', 'governance', true, true),
        (
            'compliance_automation_coverage', 'governance', 'governance', true, true
        ),
        ('drift_check_cadence_days', 'governance', 'governance', true, true),
        ('alert_triage_rate', 'governance', 'governance', true, true),
        ('weekly_active_users', 'adoption', 'ai_events', true, false)
    ) as catalog_rows (
        metric_key, bucket, metric_family, has_week_grain, has_month_grain
    )
),

final as (
    select
        -- strings
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(bucket as {{ dbt.type_string() }}) as bucket,
        cast(metric_family as {{ dbt.type_string() }}) as metric_family,
        -- booleans
        has_week_grain,
        has_month_grain
    from catalog
)

select * from final
