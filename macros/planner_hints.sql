{#-
    Query-planner hints: where DuckDB and Postgres need opposite advice on materializing or
    inlining a CTE. Documented in macros/_macros__planner_hints.yml.
-#}


{#- ------------------------------------------------------------------------------------------- -#}
{#- inline_barrier(): put at the end of a CTE whose expensive column is read several times       -#}
{#- downstream (the json_extract_fields list, redacted text). Postgres flattens simple subqueries -#}
{#- and copies the expression into every reference (21 parses per row instead of one): `offset 0`-#}
{#- stops that. DuckDB keeps projections apart by itself: nothing.                                -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro inline_barrier() -%}
    {{ return(adapter.dispatch('inline_barrier', 'ai_ops')()) }}
{%- endmacro %}

{% macro default__inline_barrier() -%}
    offset 0
{%- endmacro %}

{% macro duckdb__inline_barrier() -%}
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- not_materialized(): write `name as {{ not_materialized() }} (` for a CTE that is cheap to    -#}
{#- recompute but wide: DuckDB (1.4+) materializes every CTE read more than once, and inlining   -#}
{#- one makes its upstream CTEs read twice, so a chain needs the hint on each link. Postgres      -#}
{#- materializes a CTE read twice too, but there the parse must stay computed once (see          -#}
{#- inline_barrier): nothing.                                                                    -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro not_materialized() -%}
    {{ return(adapter.dispatch('not_materialized', 'ai_ops')()) }}
{%- endmacro %}

{% macro default__not_materialized() -%}
{%- endmacro %}

{% macro duckdb__not_materialized() -%}
    not materialized
{%- endmacro %}
