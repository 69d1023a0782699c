{#-
    The validation rules of raw ai_events (CONTRACT.md sections 1 and 4), used by
    base_telemetry__ai_events: the keys of `properties`, how they are typed, why a row is
    quarantined and why a value is dropped with a warning. Documented in
    macros/_macros__ai_event_rules.yml; the reasons in the doc blocks ai_quarantine_reason and
    ai_parse_warning.
-#}

{#- ai_event_keys(role): the keys of `properties` read, by role: 'all' (in parse order),        -#}
{#- 'numeric' (in the order of their warnings), 'integer', 'non_negative'.                        -#}
{% macro ai_event_keys(role='all') -%}
    {%- set keys = {
        'all': [
            'workflow', 'model_version', 'prompt_version', 'feature_flag_state', 'consent_analytics',
            'prompt_number', 'intent_label', 'model_used', 'prompt_text', 'response_status',
            'error_type', 'latency_ms', 'input_tokens', 'output_tokens', 'cost_usd', 'response_text',
            'action_type', 'conversion_flag', 'rating', 'feedback',
        ],
        'numeric': ['prompt_number', 'latency_ms', 'input_tokens', 'output_tokens', 'cost_usd', 'rating'],
        'integer': ['prompt_number', 'input_tokens', 'output_tokens', 'rating'],
        'non_negative': ['latency_ms', 'input_tokens', 'output_tokens', 'cost_usd'],
    } -%}
    {%- if role not in keys -%}
        {{ exceptions.raise_compiler_error("ai_event_keys: unknown role '" ~ role ~ "'") }}
    {%- endif -%}
    {{ return(keys[role]) }}
{%- endmacro %}


{#- ai_event_names(): the three event names of the telemetry model. -#}
{% macro ai_event_names() -%}
    {{ return(['ai_user_prompt_created', 'ai_llm_response_received', 'ai_user_action']) }}
{%- endmacro %}


{#-
    ai_event_typed_properties(fields='property_values', event_name='event_name'): the select list
    typing the keys of a json_extract_fields(…, ai_event_keys('all')) list: enums lower-cased and
    trimmed, versions trimmed, free text as is; every numeric key as `<key>_number` (double, for
    the rules) with `has_<key>` (present), the integer keys as integer/bigint, booleans
    true/false or "true"/"false" (anything else unknown).
-#}
{% macro ai_event_typed_properties(fields='property_values', event_name='event_name') -%}
    {%- set keys = ai_event_keys('all') -%}
    {%- set v = {} -%}
    {%- for key in keys -%}{%- do v.update({key: json_field(fields, keys, key)}) -%}{%- endfor -%}
        ---------- strings
        {{ normalize_enum(event_name) }} as event_name_normalized,
        {%- for key in [
            'workflow', 'feature_flag_state', 'intent_label', 'response_status', 'error_type', 'action_type',
        ] %}
        {{ normalize_enum(v[key]) }} as {{ key }},
        {%- endfor %}
        {%- for key in ['model_version', 'prompt_version', 'model_used'] %}
        {{ clean_text(v[key]) }} as {{ key }},
        {%- endfor %}
        {%- for key in ['prompt_text', 'response_text', 'feedback'] %}
        {{ v[key] }} as {{ key }},
        {%- endfor %}
        ---------- numerics (null when missing or not a number) and their presence
        {%- for key in ai_event_keys('numeric') %}
        {{ safe_to_double(v[key]) }} as {{ key }}_number,
        {{ v[key] }} is not null as has_{{ key }},
        {%- endfor %}
        {{ safe_to_integer(v['prompt_number']) }} as prompt_number,
        {{ safe_to_bigint(v['input_tokens']) }} as input_tokens,
        {{ safe_to_bigint(v['output_tokens']) }} as output_tokens,
        {{ safe_to_integer(v['rating']) }} as rating,
        ---------- booleans
        {{ json_to_boolean(v['consent_analytics']) }} as consent_analytics,
        {{ json_to_boolean(v['conversion_flag']) }} as conversion_flag
{%- endmacro %}


{#-
    ai_event_quarantine_rules(...): the rules that make a raw event unusable, in the order they
    apply (the first wins; reasons listed in the doc block ai_quarantine_reason). Arguments name
    the columns of the typed CTE the rules read.
-#}
{% macro ai_event_quarantine_rules(
    event_name='event_name_normalized',
    properties='properties',
    is_object='is_properties_object',
    occurred_at='occurred_at',
    loaded_at='loaded_at',
    number_suffix='_number'
) -%}
    {%- set rules = [
        bad_cell_rule(),
        missing_rule('event_id'),
        missing_rule('conversation_id'),
        null_rule(occurred_at),
        (
            event_name ~ " is null or " ~ event_name ~ " not in ('" ~ ai_event_names() | join("', '") ~ "')",
            'unknown event_name',
        ),
        (properties ~ ' is null', 'properties is null'),
        (json_has_nul_escape(properties), 'properties holds \\u0000'),
        ('not ' ~ is_object, 'properties is not a json object'),
    ] -%}
    {%- for key in ai_event_keys('non_negative') -%}
        {%- do rules.append((key ~ number_suffix ~ ' < 0', 'negative ' ~ key)) -%}
    {%- endfor -%}
    {%- do rules.append((
        occurred_at ~ ' > ' ~ dbt.dateadd('day', 1, loaded_at),
        'occurred_at more than 1 day after loaded_at',
    )) -%}
    {{ return(rules) }}
{%- endmacro %}


{#-
    ai_event_parse_warning_rules(number_suffix='_number', presence_prefix='has_'): why a value of
    a valid row was dropped (the row stays valid, CONTRACT.md section 4 does not make it invalid):
    `non-numeric <key>` (present but not a number), then `non-integer <key>` (a number that is not
    a whole number fitting an integer key).
-#}
{% macro ai_event_parse_warning_rules(number_suffix='_number', presence_prefix='has_') -%}
    {%- set rules = [] -%}
    {%- for key in ai_event_keys('numeric') -%}
        {%- do rules.append((
            presence_prefix ~ key ~ ' and ' ~ key ~ number_suffix ~ ' is null',
            'non-numeric ' ~ key,
        )) -%}
    {%- endfor -%}
    {%- for key in ai_event_keys('integer') -%}
        {%- do rules.append((
            key ~ number_suffix ~ ' is not null and ' ~ key ~ ' is null',
            'non-integer ' ~ key,
        )) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}
