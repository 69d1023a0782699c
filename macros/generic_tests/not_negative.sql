{% test not_negative(model, column_name) %}
{#- Fails on every row whose column is below zero (nulls pass). -#}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} < 0
{% endtest %}
