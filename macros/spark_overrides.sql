{#-
    delete+insert on Spark without a table format (docs/INCREMENTAL.md, "Spark").

    The incremental models rewrite their rows by key (`incremental_strategy='delete+insert'`,
    the processed-rows design of macros/unprocessed_rows.sql). dbt-spark offers delete+insert on
    no file format, and MERGE only on Delta, Iceberg or Hudi, whose jars come from outside the
    Spark distribution. On plain Parquet tables the same result is reached with what Spark has:
    the new rows are materialized, the stored rows whose key is not among them are kept, and the
    table is overwritten with both (`insert overwrite`): the rows of a run's keys are replaced,
    the others stay, exactly as delete+insert leaves them (a null key is never deleted, as
    `key in (...)` never matches it). It rewrites the whole table on every run: what a cluster
    at scale avoids with Delta (`file_format: delta`, `incremental_strategy: merge`).

    These two macros replace dbt-spark's own (same names: the root project's macro wins) and
    only add 'delete+insert'; every other strategy goes to dbt-spark's code unchanged.
-#}

{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {%- if raw_strategy == 'delete+insert' -%}
        {% do return(raw_strategy) %}
    {%- endif -%}
    {% do return(dbt.dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format)) %}
{% endmacro %}


{% macro dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates) %}
    {%- if strategy == 'delete+insert' -%}
        {{ return(spark_delete_insert_sql(source, target, unique_key)) }}
    {%- endif -%}
    {{ return(dbt.dbt_spark_get_incremental_sql(strategy, source, target, existing, unique_key, incremental_predicates)) }}
{% endmacro %}


