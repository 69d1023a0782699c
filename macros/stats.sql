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


{% macro median(expr) -%}
    {{ return(adapter.dispatch('median', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__median(expr) -%}
    {{ ai_ops.percentile_cont(expr, 0.5) }}
{%- endmacro %}
