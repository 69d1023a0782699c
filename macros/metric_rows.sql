{#-
    Metric rows: the long format every metric model hands to ops_metrics
    (metric_key, period_grain, period_start, segment_type, segment_value,
    value, numerator, denominator). A metric model groups its population by
    period (and segment) in a CTE, then writes one CTE per metric key that
    calls metric_row on it. Arguments: macros/_macros__metric_rows.yml.
-#}

{% macro select_as(expression, name) -%}
    {#- `expression as name`, or just `name` when the expression is that column (no self-alias). -#}
    {{ expression }}{% if expression != name %} as {{ name }}{% endif %}
{%- endmacro %}


{% macro metric_row(
    metric_key,
    from,
    value=none,
    numerator=none,
    denominator=none,
    scale=1,
    where=none,
    period_grain='period_grain',
    segment_type='segment_type',
    segment_value='segment_value'
) -%}
    {#- One select of a metric's rows from a CTE grouped by period and segment. -#}
    {%- if value is none and (numerator is none or denominator is none) -%}
        {{ exceptions.raise_compiler_error(
            "metric_row(" ~ metric_key ~ "): pass value, or numerator and denominator"
        ) }}
    {%- endif -%}
    select
        '{{ metric_key }}' as metric_key,
        {{ select_as(period_grain, 'period_grain') }},
        period_start,
        {{ select_as(segment_type, 'segment_type') }},
        {{ select_as(segment_value, 'segment_value') }},
        {% if value is not none -%}
        cast({{ value }} as {{ type_double() }}) as value,
        {%- else -%}
        cast({{ numerator }} as {{ type_double() }}){% if scale != 1 %} * {{ scale }}{% endif %}
        / nullif(cast({{ denominator }} as {{ type_double() }}), 0) as value,
        {%- endif %}
        cast({{ numerator if numerator is not none else 'null' }} as {{ type_double() }})
            as numerator,
        cast({{ denominator if denominator is not none else 'null' }} as {{ type_double() }})
            as denominator
    from {{ from }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}


{% macro metric_family_columns() -%}
    {#- The typed column list of a metric model's final select. -#}
    cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(value as {{ type_double() }}) as value,
        cast(numerator as {{ type_double() }}) as numerator,
        cast(denominator as {{ type_double() }}) as denominator
{%- endmacro %}


{% macro metric_segments() -%}
    {#- The segment columns of the segmented metric keys (catalog segment_types besides overall). -#}
    {{ return(['workflow', 'model_version', 'prompt_version', 'feature_flag_state']) }}
{%- endmacro %}


{% macro period_segment_rollup(from, measures, time_column=none, segments=[], overall=true) -%}
    {#- measures of `from` per week and month of time_column (or its own period columns): overall, and per segment column. -#}
    {%- if not segments and not overall -%}
        {{ exceptions.raise_compiler_error("period_segment_rollup(" ~ from ~ "): no segments and overall=false leave no rows") }}
    {%- endif %}
    select
        period_grain,
        period_start,
        {%- if segments %}
        case
            {%- for segment in segments %}
            when grouping({{ segment }}) = 0 then '{{ segment }}'
            {%- endfor %}
            else 'overall'
        end as segment_type,
        case
            {%- for segment in segments %}
            when grouping({{ segment }}) = 0 then {{ segment }}
            {%- endfor %}
            else 'all'
        end as segment_value,
        {%- else %}
        'overall' as segment_type,
        'all' as segment_value,
        {%- endif %}
        {%- for name, expression in measures.items() %}
        {{ expression }} as {{ name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    {%- if time_column is none %}
    from {{ from }}
    {%- else %}
    from ({{ expand_to_periods(from, time_column) }}) as periodized
    {%- endif %}
    {%- if segments %}
    group by grouping sets ( -- noqa: PRS
        {%- if overall %}
        (period_grain, period_start),
        {%- endif %}
        {%- for segment in segments %}
        (period_grain, period_start, {{ segment }}){% if not loop.last %},{% endif %}
        {%- endfor %}
    )
    -- a row without a segment value counts in overall only
    having
        {%- if target.type == 'spark' %}
        {#- Spark resolves a having clause over grouping sets against the select list only: the same
            condition through its columns (each grouping set holds one segment at most) #}
        segment_type = 'overall' or segment_value is not null
        {%- else %}
        {%- for segment in segments %}
        {% if not loop.first %}and {% endif %}(grouping({{ segment }}) = 1 or {{ segment }} is not null)
        {%- endfor %}
        {%- endif %}
    {%- else %}
    group by period_grain, period_start
    {%- endif %}
{%- endmacro %}


{% macro period_segment_keys(timestamp_expr) -%}
    {#- The columns period_segment_grouping_sets groups by: the ISO week and month of timestamp_expr, the four segments. -#}
    {{ period_start('week', timestamp_expr) }} as week_start,
        {{ period_start('month', timestamp_expr) }} as month_start,
        workflow,
        model_version,
        prompt_version,
        feature_flag_state
{%- endmacro %}


{% macro period_segment_grouping_sets() -%}
    {#- `group by` target: each grain alone (overall) and with each segment column. -#}
    grouping sets (
        (week_start),
        (week_start, workflow),
        (week_start, model_version),
        (week_start, prompt_version),
        (week_start, feature_flag_state),
        (month_start),
        (month_start, workflow),
        (month_start, model_version),
        (month_start, prompt_version),
        (month_start, feature_flag_state)
    )
{%- endmacro %}


{% macro period_segment_columns() -%}
    {#- period_grain, period_start, segment_type, segment_value of a row grouped by period_segment_grouping_sets. -#}
    case when grouping(week_start) = 0 then 'week' else 'month' end
            as period_grain,
        coalesce(week_start, month_start) as period_start,
        case
            when grouping(workflow) = 0 then 'workflow'
            when grouping(model_version) = 0 then 'model_version'
            when grouping(prompt_version) = 0 then 'prompt_version'
            when grouping(feature_flag_state) = 0 then 'feature_flag_state'
            else 'overall'
        end as segment_type,
        case
            when grouping(workflow) = 0 then workflow
            when grouping(model_version) = 0 then model_version
            when grouping(prompt_version) = 0 then prompt_version
            when grouping(feature_flag_state) = 0 then feature_flag_state
            else 'all'
        end as segment_value
{%- endmacro %}
