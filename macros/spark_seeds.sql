{#-
    Seeds on Spark: dbt-spark's seed macros with the seeds' `column_types` translated.

    The seed ymls spell their column types as the project does everywhere (text, double
    precision: DuckDB and Postgres), and dbt-spark passes them to Spark unchanged, which refuses
    both. These two macros are dbt-spark 1.11's `spark__create_csv_table` and
    `spark__load_csv_rows` (same names: the root project's macro wins), with every overridden type
    put through `sql_type` (macros/types.sql), and the rows written as literals (below).
-#}

{% macro spark_seed_column_type(model, agate_table, col_name, index) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- if col_name in column_override -%}
        {{ return(sql_type(column_override[col_name])) }}
    {%- endif -%}
    {{ return(adapter.convert_type(agate_table, index)) }}
{%- endmacro %}


{% macro spark__create_csv_table(model, agate_table) %}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {% set sql %}
        create table {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }}
                {{ spark_seed_column_type(model, agate_table, col_name, loop.index0) }}
                {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}
    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}
    {{ return(sql) }}
{% endmacro %}


{#-
    The rows go in as SQL literals, not as bindings: dbt-spark's session method pastes a binding
    between quotes unescaped (a quote inside a value breaks the statement) and turns a null into
    the string 'None'.
-#}
{% macro spark_seed_literal(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is boolean -%}
        {{ return('true' if value else 'false') }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- endif -%}
    {%- set escaped = (value | string).replace('\\', '\\\\').replace("'", "\\'") -%}
    {{ return("'" ~ escaped ~ "'") }}
{%- endmacro %}


{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set statements = [] %}
    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    cast({{ spark_seed_literal(row[loop.index0]) }} as {{ spark_seed_column_type(model, agate_table, col_name, loop.index0) }})
                    {%- if not loop.last %},{%- endif %}
                {%- endfor -%})
                {%- if not loop.last %},{%- endif %}
            {%- endfor %}
        {% endset %}
        {% do adapter.add_query(sql, abridge_sql_log=True) %}
        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}
    {{ return(statements[0]) }}
{% endmacro %}
