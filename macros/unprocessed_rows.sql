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

{% macro slice_count_mismatch(grain, raw_relation, key_filter='') -%}
    {#-
        The `grain` load slices (day or minute) whose raw row count differs from the count of
        rows of `this` in that slice; `key_filter` limits both sides to slices of a coarser
        mismatch. A raw slice absent from `this` counts as a mismatch.
    -#}
    select raw_slices.load_slice
    from (
        select
            {{ load_slice(grain) }} as load_slice,
            count(*) as n_rows
        from {{ raw_relation }}
        {{ key_filter }}
        group by {{ load_slice(grain) }}
    ) as raw_slices
    left join (
        select
            {{ load_slice(grain) }} as load_slice,
            count(*) as n_rows
        from {{ this }}
        {{ key_filter }}
        group by {{ load_slice(grain) }}
    ) as processed_slices
        on raw_slices.load_slice = processed_slices.load_slice
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
    {%- if is_incremental() %}
        with

        changed_days as (
            {{ slice_count_mismatch('day', raw_relation) }}
        ),

        changed_minutes as (
            {{ slice_count_mismatch('minute', raw_relation, day_filter) }}
        ),

        -- keys whose raw row count in a mismatching minute differs from their processed count
        changed_keys as (
            select raw_keys.{{ key }}
            from (
                select
                    {{ key }},
                    {{ load_slice('minute') }} as load_slice,
                    count(*) as n_rows
                from {{ raw_relation }}
                {{ minute_filter }} and {{ key }} is not null
                group by {{ key }}, {{ load_slice('minute') }}
            ) as raw_keys
            left join (
                select
                    {{ key }},
                    {{ load_slice('minute') }} as load_slice,
                    count(*) as n_rows
                from {{ this }}
                {{ minute_filter }} and {{ key }} is not null
                group by {{ key }}, {{ load_slice('minute') }}
            ) as processed_keys
                on
                    raw_keys.{{ key }} = processed_keys.{{ key }}
                    and raw_keys.load_slice = processed_keys.load_slice
            where
                processed_keys.n_rows is null
                or raw_keys.n_rows <> processed_keys.n_rows
        )

        select {{ columns | join(', ') }}
        from {{ raw_relation }}
        where {{ key }} in (select changed_keys.{{ key }} from changed_keys)

        union all

        -- rows without a key cannot be rewritten by key: the ones not in `this` yet (a multiset
        -- difference on every raw column, inside the mismatching minutes)
        select {{ columns | join(', ') }}
        from (
            select {{ columns | join(', ') }}
            from {{ raw_relation }}
            {{ minute_filter }} and {{ key }} is null
            except all
            select {{ columns | join(', ') }}
            from {{ this }}
            {{ minute_filter }} and {{ key }} is null
        ) as unprocessed_keyless
    {%- else %}
        select {{ columns | join(', ') }}
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
    select {{ columns | join(', ') }}
    from {{ ref('int_ai_event_changes') }}
    where processed_at > {{ incremental_watermark(watermark_column) }}
{%- endmacro %}
