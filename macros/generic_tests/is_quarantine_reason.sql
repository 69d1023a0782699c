{% test is_quarantine_reason(model, column_name, values) %}
{#-
    Fails on every non-null reason that is neither one of `values` (the model's own rules) nor a
    bad-cell reason of read_raw_columns: `bad_<kind>:<column>` (kind number, integer, timestamp,
    date or boolean).
-#}
select {{ column_name }} as failing_value
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in ({% for value in values %}{{ quote_text(value) }}{{ ', ' if not loop.last }}{% endfor %})
    and not {{ regex_full_match(column_name, '^bad_(number|integer|timestamp|date|boolean):[a-z_]+$') }}
{% endtest %}
