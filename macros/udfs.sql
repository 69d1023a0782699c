{#-
    User-defined functions the project creates on the warehouse (Postgres only), and where they
    live. Documented with their arguments in macros/_macros__udfs.yml.
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
-- what DuckDB's JSON reader accepts beyond RFC 8259, made valid the same way: a bare NaN or
-- (-)Infinity/inf token (any case) becomes a string of its text, a trailing comma is dropped;
-- string literals are kept as they are
create or replace function {{ ai_ops_udf_schema() }}.ai_ops_lenient_json(json_text text)
returns text
language sql
immutable
as $ai_ops$
    select string_agg(
        case
            when chunk.part[1] like '"%' then chunk.part[1]
            else regexp_replace(
                regexp_replace(chunk.part[1], '(-?)\m(nan|infinity|inf)\M', '"\1\2"', 'gi'),
                ',(\s*[]}])', '\1', 'g'
            )
        end,
        '' order by chunk.ord
    )
    from regexp_matches(json_text, '"(?:[^"\\]|\\.)*"?|[^"]+', 'g') with ordinality as chunk (part, ord)
$ai_ops$;
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
    -- only rows that fail the strict parse pay for the second, lenient one
    begin
        return {{ ai_ops_udf_schema() }}.ai_ops_lenient_json(json_text)::jsonb;
    exception when others then
        return null;
    end;
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


{% macro spark__create_udfs() -%}
    {#- Spark has from_json / get_json_object built in: nothing to create. -#}
    {{ return('') }}
{%- endmacro %}


{#- Schema holding the UDFs: the target schema (not the custom model schemas). -#}
{% macro ai_ops_udf_schema() -%}
    {{ return(adapter.quote(target.schema)) }}
{%- endmacro %}
