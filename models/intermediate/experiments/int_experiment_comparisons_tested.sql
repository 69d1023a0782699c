{#-
    One row per comparison, metric and segment of experiment_comparison with
    every statistic but the Holm adjustment (CONTRACT.md section 3): the
    lift treatment - baseline, its standard error sqrt(se_b^2 + se_t^2), the
    95% interval (z = 1.959964), z score, two-sided normal p-value
    2 Phi(-|z|), the minimum detectable effect and the sample-ratio-mismatch
    p-value. Segment rows need both arms (an arm's segment row exists only
    when it holds a conversation of the metric's population).
-#}
{%- set share = var('expected_treatment_share') | float -%}
{%- if not (0 < share < 1) -%}
    {{ exceptions.raise_compiler_error(
        "var expected_treatment_share must lie strictly between 0 and 1 (got "
        ~ var('expected_treatment_share') ~ "): the share of conversations the"
        ~ " assignment promised to the treatment arm, e.g. 0.5"
    ) }}
{%- endif -%}
{%- set expected_share = "cast('" ~ share ~ "' as " ~ type_double() ~ ")" -%}
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
        baseline.segment_type,
        baseline.segment_value,
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
            and baseline.segment_type = treatment.segment_type
            and baseline.segment_value = treatment.segment_value
    where
        baseline.segment_type = 'overall'
        or (baseline.n >= 1 and treatment.n >= 1)
),

tested as (
    select
        *,
        {{ safe_divide('abs_lift', 'baseline_value') }} as rel_lift,
        abs_lift - 1.959964 * standard_error as ci_low,
        abs_lift + 1.959964 * standard_error as ci_high,
        -- standard_error is a square root: never negative
        {{ safe_divide('abs_lift', 'standard_error') }} as z_score,
        -- 80% power at a two-sided 5% level: (z_0.975 + z_0.80) x se
        (
            cast('1.959964' as {{ type_double() }})
            + cast('0.841621' as {{ type_double() }})
        ) * standard_error as mde_abs,
        -- the treatment share of the row's units against the promised share
        case
            when
                comparison_type = 'control_vs_treatment'
                and baseline_n + treatment_n > 0
                then (
                    cast(treatment_n as {{ type_double() }})
                    / (baseline_n + treatment_n)
                    - {{ expected_share }}
                ) / sqrt(
                    {{ expected_share }} * (1 - {{ expected_share }})
                    / (baseline_n + treatment_n)
                )
        end as srm_z_score
    from paired
),

with_p_values as (
    select
        *,
        {{ two_sided_p_value('z_score') }} as p_value,
        {{ two_sided_p_value('srm_z_score') }} as srm_p_value
    from tested
),

final as (
    select
        -- strings
        cast(comparison_type as {{ dbt.type_string() }}) as comparison_type,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        -- numerics
        cast(baseline_n as bigint) as baseline_n,
        cast(treatment_n as bigint) as treatment_n,
        cast(baseline_value as {{ type_double() }}) as baseline_value,
        cast(treatment_value as {{ type_double() }}) as treatment_value,
        cast(abs_lift as {{ type_double() }}) as abs_lift,
        cast(rel_lift as {{ type_double() }}) as rel_lift,
        cast(standard_error as {{ type_double() }}) as standard_error,
        cast(ci_low as {{ type_double() }}) as ci_low,
        cast(ci_high as {{ type_double() }}) as ci_high,
        cast(z_score as {{ type_double() }}) as z_score,
        cast(p_value as {{ type_double() }}) as p_value,
        cast(mde_abs as {{ type_double() }}) as mde_abs,
        cast(srm_z_score as {{ type_double() }}) as srm_z_score,
        cast(srm_p_value as {{ type_double() }}) as srm_p_value,
        -- booleans
        coalesce(p_value < 0.05, false) as is_significant,
        -- dates
        cast(period_start as date) as period_start,
        cast(period_end as date) as period_end
    from with_p_values
)

select * from final
