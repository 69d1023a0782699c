{#-
    assert_raw_sources_exist(): fail early, naming them, when raw tables or columns that
    the run needs are missing from the warehouse. Returns no SQL (on-run-start hook).
    Checks the sources upstream of the selected nodes (every source when called with
    `dbt run-operation`); commands that read no raw data check nothing.
-#}
{% macro assert_raw_sources_exist() -%}
    {%- if execute and flags.WHICH not in raw_check_skipped_commands() -%}
        {%- if flags.WHICH == 'run-operation' -%}
            {%- set source_ids = graph.sources.keys() | list -%}
        {%- else -%}
            {%- set source_ids = sources_upstream_of(selected_resources) -%}
        {%- endif -%}
        {%- set expected = {} -%}
        {%- for source_id in source_ids | sort -%}
            {%- set source = graph.sources[source_id] -%}
            {%- if source.package_name == project_name -%}
                {%- set key = (source.database ~ '.' ~ source.schema ~ '.' ~ source.identifier) | lower -%}
                {%- do expected.update({key: {
                    'schema': source.schema,
                    'table': source.identifier,
                    'columns': source.columns.keys() | map('lower') | list,
                }}) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set problems = missing_raw_relations(expected) -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                'Raw data does not match the sources (CONTRACT.md section 1):\n  - '
                ~ problems | join('\n  - ')
                ~ '\nLoad the raw tables (e.g. `ai-ops load`) or point var raw_schema at the schema that holds them.'
            ) }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}


{#- Commands that read no raw table: seeds, compiling, parsing, docs, listing. -#}
{% macro raw_check_skipped_commands() -%}
    {{ return(['seed', 'compile', 'generate', 'parse', 'list', 'ls', 'debug', 'clean', 'deps', 'serve']) }}
{%- endmacro %}


{#-
    sources_upstream_of(unique_ids): the source ids that the given nodes read, directly
    or through their parents (a unit test counts as its model).
-#}
{% macro sources_upstream_of(unique_ids) -%}
    {%- set found = [] -%}
    {%- set seen = [] -%}
    {%- set queue = [] -%}
    {%- for unique_id in unique_ids -%}
        {%- if unique_id.startswith('unit_test.') -%}
            {#- unit_test.<package>.<model>.<test>: the unit test reads what its model reads -#}
            {%- set parts = unique_id.split('.') -%}
            {%- do queue.append('model.' ~ parts[1] ~ '.' ~ parts[2]) -%}
        {%- else -%}
            {%- do queue.append(unique_id) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- breadth-first walk; Jinja has no while, so iterate over a list that grows -#}
    {%- for unique_id in queue if unique_id not in seen -%}
        {%- do seen.append(unique_id) -%}
        {%- if unique_id in graph.sources -%}
            {%- do found.append(unique_id) -%}
        {%- elif unique_id in graph.nodes -%}
            {%- do queue.extend(graph.nodes[unique_id].depends_on.nodes) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    missing_raw_relations(expected): 'missing raw table/column ...' messages for the
    expected {key: {schema, table, columns}} absent from information_schema.columns.
-#}
{% macro missing_raw_relations(expected) -%}
    {{ return(adapter.dispatch('missing_raw_relations', 'ai_ops')(expected)) }}
{%- endmacro %}

{% macro default__missing_raw_relations(expected) -%}
    {%- set problems = [] -%}
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
    {%- endif -%}
    {{ return(problems) }}
{%- endmacro %}


{#- Spark has no information_schema: the catalog is asked table by table (the metastore answers). -#}
{% macro spark__missing_raw_relations(expected) -%}
    {%- set problems = [] -%}
    {%- for key, item in expected.items() | sort -%}
        {%- set relation = adapter.get_relation(database=none, schema=item.schema, identifier=item.table) -%}
        {%- if relation is none -%}
            {%- do problems.append('missing raw table ' ~ item.schema ~ '.' ~ item.table) -%}
        {%- else -%}
            {%- set found = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
            {%- for column in item.columns if column not in found -%}
                {%- do problems.append('missing raw column ' ~ item.schema ~ '.' ~ item.table ~ '.' ~ column) -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(problems) }}
{%- endmacro %}
