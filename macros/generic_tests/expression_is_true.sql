{% test expression_is_true(model, expression, column_name=none, where_clause=none) %}
{#-
    Fails on every row where the SQL expression is not true (false or null).
    With column_name, the expression is applied to that column:
    `expression: ">= 0"` tests `<column> >= 0`. where_clause limits the rows checked.
-#}
select *
from {{ model }}
where
    not coalesce(({{ column_name ~ ' ' if column_name else '' }}{{ expression }}), false)
{%- if where_clause %}
    and ({{ where_clause }})
{%- endif %}
{% endtest %}
