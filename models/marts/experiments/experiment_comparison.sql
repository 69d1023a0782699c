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
            cast(1 as double precision),
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
        is_significant,
        -- version 2: segment rows and the statistics a reviewer asks for
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(p_value_adjusted as double precision) as p_value_adjusted,
        cast(mde_abs as double precision) as mde_abs,
        cast(srm_p_value as double precision) as srm_p_value
    from holm_adjusted
)

select * from final
