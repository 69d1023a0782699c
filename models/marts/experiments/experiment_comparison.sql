-- Baseline versus treatment (CONTRACT.md section 3, METRIC_READINGS.md):
-- one row per comparison and metric, the difference treatment - baseline
-- with its 95% interval (z = 1.959964), z score and two-sided normal p-value
-- p = 2 Phi(-|z|) (macro normal_cdf, the lower tail keeps its precision).
with

arm_summaries as (
    select * from {{ ref('int_experiment_arm_summaries') }}
),

baseline as (
    select * from arm_summaries
    where arm = 'baseline'
),

treatment as (
    select * from arm_summaries
    where arm = 'treatment'
),

paired as (
    select
        baseline.comparison_type,
        baseline.metric_key,
        baseline.period_start,
        baseline.period_end,
        baseline.n as baseline_n,
        treatment.n as treatment_n,
        baseline.value as baseline_value,
        treatment.value as treatment_value,
        treatment.value - baseline.value as abs_lift,
        sqrt(
            baseline.squared_standard_error + treatment.squared_standard_error
        ) as standard_error
    from baseline
    inner join treatment
        on
            baseline.comparison_type = treatment.comparison_type
            and baseline.metric_key = treatment.metric_key
),

tested as (
    select
        *,
        case
            when baseline_value <> 0 then abs_lift / baseline_value
        end as rel_lift,
        abs_lift - 1.959964 * standard_error as ci_low,
        abs_lift + 1.959964 * standard_error as ci_high,
        case
            when standard_error > 0 then abs_lift / standard_error
        end as z_score
    from paired
),

with_p_value as (
    select
        *,
        2 * {{ normal_cdf('-abs(z_score)') }} as p_value
    from tested
),

final as (
    select
        cast(comparison_type as {{ dbt.type_string() }}) as comparison_type,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end,
        cast(baseline_n as bigint) as baseline_n,
        cast(treatment_n as bigint) as treatment_n,
        cast(baseline_value as double precision) as baseline_value,
        cast(treatment_value as double precision) as treatment_value,
        cast(abs_lift as double precision) as abs_lift,
        cast(rel_lift as double precision) as rel_lift,
        cast(ci_low as double precision) as ci_low,
        cast(ci_high as double precision) as ci_high,
        cast(z_score as double precision) as z_score,
        cast(p_value as double precision) as p_value,
        coalesce(p_value < 0.05, false) as is_significant
    from with_p_value
)

select * from final
