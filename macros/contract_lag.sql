{#- A column's value n review periods earlier in the same outcome contract (initiative_scorecard). Arguments: macros/_macros__target_status.yml. -#}

{% macro contract_lag(column, n) -%}
    lag({{ column }}, {{ n }}) over (
        partition by initiative_id, metric_key, segment_type, segment_value
        order by period_start
    )
{%- endmacro %}
