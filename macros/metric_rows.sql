{#-
    The long format every metric family hands to ops_metrics (docs/DESIGN.md,
    "Metric families"): metric_key, period_grain, period_start, segment_type,
    segment_value, value, numerator, denominator.
-#}

{% macro metric_row(
    metric_key,
    from,
    value=none,
    numerator=none,
    denominator=none,
    where=none,
    period_grain='period_grain',
    segment_type='segment_type',
    segment_value='segment_value'
) -%}
    {#-
        One select of a metric's rows from a CTE already grouped by period and
        segment. A quotient metric passes numerator and denominator (value is
        numerator / denominator, null when the denominator is 0); any other
        metric passes value and gets null numerator and denominator.
    -#}
    {%- if value is none and (numerator is none or denominator is none) -%}
        {{ exceptions.raise_compiler_error(
            "metric_row(" ~ metric_key ~ "): pass value, or numerator and denominator"
        ) }}
    {%- endif -%}
    {%- set numerator_sql = 'cast(' ~ numerator ~ ' as double precision)'
        if numerator is not none else 'cast(null as double precision)' -%}
    {%- set denominator_sql = 'cast(' ~ denominator ~ ' as double precision)'
        if denominator is not none else 'cast(null as double precision)' -%}
    select
        '{{ metric_key }}' as metric_key,
        {{ period_grain }} as period_grain,
        period_start,
        {{ segment_type }} as segment_type,
        {{ segment_value }} as segment_value,
        {% if value is not none -%}
        cast({{ value }} as double precision) as value,
        {%- else -%}
        {{ numerator_sql }} / nullif({{ denominator_sql }}, 0) as value,
        {%- endif %}
        {{ numerator_sql }} as numerator,
        {{ denominator_sql }} as denominator
    from {{ from }}
    {%- if where is not none %}
    where {{ where }}
    {%- endif %}
{%- endmacro %}


{% macro metric_family_columns() -%}
    {#- The typed column list of a metric family's final select. -#}
    cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(period_grain as {{ dbt.type_string() }}) as period_grain,
        cast(period_start as date) as period_start,
        cast(segment_type as {{ dbt.type_string() }}) as segment_type,
        cast(segment_value as {{ dbt.type_string() }}) as segment_value,
        cast(value as double precision) as value,
        cast(numerator as double precision) as numerator,
        cast(denominator as double precision) as denominator
{%- endmacro %}
