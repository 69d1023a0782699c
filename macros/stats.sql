{#-
    Cross-database statistics.
    CONTRACT.md: a "percentile" is the continuous one with linear interpolation
    (DuckDB quantile_cont, Postgres percentile_cont ... within group); a
    "median" is the 0.5 continuous percentile. Both are aggregate expressions:
    use them in a select with a group by. Nulls are ignored; an empty group
    gives null.
-#}

{% macro percentile_cont(expr, p) -%}
    {{ return(adapter.dispatch('percentile_cont', 'ai_ops')(expr, p)) }}
{%- endmacro %}

{% macro default__percentile_cont(expr, p) -%}
    percentile_cont({{ p }}) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__percentile_cont(expr, p) -%}
    quantile_cont({{ expr }}, {{ p }})
{%- endmacro %}


{% macro spark__percentile_cont(expr, p) -%}
    {#- Spark's percentile() interpolates linearly between the closest ranks, like percentile_cont -#}
    percentile({{ expr }}, {{ p }})
{%- endmacro %}


{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    {{ ai_ops.percentile_cont(expr, 0.5) }}
{%- endmacro %}


{#-
    Two-sided normal p-value 2 Phi(-|z|) of a z-score expression (null in,
    null out); the lower tail keeps its relative precision for large |z|.
-#}
{% macro two_sided_p_value(z) -%}
    2 * {{ ai_ops.normal_cdf('-abs(' ~ z ~ ')') }}
{%- endmacro %}


{#-
    Squared standard error of a ratio of two per-unit means c_mean / k_mean
    by the delta method (CONTRACT.md, cost_per_successful_outcome):
    (var(c) / k^2 - 2 c cov(c, k) / k^3 + c^2 var(k) / k^4) / n, with sample
    (n - 1) variances and covariance. Arguments are SQL expressions; null
    when k_mean is 0 or null, or when a variance is null (n = 1).
-#}
{% macro ratio_squared_standard_error(
    n,
    numerator_mean,
    denominator_mean,
    numerator_variance,
    denominator_variance,
    covariance
) -%}
    case
        when {{ denominator_mean }} <> 0
            then (
                {{ numerator_variance }}
                / ({{ denominator_mean }} * {{ denominator_mean }})
                - 2 * {{ numerator_mean }} * {{ covariance }}
                / ({{ denominator_mean }} * {{ denominator_mean }}
                    * {{ denominator_mean }})
                + {{ numerator_mean }} * {{ numerator_mean }}
                * {{ denominator_variance }}
                / ({{ denominator_mean }} * {{ denominator_mean }}
                    * {{ denominator_mean }} * {{ denominator_mean }})
            ) / {{ n }}
    end
{%- endmacro %}


{#-
    numerator / denominator as double precision, null when the denominator is
    0 or null (a rate, a z-score or a progress with nothing to divide by).
-#}
{% macro safe_divide(numerator, denominator) -%}
    cast({{ numerator }} as {{ type_double() }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
