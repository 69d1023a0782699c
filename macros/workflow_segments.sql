{#- Overall and workflow segment rows of a metric population already expanded to periods. Arguments: macros/_macros__workflow_segments.yml. -#}

{% macro workflow_segment_grouping_sets(workflow='workflow') -%}
    {#- `group by` target: each period alone (overall) and each period with its workflow. -#}
    grouping sets (
        (period_grain, period_start),
        (period_grain, period_start, {{ workflow }})
    )
{%- endmacro %}


{% macro workflow_segment_columns(workflow='workflow') -%}
    {#- segment_type and segment_value of a row grouped by workflow_segment_grouping_sets. -#}
    case
            when grouping({{ workflow }}) = 0 then 'workflow' else 'overall'
        end as segment_type,
        case
            when grouping({{ workflow }}) = 0 then {{ workflow }} else 'all'
        end as segment_value
{%- endmacro %}


{% macro workflow_segment_having(workflow='workflow') -%}
    {#- `having` condition: a workflow row needs a workflow (null-workflow rows count in overall only). -#}
    grouping({{ workflow }}) = 1 or {{ workflow }} is not null
{%- endmacro %}
