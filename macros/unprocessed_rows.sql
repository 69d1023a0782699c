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
        The relation's loaded_at as a timestamp: as it is when it landed as one (or its type cannot
        be known), else read through the cast that cannot fail (null when unreadable, the
        1900-01-01 slice of load_slice).
    -#}
    {%- set landed = landed_column_types(relation).get('loaded_at') -%}
    {%- if landed is none -%}
        {#- unknown (parsing, a unit test's fixture, typed like the real table): the column -#}
        loaded_at
    {%- else -%}
        {{- raw_cell_cast('loaded_at', 'timestamp', landed).value -}}
    {%- endif -%}
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
    {#-
        Rows of `relation` per `grain` load slice (and per `key`, when given), limited by `where`;
        loaded_at read through raw_loaded_at, so a raw table landed as text counts like the
        timestamps base_telemetry__ai_events stores.
    -#}
    select
        {%- if key %}
        {{ key }},
        {%- endif %}
        {{ load_slice(grain, raw_loaded_at(relation)) }} as load_slice,
        count(*) as n_rows
    from {{ relation }}
    {{ where }}
    group by {% if key %}{{ key }}, {% endif %}{{ load_slice(grain, raw_loaded_at(relation)) }}
{%- endmacro %}

{% macro slice_filter(relation, grain, slices_cte) -%}
    {#- `where` the relation's rows fall in a load slice listed by the `slices_cte` CTE. -#}
    where {{ load_slice(grain, raw_loaded_at(relation)) }} in (select {{ slices_cte }}.load_slice from {{ slices_cte }})
{%- endmacro %}

{% macro count_mismatch(raw_relation, grain, filter_cte=none, filter_grain=none, key=none) -%}
    {#-
        The `grain` load slices (day or minute; with `key`, the (key, slice) pairs) whose row
        count in `raw_relation` differs from the count in `this`, both limited to the
        `filter_grain` slices listed by the `filter_cte` CTE when given. A raw slice absent from `this` counts as
        a mismatch.
    -#}
    {%- set columns = ([key] if key else []) + ['load_slice'] -%}
    {%- set raw_where = slice_filter(raw_relation, filter_grain, filter_cte) if filter_cte else '' -%}
    {%- set this_where = slice_filter(this, filter_grain, filter_cte) if filter_cte else '' -%}
    {%- if key -%}
        {%- set raw_where = raw_where ~ ' and ' ~ key ~ ' is not null' -%}
        {%- set this_where = this_where ~ ' and ' ~ key ~ ' is not null' -%}
    {%- endif -%}
    {{ select_list('raw_slices', columns) }}
    from ({{ slice_counts(raw_relation, grain, raw_where, key) }}) as raw_slices
    left join ({{ slice_counts(this, grain, this_where, key) }}) as processed_slices
        on
        {%- for column in columns %}
            {{ 'and ' if not loop.first }}raw_slices.{{ column }} = processed_slices.{{ column }}
        {%- endfor %}
    where
        processed_slices.n_rows is null
        or raw_slices.n_rows <> processed_slices.n_rows
{%- endmacro %}

{% macro compared_raw_values(raw_relation, columns) -%}
    {#-
        [SQL of each raw column as `this` stores it]: read through the cast that cannot fail to
        the type the column has in `this` (the column itself when the types match or either is
        unknown), so that rows of a raw table landed as text compare with the stored ones.
    -#}
    {%- set stored = landed_column_types(this) -%}
    {%- set landed = landed_column_types(raw_relation) -%}
    {%- set values = [] -%}
    {%- for column in columns -%}
        {%- set family = type_family(stored.get(column | lower)) -%}
        {%- if family is none or family == 'timestamp-like' or landed.get(column | lower) is none -%}
            {%- do values.append(column) -%}
        {%- else -%}
            {%- do values.append(raw_cell_cast(column, family, landed.get(column | lower)).value) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(values) }}
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
        A full build reads every raw row. Raw values are read through the casts staging uses
        (raw_loaded_at, compared_raw_values): a raw table landed as text works the same.
    -#}
    {%- set column_list = columns | join(',\n        ') -%}
    {%- if is_incremental() %}
    {%- set compared = compared_raw_values(raw_relation, columns) -%}
    with

    changed_days as (
        {{ count_mismatch(raw_relation, 'day') }}
    ),

    changed_minutes as (
        {{ count_mismatch(raw_relation, 'minute', 'changed_days', 'day') }}
    ),

    -- keys whose raw row count in a mismatching minute differs from their processed count
    changed_keys as (
        {{ count_mismatch(raw_relation, 'minute', 'changed_minutes', 'minute', key) }}
    ),

    -- rows without a key cannot be rewritten by key: the ones not in `this` yet, a multiset
    -- difference inside the mismatching minutes. Each row is numbered among the rows of equal
    -- values (raw values read as `this` stores them); the raw copies numbered beyond the
    -- processed ones are new.
    keyless_raw as (
        select
            {%- for column in columns %}
            {{ column }},
            {%- endfor %}
            {%- for value in compared %}
            {{ value }} as compared_{{ loop.index }},
            {%- endfor %}
            row_number() over (
                partition by {{ compared | join(', ') }}
                order by {{ compared | join(', ') }}
            ) as copy_number
        from {{ raw_relation }}
        {{ slice_filter(raw_relation, 'minute', 'changed_minutes') }} and {{ key }} is null
    ),

    keyless_processed as (
        select
            {%- for column in columns %}
            {{ column }} as compared_{{ loop.index }},
            {%- endfor %}
            row_number() over (
                partition by {{ columns | join(', ') }}
                order by {{ columns | join(', ') }}
            ) as copy_number
        from {{ this }}
        {{ slice_filter(this, 'minute', 'changed_minutes') }} and {{ key }} is null
    ),

    unprocessed_keyless as (
        select
            {{ columns | join(',\n            ') }}
        from keyless_raw
        where not exists (
            select 1
            from keyless_processed
            where
                keyless_processed.copy_number = keyless_raw.copy_number
                {%- for column in columns %}
                and keyless_processed.compared_{{ loop.index }} is not distinct from keyless_raw.compared_{{ loop.index }}
                {%- endfor %}
        )
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
