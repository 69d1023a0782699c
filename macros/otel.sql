{#-
    OpenTelemetry span helpers (CONTRACT.md "OTel input"): the attribute keys read from a span,
    span kinds and status codes without their enum prefixes, span-event attributes, and JSON
    keys removed. Cross-database where needed (adapter.dispatch: default__ = Postgres,
    duckdb__ = DuckDB, spark__ = Spark). Documented with their arguments in macros/_macros__otel.yml.
-#}

{% macro otel_span_keys() -%}
    {#- The span attributes base_otel__spans reads, in one parse (json_extract_fields). -#}
    {{ return([
        'gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.system',
        'gen_ai.request.model', 'gen_ai.response.model',
        'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens',
        'gen_ai.usage.prompt_tokens', 'gen_ai.usage.completion_tokens',
        'gen_ai.usage.cost', 'cost_usd', 'error.type',
        'gen_ai.agent.name', 'gen_ai.agent.id', 'gen_ai.tool.name',
        'gen_ai.input.messages', 'gen_ai.output.messages',
    ]) }}
{%- endmacro %}

{% macro otel_content_keys() -%}
    {#- Attributes that carry prompt, response or tool text: never kept outside quarantine. -#}
    {{ return([
        'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.system_instructions',
        'gen_ai.prompt', 'gen_ai.completion', 'gen_ai.tool.call.arguments',
        'gen_ai.tool.call.result', 'input.value', 'output.value',
    ]) }}
{%- endmacro %}

{% macro otel_enum(column, prefix) -%}
    {#- An OTLP enum name lower-cased without its prefix: 'STATUS_CODE_ERROR' and 'Error' -> 'error'. -#}
    nullif(
        lower(
            case
                when upper(left(trim({{ column }}), {{ prefix | length }})) = '{{ prefix }}'
                    then substr(trim({{ column }}), {{ (prefix | length) + 1 }})
                else trim({{ column }})
            end
        ),
        ''
    )
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- otel_event_attribute(events_expr, key): the text of attribute `key` in the first span event   -#}
{#- (of a JSON array of {name, timestamp, attributes}) that has it; null when none has it or the   -#}
{#- text is not a JSON array.                                                                     -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro otel_event_attribute(events_expr, key) -%}
    {{ return(adapter.dispatch('otel_event_attribute', 'ai_ops')(events_expr, key)) }}
{%- endmacro %}

{% macro default__otel_event_attribute(events_expr, key) -%}
    (
        select span_event.value -> 'attributes' ->> '{{ key }}'
        from jsonb_array_elements(
            case
                when jsonb_typeof({{ ai_ops_udf_schema() }}.ai_ops_try_jsonb({{ events_expr }})) = 'array'
                    then {{ ai_ops_udf_schema() }}.ai_ops_try_jsonb({{ events_expr }})
                else cast('[]' as jsonb)
            end
        ) with ordinality as span_event (value, position)
        where span_event.value -> 'attributes' ->> '{{ key }}' is not null
        order by span_event.position
        limit 1
    )
{%- endmacro %}

{% macro spark__otel_event_attribute(events_expr, key) -%}
    {#-
        json_array_length is null unless the text is a JSON array (from_json would read a lone
        object as an array of one); each event as JSON text, its attributes as a map (a key given
        twice: the last wins, as in Postgres' jsonb).
    -#}
    case
        when json_array_length({{ events_expr }}) is not null
            then element_at(
                filter(
                    transform(
                        from_json({{ events_expr }}, 'array<string>'),
                        span_event -> element_at(
                            from_json(get_json_object(span_event, '$.attributes'), 'map<string,string>'),
                            '{{ key }}'
                        )
                    ),
                    attribute_value -> attribute_value is not null
                ),
                1
            )
    end
{%- endmacro %}

{% macro duckdb__otel_event_attribute(events_expr, key) -%}
    case
        when json_valid({{ events_expr }}) and json_type({{ events_expr }}) = 'ARRAY'
            then json_extract_string(
                list_filter(
                    cast(json_extract({{ events_expr }}, '$[*]') as json[]),
                    lambda span_event: json_extract_string(span_event, '$.attributes."{{ key }}"') is not null
                )[1],
                '$.attributes."{{ key }}"'
            )
    end
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_without_keys(json_text_expr, keys): the JSON object's text without the top-level `keys`  -#}
{#- (only called on texts known to be JSON objects).                                              -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_without_keys(json_text_expr, keys) -%}
    {{ return(adapter.dispatch('json_without_keys', 'ai_ops')(json_text_expr, keys)) }}
{%- endmacro %}

{% macro default__json_without_keys(json_text_expr, keys) -%}
    cast(
        {{ ai_ops_udf_schema() }}.ai_ops_try_jsonb({{ json_text_expr }})
        - array[{% for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor %}]
        as text
    )
{%- endmacro %}

{% macro spark__json_without_keys(json_text_expr, keys) -%}
    {#- through a map<string,string>: the kept values are written back as JSON strings -#}
    to_json(
        map_filter(
            from_json({{ json_text_expr }}, 'map<string,string>'),
            (json_key, json_value) -> json_key not in (
                {%- for key in keys %}'{{ key }}'{{ ', ' if not loop.last }}{% endfor -%}
            )
        )
    )
{%- endmacro %}

{% macro duckdb__json_without_keys(json_text_expr, keys) -%}
    cast(
        json_merge_patch(
            {{ json_text_expr }},
            '{ {%- for key in keys %}"{{ key }}": null{{ ', ' if not loop.last }}{% endfor -%} }'
        )
        as varchar
    )
{%- endmacro %}


{#- ------------------------------------------------------------------------------------------- -#}
{#- json_object_entries(json_text_expr, alias): a FROM-clause item (joined with `cross join`)     -#}
{#- giving one row per top-level key of the JSON object, with columns `<alias>.key` and the       -#}
{#- value's text through json_entry_value(alias) (strings unquoted, arrays and objects as JSON).  -#}
{#- ------------------------------------------------------------------------------------------- -#}
{% macro json_object_entries(json_text_expr, alias) -%}
    {{ return(adapter.dispatch('json_object_entries', 'ai_ops')(json_text_expr, alias)) }}
{%- endmacro %}

{% macro default__json_object_entries(json_text_expr, alias) -%}
    lateral jsonb_each_text({{ ai_ops_udf_schema() }}.ai_ops_try_jsonb({{ json_text_expr }})) as {{ alias }} (key, value)
{%- endmacro %}

{% macro spark__json_object_entries(json_text_expr, alias) -%}
    lateral explode(from_json({{ json_text_expr }}, 'map<string,string>')) as {{ alias }} (key, value)
{%- endmacro %}

{% macro duckdb__json_object_entries(json_text_expr, alias) -%}
    json_each({{ json_text_expr }}) as {{ alias }}
{%- endmacro %}

{% macro json_entry_value(alias) -%}
    {{ return(adapter.dispatch('json_entry_value', 'ai_ops')(alias)) }}
{%- endmacro %}

{% macro default__json_entry_value(alias) -%}
    {{ alias }}.value
{%- endmacro %}

{% macro duckdb__json_entry_value(alias) -%}
    json_extract_string({{ alias }}.value, '$')
{%- endmacro %}