{#-
    spark_delete_insert_sql(source, target, unique_key): runs the two preparing statements and
    returns the overwrite. The new rows (`source`, a view that may read `target`) and the kept
    rows are written to work tables first: Spark refuses to overwrite a table a query reads.
-#}
{% macro spark_delete_insert_sql(source, target, unique_key) %}
    {%- if unique_key is none -%}
        {{ exceptions.raise_compiler_error('delete+insert on Spark needs a unique_key (' ~ target ~ ')') }}
    {%- endif -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set new_rows = target.incorporate(path={'identifier': target.identifier ~ '__dbt_new_rows'}) -%}
    {%- set rebuilt = target.incorporate(path={'identifier': target.identifier ~ '__dbt_rebuilt'}) -%}
    {%- set columns = adapter.get_columns_in_relation(target) | map(attribute='quoted') | join(', ') -%}
    {%- do run_query('drop table if exists ' ~ new_rows) -%}
    {%- do run_query('drop table if exists ' ~ rebuilt) -%}
    {%- do run_query('create table ' ~ new_rows ~ ' using parquet as select ' ~ columns ~ ' from ' ~ source) -%}
    {%- set kept_rows -%}
        create table {{ rebuilt }} using parquet as
        select {{ columns }}
        from {{ target }} as stored_rows
        where not exists (
            select 1
            from {{ new_rows }} as new_rows
            where
                {%- for key in keys %}
                {{ 'and ' if not loop.first }}new_rows.{{ key }} = stored_rows.{{ key }}
                {%- endfor %}
        )
        union all
        select {{ columns }} from {{ new_rows }}
    {%- endset -%}
    {%- do run_query(kept_rows) -%}
    {%- do run_query('insert overwrite table ' ~ target ~ ' select ' ~ columns ~ ' from ' ~ rebuilt) -%}
    {%- do run_query('drop table if exists ' ~ new_rows) -%}
    {%- do run_query('drop table if exists ' ~ rebuilt) -%}
    {#- the statement dbt runs as the model's main one: the overwrite is done, reload its files -#}
    {{ return('refresh table ' ~ target) }}
{% endmacro %}


{#-
    Contracts on Spark: dbt checks a contracted model's column types against an empty query built
    from the yml's data_type, written in the project's portable spelling (text, double precision);
    Spark spells them string and double (macros/types.sql).
-#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set col = columns[name] -%}
        {%- set copy = {} -%}
        {%- do copy.update(col) -%}
        {%- if col.get('data_type') is not none -%}
            {%- do copy.update({'data_type': sql_type(col['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{% endmacro %}


{#-
    Grants on Spark: not applicable. The marts' `grants` config is empty off Postgres, but
    dbt-spark still asks `show grants on ...`, which open-source Spark does not have. Access to a
    Spark warehouse is the cluster's (Unity Catalog, Ranger, storage permissions), not dbt's.
-#}
{% macro spark__apply_grants(relation, grant_config, should_revoke=True) %}
    {%- if grant_config and grant_config.values() | select | list | length > 0 -%}
        {%- do log('ai_ops: grants are not applied on Spark (' ~ relation ~ '); give access on the cluster', info=true) -%}
    {%- endif -%}
{% endmacro %}


{#-
    dbt.dateadd on Spark: dbt-spark's own version (same name: replaced) stops the query with an
    error on a null timestamp (assert_not_null) and rounds to whole seconds; loaded_at may be null
    and the times carry microseconds. timestampadd keeps both, like DuckDB and Postgres.
-#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) %}
    timestampadd({{ datepart }}, cast({{ interval }} as bigint), cast({{ from_date_or_timestamp }} as timestamp))
{% endmacro %}


{#-
    Unit-test fixtures on Spark: one inline table per fixture.

    dbt writes a fixture as one `select <literals>` per row joined by `union all`. A model that
    reads its input in several CTEs (base_telemetry__ai_events reads the raw rows in five places,
    and its later CTEs twice each) gets every CTE inlined by Spark, and Spark's optimizer pushes the
    parsing and redaction expressions into every branch of every copy of the union: thousands of
    branches for a 13-row fixture, which Spark had not finished planning after 20 minutes and then
    ran out of heap. `select * from values (...), (...) as fixture(columns)` is one leaf however
    many rows it has. Same column types and values as dbt's (its format_row and safe_cast); other
    adapters and empty fixtures use dbt's own macro. Same name: the project's macro replaces dbt's.
-#}
{% macro get_fixture_sql(rows, column_name_to_data_types) %}
    {%- if target.type != 'spark' or (rows | length) == 0 -%}
        {{ return(dbt.get_fixture_sql(rows, column_name_to_data_types)) }}
    {%- endif -%}
    {%- set types = column_name_to_data_types or {} -%}
    {%- set quoted = {} -%}
    {%- if not types -%}
        {#- as dbt does: the deferred relation when `this` is missing and --defer gives one -#}
        {%- set relation = defer_relation if (defer_relation and not load_relation(this)) else this -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do types.update({column.name | lower: column.data_type}) -%}
            {%- do quoted.update({column.name | lower: column.quoted}) -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not types -%}
        {{ exceptions.raise_compiler_error("Not able to get columns for unit test '" ~ model.name ~ "' from relation " ~ this ~ " because the relation doesn't exist") }}
    {%- endif -%}
    {%- set nulls = {} -%}
    {%- for column_name, column_type in types.items() -%}
        {%- do nulls.update({column_name: safe_cast('null', column_type) | trim}) -%}
    {%- endfor -%}
    {%- set value_rows = [] -%}
    {%- for row in rows -%}
        {%- set formatted = format_row(row, types) -%}
        {%- set values = [] -%}
        {%- for column_name in types -%}
            {%- do values.append(formatted.get(column_name, nulls[column_name])) -%}
        {%- endfor -%}
        {%- do value_rows.append('(' ~ values | join(', ') ~ ')') -%}
    {%- endfor -%}
    {%- set names = [] -%}
    {%- for column_name in types -%}
        {%- do names.append(quoted.get(column_name, adapter.quote(column_name))) -%}
    {%- endfor %}
-- Fixture for {{ model.name }} (one inline table)
select * from values
    {{ value_rows | join(',\n    ') }}
    as fixture({{ names | join(', ') }})
{%- endmacro %}
