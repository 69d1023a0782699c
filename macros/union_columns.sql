{% macro union_columns(relations, columns) -%}
    {#- The same columns from each relation, stacked with `union all` (plain SQL on every target).
        Arguments: relations (CTE or relation names), columns (names, in output order). -#}
    {%- for relation in relations %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        {{ columns | join(',\n        ') }}
    from {{ relation }}
    {%- endfor %}
{%- endmacro %}
