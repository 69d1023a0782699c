{#-
    Governance metric family (long format, overall segment, week and month
    grains). Readings: docs/METRIC_READINGS.md and the model's yml.
-#}

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
    group by 1, 2, 3

),

required_controls as (

    select
        control_id,
        automated_since
    from controls
    where required

),

-- compliance_automation_coverage: every spine period x required control
-- (a period without required controls keeps one row with a null control_id)
control_periods as (

    select
        spine.period_grain,
        spine.period_start,
        required_controls.control_id,
        coalesce(
            required_controls.automated_since < spine.period_end_exclusive,
            false
        ) as is_automated
    from spine
    left join required_controls
        on true

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

responsible_ai_score as (
    {{ ratio_metric_rows(
        'model_version_periods', 'responsible_ai_score', none,
        numerator_condition='has_all_passed'
    ) }}
),

compliance_automation_coverage as (
    {{ ratio_metric_rows(
        'control_periods', 'compliance_automation_coverage', none,
        numerator_condition='is_automated',
        denominator_condition='control_id is not null'
    ) }}
),

experiment_to_ops_conversion as (
    {{ ratio_metric_rows(
        'initiative_periods', 'experiment_to_ops_conversion', none,
        numerator_condition='is_promoted',
        denominator_condition='initiative_id is not null'
    ) }}
),

alert_triage_rate as (
    {{ ratio_metric_rows(
        'alerts', 'alert_triage_rate', 'evaluated_at',
        numerator_condition='is_triaged_within_2_days'
    ) }}
),

drift_check_cadence_days as (
    {{ aggregate_metric_rows(
        'drift_gaps', 'drift_check_cadence_days', 'evaluated_at', 'gap_days'
    ) }}
),

unioned as (

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
    from unioned

)

select * from final
