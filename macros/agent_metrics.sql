{#-
    Row builders for the long-format metric families (int_metrics__agents_ops,
    int_metrics__governance). Each emits the family columns
    metric_key, period_grain, period_start, segment_type, segment_value,
    value, numerator, denominator
    for the week AND month grains, overall segment only.

    time_col: the timestamp that assigns a row to a period. Pass none when the
    relation is already bucketed (has period_grain and period_start columns,
    e.g. built with expand_to_periods or taken from the period spine).
-#}

{% macro expand_to_periods(relation, time_col) -%}
    {#- Every row of relation twice: once with its ISO week, once with its month. Rows with a null time_col are dropped. -#}
    {%- for grain in ['week', 'month'] %}
    select
        cast('{{ grain }}' as text) as period_grain,
        {{ period_start(grain, time_col) }} as period_start,
        {{ relation }}.*
    from {{ relation }}
    where {{ time_col }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{% macro _periodized_relation(relation, time_col) -%}
    {%- if time_col is none -%}
        {{ relation }} as periodized
    {%- else -%}
        (
            {{ expand_to_periods(relation, time_col) }}
        ) as periodized
    {%- endif -%}
{%- endmacro %}


{% macro ratio_metric_rows(relation, metric_key, time_col, numerator_condition, denominator_condition='true', scale=1) -%}
    {#-
        value = count(rows meeting numerator_condition) * scale
                / count(rows meeting denominator_condition),
        per period of time_col; null when the denominator is 0. The numerator
        condition must include the denominator condition where the numerator
        is a subset of the denominator (the macro does not AND them, so that
        numerator and denominator can come from different row kinds).
    -#}
    select
        metric_key,
        period_grain,
        period_start,
        segment_type,
        segment_value,
        case
            when denominator = 0 then null
            else numerator * {{ scale }} / denominator
        end as value,
        numerator,
        denominator
    from (
        select
            cast('{{ metric_key }}' as text) as metric_key,
            periodized.period_grain,
            periodized.period_start,
            cast('overall' as text) as segment_type,
            cast('all' as text) as segment_value,
            cast(
                sum(case when ({{ numerator_condition }}) then 1 else 0 end)
                as double precision
            ) as numerator,
            cast(
                sum(case when ({{ denominator_condition }}) then 1 else 0 end)
                as double precision
            ) as denominator
        from {{ _periodized_relation(relation, time_col) }}
        group by periodized.period_grain, periodized.period_start
    ) as {{ metric_key }}_counts
{%- endmacro %}


{% macro aggregate_metric_rows(relation, metric_key, time_col, value_expr, aggregate='mean') -%}
    {#-
        value = mean (aggregate='mean') or median (aggregate='median') of
        value_expr per period of time_col, over rows where value_expr is not
        null (a period whose values are all null has no row);
        numerator and denominator are null.
    -#}
    {%- if aggregate not in ('mean', 'median') -%}
        {{ exceptions.raise_compiler_error("aggregate_metric_rows: aggregate must be 'mean' or 'median', got '" ~ aggregate ~ "'") }}
    {%- endif %}
    select
        cast('{{ metric_key }}' as text) as metric_key,
        periodized.period_grain,
        periodized.period_start,
        cast('overall' as text) as segment_type,
        cast('all' as text) as segment_value,
        cast(
            {%- if aggregate == 'mean' %}
            avg({{ value_expr }})
            {%- else %}
            {{ median(value_expr) }}
            {%- endif %}
            as double precision
        ) as value,
        cast(null as double precision) as numerator,
        cast(null as double precision) as denominator
    from {{ _periodized_relation(relation, time_col) }}
    where ({{ value_expr }}) is not null
    group by periodized.period_grain, periodized.period_start
{%- endmacro %}
