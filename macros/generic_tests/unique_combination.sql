{% test unique_combination(model, combination_of_columns) %}
{#-
    Fails once per combination of the given columns that occurs on more than
    one row (the grain check of a long-format table). Null values are compared
    as values: two rows with the same nulls count as a duplicate.
-#}
{%- set columns_csv = combination_of_columns | join(', ') -%}
select
    {{ combination_of_columns | join(',\n    ') }},
    count(*) as n_rows
from {{ model }}
group by {{ columns_csv }}
having count(*) > 1
{% endtest %}
