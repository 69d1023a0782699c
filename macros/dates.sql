{#-
    Cross-database date and time arithmetic (CONTRACT.md: durations are
    fractional, hours = seconds / 3600, days = seconds / 86400).
-#}

{#- Fractional seconds from start_expr to end_expr (double precision; negative when end < start; null if either is null).
    Both are cast to timestamp, so dates work too (midnight). Not for timestamptz. -#}
{% macro seconds_between(start_expr, end_expr) -%}
    {{ return(adapter.dispatch('seconds_between', 'ai_ops')(start_expr, end_expr)) }}
{%- endmacro %}

{% macro default__seconds_between(start_expr, end_expr) -%}
    cast(extract(epoch from (cast({{ end_expr }} as timestamp) - cast({{ start_expr }} as timestamp))) as {{ type_double() }})
{%- endmacro %}

{% macro spark__seconds_between(start_expr, end_expr) -%}
    (cast(unix_micros(cast({{ end_expr }} as timestamp)) - unix_micros(cast({{ start_expr }} as timestamp)) as double) / 1000000.0)
{%- endmacro %}

{% macro duckdb__seconds_between(start_expr, end_expr) -%}
    (cast(epoch_us(cast({{ end_expr }} as timestamp)) - epoch_us(cast({{ start_expr }} as timestamp)) as double) / 1000000.0)
{%- endmacro %}


{#- Fractional minutes / hours / days between two timestamps (seconds_between divided). -#}
{% macro minutes_between(start_expr, end_expr) -%}
    ({{ ai_ops.seconds_between(start_expr, end_expr) }} / 60.0)
{%- endmacro %}

{% macro hours_between(start_expr, end_expr) -%}
    ({{ ai_ops.seconds_between(start_expr, end_expr) }} / 3600.0)
{%- endmacro %}

{% macro days_between(start_expr, end_expr) -%}
    ({{ ai_ops.seconds_between(start_expr, end_expr) }} / 86400.0)
{%- endmacro %}


{#- timestamp_expr plus days_expr whole days (an integer expression); the result is a timestamp. -#}
{% macro add_days(timestamp_expr, days_expr) -%}
    {{ return(adapter.dispatch('add_days', 'ai_ops')(timestamp_expr, days_expr)) }}
{%- endmacro %}

{% macro default__add_days(timestamp_expr, days_expr) -%}
    (cast({{ timestamp_expr }} as timestamp) + cast({{ days_expr }} as integer) * interval '1 day')
{%- endmacro %}

{% macro spark__add_days(timestamp_expr, days_expr) -%}
    timestampadd(day, cast({{ days_expr }} as integer), cast({{ timestamp_expr }} as timestamp))
{%- endmacro %}

{% macro duckdb__add_days(timestamp_expr, days_expr) -%}
    (cast({{ timestamp_expr }} as timestamp) + to_days(cast({{ days_expr }} as integer)))
{%- endmacro %}


{#- Number of calendar days in the period starting at period_start_expr (a date): 7 for 'week', the month's length for 'month'. -#}
{% macro days_in_period(grain, period_start_expr) -%}
    {%- if grain not in ('week', 'month') -%}
        {{ exceptions.raise_compiler_error("days_in_period: grain must be 'week' or 'month', got '" ~ grain ~ "'") }}
    {%- endif -%}
    {{ return(adapter.dispatch('days_in_period', 'ai_ops')(grain, period_start_expr)) }}
{%- endmacro %}

{% macro default__days_in_period(grain, period_start_expr) -%}
    {%- if grain == 'week' -%}
        7
    {%- else -%}
        cast(extract(day from (date_trunc('month', cast({{ period_start_expr }} as date)) + interval '1 month' - interval '1 day')) as integer)
    {%- endif -%}
{%- endmacro %}

{% macro spark__days_in_period(grain, period_start_expr) -%}
    {{ ai_ops.duckdb__days_in_period(grain, period_start_expr) }}
{%- endmacro %}

{% macro duckdb__days_in_period(grain, period_start_expr) -%}
    {%- if grain == 'week' -%}
        7
    {%- else -%}
        cast(day(last_day(cast({{ period_start_expr }} as date))) as integer)
    {%- endif -%}
{%- endmacro %}


{#- timestamp_expr plus microseconds_expr microseconds (an integer expression). -#}
{% macro add_microseconds(timestamp_expr, microseconds_expr) -%}
    {{ return(adapter.dispatch('add_microseconds', 'ai_ops')(timestamp_expr, microseconds_expr)) }}
{%- endmacro %}

{% macro default__add_microseconds(timestamp_expr, microseconds_expr) -%}
    (cast({{ timestamp_expr }} as timestamp) + cast({{ microseconds_expr }} as bigint) * interval '1 microsecond')
{%- endmacro %}

{% macro duckdb__add_microseconds(timestamp_expr, microseconds_expr) -%}
    (cast({{ timestamp_expr }} as timestamp) + to_microseconds(cast({{ microseconds_expr }} as bigint)))
{%- endmacro %}
