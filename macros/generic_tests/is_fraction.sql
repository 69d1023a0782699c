{% test is_fraction(model, column_name) %}
{#- Fails on every row whose column lies outside [0, 1] (nulls pass). -#}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} < 0 or {{ column_name }} > 1
{% endtest %}
