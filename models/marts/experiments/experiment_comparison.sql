-- Baseline versus treatment (CONTRACT.md section 3, docs/EXPERIMENTS.md):
-- one row per comparison, metric and segment, with every statistic of
-- int_experiment_comparisons_tested and the Holm-Bonferroni adjusted p-value
-- over the family of rows sharing comparison_type and segment_type:
-- m = the family's rows (a row without p-value included, sorted last: it is
-- never rejected and keeps the correction conservative); rows sorted by
-- p_value, ties by metric_key then segment_value; adjusted p(i) = max over
-- j <= i of min(1, (m - j + 1) p(j)). Tied p-values get the same adjusted
-- value whatever their order.
with

tested as (
    select * from {{ ref('int_experiment_comparisons_tested') }}
),

holm_ranked as (
    select
        *,
        row_number() over (
            partition by comparison_type, segment_type
            order by p_value asc nulls last, metric_key asc, segment_value asc
        ) as holm_rank,
        count(*) over (
            partition by comparison_type, segment_type
        ) as holm_family_size
    from tested
),

holm_steps as (
    select
        *,
        least(
            cast(1 as {{ type_double() }}),
            (holm_family_size - holm_rank + 1) * p_value
        ) as holm_step
    from holm_ranked
),

holm_adjusted as (
    select
        *,
        case
            when p_value is not null
                then max(holm_step) over (
                    partition by comparison_type, segment_type
                    order by holm_rank
                    rows between unbounded preceding and current row
                )
        end as p_value_adjusted
    from holm_steps
),

final as (
    -- in the contract's column order; int_experiment_comparisons_tested
    -- already types every column but the adjusted p-value
    select
        comparison_type,
        metric_key,
        period_start,
        period_end,
        baseline_n,
        treatment_n,
        baseline_value,
        treatment_value,
        abs_lift,
        rel_lift,
        ci_low,
        ci_high,
        z_score,
        p_value,
        is_significant,
        -- version 2: segment rows and the statistics a reviewer asks for
        segment_type,
        segment_value,
        cast(p_value_adjusted as {{ type_double() }}) as p_value_adjusted,
        mde_abs,
        srm_p_value
    from holm_adjusted
)

select * from final
