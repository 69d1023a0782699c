{#- Assigning rows to periods: ISO weeks (Monday) and calendar months. Arguments: macros/_macros__periods.yml. -#}

{% macro period_start(grain, timestamp_expr) -%}
    {#- First day (a date) of the ISO week (Monday) or calendar month holding timestamp_expr. -#}
    {%- if grain not in ('week', 'month') -%}
        {{ exceptions.raise_compiler_error("period_start: grain must be 'week' or 'month', got '" ~ grain ~ "'") }}
    {%- endif -%}
    cast({{ dbt.date_trunc(grain, timestamp_expr) }} as date)
{%- endmacro %}


{% macro expand_to_periods(relation, time_col) -%}
    {#- Every row of relation twice: with its ISO week, then with its month. Rows with a null time_col are dropped. -#}
    {%- for grain in ['week', 'month'] %}
    select
        cast('{{ grain }}' as {{ dbt.type_string() }}) as period_grain,
        {{ period_start(grain, time_col) }} as period_start,
        {{ relation }}.*
    from {{ relation }}
    where {{ time_col }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro stack_periods(relation, week_start='week_start', month_start='month_start') -%}
    {#- Every row of relation twice: as its week (week_start), then as its month (month_start); the periods were assigned upstream. -#}
    {%- for grain, start in [('week', week_start), ('month', month_start)] %}
    select
        cast('{{ grain }}' as {{ dbt.type_string() }}) as period_grain,
        {{ start }} as period_start,
        {{ relation }}.*
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
