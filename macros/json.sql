{#-
    JSON helpers, cross-database (adapter.dispatch: default__ = Postgres, duckdb__ = DuckDB).

    Parse a JSON document once: `json_extract_fields` returns ONE list (DuckDB) / text[]
    (Postgres) holding the requested keys as text, in the order given, 1-based; materialize it in
    one CTE and pick the keys in the next one with `json_field` (an index, no re-parse).
    Documented with their arguments in macros/_macros__json.yml.
-#}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_has_nul_escape(json_text_expr): true when the JSON text holds the escape \u0000 (a NUL  -#}
{#- character: Postgres cannot store it, DuckDB would). Escaped backslashes (\\) are dropped    -#}
{#- first, so `\\u0000` (a backslash, then the text u0000) does not count. Portable SQL.       -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_has_nul_escape(json_text_expr) -%}
    {{ return(adapter.dispatch('json_has_nul_escape', 'ai_ops')(json_text_expr)) }}
{%- endmacro %}

{% macro default__json_has_nul_escape(json_text_expr) -%}
    coalesce(
        strpos({{ json_text_expr }}, '\u0000') > 0
        and strpos(replace({{ json_text_expr }}, '\\', ''), '\u0000') > 0,
        false
    )
{%- endmacro %}

{% macro spark__json_has_nul_escape(json_text_expr) -%}
    {#- Spark reads backslash escapes in '...' literals: raw literals r'...' keep the text as written. -#}
    coalesce(
        instr({{ json_text_expr }}, r'\u0000') > 0
        and instr(replace({{ json_text_expr }}, r'\\', ''), r'\u0000') > 0,
        false
    )
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

{% macro spark__json_is_object(json_text_expr) -%}
    {#- from_json into a map is null for invalid JSON, arrays, scalars and JSON null -#}
    (from_json({{ json_text_expr }}, 'map<string,string>') is not null)
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
        {#- dotted keys (OpenTelemetry attributes such as gen_ai.usage.input_tokens) are one key -#}
        {%- if not modules.re.match('^[A-Za-z_][A-Za-z0-9_.]*$', key) -%}
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

{% macro spark__json_extract_fields(json_text_expr, keys) -%}
    {#-
        Spark: one from_json into map<string, string> (null unless the text is a JSON object;
        values as text, nested objects and arrays as JSON text, JSON null as null); json_field
        reads it by key. Spark does not copy an expensive expression into each reader
        (CollapseProject keeps it apart), so the document is parsed once per row.
    -#}
    from_json({{ json_text_expr }}, 'map<string,string>')
{%- endmacro %}

{% macro duckdb__json_extract_fields(json_text_expr, keys) -%}
    {#-
        A key given twice in the object: the LAST value wins, as in Postgres' jsonb (DuckDB's
        reader returns the first): those rare rows read every key and value of the object and
        take each key's last position.
    -#}
    case
        when {{ duckdb__json_is_object(json_text_expr) }}
            then case
                when len(json_keys({{ json_text_expr }})) = len(list_distinct(json_keys({{ json_text_expr }})))
                    then json_extract_string(
                        {{ json_text_expr }},
                        [
                            {%- for key in keys -%}
                            {%- if '.' in key -%}
                            '$."{{ key }}"'{{ ', ' if not loop.last }}
                            {%- else -%}
                            '$.{{ key }}'{{ ', ' if not loop.last }}
                            {%- endif -%}
                            {%- endfor -%}
                        ]
                    )
                else [
                    {%- for key in keys %}
                    json_extract_string({{ json_text_expr }}, '$.*')[
                        len(json_keys({{ json_text_expr }})) + 1
                        - list_position(list_reverse(json_keys({{ json_text_expr }})), '{{ key }}')
                    ]{{ ',' if not loop.last }}
                    {%- endfor %}
                ]
            end
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
    {{ return(adapter.dispatch('json_field', 'ai_ops')(fields_expr, keys, key)) }}
{%- endmacro %}

{% macro default__json_field(fields_expr, keys, key) -%}
    ({{ fields_expr }})[{{ keys.index(key) + 1 }}]
{%- endmacro %}

{% macro spark__json_field(fields_expr, keys, key) -%}
    {#- the map of spark__json_extract_fields, by key (a missing key reads as null) -#}
    element_at({{ fields_expr }}, '{{ key }}')
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
