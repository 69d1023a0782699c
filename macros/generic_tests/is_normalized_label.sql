{% test is_normalized_label(model, column_name, lowercase=false) %}
{#- Fails on every blank or untrimmed value (and, with lowercase, one with upper case); nulls pass. -#}
select {{ column_name }} as failing_value
from {{ model }}
where
    {{ column_name }} <> trim({{ column_name }})
    or {{ column_name }} = ''
    {%- if lowercase %}
    or {{ column_name }} <> lower({{ column_name }})
    {%- endif %}
{% endtest %}
