{% macro load_slice(grain, loaded_at='loaded_at') -%}
    {#-
        The load day or minute of a row, the unit unprocessed_raw_rows() counts rows by; a null
        loaded_at falls in the 1900-01-01 slice, so that it is counted too.
    -#}
    coalesce(
        cast({{ dbt.date_trunc(grain, loaded_at) }} as timestamp),
        cast('1900-01-01 00:00:00' as timestamp)
    )
{%- endmacro %}

{% macro raw_loaded_at(relation) -%}
    {#-
        The relation's loaded_at as a timestamp: as it is when it landed as one, else read through
        the cast that cannot fail (null when unreadable, the 1900-01-01 slice of load_slice).
    -#}
    {{- raw_cell_cast('loaded_at', 'timestamp', landed_column_types(relation).get('loaded_at')).value -}}
{%- endmacro %}

{% macro select_list(alias, columns) -%}
    {#- `select` of the alias's columns: one on the select line, several one per line (LT09). -#}
    {%- if columns | length == 1 -%}
        select {{ alias }}.{{ columns[0] }}
    {%- else -%}
        select
        {%- for column in columns %}
        {{ alias }}.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{% macro slice_counts(relation, grain, where='', key=none) -%}
    {#- Rows of `relation` per `grain` load slice (and per `key`, when given), limited by `where`. -#}
    select
        {%- if key %}
        {{ key }},
        {%- endif %}
        {{ load_slice(grain) }} as load_slice,
        count(*) as n_rows
    from {{ relation }}
    {{ where }}
    group by {% if key %}{{ key }}, {% endif %}{{ load_slice(grain) }}
{%- endmacro %}

{% macro count_mismatch(raw_relation, grain, where='', key=none) -%}
    {#-
        The `grain` load slices (day or minute; with `key`, the (key, slice) pairs) whose row
        count in `raw_relation` differs from the count in `this`, both limited by `where`. A raw
        slice absent from `this` counts as a mismatch.
    -#}
    {%- set columns = ([key] if key else []) + ['load_slice'] -%}
    {{ select_list('raw_slices', columns) }}
    from ({{ slice_counts(raw_relation, grain, where, key) }}) as raw_slices
    left join ({{ slice_counts(this, grain, where, key) }}) as processed_slices
        on
        {%- for column in columns %}
            {{ 'and ' if not loop.first }}raw_slices.{{ column }} = processed_slices.{{ column }}
        {%- endfor %}
    where
        processed_slices.n_rows is null
        or raw_slices.n_rows <> processed_slices.n_rows
{%- endmacro %}

{% macro unprocessed_raw_rows(raw_relation, columns, key='event_id') -%}
    {#-
        The raw rows an incremental run must (re)process, whatever order loads arrive in (docs/
        INCREMENTAL.md): every raw row of each `key` that has a raw row not yet in `this`, plus
        the keyless raw rows not yet in `this`. `this` must hold exactly one row per processed raw
        row, with the raw `columns` (keyless rows with all of them) and be rewritten by `key`
        (delete+insert), so a key's rows are always processed together.

        No trust in loaded_at order: it compares row counts per load day, then per load minute
        inside the mismatching days, then per key inside the mismatching minutes; only those keys'
        rows are read in full. When nothing is new, the run reads two per-day counts and stops.
        A full build reads every raw row.
    -#}
    {%- set day_filter -%}
        where {{ load_slice('day') }} in (select changed_days.load_slice from changed_days)
    {%- endset -%}
    {%- set minute_filter -%}
        where {{ load_slice('minute') }} in (select changed_minutes.load_slice from changed_minutes)
    {%- endset -%}
    {%- set column_list = columns | join(',\n        ') -%}
    {%- if is_incremental() %}
    {%- set landed_loaded_at = landed_column_types(raw_relation).get('loaded_at') -%}
    {%- if landed_loaded_at is not none
        and type_family(landed_loaded_at) not in ('timestamp', 'timestamp-like') -%}
        {#- the load slices are computed on the raw column: a text loaded_at cannot be sliced -#}
        {{ exceptions.raise_compiler_error(
            'unprocessed_raw_rows: ' ~ raw_relation ~ '.loaded_at is landed as ' ~ landed_loaded_at
            ~ ', not a timestamp; incremental runs count raw rows per load day by it. Land loaded_at'
            ~ ' as a timestamp (every other column may stay text), or build this model with'
            ~ ' --full-refresh (docs/INCREMENTAL.md, "Limits").') }}
    {%- endif %}
    with

    changed_days as (
        {{ count_mismatch(raw_relation, 'day') }}
    ),

    changed_minutes as (
        {{ count_mismatch(raw_relation, 'minute', day_filter) }}
    ),

    -- keys whose raw row count in a mismatching minute differs from their processed count
    changed_keys as (
        {{ count_mismatch(raw_relation, 'minute', minute_filter ~ ' and ' ~ key ~ ' is not null', key) }}
    ),

    -- rows without a key cannot be rewritten by key: the ones not in `this` yet (a multiset
    -- difference on every raw column, inside the mismatching minutes)
    unprocessed_keyless as (
        select
            {{ columns | join(',\n            ') }}
        from {{ raw_relation }}
        {{ minute_filter }} and {{ key }} is null
        except all
        select
            {{ columns | join(',\n            ') }}
        from {{ this }}
        {{ minute_filter }} and {{ key }} is null
    )

    select
        {{ column_list }}
    from {{ raw_relation }}
    where {{ key }} in (select changed_keys.{{ key }} from changed_keys)
    union all
    select
        {{ column_list }}
    from unprocessed_keyless
    {%- else %}
    select
        {{ column_list }}
    from {{ raw_relation }}
    {%- endif %}
{%- endmacro %}

{% macro processed_at() -%}
    {#- The time this run started: the `processed_at` of every row an incremental model writes. -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp)
{%- endmacro %}

{% macro processed_ai_events_since(watermark_column, columns=['event_id']) -%}
    {#-
        The `columns` of every int_ai_event_changes row (all copies, valid or not) processed
        after the newest `watermark_column` stored in `this`: what a model downstream of the
        events must recompute. Every row of a reprocessed event_id carries the new processed_at,
        so the old copy's conversation and period come back too when a backfilled copy wins.
    -#}
    {{ select_list('ai_event_changes', columns) }}
    from {{ ref('int_ai_event_changes') }} as ai_event_changes
    where ai_event_changes.processed_at > {{ incremental_watermark(watermark_column) }}
{%- endmacro %}
