{#-
    Type names that differ between warehouses. Documented in macros/_macros__types.yml.

    type_double(): the 8-byte float. DuckDB and Postgres spell it `double precision`; Spark SQL
    knows only `double` (and refuses `double precision`).
-#}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'ai_ops')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro spark__type_double() -%}
    {{ return('double') }}
{%- endmacro %}


{#-
    sql_type(data_type): a type of the project's portable spelling (the data_type of the source
    and contract ymls: text, double precision, integer, bigint, boolean, date, timestamp) in the
    target's spelling (Spark: string and double).
-#}
{% macro sql_type(data_type) -%}
    {{ return(adapter.dispatch('sql_type', 'ai_ops')(data_type)) }}
{%- endmacro %}

{% macro default__sql_type(data_type) -%}
    {{ return(data_type) }}
{%- endmacro %}

{% macro spark__sql_type(data_type) -%}
    {%- set t = (data_type or '') | lower | trim -%}
    {{ return({'text': 'string', 'double precision': 'double', 'varchar': 'string'}.get(t, data_type)) }}
{%- endmacro %}
