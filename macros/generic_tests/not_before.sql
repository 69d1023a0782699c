{% test not_before(model, column_name, other_column) %}
{#- Fails on every row where column_name is earlier than other_column (nulls pass). -#}
select
    {{ column_name }} as failing_value,
    {{ other_column }} as other_value
from {{ model }}
where {{ column_name }} < {{ other_column }}
{% endtest %}
