{#-
    JSON helpers, cross-database (adapter.dispatch: default__ = Postgres, duckdb__ = DuckDB).

    Parse a JSON document once: `json_extract_fields` returns ONE list (DuckDB) / text[]
    (Postgres) holding the requested keys as text, in the order given, 1-based; materialize it in
    one CTE and pick the keys in the next one with `json_field` (an index, no re-parse).
    Documented with their arguments in macros/_macros__json.yml.
-#}


{#- ------------------------------------------------------------------------------------------- -#}
{#- create_udfs(): the tiny UDFs the JSON macros need (Postgres only; nothing on DuckDB).        -#}
{#- As an on-run-start hook it returns the DDL for dbt to run (outside a transaction); under     -#}
{#- `dbt run-operation create_udfs` it runs the DDL itself (run-operation commits).             -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro create_udfs() -%}
    {{ return(adapter.dispatch('create_udfs', 'ai_ops')()) }}
{%- endmacro %}

{% macro default__create_udfs() -%}
    {%- set ddl -%}
create schema if not exists {{ adapter.quote(target.schema) }};
create or replace function {{ ai_ops_udf_schema() }}.ai_ops_try_jsonb(json_text text)
returns jsonb
language plpgsql
immutable
-- parallel unsafe (the default, stated on purpose): the exception block opens a subtransaction,
-- which Postgres refuses inside a parallel query
parallel unsafe
as $ai_ops$
begin
    -- null instead of an error on invalid JSON (Postgres 15 has no pg_input_is_valid)
    return json_text::jsonb;
exception when others then
    return null;
end;
$ai_ops$;
    {%- endset -%}
    {%- if execute and flags.WHICH == 'run-operation' -%}
        {%- do run_query(ddl) -%}
        {%- do log('create_udfs: created ' ~ ai_ops_udf_schema() ~ '.ai_ops_try_jsonb(text)', info=true) -%}
    {%- else -%}
        {{ return(ddl) }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__create_udfs() -%}
    {#- DuckDB has json_valid / json_type built in: nothing to create. -#}
    {{ return('') }}
{%- endmacro %}


{#- Schema holding the UDFs: the target schema (not the custom model schemas). -#}
{% macro ai_ops_udf_schema() -%}
    {{ return(adapter.quote(target.schema)) }}
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_is_object(json_text_expr): true when the text is valid JSON whose top level is an       -#}
{#- object; false for invalid JSON, arrays, scalars, JSON null and SQL null.                     -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_is_object(json_text_expr) -%}
    {{ return(adapter.dispatch('json_is_object', 'ai_ops')(json_text_expr)) }}
{%- endmacro %}

{% macro default__json_is_object(json_text_expr) -%}
    coalesce(jsonb_typeof({{ ai_ops_udf_schema() }}.ai_ops_try_jsonb({{ json_text_expr }})) = 'object', false)
{%- endmacro %}

{% macro duckdb__json_is_object(json_text_expr) -%}
    {#- json_type raises on invalid JSON: only reached when json_valid is true (no try()). -#}
    coalesce(
        case when json_valid({{ json_text_expr }}) then json_type({{ json_text_expr }}) = 'OBJECT' end,
        false
    )
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_extract_fields(json_text_expr, keys): ONE parse of the text; a list of the keys' values -#}
{#- as text (nested objects/arrays as JSON text, JSON null as null), 1-based in the order of     -#}
{#- `keys`; the whole list is null when the text is not a JSON object.                           -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_extract_fields(json_text_expr, keys) -%}
    {%- if keys is string or keys | length == 0 -%}
        {{ exceptions.raise_compiler_error("json_extract_fields: keys must be a non-empty list of key names") }}
    {%- endif -%}
    {%- for key in keys -%}
        {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', key) -%}
            {{ exceptions.raise_compiler_error("json_extract_fields: unsupported key name '" ~ key ~ "'") }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('json_extract_fields', 'ai_ops')(json_text_expr, keys)) }}
{%- endmacro %}

{% macro default__json_extract_fields(json_text_expr, keys) -%}
    {#- The offset 0 keeps the planner from inlining the parse into every key (one parse per row). -#}
    (
        select
            case
                when jsonb_typeof(parsed_json.json_value) = 'object'
                    then array[
                        {%- for key in keys %}
                        parsed_json.json_value ->> '{{ key }}'{{ ',' if not loop.last }}
                        {%- endfor %}
                    ]::text[]
            end
        from (
            select {{ ai_ops_udf_schema() }}.ai_ops_try_jsonb({{ json_text_expr }}) as json_value
            offset 0
        ) as parsed_json
    )
{%- endmacro %}

{% macro duckdb__json_extract_fields(json_text_expr, keys) -%}
    case
        when {{ duckdb__json_is_object(json_text_expr) }}
            then json_extract_string(
                {{ json_text_expr }},
                [
                    {%- for key in keys -%}
                    '$.{{ key }}'{{ ', ' if not loop.last }}
                    {%- endfor -%}
                ]
            )
    end
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_field(fields_expr, keys, key): the text value of `key` in the list built by             -#}
{#- json_extract_fields(…, keys) (same `keys` list). A list index: no second parse.              -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_field(fields_expr, keys, key) -%}
    {%- if key not in keys -%}
        {{ exceptions.raise_compiler_error("json_field: key '" ~ key ~ "' is not in keys " ~ keys) }}
    {%- endif -%}
    ({{ fields_expr }})[{{ keys.index(key) + 1 }}]
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_to_boolean(expr): JSON true/false or the strings "true"/"false" (as extracted text:     -#}
{#- 'true'/'false') -> boolean; anything else (1, "yes", "TRUE", null...) -> null.               -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_to_boolean(expr) -%}
    {{ return(adapter.dispatch('json_to_boolean', 'ai_ops')(expr)) }}
{%- endmacro %}

{% macro default__json_to_boolean(expr) -%}
    case {{ expr }} when 'true' then true when 'false' then false end
{%- endmacro %}


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
