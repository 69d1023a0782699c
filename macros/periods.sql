{% macro period_start(grain, timestamp_expr) -%}
    {#- First day (a date) of the ISO week (Monday) or calendar month holding timestamp_expr. -#}
    {%- if grain not in ('week', 'month') -%}
        {{ exceptions.raise_compiler_error("period_start: grain must be 'week' or 'month', got '" ~ grain ~ "'") }}
    {%- endif -%}
    cast({{ dbt.date_trunc(grain, timestamp_expr) }} as date)
{%- endmacro %}
