-- Every metric key of CONTRACT.md section 3 with its bucket, the family
-- model that computes it and the period grains it is published at.
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
        ('p95_latency_ms', 'reliability', 'ai_events', true, true),
        ('success_rate', 'reliability', 'ai_events', true, true),
        ('sla_attainment', 'reliability', 'agents_ops', true, true),
        ('incident_rate', 'reliability', 'agents_ops', true, true),
        ('mttr_hours', 'reliability', 'agents_ops', true, true),
        ('time_to_diagnose_hours', 'reliability', 'agents_ops', true, true),
        ('time_to_fix_hours', 'reliability', 'agents_ops', true, true),
        ('multi_agent_success_rate', 'reliability', 'agents_ops', true, true),
        ('trace_coverage', 'reliability', 'agents_ops', true, true),
        ('data_freshness_minutes', 'data_systems', 'ai_events', true, true),
        ('integration_health', 'data_systems', 'agents_ops', true, true),
        ('fragmented_systems_index', 'data_systems', 'agents_ops', true, true),
        ('time_to_deploy_days', 'data_systems', 'agents_ops', true, true),
        ('conversation_completion_rate', 'value', 'ai_events', true, true),
        ('cost_per_successful_outcome', 'value', 'ai_events', true, true),
        ('support_deflection_rate', 'value', 'ai_events', true, true),
        ('work_removed_hours', 'value', 'value', true, true),
        ('throughput_per_day', 'value', 'ai_events', true, true),
        ('cost_savings_usd', 'value', 'value', true, true),
        ('total_cost_usd', 'value', 'value', false, true),
        ('roi', 'value', 'value', false, true),
        ('ai_cost_usd', 'value', 'ai_events', true, true),
        ('escalation_rate', 'risk', 'agents_ops', true, true),
        ('sensitive_action_success', 'risk', 'agents_ops', true, true),
        ('decision_explainability', 'risk', 'agents_ops', true, true),
        ('responsible_ai_score', 'risk', 'governance', true, true),
        (
            'compliance_automation_coverage', 'risk', 'governance', true, true
        ),
        ('alert_triage_rate', 'risk', 'governance', true, true),
        ('drift_check_cadence_days', 'risk', 'governance', true, true),
        (
            'experiment_to_ops_conversion', 'scale', 'governance', true, true
        ),
        ('redaction_rate', 'telemetry', 'ai_events', true, true),
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
