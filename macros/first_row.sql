{#-
    group_with_first_row(relation, group_by, order_by, first_row_columns, aggregates):
    one select with one row per non-null `group_by` value of `relation`, holding
    the `aggregates` of the group and the `first_row_columns` of its first row in
    `order_by` order (every key ascending, nulls last, as a plain `order by`).
    The last key should be unique within a group (an id), or ties are arbitrary.

    Why a macro: the obvious SQL, a row_number() window joined back to a group
    by, makes DuckDB sort every row; at 10 M events that sort dominated the
    models that use it. DuckDB gets one hash aggregate with arg_min over a
    struct instead (a struct argument is never null, so arg_min, which skips
    null arguments, still keeps a first row whose columns are null; nulls in
    a struct key compare last, as `order by` puts them). Postgres keeps the
    window, which it runs well.
-#}
{% macro group_with_first_row(
    relation,
    group_by,
    order_by,
    first_row_columns,
    aggregates
) -%}
    {{ return(adapter.dispatch('group_with_first_row', 'ai_ops')(
        relation, group_by, order_by, first_row_columns, aggregates
    )) }}
{%- endmacro %}

{% macro default__group_with_first_row(
    relation,
    group_by,
    order_by,
    first_row_columns,
    aggregates
) -%}
    select
        grouped.*,
        {%- for alias in first_row_columns %}
        first_rows.{{ alias }}{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ group_by }},
            {{ aggregates }}
        from {{ relation }}
        where {{ group_by }} is not null
        group by {{ group_by }}
    ) as grouped
    inner join (
        select * from (
            select
                {{ group_by }},
                {%- for alias, expression in first_row_columns.items() %}
                {{ expression }} as {{ alias }},
                {%- endfor %}
                row_number() over (
                    partition by {{ group_by }}
                    order by {{ order_by | join(', ') }}
                ) as first_row_rank
            from {{ relation }}
        ) as ranked
        where first_row_rank = 1
    ) as first_rows
        on grouped.{{ group_by }} = first_rows.{{ group_by }}
{%- endmacro %}

{% macro duckdb__group_with_first_row(
    relation,
    group_by,
    order_by,
    first_row_columns,
    aggregates
) -%}
    select
        grouped.* exclude (first_row),
        {%- for alias in first_row_columns %}
        struct_extract(grouped.first_row, {{ loop.index }}) as {{ alias }}
        {{- "," if not loop.last }}
        {%- endfor %}
    from (
        select
            {{ group_by }},
            arg_min(
                row({{ first_row_columns.values() | join(', ') }}),
                row({{ order_by | join(', ') }})
            ) as first_row,
            {{ aggregates }}
        from {{ relation }}
        where {{ group_by }} is not null
        group by {{ group_by }}
    ) as grouped
{%- endmacro %}
