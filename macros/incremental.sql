{% macro incremental_watermark(column='loaded_at', relation=none) -%}
    {#-
        The newest `column` already in the incremental model (`this` unless `relation` is
        given), or 1900-01-01 when it holds no row yet: `column > watermark` selects the new rows.
    -#}
    coalesce(
        (
            select max(stored_rows.{{ column }})
            from {{ relation if relation is not none else this }} as stored_rows
        ),
        cast('1900-01-01 00:00:00' as timestamp)
    )
{%- endmacro %}

{% macro last_run_cte(watermark_column='loaded_at') -%}
    {#-
        A one-row CTE `last_run` holding the incremental model's watermark (the newest
        `watermark_column` in `this`), so that a model testing many inputs against it reads
        `this` once.
    -#}
    last_run as (
        select {{ incremental_watermark(watermark_column) }} as watermark
    )
{%- endmacro %}

{% macro rows_of_refreshed_periods(timestamp_expr='occurred_at') -%}
    {#-
        On an incremental run, a where clause keeping the rows whose ISO week or month (of
        `timestamp_expr`) is in the model's `refreshed_periods` CTE (week_start, month_start);
        on a full build, nothing.
    -#}
    {%- if is_incremental() %}
    where
        {{ period_start('week', timestamp_expr) }}
        in (select refreshed_periods.week_start from refreshed_periods)
        or {{ period_start('month', timestamp_expr) }}
        in (select refreshed_periods.month_start from refreshed_periods)
    {%- endif %}
{%- endmacro %}
