{% macro quoted_list(values) -%}
    {#- A Jinja list of strings as the SQL text of an `in (...)` list: 'a', 'b', 'c'. -#}
    {%- for value in values -%}
        '{{ value }}'{{ ', ' if not loop.last }}
    {%- endfor -%}
{%- endmacro %}
