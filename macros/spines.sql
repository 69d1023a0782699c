{% macro number_series(digits, column_name='n') -%}
    {#-
        A select of one integer column: every number from 0 to 10^digits - 1, once each (a
        cross join of `digits` copies of 0..9), for a spine of days, weeks or months without a
        recursive CTE or a warehouse-only function.
    -#}
    select
        {%- for place in range(digits) %}
        {{ '+ ' if not loop.first }}digit_{{ place }}.digit * {{ 10 ** (digits - 1 - place) }}
        {%- endfor %} as {{ column_name }}
    from
    {%- for place in range(digits) %}
        {{ 'cross join ' if not loop.first }}(
            values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)
        ) as digit_{{ place }} (digit)
    {%- endfor %}
{%- endmacro %}
