{#-
    Reading raw columns through casts that cannot fail the build (CONTRACT.md section 4: a bad
    cell quarantines its row, it never stops the pipeline). Documented in macros/_macros__raw_reads.yml.

    read_raw_columns(source_name, table_name): the select list of a base_ model's typed CTE: every
    column declared in the source yml (with its data_type), read by `raw_cell_cast` from the type it
    actually has in the warehouse, plus `bad_cell_reason` ('bad_<kind>:<column>' of the first
    cell that could not be read, null when every cell was read).
-#}

{% macro read_raw_columns(source_name, table_name, reason_column='bad_cell_reason') -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set declared = declared_raw_columns(source_name, table_name) -%}
    {%- if execute and 'sources' not in graph -%}
        {#- a unit test: no graph; its fixture has the real raw table's columns and types -#}
        {%- set relation = api.Relation.create(
            database=(target.database if target.database is defined else none), schema=var('raw_schema', 'raw'), identifier=table_name) -%}
        {%- set landed = landed_column_types(relation) -%}
        {%- set declared = [] -%}
        {%- for name, dtype in landed.items() -%}
            {%- do declared.append({'name': name, 'data_type': type_family(dtype) or dtype}) -%}
        {%- endfor -%}
    {%- else -%}
        {%- set landed = landed_column_types(relation) -%}
    {%- endif -%}
    {%- set checks = [] -%}
    {%- for column in declared -%}
        {%- set read = raw_cell_cast(column.name, column.data_type, landed.get(column.name | lower)) %}
        {{ read.value }}{% if read.value != column.name %} as {{ column.name }}{% endif %},
        {%- if read.bad is not none -%}
            {%- do checks.append((read.bad, bad_cell_kind(column.data_type) ~ ':' ~ column.name)) -%}
        {%- endif -%}
    {%- endfor %}
        {{ quarantine_reason(checks) }} as {{ reason_column }}
{%- endmacro %}


{#- The columns of a source table as declared in its yml: [{name, data_type}], in yml order. -#}
{% macro declared_raw_columns(source_name, table_name) -%}
    {%- set found = [] -%}
    {%- for node in (graph.sources.values() if execute and 'sources' in graph else [])
        if node.source_name == source_name and node.name == table_name
            and node.package_name == project_name -%}
        {%- for column in node.columns.values() -%}
            {%- do found.append({'name': column.name, 'data_type': (column.data_type or 'text') | lower}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if execute and 'sources' in graph and found | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            'read_raw_columns: no columns declared for source ' ~ source_name ~ '.' ~ table_name) }}
    {%- endif -%}
    {{ return(found) }}
{%- endmacro %}


{#-
    {lower column name: lower data type} of the relation as it is in the warehouse; {} when it
    cannot be known (parsing, a unit test's fixture, a missing table): every column is then read
    as text, which is valid whatever the real type is.
-#}
{% macro landed_column_types(relation) -%}
    {%- set types = {} -%}
    {%- if execute and relation is not string and relation.identifier is not none
        and not (relation.identifier | string).startswith('__dbt__cte__') -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do types.update({column.name | lower: column.dtype | lower}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(types) }}
{%- endmacro %}


{#- The word of the bad-cell reason for a declared type: bad_number, bad_integer, ... -#}
{% macro bad_cell_kind(data_type) -%}
    {%- set kinds = {
        'double precision': 'bad_number', 'integer': 'bad_integer', 'bigint': 'bad_integer',
        'timestamp': 'bad_timestamp', 'date': 'bad_date', 'boolean': 'bad_boolean',
    } -%}
    {{ return(kinds.get(data_type, 'bad_value')) }}
{%- endmacro %}


{#- The family of a warehouse type name (DuckDB or Postgres spelling), or none when unknown. -#}
{% macro type_family(data_type) -%}
    {%- set t = (data_type or '') | lower | trim -%}
    {%- if t in ('text', 'varchar', 'string', 'bpchar', 'json', 'jsonb', 'name', 'void')
        or t.startswith('character') or t.startswith('varchar') or t.startswith('char') -%}
        {{ return('text') }}
    {%- elif t in ('smallint', 'int2', 'tinyint', 'integer', 'int', 'int4', 'utinyint', 'usmallint') -%}
        {{ return('integer') }}
    {%- elif t in ('bigint', 'int8', 'uinteger') -%}
        {{ return('bigint') }}
    {%- elif t in ('double precision', 'double', 'float', 'float8', 'real', 'float4') -%}
        {{ return('double precision') }}
    {%- elif t.startswith('numeric') or t.startswith('decimal') or t in ('hugeint', 'ubigint', 'uhugeint') -%}
        {{ return('numeric') }}
    {%- elif t in ('timestamp', 'timestamp without time zone', 'datetime') -%}
        {{ return('timestamp') }}
    {%- elif t in ('timestamp with time zone', 'timestamptz', 'date') -%}
        {{ return('timestamp-like') }}
    {%- elif t in ('boolean', 'bool') -%}
        {{ return('boolean') }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}


{#-
    raw_cell_cast(column, data_type, landed_type=none): {'value': SQL of the column as data_type,
    null when the cell cannot be read; 'bad': SQL true when a present cell could not be read,
    or none when the read cannot fail}. The cheapest read that cannot fail is chosen from the
    landed type: as is (same type), a plain cast (a widening one), a range check (a number into
    an integer column) or the text parser (text, unknown or unrelated types).
-#}
{% macro raw_cell_cast(column, data_type, landed_type=none) -%}
    {%- set landed = type_family(landed_type) if landed_type is not none else none -%}
    {%- set widening = {
        'text': [],
        'double precision': ['integer', 'bigint', 'numeric'],
        'bigint': ['integer'],
        'integer': [],
        'timestamp': ['timestamp-like'],
        'date': ['timestamp', 'timestamp-like'],
        'boolean': [],
    } -%}
    {%- if data_type == 'text' -%}
        {{ return({'value': column if landed == 'text' else 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')',
                   'bad': none}) }}
    {%- elif landed == data_type or (data_type == 'date' and (landed_type or '') | lower == 'date') -%}
        {{ return({'value': column, 'bad': none}) }}
    {%- elif landed in widening.get(data_type, []) -%}
        {{ return({'value': 'cast(' ~ column ~ ' as ' ~ sql_type(data_type) ~ ')', 'bad': none}) }}
    {%- elif data_type in ('integer', 'bigint') and landed in ('double precision', 'numeric', 'bigint') -%}
        {%- set value = whole_number_in_range(column, data_type) -%}
    {%- else -%}
        {%- set text = column if landed == 'text' else 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
        {%- set value = text_to_type(text, data_type) -%}
        {{ return({'value': value, 'bad': 'nullif(trim(' ~ text ~ "), '') is not null and (" ~ value ~ ') is null'}) }}
    {%- endif -%}
    {{ return({'value': value, 'bad': column ~ ' is not null and (' ~ value ~ ') is null'}) }}
{%- endmacro %}


{#- A number column into an integer column: the value when it is whole and in range, else null. -#}
{% macro whole_number_in_range(column, data_type) -%}
    {#- the bigint bound is the largest double below 2^63, so the cast of a double cannot overflow -#}
    {%- set bound = '2147483647' if data_type == 'integer' else '9223372036854774784' -%}
    {{ return('case when ' ~ column ~ ' = floor(' ~ column ~ ') and ' ~ column ~ ' between -' ~ bound
        ~ ' and ' ~ bound ~ ' then cast(' ~ column ~ ' as ' ~ data_type ~ ') end') }}
{%- endmacro %}


{#-
    text_to_type(text, data_type): SQL reading a text as data_type, null when it is not one (the
    same rule on both warehouses): numbers as `safe_to_double` / `safe_to_bigint` /
    `safe_to_integer`; booleans true/t/yes/y/1 and false/f/no/n/0 (any case); dates YYYY-MM-DD and
    timestamps YYYY-MM-DD[( |T)HH:MM[:SS[.ffffff]]][Z] with a real calendar day (years 1000-9999).
    Blank text is null, never bad.
-#}
{% macro text_to_type(text, data_type) -%}
    {%- if data_type == 'double precision' -%}
        {{ return(safe_to_double(text)) }}
    {%- elif data_type == 'bigint' -%}
        {{ return(safe_to_bigint(text)) }}
    {%- elif data_type == 'integer' -%}
        {{ return(safe_to_integer(text)) }}
    {%- elif data_type == 'boolean' -%}
        {{ return("case when lower(trim(" ~ text ~ ")) in ('true', 't', 'yes', 'y', '1') then true"
            ~ " when lower(trim(" ~ text ~ ")) in ('false', 'f', 'no', 'n', '0') then false end") }}
    {%- elif data_type in ('date', 'timestamp') -%}
        {{ return('case when ' ~ is_calendar_text(text, data_type) ~ ' then cast(rtrim(trim(' ~ text
            ~ "), 'Z') as " ~ data_type ~ ') end') }}
    {%- endif -%}
    {{ exceptions.raise_compiler_error('text_to_type: unsupported data_type ' ~ data_type) }}
{%- endmacro %}


{#- SQL true when the text is a date (or timestamp) of the calendar; false otherwise. -#}
{% macro is_calendar_text(text, data_type) -%}
    {%- set day = '[1-9][0-9]{3}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|1[0-9]|2[0-9]))' -%}
    {%- set time = '([ T]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)?Z?' -%}
    {%- set pattern = '^' ~ day ~ (time if data_type == 'timestamp' else '') ~ '$' -%}
    {%- set year = 'cast(substr(trim(' ~ text ~ '), 1, 4) as integer)' -%}
    {#- nested case: the year is read only from a text that matched; 29 February needs a leap year -#}
    {{ return('case when ' ~ regex_full_match('trim(' ~ text ~ ')', pattern)
        ~ ' then substr(trim(' ~ text ~ "), 6, 5) <> '02-29' or (" ~ year ~ ' % 4 = 0 and ('
        ~ year ~ ' % 100 <> 0 or ' ~ year ~ ' % 400 = 0)) else false end') }}
{%- endmacro %}


{#- regex_full_match(expr, pattern): SQL true when the whole text matches (RE2 / Postgres ARE). -#}
{% macro regex_full_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_full_match', 'ai_ops')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_full_match(expr, pattern) -%}
    {{ return('coalesce(' ~ expr ~ " ~ '" ~ pattern ~ "', false)") }}
{%- endmacro %}

{% macro spark__regex_full_match(expr, pattern) -%}
    {#-
        Java regex: rlike finds a match anywhere, so the pattern is anchored with \z (Java's `$`
        also matches before a final line break, RE2's does not). A raw literal (r'...') keeps the
        backslash whatever spark.sql.parser.escapedStringLiterals says.
    -#}
    {{ return('coalesce(' ~ expr ~ " rlike r'^(?:" ~ pattern ~ ")\\z', false)") }}
{%- endmacro %}

{% macro duckdb__regex_full_match(expr, pattern) -%}
    {{ return('coalesce(regexp_full_match(' ~ expr ~ ", '" ~ pattern ~ "'), false)") }}
{%- endmacro %}
