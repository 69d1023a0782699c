{% test contains_values(model, column_name, values) %}
{#- Fails with one row per listed value that no row of the column holds (the reverse of accepted_values). -#}
with expected as (
    {%- for value in values %}
    select {{ quote_text(value) }} as expected_value
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

present as (
    select distinct cast({{ column_name }} as {{ dbt.type_string() }}) as present_value
    from {{ model }}
)

select expected.expected_value as missing_value
from expected
left join present
    on expected.expected_value = present.present_value
where present.present_value is null
{% endtest %}
