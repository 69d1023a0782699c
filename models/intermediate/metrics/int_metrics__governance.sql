-- The governance metrics of ops_metrics (model evaluations, controls,
-- initiatives), overall segment, week and month grains, one CTE per key
-- (formulas: seeds/metric_catalog.csv). `value` is a contract column (RF04).
-- noqa: disable=RF04

with

evaluations as (
    select * from {{ ref('stg_governance__model_evaluations') }}
),

controls as (
    select * from {{ ref('stg_governance__controls') }}
),

initiatives as (
    select * from {{ ref('stg_governance__ai_initiatives') }}
),

metric_periods as (
    select * from {{ ref('int_metric_periods') }}
),

spine as (
    select
        period_grain,
        period_start,
        -- the first instant after the period's last day
        {{ add_days('period_end', 1) }} as period_end_exclusive
    from metric_periods
),

-- responsible_ai_score: one row per model version and period with at least
-- one fairness, privacy or explainability evaluation in the period
responsible_ai_evaluations as (
    select *
    from evaluations
    where
        check_type in ('fairness', 'privacy', 'explainability')
        and model_version is not null
),

model_version_periods as (
    select
        periodized.period_grain,
        periodized.period_start,
        periodized.model_version,
        -- a null passed is not a pass
        min(case when periodized.passed then 1 else 0 end) = 1
            as has_all_passed
    from (
        {{ expand_to_periods('responsible_ai_evaluations', 'evaluated_at') }}
    ) as periodized
    group by
        periodized.period_grain,
        periodized.period_start,
        periodized.model_version
),

-- compliance_automation_coverage: every spine period x required control
-- (a period without required controls keeps one row with a null control_id)
control_periods as (
    select
        spine.period_grain,
        spine.period_start,
        controls.control_id,
        coalesce(
            controls.automated_since < spine.period_end_exclusive, false
        ) as is_automated
    from spine
    left join controls
        on controls.required
),

-- experiment_to_ops_conversion: every spine period x initiative started by
-- the period's end
initiative_periods as (
    select
        spine.period_grain,
        spine.period_start,
        initiatives.initiative_id,
        coalesce(
            initiatives.promoted_at < spine.period_end_exclusive, false
        ) as is_promoted
    from spine
    left join initiatives
        on spine.period_end_exclusive > initiatives.started_at
),

-- drift_check_cadence_days: gap to the previous drift-or-bias evaluation of
-- the same model version over all time (the first one has no gap)
drift_checks as (
    select
        evaluation_id,
        model_version,
        evaluated_at,
        lag(evaluated_at) over (
            partition by model_version
            order by evaluated_at, evaluation_id
        ) as previous_evaluated_at
    from evaluations
    where
        check_type in ('drift', 'bias')
        and model_version is not null
        and evaluated_at is not null
),

drift_gaps as (
    select
        evaluated_at,
        {{ days_between('previous_evaluated_at', 'evaluated_at') }}
            as gap_days
    from drift_checks
),

alerts as (
    select
        evaluated_at,
        coalesce(
            {{ seconds_between('evaluated_at', 'alert_triaged_at') }}
            <= 172800,
            false
        ) as is_triaged_within_2_days
    from evaluations
    where alert_raised
),

-- per period (rows exist for every period holding a row of the population;
-- a mean without any value has no row)

model_version_counts as (
    {{ period_segment_rollup(
        'model_version_periods',
        measures={
            'n_model_versions': 'count(*)',
            'n_all_passed': 'sum(case when has_all_passed then 1 else 0 end)',
        },
    ) }}
),

control_counts as (
    {{ period_segment_rollup(
        'control_periods',
        measures={
            'n_required_controls':
                'sum(case when control_id is not null then 1 else 0 end)',
            'n_automated': 'sum(case when is_automated then 1 else 0 end)',
        },
    ) }}
),

initiative_counts as (
    {{ period_segment_rollup(
        'initiative_periods',
        measures={
            'n_started':
                'sum(case when initiative_id is not null then 1 else 0 end)',
            'n_promoted': 'sum(case when is_promoted then 1 else 0 end)',
        },
    ) }}
),

alert_counts as (
    {{ period_segment_rollup(
        'alerts', time_column='evaluated_at',
        measures={
            'n_alerts': 'count(*)',
            'n_triaged_within_2_days':
                'sum(case when is_triaged_within_2_days then 1 else 0 end)',
        },
    ) }}
),

drift_gap_means as (
    {{ period_segment_rollup(
        'drift_gaps', time_column='evaluated_at',
        measures={
            'n_gaps': 'count(gap_days)',
            'mean_gap_days': 'avg(gap_days)',
        },
    ) }}
),

-- one CTE per metric key

responsible_ai_score as (
    {{ metric_row(
        'responsible_ai_score', 'model_version_counts',
        numerator='n_all_passed', denominator='n_model_versions',
    ) }}
),

compliance_automation_coverage as (
    {{ metric_row(
        'compliance_automation_coverage', 'control_counts',
        numerator='n_automated', denominator='n_required_controls',
    ) }}
),

drift_check_cadence_days as (
    {{ metric_row(
        'drift_check_cadence_days', 'drift_gap_means',
        value='mean_gap_days', where='n_gaps > 0',
    ) }}
),

alert_triage_rate as (
    {{ metric_row(
        'alert_triage_rate', 'alert_counts',
        numerator='n_triaged_within_2_days', denominator='n_alerts',
    ) }}
),

experiment_to_ops_conversion as (
    {{ metric_row(
        'experiment_to_ops_conversion', 'initiative_counts',
        numerator='n_promoted', denominator='n_started',
    ) }}
),

metric_rows as (
    select * from responsible_ai_score
    union all
    select * from compliance_automation_coverage
    union all
    select * from drift_check_cadence_days
    union all
    select * from alert_triage_rate
    union all
    select * from experiment_to_ops_conversion
),

final as (
    select
        {{ metric_family_columns() }}
    from metric_rows

)

select * from final
