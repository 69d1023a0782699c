{#-
    assert_raw_sources_exist(): fail early, with a message that names them, when raw
    tables or columns declared in the project's sources are missing from the warehouse.
    Meant for on-run-start (returns no SQL when everything is there) and for
    `dbt run-operation assert_raw_sources_exist`. Compares the source definitions in the
    graph with information_schema.columns (same query on DuckDB and Postgres).
-#}
{% macro assert_raw_sources_exist() -%}
    {%- if execute -%}
        {%- set expected = {} -%}
        {%- for source in graph.sources.values() if source.package_name == project_name -%}
            {%- set key = (source.database ~ '.' ~ source.schema ~ '.' ~ source.identifier) | lower -%}
            {%- do expected.update({key: {
                'database': source.database,
                'schema': source.schema,
                'table': source.identifier,
                'columns': source.columns.keys() | map('lower') | list,
            }}) -%}
        {%- endfor -%}
        {%- set schemas = [] -%}
        {%- for item in expected.values() if item.schema | lower not in schemas -%}
            {%- do schemas.append(item.schema | lower) -%}
        {%- endfor -%}
        {%- if schemas -%}
            {%- set query -%}
                select
                    lower(table_catalog) as table_catalog,
                    lower(table_schema) as table_schema,
                    lower(table_name) as table_name,
                    lower(column_name) as column_name
                from information_schema.columns
                where lower(table_schema) in ('{{ schemas | join("', '") }}')
            {%- endset -%}
            {%- set found = {} -%}
            {%- for row in run_query(query).rows -%}
                {%- set key = row[0] ~ '.' ~ row[1] ~ '.' ~ row[2] -%}
                {%- if key not in found -%}{%- do found.update({key: []}) -%}{%- endif -%}
                {%- do found[key].append(row[3]) -%}
            {%- endfor -%}
            {%- set problems = [] -%}
            {%- for key, item in expected.items() | sort -%}
                {%- if key not in found -%}
                    {%- do problems.append('missing raw table ' ~ item.schema ~ '.' ~ item.table) -%}
                {%- else -%}
                    {%- for column in item.columns if column not in found[key] -%}
                        {%- do problems.append(
                            'missing raw column ' ~ item.schema ~ '.' ~ item.table ~ '.' ~ column
                        ) -%}
                    {%- endfor -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if problems -%}
                {{ exceptions.raise_compiler_error(
                    'Raw data does not match the sources (CONTRACT.md section 1):\n  - '
                    ~ problems | join('\n  - ')
                    ~ '\nLoad the raw tables (e.g. `ai-ops load`) or point var raw_schema at the schema that holds them.'
                ) }}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
